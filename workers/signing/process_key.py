"""The signing key, the signing profile and the trust roots of a sohoa process, from settings.

    ensure_signing_key(settings) -> SigningMaterial   creates a development PKI on first run
    open_signing_key(settings) -> SigningKey          PKCS#12 (agency or dev) or PKCS#11 token
    signing_profile(settings, agency, roots) -> SigningProfile   level, TSA, fetchers, stamp
    trust_roots(settings) -> tuple[bytes, ...]        never creates anything

With ``settings.signing_pkcs12`` unset, a development CA and signer are created once under
``settings.keys_dir`` (directory 0700)::

    dev-ca.cert.pem        the development CA certificate (trust root for our own output)
    dev-signer.p12         signer key + certificate + CA, encrypted (0600)
    dev-signer.password    the random PKCS#12 password (0600)

and reused afterwards. Their certificates say ``DEVELOPMENT ONLY - not a legal signature``.
Otherwise the agency's PKCS#12 file and ``settings.signing_password_file`` are read, or, with
``settings.signing.pkcs11_module`` set, the key stays on a PKCS#11 token (PIN from a file).
Errors: SigningKeyError (exit CONFIG) for key material that is missing, unreadable or unusable.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from pipeline.signatures import online
from pipeline.signatures.signers import TokenKey, open_pkcs11_signer
from pipeline.signatures.signing import SigningProfile, load_signer, make_dev_pki
from schemas.errors import OwnSignatureInvalid, SigningKeyError
from schemas.results import VerificationReport
from schemas.settings import Settings
from schemas.signing import SigningLevel

log = logging.getLogger(__name__)

DEV_CA_FILE = "dev-ca.cert.pem"
DEV_PKCS12_FILE = "dev-signer.p12"
DEV_PASSWORD_FILE = "dev-signer.password"
LOCK_FILE = ".dev-pki.lock"


@dataclass(frozen=True, repr=False)
class SigningMaterial:
    """What signing and verifying our own output needs. ``repr`` hides the secrets."""

    pkcs12: bytes
    password: bytes
    trust_roots: tuple[bytes, ...]
    """PEM certificates trusted when verifying (our own output, ``sohoa verify``)."""
    development: bool
    """True: a development certificate, not a legal signature."""

    def __repr__(self) -> str:
        return "SigningMaterial(development=%s, trust_roots=%d, pkcs12=<%d bytes>)" % (
            self.development,
            len(self.trust_roots),
            len(self.pkcs12),
        )


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(
            "cannot read the %s: %s" % (what, exc.strerror), subject=str(path)
        ) from exc


def _read_password(path: Path | None) -> bytes:
    if path is None:
        return b""
    # a trailing newline is what `echo secret > file` leaves; it is never part of the password
    return _read(path, "signing password file").rstrip(b"\r\n")


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600, atomically (temporary file + rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock so that two first runs cannot create two different PKIs."""
    fd = os.open(directory / LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _dev_files(directory: Path) -> tuple[Path, Path, Path]:
    return directory / DEV_CA_FILE, directory / DEV_PKCS12_FILE, directory / DEV_PASSWORD_FILE


def _create_dev_pki(directory: Path, now: dt.datetime) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        with _locked(directory):
            ca_file, p12_file, password_file = _dev_files(directory)
            present = [p.exists() for p in (ca_file, p12_file, password_file)]
            if all(present):
                return  # another process created it meanwhile
            if any(present):
                raise SigningKeyError(
                    "incomplete development key (some of %s, %s, %s are missing); "
                    "remove the directory to create a new one"
                    % (DEV_CA_FILE, DEV_PKCS12_FILE, DEV_PASSWORD_FILE),
                    subject=str(directory),
                )
            pki = make_dev_pki(now)
            _write_private(ca_file, pki.ca_cert_pem)
            _write_private(password_file, pki.password)
            _write_private(p12_file, pki.pkcs12)  # last: its presence marks a complete set
            os.chmod(ca_file, 0o644)
            log.warning("created a development signing key in %s", directory)
    except OSError as exc:
        raise SigningKeyError(
            "cannot create the development key: %s" % exc.strerror, subject=str(directory)
        ) from exc


def _warn_if_readable(path: Path) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & 0o077:
        log.warning("%s is readable by other users (mode %o)", path, mode & 0o777)


def _self_signed_in(pkcs12_data: bytes, password: bytes) -> tuple[bytes, ...]:
    """The self-signed (root) certificates shipped inside a PKCS#12 bundle, as PEM."""
    try:
        _key, _cert, chain = pkcs12.load_key_and_certificates(pkcs12_data, password or None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            "cannot open the PKCS#12 signing key: wrong password or damaged file"
        ) from exc
    return tuple(c.public_bytes(serialization.Encoding.PEM) for c in chain if c.issuer == c.subject)


def _read_trust_pem(path: Path) -> tuple[bytes, ...]:
    data = _read(path, "trust anchors file")
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise SigningKeyError(
            "no PEM certificate in the trust anchors file", subject=str(path)
        ) from exc
    return tuple(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def trust_roots(settings: Settings) -> tuple[bytes, ...]:
    """PEM trust roots for verification; reads only, never creates a development PKI.

    ``settings.trust_pem`` if set; else, with an agency PKCS#12, the root certificates inside
    it; else the development CA if one exists; else nothing (every signature is then at best
    INDETERMINATE).
    """
    if settings.trust_pem is not None:
        return _read_trust_pem(settings.trust_pem)
    if settings.signing_pkcs12 is not None:
        roots = _self_signed_in(
            _read(settings.signing_pkcs12, "signing PKCS#12 file"),
            _read_password(settings.signing_password_file),
        )
        if not roots:
            log.warning(
                "%s carries no root certificate and SOHOA_TRUST_PEM is unset: "
                "no signature can be trusted",
                settings.signing_pkcs12,
            )
        return roots
    ca_file = settings.keys_dir / DEV_CA_FILE
    if ca_file.exists():
        return (_read(ca_file, "development CA certificate"),)
    return ()


def ensure_signing_key(settings: Settings, *, now: dt.datetime | None = None) -> SigningMaterial:
    """The signing key of this process, creating a development PKI on the very first run.

    The key is checked to be usable at ``now`` (default: the current time). Raises
    SigningKeyError on missing, unreadable, expired or otherwise unusable key material.
    """
    moment = now or dt.datetime.now(dt.UTC)
    if settings.signing_pkcs12 is not None:
        data = _read(settings.signing_pkcs12, "signing PKCS#12 file")
        password = _read_password(settings.signing_password_file)
        load_signer(data, password, now=moment)
        return SigningMaterial(
            pkcs12=data, password=password, trust_roots=trust_roots(settings), development=False
        )

    directory = settings.keys_dir
    ca_file, p12_file, password_file = _dev_files(directory)
    if not all(p.exists() for p in (ca_file, p12_file, password_file)):
        _create_dev_pki(directory, moment)
    data = _read(p12_file, "development PKCS#12 file")
    password = _read_password(password_file)
    _warn_if_readable(p12_file)
    _warn_if_readable(password_file)
    try:
        load_signer(data, password, now=moment)
    except SigningKeyError as exc:
        raise SigningKeyError(
            "%s; remove %s to create a new development key" % (exc.message, directory),
            subject=str(p12_file),
        ) from exc
    roots = trust_roots(settings)
    log.warning(
        "signing with a DEVELOPMENT certificate from %s: signatures are not legally valid; "
        "set SOHOA_SIGNING_PKCS12 for the agency's key",
        directory,
    )
    return SigningMaterial(pkcs12=data, password=password, trust_roots=roots, development=True)


@dataclass(frozen=True, repr=False)
class SigningKey:
    """An open signing key: a pyHanko signer and what verifies its signatures."""

    signer: Any
    """pyHanko Signer (PKCS#12 in memory, or PKCS#11 on a token)."""
    trust_roots: tuple[bytes, ...]
    development: bool
    token: TokenKey | None = None

    def close(self) -> None:
        if self.token is not None:
            self.token.close()

    def __repr__(self) -> str:
        kind = "pkcs11" if self.token else "development" if self.development else "pkcs12"
        return "SigningKey(%s, trust_roots=%d)" % (kind, len(self.trust_roots))


def _token_roots(signer: Any) -> tuple[bytes, ...]:
    return tuple(
        _pem_of(c) for c in signer.cert_registry if c.subject == c.issuer and c.self_signed
    )


def _pem_of(cert: Any) -> bytes:
    return x509.load_der_x509_certificate(cert.dump()).public_bytes(serialization.Encoding.PEM)


def open_signing_key(settings: Settings, *, now: dt.datetime | None = None) -> SigningKey:
    """The signing key of this process, checked to be usable at ``now`` (default: now).

    A PKCS#11 token when ``settings.signing.pkcs11_module`` is set; else the agency PKCS#12;
    else the development key (created on the first run). Raises SigningKeyError.
    """
    moment = now or dt.datetime.now(dt.UTC)
    signing = settings.signing
    if signing.pkcs11_module is not None:
        pin = None
        if signing.pkcs11_pin_file is not None:
            pin = _read_password(signing.pkcs11_pin_file).decode("utf-8", "replace")
        token = open_pkcs11_signer(
            signing.pkcs11_module,
            token_label=signing.pkcs11_token_label,
            pin=pin,
            key_label=signing.pkcs11_key_label,
            cert_label=signing.pkcs11_cert_label,
            now=moment,
        )
        if settings.trust_pem is not None:
            roots = _read_trust_pem(settings.trust_pem)
        else:
            roots = _token_roots(token.signer)
        return SigningKey(token.signer, roots, development=False, token=token)
    material = ensure_signing_key(settings, now=moment)
    signer = load_signer(material.pkcs12, material.password, now=moment)
    return SigningKey(signer, material.trust_roots, development=material.development)


def validation_context_factory(
    roots: Sequence[bytes], settings: Settings, *, extra_certs: Sequence[bytes] = ()
) -> Callable[[], Any]:
    """Fresh pyHanko ValidationContexts trusting ``roots`` that fetch OCSP/CRLs."""
    timeout = settings.signing.fetch_timeout_s
    return online.validation_contexts(roots, timeout, extra_certs=extra_certs)


def signing_profile(settings: Settings, agency: str, roots: Sequence[bytes]) -> SigningProfile:
    """The signing profile of ``agency`` (pipeline/signatures/online.py builds it).

    Raises ConfigurationError when the level needs a TSA that is not configured.
    """
    return online.profile_for(agency, settings.signing, roots)


def fetcher_factory(settings: Settings) -> Callable[[], Any]:
    """Fetcher backends for OCSP responses and CRLs, with the configured timeout."""
    return online.fetchers(settings.signing.fetch_timeout_s)


def require_level(report: VerificationReport, level: SigningLevel) -> None:
    """Raise OwnSignatureInvalid unless our last signature reached ``level`` (no silent B-B)."""
    reached = report.signatures[-1].level if report.signatures else None
    if reached is None or reached < level:
        raise OwnSignatureInvalid(
            "signed at %s but the result only verifies as %s" % (level.value, reached or "none")
        )


read_file = _read
read_password = _read_password
pem_of = _pem_of
