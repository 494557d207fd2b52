"""Verification of PDF signatures into a frozen VerificationReport, never a traceback.

    verify_pdf(data, name=, trust_roots=, other_certs=, at=, policy=, fetchers=) -> report
    signature_count(data) -> int        raises EncryptedInput / CorruptInput
    load_certificates(blobs) -> list    raises ConfigurationError

``verify_pdf`` never raises on any input bytes. The file is parsed strictly, then leniently
(a file read leniently is never TOTAL_PASSED); an unreadable file gets a diagnosis. Each
``/Sig`` signature is validated by ``pipeline/signatures/verify_signature.py`` (ETSI EN 319 102-1 with
the file's own validation data, and fetched data when ``fetchers`` is given) and judged by
``pipeline/signatures/verify_verdict.py``:

* TOTAL_FAILED: not intact, not cryptographically valid, malformed, coverage short of a whole
  revision, changes after signing that the document's DocMDP/FieldMDP settings or our policy
  forbid (by default: any form filling, annotation, page or content change), a certificate
  revoked before the proven signing time, or a seed-value violation;
* INDETERMINATE: intact and valid, but the chain to a trusted root or its revocation status
  cannot be established at the validation time nor at a proven earlier time (or a timestamp
  is broken, or the file could only be read leniently);
* TOTAL_PASSED otherwise.

Document timestamps (``/DocTimeStamp``) are not signatures of a person: they are not listed
as signatures; they show in the ``timestamps`` of the signatures they follow.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import EmbeddedPdfSignature, SignatureCoverageLevel
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator.fetchers.api import FetcherBackend

from pipeline.inputs.active_content import find_active
from pipeline.inputs.source import opened
from pipeline.signatures.verify_diff import memoise_history
from pipeline.signatures.verify_embedded import plain_name, read_embedded
from pipeline.signatures.verify_hybrid import HybridCheck, check_hybrid
from pipeline.signatures.verify_material import load_certificates, load_crls
from pipeline.signatures.verify_signature import (
    FileContext,
    Inputs,
    RevocationMode,
    validate_doc_timestamps,
    validate_signature,
)
from pipeline.signatures.verify_structure import (
    hybrid_words,
    present_ranges,
    read_failure,
    removed_report,
    signatures,
    traces_of_signature,
    vanished,
)
from pipeline.signatures.verify_verdict import ModificationPolicy
from pipeline.signatures.verify_words import clerk_summary
from schemas.errors import CorruptInput, EncryptedInput
from schemas.verification import FileStatus, Indication, SignatureReport, VerificationReport

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class VerifyPolicy:
    """How strict verification is, beyond what the file itself allows."""

    revocation: RevocationMode = "hard-fail"
    """hard-fail: a certificate that names OCSP or CRLs needs an answer (embedded or fetched);
    soft-fail: revocation is checked only when data is at hand (pyHanko's default)."""
    modifications: ModificationPolicy = ModificationPolicy()


def _open(stream: BinaryIO) -> tuple[PdfFileReader, bool]:
    """A reader, strict if possible (True), else lenient (False); re-raises the strict error."""
    try:
        stream.seek(0)
        return PdfFileReader(stream, strict=True), True
    except Exception as strict_error:
        try:
            stream.seek(0)
            return PdfFileReader(stream, strict=False), False
        except Exception:
            raise strict_error from None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _lenient_diagnosis(stream: BinaryIO) -> str:
    """What a lenient pypdf reader makes of a file pyHanko refused, for a human."""
    try:
        import pypdf

        stream.seek(0)
        reader = pypdf.PdfReader(stream, strict=False)
        if reader.is_encrypted:
            return "a lenient reader (pypdf) sees an encrypted PDF"
        return "a lenient reader (pypdf) sees %d page(s)" % len(reader.pages)
    except Exception as exc:
        return "a lenient reader (pypdf) cannot read it either (%s)" % _describe(exc)


def _unreadable(
    name: str, stream: BinaryIO, why: str, exc: BaseException | None = None, traces: bool = False
) -> VerificationReport:
    """UNREADABLE, or with ``traces`` and a /ByteRange in the bytes, a failed signature: a
    signed file that no longer opens was damaged or manipulated after signing."""
    detail = why if exc is None else "%s: %s" % (why, _describe(exc))
    stream.seek(0)
    if stream.read(64 * 1024).lstrip()[:1024].find(b"%PDF-") < 0:
        return VerificationReport(file=name, status=FileStatus.UNREADABLE, detail=detail)
    detail += "; " + _lenient_diagnosis(stream)
    if not (traces and traces_of_signature(stream)):
        return VerificationReport(file=name, status=FileStatus.UNREADABLE, detail=detail)
    broken = SignatureReport(  # signed once, unreadable now: damaged or manipulated since
        field_name="(unreadable)",
        indication=Indication.TOTAL_FAILED,
        sub_indication="FORMAT_FAILURE",
        reasons=(
            "the file holds a signature but does not parse as a PDF: it was damaged or "
            "manipulated after signing",
        ),
        intact=False,
        valid=False,
        trusted=False,
        coverage=SignatureCoverageLevel.UNCLEAR.name,
    )
    return VerificationReport(
        file=name, status=FileStatus.SIGNED, detail=detail, signatures=(broken,)
    )


def _run(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion, also when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def _failed_report(
    emb: EmbeddedPdfSignature, indication: Indication, sub: str, reason: str
) -> SignatureReport:
    """Facts we can still salvage about a signature whose validation could not complete."""
    signer = sha256 = None
    try:
        signer = emb.signer_cert.subject.human_friendly
        sha256 = emb.signer_cert.sha256.hex()
    except Exception:
        pass
    coverage = plain_name(emb.coverage) or SignatureCoverageLevel.UNCLEAR.name
    return SignatureReport(
        field_name=str(emb.field_name),
        indication=indication,
        sub_indication=sub,
        reasons=(reason,),
        intact=False,
        valid=False,
        trusted=False,
        coverage=coverage,
        signer=signer,
        signer_certificate_sha256=sha256,
        subfilter=plain_name(emb.sig_object.get("/SubFilter")),
    )


async def _validate_all(
    embs: Sequence[EmbeddedPdfSignature],
    stamps: Sequence[EmbeddedPdfSignature],
    ctx: FileContext,
) -> list[SignatureReport]:
    await validate_doc_timestamps(ctx, stamps)
    reports = []
    # last first: each signature's review of later changes stops at the next signature's
    for emb in sorted(embs, key=lambda e: e.signed_revision, reverse=True):
        try:
            reports.append(await validate_signature(emb, ctx))
        except PdfReadError as exc:  # the signed revision, or a later one, does not parse
            reports.append(
                _failed_report(emb, Indication.TOTAL_FAILED, "FORMAT_FAILURE", read_failure(exc))
            )
        except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
            reason = "the signature is malformed and cannot be checked (%s)" % _describe(exc)
            reports.append(_failed_report(emb, Indication.TOTAL_FAILED, "FORMAT_FAILURE", reason))
        except Exception as exc:  # a bug or an unforeseen input: no verdict, never a pass
            log.warning("signature %s: validation crashed: %r", emb.field_name, exc)
            reason = "the verifier could not reach a verdict (%s)" % _describe(exc)
            reports.append(_failed_report(emb, Indication.INDETERMINATE, "GENERIC", reason))
    order = {str(e.field_name): i for i, e in enumerate(embs)}
    return sorted(reports, key=lambda r: order[r.field_name])


def _unsupported(reader: PdfFileReader, seen: set[str]) -> list[SignatureReport]:
    """Filled signature fields pyHanko skipped (an unknown SubFilter): listed, never passed."""
    reports = []
    for name, sig_obj, _field in enumerate_sig_fields(reader, filled_status=True):
        if name in seen:
            continue
        obj = sig_obj.get_object()
        if plain_name(obj.get("/Type")) == "DocTimeStamp":
            continue
        subfilter = plain_name(obj.get("/SubFilter"))
        reports.append(
            SignatureReport(
                field_name=str(name),
                indication=Indication.INDETERMINATE,
                sub_indication="FORMAT_FAILURE",
                reasons=("this kind of signature (%s) cannot be checked" % subfilter,),
                intact=False,
                valid=False,
                trusted=False,
                coverage=SignatureCoverageLevel.UNCLEAR.name,
                subfilter=subfilter,
            )
        )
    return reports


def _readable(
    data: BinaryIO, name: str, at: dt.datetime
) -> tuple[PdfFileReader, bool] | VerificationReport:
    """The file's reader and whether it read strictly, or the report of why it cannot be
    verified: empty, not a readable PDF, encrypted."""
    if not data.read(1):
        return VerificationReport(
            file=name, status=FileStatus.UNREADABLE, detail="empty file", validation_time=at
        )
    try:
        reader, strict = _open(data)
    except Exception as exc:
        return _unreadable(name, data, "not a readable PDF", exc, traces=True)
    try:
        encrypted = reader.encrypted
    except Exception as exc:
        return _unreadable(name, data, "damaged encryption settings", exc)
    if encrypted:
        return VerificationReport(
            file=name,
            status=FileStatus.ENCRYPTED,
            detail="the PDF is encrypted; its signatures cannot be checked without the key",
            validation_time=at,
        )
    return reader, strict


def _verify(data: BinaryIO, name: str, inputs: Inputs) -> VerificationReport:
    at = inputs.moment
    readable = _readable(data, name, at)
    if isinstance(readable, VerificationReport):
        return readable
    reader, strict = readable
    memoise_history(reader)
    hybrid = check_hybrid(reader) if strict else HybridCheck(hybrid=False)
    try:
        embedded = signatures(reader, hybrid)
        signature_fields = {str(n) for n, _o, _f in enumerate_sig_fields(reader)}
        seen = {str(e.field_name) for e in embedded}
        unsupported = _unsupported(reader, seen)
        gone = vanished(reader, data, present_ranges(reader))
    except Exception as exc:
        return _unreadable(name, data, "the signature fields cannot be read", exc)
    regular = [e for e in embedded if e.sig_object_type == "/Sig"]
    stamps = [e for e in embedded if e.sig_object_type == "/DocTimeStamp"]
    unsupported += [removed_report(reason) for reason in gone]
    if not regular and not unsupported:
        detail = "%d document timestamp(s) but no signature" % len(stamps) if stamps else None
        return VerificationReport(
            file=name, status=FileStatus.NO_SIGNATURE, detail=detail, validation_time=at
        )
    attacks, notes = hybrid_words(hybrid)
    attacks += gone
    ctx = FileContext(
        reader=reader,
        inputs=inputs,
        embedded=read_embedded(reader),
        signature_fields=signature_fields,
        lenient=not strict,
        manipulated=attacks,
    )
    reports = _run(lambda: _validate_all(regular, stamps, ctx)) + unsupported
    reports = [r.model_copy(update={"summary": clerk_summary(r)}) for r in reports]
    detail = None
    if not strict:
        detail = "the file's structure is damaged; it could only be read leniently"
    return VerificationReport(
        file=name,
        status=FileStatus.SIGNED,
        detail=detail,
        signatures=tuple(reports),
        validation_time=at,
        notes=notes,
        whole_document=next((r.field_name for r in reports[::-1] if r.covers_final), None),
    )


def verify_pdf(
    data: bytes | Path,
    *,
    name: str,
    trust_roots: Sequence[bytes],
    other_certs: Sequence[bytes] = (),
    at: dt.datetime | None = None,
    policy: VerifyPolicy = VerifyPolicy(),
    fetchers: Callable[[], FetcherBackend] | None = None,
    crls: Sequence[bytes] = (),
) -> VerificationReport:
    """Verify every signature in ``data`` (the file's bytes, or the file, which is then read
    as needed and never held whole) against ``trust_roots`` (PEM or DER) at ``at``.

    ``other_certs`` help build chains (intermediates); they are not trusted. ``at`` defaults
    to now. ``fetchers``: a factory of fetcher backends to get OCSP responses and CRLs from
    the network (None: only what the file carries). Never raises on any ``data``; raises
    ConfigurationError when a trust root or other certificate cannot be read, ValueError on a
    naive ``at``.
    """
    if at is not None and at.tzinfo is None:
        raise ValueError("verify_pdf(at=...) needs a timezone-aware datetime")
    inputs = Inputs(
        trust_roots=load_certificates(trust_roots),
        other_certs=load_certificates(other_certs),
        moment=at or dt.datetime.now(dt.UTC),
        revocation=policy.revocation,
        fetchers=fetchers,
        policy=policy.modifications,
        crls=load_crls(crls),
    )
    try:
        with opened(data) as stream:
            report = _verify(stream, name, inputs)
        return report.model_copy(update={"active_content": find_active(data)})
    except Exception as exc:  # the last line of defence: a diagnosis, never a traceback
        log.warning("verification of %s crashed: %r", name, exc)
        return VerificationReport(
            file=name,
            status=FileStatus.UNREADABLE,
            detail="the verifier could not analyse the file: %s" % _describe(exc),
            validation_time=inputs.moment,
        )


def signature_count(data: bytes) -> int:
    """How many signature fields in ``data`` are filled (signatures and document timestamps).

    Cheap: no cryptography. Raises EncryptedInput for an encrypted PDF (its fields cannot be
    read without the key) and CorruptInput when not even a lenient parse finds them.
    """
    try:
        reader, _strict = _open(io.BytesIO(data))
        encrypted = reader.encrypted
    except Exception as exc:
        raise CorruptInput("not a readable PDF: %s" % _describe(exc)) from exc
    if encrypted:
        raise EncryptedInput("the PDF is encrypted")
    try:
        return sum(1 for _ in enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:
        raise CorruptInput("the signature fields cannot be read: %s" % _describe(exc)) from exc
