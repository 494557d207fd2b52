"""From the facts about one signature to its verdict: indication, sub-indication, reasons.

Pure: no PDF, no network. The facts come from ``pipeline/signatures/verify_signature.py``; the policy from
the caller. Stricter than pyHanko's bottom line where it matters:

* a changed form field, a changed appearance, added or removed pages, new annotations over
  the content fail, unless the document's DocMDP/FieldMDP permissions allow them AND our policy
  allows them too (by default it allows neither form filling nor annotations);
* a signature that does not cover a whole revision fails;
* a file that could only be read leniently fails: what a lenient reader shows may not be
  what was signed (the shadow attacks of NDSS 2021 rely on it).

Sub-indications are ETSI EN 319 102-1 names. The reasons are sentences for a clerk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.verification import ChangeClass, Indication

CHANGED = "the document was changed after it was signed"
UNTRUSTED = "the signer's certificate is not issued by a trusted authority"

TRUST_REASONS: dict[str, str] = {
    "NO_CERTIFICATE_CHAIN_FOUND": UNTRUSTED,
    "NO_SIGNING_CERTIFICATE_FOUND": "the signer's certificate is missing from the signature",
    "CHAIN_CONSTRAINTS_FAILURE": UNTRUSTED + " (or its chain may not be used for signing)",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": UNTRUSTED + " (its certificate chain does not check out)",
    "CRYPTO_CONSTRAINTS_FAILURE": "the signature uses a cryptographic algorithm that is not "
    "accepted",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "the signature uses a cryptographic algorithm that is "
    "no longer accepted",
    "EXPIRED": "the signer's certificate had expired when the signature was made",
    "OUT_OF_BOUNDS_NO_POE": "the signer's certificate was expired or not yet valid, and nothing "
    "proves the signature was made while it was valid",
    "OUT_OF_BOUNDS_NOT_REVOKED": "the signer's certificate was expired or not yet valid",
    "NOT_YET_VALID": "the signer's certificate was not yet valid",
    "REVOKED": "the signer's certificate was revoked before the signature was made",
    "REVOKED_NO_POE": "the signer's certificate has been revoked, and nothing proves the "
    "signature was made before that",
    "REVOKED_CA_NO_POE": "a certificate in the signer's chain has been revoked",
    "SIG_CONSTRAINTS_FAILURE": "the signer's certificate may not be used for this signature",
    "TRY_LATER": "the revocation status of the signer's certificate could not be checked "
    "(no current OCSP response or CRL: pass --crl, run sohoa trust refresh, or --allow-fetch)",
    "NO_POE": "nothing proves when the signature was made",
}
FAILURES = {"REVOKED", "EXPIRED", "NOT_YET_VALID", "HASH_FAILURE", "SIG_CRYPTO_FAILURE"}


@dataclass(frozen=True)
class ModificationPolicy:
    """Which changes after signing we accept, on top of what the document itself permits."""

    allow_form_filling: bool = False
    """Filled-in form fields, where DocMDP/FieldMDP permit them."""
    allow_annotations: bool = False
    """Comments and stamps, where DocMDP permits them (certification level 3)."""


@dataclass(frozen=True)
class SignatureFacts:
    """What validation established about one signature."""

    intact: bool
    valid: bool
    coverage: str
    """ENTIRE_FILE, ENTIRE_REVISION, CONTIGUOUS_BLOCK_FROM_START or UNCLEAR."""
    changes: ChangeClass
    changed_fields: tuple[str, ...] = ()
    docmdp_ok: bool | None = True
    trust_problem: str | None = None
    """None: trusted (at the validation time or at a proven earlier time)."""
    seed_value_ok: bool = True
    broken_timestamps: tuple[str, ...] = ()
    """Timestamps inside the signature that are not intact or not valid."""
    lenient: bool = False
    malformed: str | None = None
    """Why the signature could not be validated at all."""
    manipulated: tuple[str, ...] = ()
    """Why the file's structure shows different things to different readers (an attack)."""
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Verdict:
    indication: Indication
    sub_indication: str | None
    reasons: tuple[str, ...]


def trust_reason(sub_indication: str | None) -> str:
    if sub_indication is None:
        return UNTRUSTED
    return TRUST_REASONS.get(
        sub_indication, "the signer's certificate could not be validated (%s)" % sub_indication
    )


def _change_problems(facts: SignatureFacts, policy: ModificationPolicy) -> list[str]:
    """Why the changes made after signing are not acceptable (empty list: they are)."""
    if facts.coverage == "ENTIRE_FILE":
        return []
    if facts.coverage != "ENTIRE_REVISION":
        return ["the signature does not cover the whole document (%s)" % facts.coverage]
    problems: list[str] = []
    change = facts.changes
    if change == "unknown":
        problems.append(CHANGED + " and the changes could not be analysed")
    elif change == "other":
        problems.append(CHANGED + " (content, pages or structure were modified)")
    elif change == "annotations" and not (policy.allow_annotations and facts.docmdp_ok):
        problems.append(CHANGED + " (comments, stamps or drawings were added)")
    elif change == "form-filling" and not (policy.allow_form_filling and facts.docmdp_ok):
        problems.append(
            CHANGED
            + " (form fields were filled in or changed: %s)" % ", ".join(facts.changed_fields)
        )
    if facts.docmdp_ok is False:
        problems.append("the changes made after signing are not allowed by the document's rules")
    return problems


def judge(facts: SignatureFacts, policy: ModificationPolicy) -> Verdict:
    """The indication for ``facts`` under ``policy``: failures first, then doubts."""
    if facts.malformed is not None:
        reason = "the signature is malformed and cannot be checked (%s)" % facts.malformed
        return Verdict(Indication.TOTAL_FAILED, "FORMAT_FAILURE", (reason,))
    failed: list[tuple[str, str]] = []
    doubtful: list[tuple[str, str]] = []
    if not facts.intact:
        failed.append(("HASH_FAILURE", CHANGED + " (its fingerprint no longer matches)"))
    if not facts.valid:
        failed.append(("SIG_CRYPTO_FAILURE", "the signature value is not cryptographically valid"))
    for problem in facts.manipulated:
        failed.append(("FORMAT_FAILURE", problem))
    for problem in _change_problems(facts, policy):
        sub = "FORMAT_FAILURE" if "does not cover" in problem else "SIG_CONSTRAINTS_FAILURE"
        failed.append((sub, problem))
    if facts.intact and facts.valid and facts.trust_problem is not None:
        target = failed if facts.trust_problem in FAILURES else doubtful
        target.append((facts.trust_problem, trust_reason(facts.trust_problem)))
    if not facts.seed_value_ok:
        failed.append(
            (
                "SIG_CONSTRAINTS_FAILURE",
                "the signature does not meet the requirements set for its signature field",
            )
        )
    for label in facts.broken_timestamps:
        doubtful.append(("TIMESTAMP_ORDER_FAILURE", "the %s is broken" % label))
    if facts.lenient:
        failed.append(
            (
                "FORMAT_FAILURE",
                "the file's structure is damaged: only a lenient reading opens it, and such a "
                "reading may show content that was never signed",
            )
        )
    if failed:
        indication = Indication.TOTAL_FAILED
        sub = failed[0][0]
    elif doubtful:
        indication = Indication.INDETERMINATE
        sub = doubtful[0][0]
    else:
        return Verdict(Indication.TOTAL_PASSED, None, ())
    return Verdict(indication, sub, tuple(r for _s, r in failed + doubtful))
