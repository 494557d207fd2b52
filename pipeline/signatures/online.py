"""What signing and checking keys ask of the network, set up here and nowhere else: pyHanko's
validation contexts (trust roots, OCSP and CRL fetching, revocation hard-fail), its fetcher
backends, the RFC 3161 time-stamping client, and the signing profile an agency's policy makes.

    validation_contexts(roots, fetch_timeout_s) -> () -> ValidationContext
    fetchers(fetch_timeout_s) -> () -> fetcher backend
    profile_for(agency, settings.signing, roots) -> SigningProfile
    revocation_status(cert, chain, new_context) -> RevocationCheck
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from pipeline.signatures.signers import RevocationCheck, check_revocation
from pipeline.signatures.signing import CopyStamp, SigningProfile
from schemas.errors import ConfigurationError
from schemas.signing import SigningSettings


def validation_contexts(
    roots: Sequence[bytes], fetch_timeout_s: float, *, extra_certs: Sequence[bytes] = ()
) -> Callable[[], ValidationContext]:
    """Fresh ValidationContexts trusting ``roots`` that fetch OCSP/CRLs over the network."""
    anchors = [c for blob in roots for c in load_certs_from_pemder_data(blob)]
    others = [c for blob in extra_certs for c in load_certs_from_pemder_data(blob)]

    def new_context() -> ValidationContext:
        backend = AIOHttpFetcherBackend(per_request_timeout=fetch_timeout_s)
        return ValidationContext(
            trust_roots=list(anchors),
            other_certs=list(others),
            allow_fetching=True,
            revocation_mode="hard-fail",
            fetcher_backend=OwnedFetcherBackend(backend),
        )

    return new_context


def fetchers(fetch_timeout_s: float) -> Callable[[], AIOHttpFetcherBackend]:
    """Fetcher backends for OCSP responses and CRLs, with this timeout per request."""
    return lambda: AIOHttpFetcherBackend(per_request_timeout=fetch_timeout_s)


def profile_for(agency: str, signing: SigningSettings, roots: Sequence[bytes]) -> SigningProfile:
    """The signing profile of ``agency``: its level, the TSA, revocation sources, the stamp.

    Raises ConfigurationError when the level needs a TSA that is not configured.
    """
    policy = signing.for_agency(agency)
    timestamper = None
    if policy.profile.needs_tsa:
        if not signing.tsa_url:
            raise ConfigurationError(
                "agency %s signs at %s, which needs SOHOA_SIGNING__TSA_URL"
                % (agency, policy.profile.value)
            )
        timestamper = HTTPTimeStamper(signing.tsa_url, timeout=signing.tsa_timeout_s)
    stamp = None
    if policy.visible:
        stamp = CopyStamp(
            copy_form=policy.copy_form, agency_name=policy.agency_name, font=signing.font
        )
    return SigningProfile(
        level=policy.profile,
        timestamper=timestamper,
        validation_context=validation_contexts(roots, signing.fetch_timeout_s),
        check_revocation=signing.check_revocation,
        stamp=stamp,
    )


def revocation_status(
    cert: Any, chain: list[Any], new_context: Callable[[], ValidationContext]
) -> RevocationCheck:
    """``check_revocation`` in its own event loop, the context closed after."""

    async def ask() -> RevocationCheck:
        context = new_context()
        try:
            return await check_revocation(cert, chain, context)
        finally:
            await context.aclose()

    return asyncio.run(ask())
