"""The verdict of one signature in one sentence a clerk can act on (pure).

    clerk_summary(signature_report) -> str

It says, in this order: whether the document is unchanged since it was signed, who signed and
when, whether the signer is trusted, and what is missing to know more (for example
"revocation not checked: no CRL; run sohoa trust refresh or pass --crl").
"""

from __future__ import annotations

import re

from schemas.verification import Indication, SignatureReport

_CN = re.compile(r"Common Name: ([^,]+)")
AFTER = {
    "lta-updates": " (validation data added since)",
    "signatures": " (later signatures added since)",
}
NO_REVOCATION = (
    "revocation not checked: no CRL or OCSP answer; run sohoa trust refresh or pass --crl"
)


def common_name(subject: str | None) -> str:
    if not subject:
        return "an unknown signer"
    found = _CN.search(subject)
    return found.group(1).strip() if found else subject


def _integrity(sig: SignatureReport) -> str:
    if sig.indication is Indication.TOTAL_FAILED:
        why = sig.reasons[0] if sig.reasons else "the signature failed"
        return "NOT valid: %s" % why
    return "Unchanged since it was signed" + AFTER.get(sig.changes, "")


def _who(sig: SignatureReport) -> str:
    if sig.signer is None and sig.indication is Indication.TOTAL_FAILED:
        return ""  # nothing is known of a signature that cannot be read
    who = "signed by %s" % common_name(sig.signer)
    if sig.signing_time is not None:
        source = (
            "proven by a timestamp"
            if sig.signing_time_source == "timestamp"
            else ("claimed by the signer")
        )
        who += " on %s (%s)" % (sig.signing_time.strftime("%Y-%m-%d %H:%M UTC"), source)
    return who


def _trust(sig: SignatureReport) -> str:
    if sig.trusted:
        anchor = common_name(sig.trust_path[-1]) if sig.trust_path else "a trusted root"
        return "signer trusted (certificate chain to %s)" % anchor
    if sig.indication is Indication.TOTAL_FAILED and not (sig.intact and sig.valid):
        return ""
    if sig.sub_indication == "TRY_LATER" and sig.trust_path:
        return "signer's certificate chains to %s, but %s" % (
            common_name(sig.trust_path[-1]),
            NO_REVOCATION,
        )
    if sig.sub_indication == "TRY_LATER":
        return NO_REVOCATION
    trust_reason = next((r for r in sig.reasons if "certificate" in r), None)
    return "signer NOT trusted: %s" % (trust_reason or "no trusted certificate chain")


def clerk_summary(sig: SignatureReport) -> str:
    parts = [_integrity(sig), _who(sig), _trust(sig)]
    return "; ".join(p for p in parts if p) + "."
