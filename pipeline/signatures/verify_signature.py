"""Validate one PDF signature into a SignatureReport (ETSI EN 319 102-1, simplified).

The steps, per signature, at the validation time T:

1. pyHanko validates integrity, coverage and the changes after signing, and the signer's chain
   at T with the trust roots, the certificates, OCSP responses and CRLs embedded in the file
   (the DSS) and, when the caller allows it, fetched ones. Revocation is required for every
   certificate that names a source ("hard-fail"), or checked only when available ("soft-fail").
2. A chain that fails for want of time (revoked, expired, stale revocation data, TRY_LATER) is
   validated again at the proven signing time, the proof of existence (POE): the signature
   timestamp, else the earliest document timestamp after the signature. Revoked after the POE:
   passes; revoked before: REVOKED, a failure. This is the past-signature-validation step of
   ETSI EN 319 102-1 5.6.2.4, with the file's own validation data.
3. The PAdES level reached is read from what is present AND valid: B-B (CAdES detached with a
   signing-certificate attribute), B-T (a valid timestamp), B-LT (revocation data for the
   signer in the DSS), B-LTA (a valid document timestamp covering that DSS).
4. ``pipeline/signatures/verify_verdict.py`` turns the facts into the indication.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.fetchers.api import FetcherBackend, OwnedFetcherBackend

from pipeline.signatures.verify_diff import ChainedDiffPolicy
from pipeline.signatures.verify_embedded import (
    Embedded,
    gen_time,
    plain_name,
    signature_timestamp_time,
)
from pipeline.signatures.verify_facts import pades_level, revocation_report, time_notes, trust_path
from pipeline.signatures.verify_verdict import ModificationPolicy, SignatureFacts, judge
from schemas.verification import (
    ChangeClass,
    SignatureReport,
    TimestampReport,
)

log = logging.getLogger(__name__)

RevocationMode = Literal["hard-fail", "soft-fail"]
# trust problems that a proof of existence at an earlier time can cure
CURABLE = {
    "REVOKED_NO_POE",
    "OUT_OF_BOUNDS_NO_POE",
    "OUT_OF_BOUNDS_NOT_REVOKED",
    "TRY_LATER",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE",
}
_CHANGES: dict[ModificationLevel, ChangeClass] = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "lta-updates",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}


@dataclass(frozen=True)
class Inputs:
    """Everything validation needs besides the file."""

    trust_roots: Sequence[asn1_x509.Certificate]
    other_certs: Sequence[asn1_x509.Certificate]
    moment: dt.datetime
    revocation: RevocationMode = "hard-fail"
    fetchers: Callable[[], FetcherBackend] | None = None
    """None: offline, only the file's own validation data."""
    policy: ModificationPolicy = ModificationPolicy()
    crls: Sequence[asn1_crl.CertificateList] = ()
    """CRLs the operator supplied (--crl, sohoa trust refresh), besides the file's own."""


@dataclass(frozen=True)
class DocTimestamp:
    report: TimestampReport
    revision: int
    """The revision this document timestamp covers."""


@dataclass
class FileContext:
    """Per-file state shared by the signatures of one file."""

    reader: PdfFileReader
    inputs: Inputs
    embedded: Embedded
    signature_fields: set[str]
    lenient: bool
    doc_timestamps: list[DocTimestamp] = field(default_factory=list)
    manipulated: tuple[str, ...] = ()
    """Structural attacks found in the file (they fail every signature)."""
    diff_policy: ChainedDiffPolicy = field(default_factory=ChainedDiffPolicy)
    """Shared by the file's signatures, validated last first (see verify_diff)."""


def new_context(
    inputs: Inputs,
    embedded: Embedded,
    *,
    moment: dt.datetime,
    revocation: RevocationMode | None = None,
    extra_certs: Sequence[asn1_x509.Certificate] = (),
) -> ValidationContext:
    kwargs: dict[str, Any] = {}
    if inputs.fetchers is not None:
        kwargs["allow_fetching"] = True
        kwargs["fetcher_backend"] = OwnedFetcherBackend(inputs.fetchers())
    return ValidationContext(
        trust_roots=list(inputs.trust_roots),
        other_certs=[*inputs.other_certs, *embedded.certs, *extra_certs],
        ocsps=list(embedded.ocsps),
        crls=[*embedded.crls, *inputs.crls],
        moment=moment,
        revocation_mode=revocation or inputs.revocation,
        **kwargs,
    )


def _timestamp(kind: str, status: Any, field_name: str | None = None) -> TimestampReport:
    tsa = None
    try:
        tsa = status.signing_cert.subject.human_friendly
    except Exception:
        pass
    return TimestampReport(
        kind=kind,  # type: ignore[arg-type]
        time=getattr(status, "timestamp", None),
        tsa=tsa,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        field_name=field_name,
    )


def _timestamp_context(ctx: FileContext, claimed: dt.datetime | None) -> ValidationContext:
    """Timestamps are validated at the time they claim, with the file's data, soft-fail: the
    time-stamping unit must have been valid (and not known revoked) when it stamped. A
    simplification of ETSI's POE bookkeeping that keeps B-LTA files valid for decades."""
    moment = min(claimed, ctx.inputs.moment) if claimed else ctx.inputs.moment
    return new_context(ctx.inputs, ctx.embedded, moment=moment, revocation="soft-fail")


async def validate_doc_timestamps(ctx: FileContext, stamps: Sequence[EmbeddedPdfSignature]) -> None:
    """Validate every document timestamp once; failures are recorded, never raised."""
    for emb in stamps:
        context = _timestamp_context(ctx, gen_time(emb.signed_data))
        try:
            status = await async_validate_pdf_timestamp(
                emb, validation_context=context, skip_diff=True
            )
            report = _timestamp("document", status, str(emb.field_name))
        except Exception as exc:
            log.debug("document timestamp %s: %r", emb.field_name, exc)
            report = TimestampReport(kind="document", field_name=str(emb.field_name))
        finally:
            await context.aclose()
        ctx.doc_timestamps.append(DocTimestamp(report, emb.signed_revision))


def _changes(
    status: PdfSignatureStatus, signature_fields: set[str]
) -> tuple[ChangeClass, tuple[str, ...]]:
    if plain_name(status.coverage) == "ENTIRE_FILE":
        return "none", ()
    level = status.modification_level
    if level is None:
        return "unknown", ()
    if level == ModificationLevel.FORM_FILLING:
        changed: tuple[str, ...] = ()
        if isinstance(status.diff_result, DiffResult):
            changed = tuple(sorted(set(status.diff_result.changed_form_fields) - signature_fields))
        return ("form-filling", changed) if changed else ("signatures", ())
    return _CHANGES.get(level, "unknown"), ()


async def _chain_at(
    emb: EmbeddedPdfSignature,
    ctx: FileContext,
    moment: dt.datetime,
    revocation: RevocationMode | None = None,
) -> tuple[str | None, RevokedError | None]:
    """Validate the signer's chain alone at ``moment``: (problem or None, revocation error)."""
    context = new_context(
        ctx.inputs,
        ctx.embedded,
        moment=moment,
        revocation=revocation,
        extra_certs=emb.other_embedded_certs,
    )
    validator = CertificateValidator(
        emb.signer_cert, intermediate_certs=emb.other_embedded_certs, validation_context=context
    )
    try:
        await validator.async_validate_usage(set())
        return None, None
    except RevokedError as exc:
        return ("REVOKED" if exc.revocation_dt <= moment else "REVOKED_NO_POE"), exc
    except ExpiredError:
        return "OUT_OF_BOUNDS_NO_POE", None
    except PathBuildingError:
        return "NO_CERTIFICATE_CHAIN_FOUND", None
    except InsufficientRevinfoError:
        return "TRY_LATER", None
    except (PathValidationError, ValidationError):
        return "CERTIFICATE_CHAIN_GENERAL_FAILURE", None
    finally:
        await context.aclose()


def _proof_of_existence(
    status: PdfSignatureStatus, emb: EmbeddedPdfSignature, ctx: FileContext
) -> dt.datetime | None:
    tst = status.timestamp_validity
    if tst is not None and tst.intact and tst.valid and tst.trusted:
        return tst.timestamp
    later = [d for d in ctx.doc_timestamps if d.revision > emb.signed_revision and d.report.ok]
    return min((d.report.time for d in later if d.report.time), default=None)


async def _trust(
    emb: EmbeddedPdfSignature, status: PdfSignatureStatus, ctx: FileContext
) -> tuple[str | None, RevokedError | None, dt.datetime | None]:
    """The signer chain's problem after the POE step (None: trusted), a revocation, the POE."""
    problem = (
        None
        if status.trusted
        else plain_name(status.trust_problem_indic) or "NO_CERTIFICATE_CHAIN_FOUND"
    )
    revoked: RevokedError | None = None
    if problem == "CERTIFICATE_CHAIN_GENERAL_FAILURE" and ctx.inputs.revocation == "hard-fail":
        # pyHanko calls missing revocation data a general failure; say what it is
        soft, _ = await _chain_at(emb, ctx, ctx.inputs.moment, revocation="soft-fail")
        problem = "TRY_LATER" if soft is None else soft
    poe = _proof_of_existence(status, emb, ctx)
    if problem in CURABLE and poe is not None and poe < ctx.inputs.moment:
        past, revoked = await _chain_at(emb, ctx, poe)
        if past in (None, "REVOKED", "TRY_LATER"):
            problem = past
        elif past == "REVOKED_NO_POE":  # revoked only after the proven signing time
            problem = None
    if problem == "REVOKED_NO_POE" and poe is None and _revoked_before_claim(status):
        problem = "REVOKED"
    return problem, revoked, poe


def _revoked_before_claim(status: PdfSignatureStatus) -> bool:
    """Revoked before the time the signer itself claims to have signed: no proof of an
    earlier signing can exist, so the signature fails (not merely 'no POE')."""
    details, claimed = status.revocation_details, status.signer_reported_dt
    when = details.revocation_date if details is not None else None
    return when is not None and claimed is not None and when <= claimed


def _stamped(status: PdfSignatureStatus) -> dt.datetime | None:
    tst = status.timestamp_validity
    return tst.timestamp if tst is not None and tst.intact and tst.valid else None


async def _pyhanko_status(emb: EmbeddedPdfSignature, ctx: FileContext) -> PdfSignatureStatus:
    """pyHanko's validation of ``emb`` at ``ctx.inputs.moment``, its timestamps' too."""
    inputs = ctx.inputs
    context = new_context(inputs, ctx.embedded, moment=inputs.moment)
    ts_context = _timestamp_context(ctx, signature_timestamp_time(emb))
    try:
        return await async_validate_pdf_signature(
            emb,
            signer_validation_context=context,
            ts_validation_context=ts_context,
            diff_policy=ctx.diff_policy,
        )
    finally:
        await context.aclose()
        await ts_context.aclose()


def _timestamps(
    emb: EmbeddedPdfSignature, status: PdfSignatureStatus, ctx: FileContext
) -> tuple[list[TimestampReport], list[str]]:
    """The signature's and content timestamps, then document timestamps after it; which of
    the first two are broken."""
    timestamps = []
    broken = []
    for kind, tst in (
        ("signature", status.timestamp_validity),
        ("content", status.content_timestamp_validity),
    ):
        if tst is not None:
            timestamps.append(_timestamp(kind, tst))
            if not (tst.intact and tst.valid):
                broken.append("%s timestamp" % kind)
    timestamps += [d.report for d in ctx.doc_timestamps if d.revision > emb.signed_revision]
    return timestamps, broken


async def validate_signature(emb: EmbeddedPdfSignature, ctx: FileContext) -> SignatureReport:
    """Validate ``emb`` at ``ctx.inputs.moment``; raises on a malformed signature."""
    inputs = ctx.inputs
    status = await _pyhanko_status(emb, ctx)
    problem, revoked, poe = await _trust(emb, status, ctx)
    changes, changed_fields = _changes(status, ctx.signature_fields)
    timestamps, broken = _timestamps(emb, status, ctx)
    facts = SignatureFacts(
        intact=status.intact,
        valid=status.valid,
        coverage=plain_name(status.coverage) or "UNCLEAR",
        changes=changes,
        changed_fields=changed_fields,
        docmdp_ok=status.docmdp_ok,
        trust_problem=problem,
        seed_value_ok=status.seed_value_ok,
        broken_timestamps=tuple(broken),
        lenient=ctx.lenient,
        manipulated=ctx.manipulated,
    )
    verdict = judge(facts, inputs.policy)
    cert = status.signing_cert
    signing_time = poe or status.signer_reported_dt
    return SignatureReport(
        field_name=str(emb.field_name),
        indication=verdict.indication,
        sub_indication=verdict.sub_indication,
        reasons=verdict.reasons + ctx.embedded.notes if verdict.reasons else (),
        intact=status.intact,
        valid=status.valid,
        trusted=problem is None and status.intact and status.valid,
        coverage=facts.coverage,
        revision=emb.signed_revision + 1,
        covers_final=facts.coverage == "ENTIRE_FILE",
        modification_level=plain_name(status.modification_level),
        changes=changes,
        changed_fields=changed_fields,
        docmdp_ok=status.docmdp_ok,
        docmdp=plain_name(emb.docmdp_level),
        level=pades_level(emb, status, poe, ctx),
        signer=cert.subject.human_friendly,
        signer_issuer=cert.issuer.human_friendly,
        signer_certificate_sha256=cert.sha256.hex(),
        signer_valid_from=cert.not_valid_before,
        signer_valid_until=cert.not_valid_after,
        trust_path=trust_path(status),
        signing_time=signing_time,
        signing_time_source="timestamp" if poe else "claimed" if signing_time else "none",
        claimed_signing_time=status.signer_reported_dt,
        notes=time_notes(status.signer_reported_dt, _stamped(status)),
        timestamps=tuple(timestamps),
        revocation=revocation_report(emb, status, problem, revoked, ctx),
        subfilter=plain_name(emb.sig_object.get("/SubFilter")),
    )
