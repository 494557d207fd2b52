"""A test PKI for development and tests only: root, issuing CA, signers, TSA, OCSP and CRLs.

Built with certomancer (by pyHanko's author) from one configuration written beside its keys::

    write_test_pki(directory, now=)     -> TestPki    keys/ + certomancer.yml + exported files
    load_test_pki(directory, url_prefix=) -> TestPki  the same PKI, certificates pointing at url
    serve_test_pki(directory, host=, port=)           OCSP, CRLs, TSA over HTTP on loopback

Validity windows are relative to ``now`` so that a PKI made today works today; tests that
need another moment freeze time around the same PKI. Certificates (names say TEST ONLY):

    root              sohoa TEST root CA               now-1y .. now+20y
    interm            sohoa TEST issuing CA            now-1y .. now+10y, CRL at root's repo
    signer            a valid agency signer            now-30d .. now+2y, OCSP + CRL
    signer-expired    expired a year ago               now-3y .. now-1y
    signer-revoked    revoked (keyCompromise)          valid dates, revoked since now-1d
    signer-expiring   expires in 10 days               now-1y .. now+10d
    tsa               RFC 3161 time-stamping unit      now-1y .. now+10y
    interm-ocsp       OCSP responder of interm         ocsp_no_check

certomancer is a development dependency (``pip install sohoa[test]``); importing this module
without it raises ConfigurationError, never ImportError.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from schemas.errors import ConfigurationError

log = logging.getLogger(__name__)

ARCH = "sohoa-test"
CONFIG_FILE = "certomancer.yml"
KEYS_DIR = "keys"
SIGNERS = ("signer", "signer-expired", "signer-revoked", "signer-expiring")
KEY_LABELS = ("root", "interm", "interm-ocsp", "tsa", *SIGNERS)
DEFAULT_URL_PREFIX = "http://127.0.0.1:9077"
TEST_ONLY = "sohoa TEST ONLY - not a legal signature"
YEAR = dt.timedelta(days=365)


def _certomancer() -> Any:
    try:
        import certomancer.registry as registry
    except ImportError as exc:  # pragma: no cover - the [test] extra installs it
        raise ConfigurationError(
            "the test PKI needs certomancer: pip install 'sohoa[test]'"
        ) from exc
    return registry


@dataclass(frozen=True)
class TestPki:
    """A test PKI on disk and its certomancer architecture."""

    __test__ = False  # not a pytest test class

    directory: Path
    url_prefix: str
    arch: Any
    """certomancer PKIArchitecture (certificates, CRLs, OCSP, TSA)."""

    @property
    def tsa_url(self) -> str:
        return "%s/%s/tsa/tsa" % (self.url_prefix, ARCH)

    def cert_pem(self, label: str) -> bytes:
        return _pem(self.arch.get_cert(label).dump())

    def pkcs12(self, label: str, password: bytes) -> bytes:
        """Signer key + certificate + chain (issuing CA and root), encrypted with ``password``."""
        return self.arch.package_pkcs12(label, password=password)

    def key_pem(self, label: str) -> bytes:
        return (self.directory / KEYS_DIR / ("%s.key.pem" % label)).read_bytes()


def _pem(der: bytes) -> bytes:
    from cryptography import x509

    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _key_usage(*usages: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


def _revocation_pointers(crl_repo: str, ocsp: str | None) -> list[dict[str, Any]]:
    pointers: list[dict[str, Any]] = [
        {
            "id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [crl_repo]}},
        }
    ]
    if ocsp is not None:
        pointers.append(
            {
                "id": "authority_information_access",
                "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": [ocsp]}},
            }
        )
    return pointers


def _validity(now: dt.datetime) -> Callable[[dt.timedelta, dt.timedelta], dict[str, str]]:
    def valid(start: dt.timedelta, end: dt.timedelta) -> dict[str, str]:
        return {"valid-from": _when(now + start), "valid-to": _when(now + end)}

    return valid


def _authorities(now: dt.datetime) -> dict[str, Any]:
    """The root, the issuing CA, its OCSP responder and the TSA."""
    valid = _validity(now)
    return {
        "root": {
            "subject": "root",
            "issuer": "root",
            "validity": valid(-YEAR, 20 * YEAR),
            "extensions": [
                {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
            ],
        },
        "interm": {
            "issuer": "root",
            "validity": valid(-YEAR, 10 * YEAR),
            "extensions": [
                {
                    "id": "basic_constraints",
                    "critical": True,
                    "value": {"ca": True, "path-len-constraint": 0},
                },
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                *_revocation_pointers("root", None),
            ],
        },
        "interm-ocsp": {
            "issuer": "interm",
            "validity": valid(-YEAR, 10 * YEAR),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                {"id": "ocsp_no_check"},
            ],
        },
        "tsa": {
            "issuer": "root",
            "validity": valid(-YEAR, 10 * YEAR),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                *_revocation_pointers("root", None),
            ],
        },
    }


def _signers(now: dt.datetime) -> dict[str, Any]:
    """The signer, and the same signer expired, revoked and about to expire."""
    valid = _validity(now)
    signer_exts = [_key_usage("digital_signature", "non_repudiation")]
    signer_exts += _revocation_pointers("interm", "interm")
    certs: dict[str, Any] = {
        "signer": {
            "issuer": "interm",
            "validity": valid(-dt.timedelta(days=30), 2 * YEAR),
            "extensions": signer_exts,
        },
        "signer-expired": {
            "template": "signer",
            "validity": valid(-3 * YEAR, -YEAR),
        },
        "signer-revoked": {
            "template": "signer",
            "revocation": {
                "revoked-since": _when(now - dt.timedelta(days=1)),
                "reason": "key_compromise",
            },
        },
        "signer-expiring": {
            "template": "signer",
            "validity": valid(-YEAR, dt.timedelta(days=10)),
        },
    }
    for label in SIGNERS:
        certs[label]["subject"] = label
        certs[label]["subject-key"] = label
    return certs


def _services() -> dict[str, Any]:
    """OCSP for the issuing CA, CRLs of both CAs (updated weekly), time-stamping."""
    schedule = "P7D"
    return {
        "ocsp": {
            "interm": {
                "for-issuer": "interm",
                "responder-cert": "interm-ocsp",
                "signing-key": "interm-ocsp",
            }
        },
        "crl-repo": {
            "root": {
                "for-issuer": "root",
                "signing-key": "root",
                "simulated-update-schedule": schedule,
            },
            "interm": {
                "for-issuer": "interm",
                "signing-key": "interm",
                "simulated-update-schedule": schedule,
            },
        },
        "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
    }


def _config(now: dt.datetime) -> dict[str, Any]:
    """certomancer's configuration of the test PKI, its validity periods counted from ``now``."""
    return {
        "keysets": {
            ARCH: {
                "path-prefix": KEYS_DIR,
                "keys": {label: {"path": "%s.key.pem" % label} for label in KEY_LABELS},
            }
        },
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "VN", "organization-name": TEST_ONLY},
                "entities": {
                    "root": {"common-name": "sohoa TEST root CA"},
                    "interm": {"common-name": "sohoa TEST issuing CA"},
                    "interm-ocsp": {"common-name": "sohoa TEST OCSP responder"},
                    "tsa": {"common-name": "sohoa TEST time-stamping authority"},
                    "signer": {"common-name": "UBND xã Thử Nghiệm (TEST)"},
                    "signer-expired": {"common-name": "Cơ quan hết hạn (TEST, expired)"},
                    "signer-revoked": {"common-name": "Cơ quan bị thu hồi (TEST, revoked)"},
                    "signer-expiring": {"common-name": "Cơ quan sắp hết hạn (TEST, expiring)"},
                },
                "certs": {**_authorities(now), **_signers(now)},
                "services": _services(),
            }
        },
    }


def _write_key(path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    path.chmod(0o600)


def write_test_pki(
    directory: Path, *, now: dt.datetime, url_prefix: str = DEFAULT_URL_PREFIX
) -> TestPki:
    """Create P-256 keys and ``certomancer.yml`` in ``directory``; export files for people.

    Exported beside the configuration: ``root.cert.pem`` (trust anchor), ``chain.pem`` (issuing
    CA + root), ``<signer>.p12`` for every signer with one random ``signers.password`` (0600).
    Raises ConfigurationError when ``directory`` already holds a test PKI.
    """
    if now.tzinfo is None:
        raise ValueError("write_test_pki(now=...) needs a timezone-aware datetime")
    if (directory / CONFIG_FILE).exists():
        raise ConfigurationError("%s already holds a test PKI" % directory)
    keys = directory / KEYS_DIR
    keys.mkdir(parents=True, exist_ok=True)
    keys.chmod(0o700)
    for label in KEY_LABELS:
        _write_key(keys / ("%s.key.pem" % label))
    header = "# sohoa test PKI, TEST ONLY, created %s\n" % _when(now)
    config = {"external-url-prefix": url_prefix.rstrip("/"), **_config(now)}
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    (directory / CONFIG_FILE).write_text(header + text, encoding="utf-8")
    pki = load_test_pki(directory)
    password = secrets.token_urlsafe(24).encode("ascii")
    (directory / "root.cert.pem").write_bytes(pki.cert_pem("root"))
    (directory / "chain.pem").write_bytes(pki.cert_pem("interm") + pki.cert_pem("root"))
    secret = directory / "signers.password"
    secret.write_bytes(password)
    secret.chmod(0o600)
    for label in SIGNERS:
        target = directory / ("%s.p12" % label)
        target.write_bytes(pki.pkcs12(label, password))
        target.chmod(0o600)
    return pki


def load_test_pki(directory: Path) -> TestPki:
    """The test PKI in ``directory``, its services under the URL it was created for."""
    registry = _certomancer()
    try:
        config = registry.CertomancerConfig.from_file(
            str(directory / CONFIG_FILE),
            key_search_dir=str(directory),
            allow_external_config=False,
        )
        arch = config.get_pki_arch(registry.ArchLabel(ARCH))
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigurationError("cannot load the test PKI in %s: %s" % (directory, exc)) from exc
    return TestPki(directory=directory, url_prefix=config.external_url_prefix, arch=arch)


class _LateApp:
    """A WSGI app whose target is set after the server knows its port."""

    def __init__(self) -> None:
        self.target: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.target(environ, start_response)


@contextmanager
def serve_test_pki(
    directory: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    now: dt.datetime | None = None,
) -> Iterator[TestPki]:
    """Serve the PKI's OCSP responder, CRLs, certificates and TSA over HTTP on loopback.

    An existing PKI in ``directory`` is served at the address it was created for. Otherwise
    one is created for ``host:port`` (``port=0``: a free port) with validity around ``now``.
    The server runs in a daemon thread and stops when the context exits.
    """
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from werkzeug.serving import make_server

    existing = (directory / CONFIG_FILE).exists()
    if existing:
        address = urlsplit(load_test_pki(directory).url_prefix)
        host, port = address.hostname or host, address.port or 80
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    app = _LateApp()
    server = make_server(host, port, app, threaded=True)
    try:
        prefix = "http://%s:%d" % (host, server.server_port)
        if existing:
            pki = load_test_pki(directory)
        else:
            pki = write_test_pki(directory, now=now or dt.datetime.now(dt.UTC), url_prefix=prefix)
        app.target = Animator(AnimatorArchStore({pki.arch.arch_label: pki.arch}), with_web_ui=False)
        thread = threading.Thread(target=server.serve_forever, name="test-pki", daemon=True)
        thread.start()
        log.info("test PKI served at %s", prefix)
        try:
            yield pki
        finally:
            server.shutdown()
            thread.join(timeout=10)
    finally:
        server.server_close()
