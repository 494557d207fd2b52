"""The desk's verification: the same verifier and trust as ``sohoa verify`` (the
installation's roots, plus the configured trust profile), and its verdict in words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.verification import verify_pdf
from schemas.settings import Settings
from schemas.verification import VerificationReport
from workers import keys


@dataclass(frozen=True)
class Trust:
    roots: tuple[bytes, ...]
    intermediates: tuple[bytes, ...] = ()


def trust_for(settings: Settings) -> Trust:
    roots = tuple(keys.trust_roots(settings))
    if settings.trust_profile is None:
        return Trust(roots)
    from workers.trust_store import load_profile

    shipped = load_profile(settings.trust_profile)
    return Trust(roots + tuple(shipped.roots), tuple(shipped.intermediates))


def verdict(data: bytes, name: str, trust: Trust) -> VerificationReport:
    return verify_pdf(
        data,
        name=name,
        trust_roots=trust.roots,
        other_certs=trust.intermediates,
        at=dt.datetime.now(dt.UTC),
    )
