"""The desk's verification: the same verifier and trust as ``sohoa verify`` with no options
(the trust profile if one is set, else the installation's roots; the CRLs ``sohoa trust
refresh`` stored), and its verdict in words in the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.signatures.verification import verify_pdf
from schemas.settings import Settings
from schemas.verification import VerificationReport
from workers.signing import process_key as keys
from workers.trust.crl_store import stored_crls


@dataclass(frozen=True)
class Trust:
    roots: tuple[bytes, ...]
    intermediates: tuple[bytes, ...] = ()
    crls: tuple[bytes, ...] = ()


def trust_for(settings: Settings) -> Trust:
    folder = settings.resolved_crl_dir
    crls = tuple(stored_crls([folder])) if folder.is_dir() else ()
    if settings.trust_profile is None:
        return Trust(tuple(keys.trust_roots(settings)), (), crls)
    from workers.trust.store import load_profile

    shipped = load_profile(settings.trust_profile)
    return Trust(tuple(shipped.roots), tuple(shipped.intermediates), crls)


def verdict(data: bytes, name: str, trust: Trust) -> VerificationReport:
    return verify_pdf(
        data,
        name=name,
        trust_roots=trust.roots,
        other_certs=trust.intermediates,
        crls=trust.crls,
        at=dt.datetime.now(dt.UTC),
    )
