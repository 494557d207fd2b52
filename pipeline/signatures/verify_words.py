"""The verdict of one signature in one sentence a clerk can act on (pure).

    clerk_summary(signature_report, gettext=None) -> str
    verifier_words(report) -> str   every signature's verdict and reasons, in one line (logs, flags)

In English, or in the words of ``gettext`` (the caller's catalogue: workers/i18n.py); the
report's own ``summary`` is always the English one, as the JSON keeps it.

It says, in this order: whether the document is unchanged since it was signed, who signed and
when, whether the signer is trusted, and what is missing to know more (for example
"revocation not checked: no CRL; run sohoa trust refresh or pass --crl").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from schemas.verification import Indication, SignatureReport, VerificationReport

Words = Callable[[str], str]
_CN = re.compile(r"Common Name: ([^,]+)")


def _english(text: str) -> str:
    return text


def _after(changes: str, _: Words) -> str:
    if changes == "lta-updates":
        return _(" (validation data added since)")
    if changes == "signatures":
        return _(" (later signatures added since)")
    return ""


def _no_revocation(_: Words) -> str:
    return _("revocation not checked: no CRL or OCSP answer; run sohoa trust refresh or pass --crl")


NO_REVOCATION = _no_revocation(_english)


def common_name(subject: str | None, _: Words = _english) -> str:
    if not subject:
        return _("an unknown signer")
    found = _CN.search(subject)
    return found.group(1).strip() if found else subject


def _integrity(sig: SignatureReport, _: Words) -> str:
    if sig.indication is Indication.TOTAL_FAILED:
        why = sig.reasons[0] if sig.reasons else _("the signature failed")
        return _("NOT valid: %s") % why
    return _("Unchanged since it was signed") + _after(sig.changes, _)


def _utc(moment: dt.datetime) -> dt.datetime:
    """A signing time as UTC (a signer may claim its own offset, e.g. +07:00)."""
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment


def _who(sig: SignatureReport, _: Words) -> str:
    if sig.signer is None and sig.indication is Indication.TOTAL_FAILED:
        return ""  # nothing is known of a signature that cannot be read
    who = _("signed by %s") % common_name(sig.signer, _)
    if sig.signing_time is not None:
        source = (
            _("proven by a timestamp")
            if sig.signing_time_source == "timestamp"
            else _("claimed by the signer")
        )
        who += _(" on %(when)s (%(source)s)") % {
            "when": _utc(sig.signing_time).strftime("%Y-%m-%d %H:%M UTC"),
            "source": source,
        }
    return who


def _trust(sig: SignatureReport, _: Words) -> str:
    if sig.trusted:
        anchor = common_name(sig.trust_path[-1], _) if sig.trust_path else _("a trusted root")
        return _("signer trusted (certificate chain to %s)") % anchor
    if sig.indication is Indication.TOTAL_FAILED and not (sig.intact and sig.valid):
        return ""
    if sig.sub_indication == "TRY_LATER" and sig.trust_path:
        return _("signer's certificate chains to %(root)s, but %(missing)s") % {
            "root": common_name(sig.trust_path[-1], _),
            "missing": _no_revocation(_),
        }
    if sig.sub_indication == "TRY_LATER":
        return _no_revocation(_)
    trust_reason = next((r for r in sig.reasons if "certificate" in r), None)
    return _("signer NOT trusted: %s") % (trust_reason or _("no trusted certificate chain"))


def clerk_summary(sig: SignatureReport, gettext: Words | None = None) -> str:
    _ = gettext or _english
    parts = [_integrity(sig, _), _who(sig, _), _trust(sig, _)]
    return "; ".join(p for p in parts if p) + "."


def verifier_words(report: VerificationReport) -> str:
    """What the verifier said, in one line: per signature its verdict and reasons."""
    said = [
        "%s: %s%s%s"
        % (
            s.field_name,
            s.indication.value,
            "/" + s.sub_indication if s.sub_indication else "",
            " (" + "; ".join(s.reasons) + ")" if s.reasons else "",
        )
        for s in report.signatures
    ]
    if report.detail:
        said.append(report.detail)
    return "; ".join(said) or report.status.value
