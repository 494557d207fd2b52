"""Signing keys: a development PKI, PKCS#12 and PKCS#11 signers, and checks on the signer.

    make_dev_pki(now)                         -> DevPki     local CA + signer, DEVELOPMENT ONLY
    load_signer(pkcs12, password, now=)       -> Signer     raises SigningKeyError
    open_pkcs11_signer(module, ..., now=)     -> TokenKey   a signer on a token; close() it
    check_certificate(cert, now)                            expired / not yet valid / usage
    check_revocation(cert, chain, context)    -> RevocationCheck   OCSP or CRL, never raises

The revocation check talks to the OCSP responder or CRL named in the certificate, through the
fetchers of the ValidationContext the caller built (the caller decides about the network).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign import signers
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
)

from schemas.errors import SigningKeyError

log = logging.getLogger(__name__)

DEV_ORGANISATION = "sohoa DEVELOPMENT ONLY - not a legal signature"
DEV_CA_NAME = "sohoa development CA"
DEV_SIGNER_NAME = "sohoa development signer"
CA_LIFETIME = dt.timedelta(days=3652)  # 10 years
SIGNER_LIFETIME = dt.timedelta(days=730)  # 2 years
BACKDATE = dt.timedelta(minutes=5)  # tolerate small clock differences between machines
# RFC 9336 id-kp-documentSigning; emailProtection too, which NSS (pdfsig) and OpenSSL's CMS
# verification expect on a CMS signer whose certificate carries an extendedKeyUsage at all.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


@dataclass(frozen=True, repr=False)
class DevPki:
    """A development CA and signer. ``repr`` never shows the password or the key."""

    ca_cert_pem: bytes
    """The development CA certificate, the trust root for verifying our own output."""
    pkcs12: bytes
    """Signer key + signer certificate + CA certificate, encrypted with ``password``."""
    password: bytes
    """Random password of ``pkcs12``."""

    def __repr__(self) -> str:
        return "DevPki(ca_cert_pem=..., pkcs12=<%d bytes>, password=***)" % len(self.pkcs12)


def utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(dt.UTC)


def _dev_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=signer,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signer,
        crl_sign=not signer,
        encipher_only=False,
        decipher_only=False,
    )


def _dev_ca(
    start: dt.datetime,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Name, x509.SubjectKeyIdentifier, x509.Certificate]:
    """The development CA, valid from ``start``: its key, name, key identifier, certificate."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    # a random suffix: two installations' development CAs never share a name
    ca_name = _dev_name("%s %s" % (DEV_CA_NAME, secrets.token_hex(4)))
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(signer=False), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ca_key, ca_name, ca_ski, ca_cert


def make_dev_pki(now: dt.datetime) -> DevPki:
    """Create a development CA (P-256, 10 years) and a signer certificate (2 years) from ``now``.

    Both subjects say ``DEVELOPMENT ONLY - not a legal signature``. The signer has keyUsage
    digitalSignature + nonRepudiation and extendedKeyUsage documentSigning + emailProtection.
    """
    start = utc(now) - BACKDATE
    ca_key, ca_name, ca_ski, ca_cert = _dev_ca(start)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(_dev_name(DEV_SIGNER_NAME))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + SIGNER_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signer=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(32).encode("ascii")
    bundle = pkcs12.serialize_key_and_certificates(
        name=DEV_SIGNER_NAME.encode(),
        key=signer_key,
        cert=signer_cert,
        cas=[ca_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )
    return DevPki(
        ca_cert_pem=ca_cert.public_bytes(serialization.Encoding.PEM),
        pkcs12=bundle,
        password=password,
    )


def as_cryptography(cert: asn1_x509.Certificate | x509.Certificate) -> x509.Certificate:
    if isinstance(cert, x509.Certificate):
        return cert
    return x509.load_der_x509_certificate(cert.dump())


def check_certificate(cert: asn1_x509.Certificate | x509.Certificate, now: dt.datetime) -> None:
    """Refuse a signer certificate that is expired or not yet valid at ``now``, or not meant
    for signatures (keyUsage without digitalSignature and nonRepudiation)."""
    cert = as_cryptography(cert)
    moment = utc(now)
    subject = cert.subject.rfc4514_string()
    if moment < cert.not_valid_before_utc:
        raise SigningKeyError(
            "the signing certificate is not valid yet (valid from %s)"
            % cert.not_valid_before_utc.isoformat(),
            subject=subject,
        )
    if moment > cert.not_valid_after_utc:
        raise SigningKeyError(
            "the signing certificate expired on %s" % cert.not_valid_after_utc.isoformat(),
            subject=subject,
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningKeyError(
            "the signing certificate may not be used for signatures "
            "(keyUsage has neither digitalSignature nor nonRepudiation)",
            subject=subject,
        )


def load_signer(pkcs12_data: bytes, password: bytes, *, now: dt.datetime) -> signers.Signer:
    """A pyHanko signer from a PKCS#12 bundle, checked to be usable at ``now``.

    Raises SigningKeyError on a wrong password or damaged bundle, a bundle without a private
    key or certificate, a key that does not match the certificate, or a certificate that is
    expired, not yet valid or not meant for signing.
    """
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(pkcs12_data, password or None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            "cannot open the PKCS#12 signing key: wrong password or damaged file"
        ) from exc
    if key is None:
        raise SigningKeyError("the PKCS#12 file holds no private key")
    if cert is None:
        raise SigningKeyError("the PKCS#12 file holds no certificate for its private key")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ) != cert.public_key().public_bytes(serialization.Encoding.DER, public):
        raise SigningKeyError("the PKCS#12 private key does not match its certificate")
    check_certificate(cert, now)
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            pkcs12_data, other_certs=(), passphrase=password or None
        )
    except ValueError as exc:  # pragma: no cover - cryptography already opened it above
        raise SigningKeyError("pyHanko cannot use the PKCS#12 signing key") from exc
    log.debug(
        "signing key loaded: %s (valid until %s, %d chain certificates)",
        cert.subject.rfc4514_string(),
        cert.not_valid_after_utc.isoformat(),
        len(extra),
    )
    return signer


@dataclass(frozen=True, repr=False)
class TokenKey:
    """A signer whose private key stays on a PKCS#11 token; ``close()`` ends the session."""

    signer: signers.Signer
    session: Any

    def close(self) -> None:
        try:
            self.session.close()
        except Exception as exc:  # a token that vanished: nothing left to release
            log.warning("closing the PKCS#11 session failed: %r", exc)

    def __repr__(self) -> str:
        return "TokenKey(%r)" % type(self.signer).__name__


def open_pkcs11_signer(
    module: Path,
    *,
    token_label: str | None,
    pin: str | None,
    key_label: str | None,
    cert_label: str | None = None,
    now: dt.datetime | None,
) -> TokenKey:
    """Open a session on the token ``token_label`` of ``module`` and find the key and its
    certificate (by label; the certificate label defaults to the key label). The certificate
    is checked like a PKCS#12 one at ``now`` (None: not checked, to inspect it). Raises
    SigningKeyError for a missing module, token, key or certificate, a wrong PIN, or an
    unusable certificate.
    """
    try:
        import pkcs11
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
    except ImportError as exc:  # pragma: no cover - pyhanko[pkcs11] is a dependency
        raise SigningKeyError("PKCS#11 support is not installed (python-pkcs11)") from exc
    if not module.is_file():
        raise SigningKeyError("the PKCS#11 module does not exist", subject=str(module))
    criteria = TokenCriteria(label=token_label) if token_label else None
    try:
        session = open_pkcs11_session(str(module), token_criteria=criteria, user_pin=pin)
    except pkcs11.PinIncorrect as exc:
        raise SigningKeyError("the PKCS#11 token refused the PIN", subject=token_label) from exc
    except (pkcs11.PKCS11Error, OSError, RuntimeError) as exc:
        raise SigningKeyError(
            "cannot open the PKCS#11 token: %s" % (str(exc) or type(exc).__name__),
            subject=token_label or str(module),
        ) from exc
    # the digest is computed here and only the raw signature on the token (CKM_ECDSA,
    # CKM_RSA_PKCS): every token has those, not every one has CKM_ECDSA_SHA256 (SoftHSM2)
    signer = PKCS11Signer(
        session,
        key_label=key_label,
        cert_label=cert_label or key_label,
        other_certs_to_pull=None,
        use_raw_mechanism=True,
    )
    cert = _token_certificate(signer, session, key_label, token_label)
    try:
        if now is not None:  # None: to inspect the token, not to sign
            check_certificate(cert, now)
    except SigningKeyError:
        session.close()
        raise
    return TokenKey(signer=signer, session=session)


def _token_certificate(
    signer: Any, session: Any, key_label: str | None, token_label: str | None
) -> Any:
    """The signer's certificate, its key handle and certificates loaded now, not mid-signing;
    the session is closed when the token has no usable key or certificate by that label."""
    import pkcs11

    try:
        return signer.signing_cert
    except (SigningKeyError, pkcs11.PKCS11Error, ValueError) as exc:
        session.close()
        raise SigningKeyError(
            "the PKCS#11 token has no usable key or certificate labelled %r: %s" % (key_label, exc),
            subject=token_label,
        ) from exc
    except Exception as exc:  # pyHanko's SigningError for a missing object
        session.close()
        raise SigningKeyError(
            "the PKCS#11 token has no key or certificate labelled %r (%s)" % (key_label, exc),
            subject=token_label,
        ) from exc


Revocation = Literal["good", "revoked", "unknown", "not-declared"]


@dataclass(frozen=True)
class RevocationCheck:
    """What the signer's OCSP responder or CRL says about its certificate."""

    status: Revocation
    detail: str
    revoked_at: dt.datetime | None = None

    @property
    def declared(self) -> bool:
        return self.status != "not-declared"


def declares_revocation(cert: asn1_x509.Certificate) -> bool:
    """Whether the certificate names an OCSP responder or a CRL distribution point."""
    return bool(cert.ocsp_urls) or bool(cert.crl_distribution_points)


async def check_revocation(
    cert: asn1_x509.Certificate,
    chain: list[asn1_x509.Certificate],
    context: ValidationContext,
) -> RevocationCheck:
    """Ask the revocation sources of ``cert`` (through ``context``'s fetchers) about it.

    ``context`` must trust the chain's root; revocation is checked at its moment. Never raises
    for what the sources say or fail to say: a RevocationCheck tells it.
    """
    if not declares_revocation(cert):
        return RevocationCheck("not-declared", "the certificate names no OCSP responder or CRL")
    validator = CertificateValidator(cert, intermediate_certs=chain, validation_context=context)
    try:
        await validator.async_validate_usage(set())
    except RevokedError as exc:
        reason = exc.reason.human_friendly if exc.reason is not None else "unspecified"
        return RevocationCheck(
            "revoked",
            "revoked on %s (%s)" % (exc.revocation_dt.isoformat(), reason),
            revoked_at=exc.revocation_dt,
        )
    except InsufficientRevinfoError as exc:
        return RevocationCheck("unknown", "no revocation answer: %s" % exc)
    except PathBuildingError as exc:
        return RevocationCheck("unknown", "no chain to a trusted root: %s" % exc)
    except PathValidationError as exc:
        return RevocationCheck("unknown", "the chain does not validate: %s" % exc)
    return RevocationCheck("good", "not revoked (checked at %s)" % context.moment.isoformat())
