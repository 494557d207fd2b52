"""Trust profiles shipped inside sohoa: certification authorities with pinned fingerprints.

    load_profile(name) -> TrustProfile       ConfigurationError on an unknown name or a mismatch
    anchors(name, now) -> [AnchorInfo]       for ``sohoa trust list``

``vn``: the Vietnamese authorities (``workers/trust/vn``, copied with its FINGERPRINTS.txt from
public repositories): Ban Cơ yếu Chính phủ (VGCA) roots G1 and G2 with their CAs for state and
Party agencies, and the National Electronic Authentication Centre's Vietnam National Root CA
and its successor G3, with VNPT-CA as one public CA under it. Self-signed certificates are
trust roots; the others only help build chains. Each file's SHA-256 is pinned here: a file
that does not match is refused, never trusted. An operator should compare these values with
the ones the authorities publish (https://ca.gov.vn, https://rootca.gov.vn) before relying on
them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from importlib import resources

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from schemas.errors import ConfigurationError

PINS: dict[str, dict[str, str]] = {
    "vn": {
        "vgca-root-g1.pem": "F7BC89054CEC7F12730D7B8CD3EB7955B163835087E5EB873EDFB584763B3F90",
        "vgca-government-ca-g1.pem": "75E969C07BA35C29C72BBC1BFB880F20"
        "F3891A619B00B77EB02CA6160736A1FE",
        "vgca-root-g2.pem": "F04BA4B459A7C9A1B971AD9B1CB833E695A80C79AEA63B174B66A70EDFE2FDB8",
        "vgca-state-agencies-ca-g2.pem": "D8CAB7A4AEF92E6BB2509D7C61CEE7B4"
        "4F3731B2D21074963530277B366FAE4B",
        "vgca-party-agencies-ca-g2.pem": "E4B402E3CB4CACC0A20D21FA49BCE76B"
        "EB4EB47BA7FFB7A8F71C554DBE561A81",
        "vietnam-national-root-ca.pem": "BAC8BF609AB420A8EE1780D74F4DE5C7"
        "F7184959D2A7375B0A75E4C29F0908E7",
        "vietnam-national-root-ca-g3.pem": "7B3269E7D79AEBBFAE5095F45BBB7074"
        "771E690CB7DF02B441062B12F7690ECE",
        "vnpt-ca-sha2.pem": "7D6BA5245317F9ED5D8BC765A4634D26AC6340D36B9F584DF3B52D9C4A81A306",
    }
}
WARN_BEFORE = dt.timedelta(days=90)


@dataclass(frozen=True)
class TrustProfile:
    name: str
    roots: tuple[bytes, ...]
    """DER of the self-signed certificates: trust anchors."""
    intermediates: tuple[bytes, ...]
    """DER of the CAs under them: chain building only."""


@dataclass(frozen=True)
class AnchorInfo:
    file: str
    subject: str
    role: str
    sha256: str
    not_after: dt.datetime
    warning: str | None


def _der(name: str, file: str) -> bytes:
    try:
        data = resources.files("workers.trust").joinpath(name, file).read_bytes()
    except OSError as exc:
        raise ConfigurationError("trust profile %s: %s is missing" % (name, file)) from exc
    return pem.unarmor(data)[2] if pem.detect(data) else data


def _checked(name: str) -> list[tuple[str, asn1_x509.Certificate]]:
    if name not in PINS:
        raise ConfigurationError(
            "unknown trust profile %r (known: %s)" % (name, ", ".join(sorted(PINS)))
        )
    certs = []
    for file, pinned in PINS[name].items():
        der = _der(name, file)
        digest = hashlib.sha256(der).hexdigest().upper()
        if digest != pinned:
            raise ConfigurationError(
                "trust profile %s: %s has SHA-256 %s, not the pinned %s; refusing to trust it"
                % (name, file, digest, pinned)
            )
        certs.append((file, asn1_x509.Certificate.load(der)))
    return certs


def load_profile(name: str) -> TrustProfile:
    certs = _checked(name)
    return TrustProfile(
        name=name,
        roots=tuple(c.dump() for _f, c in certs if c.self_issued),
        intermediates=tuple(c.dump() for _f, c in certs if not c.self_issued),
    )


def anchors(name: str, now: dt.datetime) -> list[AnchorInfo]:
    """Every certificate of the profile, with a warning 90 days before it expires."""
    rows = []
    for file, cert in _checked(name):
        not_after = cert.not_valid_after
        warning = None
        if not_after <= now:
            warning = "EXPIRED"
        elif not_after - now <= WARN_BEFORE:
            warning = "expires in %d days" % (not_after - now).days
        rows.append(
            AnchorInfo(
                file=file,
                subject=cert.subject.human_friendly,
                role="root" if cert.self_issued else "CA",
                sha256=cert.sha256.hex().upper(),
                not_after=not_after,
                warning=warning,
            )
        )
    return rows
