"""CRLs an operator keeps for offline verification: fetched by ``sohoa trust refresh``, read by
``sohoa verify`` (with those passed by ``--crl``).

    crl_urls(certs) -> [url]                 the CRL distribution points the certificates name
    refresh(urls, folder, timeout, now) -> [Fetched]   each URL fetched and stored, or why not
    stored_crls(paths) -> [bytes]            every CRL in the files and folders given
    describe(der, now) -> (issuer, next_update, stale)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509

from schemas.errors import ConfigurationError

log = logging.getLogger(__name__)
CRL_SUFFIXES = (".crl", ".der", ".pem")
MAX_CRL_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    url: str
    file: Path | None
    issuer: str | None = None
    next_update: dt.datetime | None = None
    stale: bool = False
    error: str | None = None


def crl_urls(certs: Iterable[asn1_x509.Certificate]) -> list[str]:
    urls: list[str] = []
    for cert in certs:
        for point in cert.crl_distribution_points:
            url = point.url
            if url and url.startswith(("http://", "https://")) and url not in urls:
                urls.append(url)
    return urls


def describe(der: bytes, now: dt.datetime) -> tuple[str, dt.datetime | None, bool]:
    """(issuer, nextUpdate, stale): stale when nextUpdate has passed (or is missing)."""
    tbs = asn1_crl.CertificateList.load(der)["tbs_cert_list"]
    next_update = tbs["next_update"].native
    return tbs["issuer"].human_friendly, next_update, next_update is None or next_update < now


def _fetch(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http(s) only
        data = response.read(MAX_CRL_BYTES + 1)
    if len(data) > MAX_CRL_BYTES:
        raise ValueError("larger than %d bytes" % MAX_CRL_BYTES)
    return data


def refresh(urls: list[str], folder: Path, timeout: float, now: dt.datetime) -> list[Fetched]:
    """Fetch each URL; a CRL that parses is stored as ``folder/<sha256 of URL>.crl`` (replacing
    the older copy atomically). A URL that fails is reported, never fatal."""
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for url in urls:
        try:
            data = _fetch(url, timeout)
            issuer, next_update, stale = describe(data, now)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            log.warning("CRL %s: %s", url, exc)
            results.append(Fetched(url, None, error=str(getattr(exc, "reason", exc))))
            continue
        target = folder / ("%s.crl" % hashlib.sha256(url.encode()).hexdigest()[:16])
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
        results.append(Fetched(url, target, issuer, next_update, stale))
    return results


def stored_crls(paths: Iterable[Path]) -> list[bytes]:
    """The bytes of every CRL file named, or found directly in a folder named."""
    blobs = []
    for path in paths:
        files = (
            sorted(p for p in path.iterdir() if p.suffix.lower() in CRL_SUFFIXES)
            if path.is_dir()
            else [path]
        )
        for file in files:
            try:
                blobs.append(file.read_bytes())
            except OSError as exc:
                raise ConfigurationError("cannot read CRL %s: %s" % (file, exc.strerror)) from exc
    return blobs
