"""Facts derived from a validated signature: revocation status, PAdES level, trust path, and
what the signer's claimed time says next to the timestamp's.

    revocation_report(emb, status, problem, revoked, ctx) -> RevocationReport
    pades_level(emb, status, poe, ctx) -> "B-B" | "B-T" | "B-LT" | "B-LTA" | None
    trust_path(status) -> subjects, signer first
    time_notes(claimed, stamped) -> sentences       pure
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus
from pyhanko_certvalidator.errors import RevokedError

from pipeline.signatures.verify_embedded import has_revinfo_for, plain_name
from schemas.verification import RevocationReport

if TYPE_CHECKING:
    from pipeline.signatures.verify_signature import FileContext

TIME_TOLERANCE = dt.timedelta(minutes=5)
HOUR = dt.timedelta(hours=1)


def revocation_report(
    emb: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    problem: str | None,
    revoked: RevokedError | None,
    ctx: FileContext,
) -> RevocationReport:
    cert = emb.signer_cert
    if not (cert.ocsp_urls or cert.crl_distribution_points):
        return RevocationReport(
            status="not-declared", detail="the certificate names no OCSP or CRL"
        )
    embedded = has_revinfo_for(cert, ctx.embedded)
    source = "embedded" if embedded else "fetched" if ctx.inputs.fetchers else "none"
    details = status.revocation_details
    if revoked is not None or details is not None or problem in ("REVOKED", "REVOKED_NO_POE"):
        when = (
            revoked.revocation_dt
            if revoked is not None
            else details.revocation_date
            if details
            else None
        )
        why = (
            revoked.reason
            if revoked is not None
            else details.revocation_reason
            if details
            else None
        )
        return RevocationReport(
            status="revoked",
            source=source,  # type: ignore[arg-type]
            revoked_at=when,
            reason=why.human_friendly if why is not None else None,
            detail="revoked after the proven signing time" if problem is None else None,
        )
    if problem == "TRY_LATER":
        return RevocationReport(
            status="unknown", source=source, detail="no usable OCSP response or CRL"
        )  # type: ignore[arg-type]
    if ctx.inputs.revocation == "soft-fail":
        return RevocationReport(status="not-checked", source=source, detail="soft-fail policy")  # type: ignore[arg-type]
    if problem is None:
        return RevocationReport(status="good", source=source)  # type: ignore[arg-type]
    return RevocationReport(status="unknown", source=source)  # type: ignore[arg-type]


def pades_level(
    emb: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    poe: dt.datetime | None,
    ctx: FileContext,
) -> str | None:
    if plain_name(emb.sig_object.get("/SubFilter")) != "ETSI.CAdES.detached":
        return None
    attrs = {a["type"].native for a in emb.signer_info["signed_attrs"]}
    if not attrs & {"signing_certificate", "signing_certificate_v2"}:
        return None
    if poe is None:
        return "B-B"
    dss_revision = ctx.embedded.first_dss_revision
    if dss_revision is None or not has_revinfo_for(emb.signer_cert, ctx.embedded):
        return "B-T"
    covering = [d for d in ctx.doc_timestamps if d.report.ok and d.revision >= dss_revision]
    return "B-LTA" if covering else "B-LT"


def trust_path(status: PdfSignatureStatus) -> tuple[str, ...]:
    path = status.validation_path
    if path is None:
        return ()
    return tuple(c.subject.human_friendly for c in reversed(list(path.iter_certs(True))))


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def time_notes(claimed: dt.datetime | None, stamped: dt.datetime | None) -> tuple[str, ...]:
    """What to say when the signer's claimed signing time and the timestamp's differ by more
    than 5 minutes; a whole number of hours apart is most likely a clock or time zone error
    (local time written as UTC). Validation always uses the timestamp."""
    if claimed is None or stamped is None:
        return ()
    gap = claimed - stamped
    if abs(gap) <= TIME_TOLERANCE:
        return ()
    hours = round(gap / HOUR)
    said = "the signer's computer claimed %s but the timestamp proves %s" % (
        _utc(claimed),
        _utc(stamped),
    )
    if hours and abs(gap - hours * HOUR) <= TIME_TOLERANCE:
        return (
            "%s: %+d h apart, most likely a clock or time zone error (local time written as "
            "UTC); the timestamp's time is used" % (said, hours),
        )
    minutes = int(abs(gap).total_seconds() // 60)
    return ("%s: %d min apart; the timestamp's time is used" % (said, minutes),)
