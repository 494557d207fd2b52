"""Verification of PDF signatures into a frozen VerificationReport, never a traceback.

    verify_pdf(data, name=, trust_roots=, other_certs=, at=) -> VerificationReport
    signature_count(data) -> int        raises EncryptedInput / CorruptInput
    load_certificates(blobs) -> list    raises ConfigurationError

``verify_pdf`` never raises on any input bytes. The file is parsed strictly, then leniently;
an unreadable file gets a diagnosis. Each ``/Sig`` signature is validated by pyHanko (no
fetching, soft-fail revocation) and its facts are mapped to an ETSI indication:

* TOTAL_FAILED: not intact, not cryptographically valid, malformed, coverage short of the
  entire file, or changes after signing other than later signatures / LTA material, or changes
  that the document's DocMDP settings forbid, a revoked certificate or a seed-value violation;
* INDETERMINATE: intact and valid, but the chain to a trusted root cannot be established (or a
  timestamp fails, or the file could only be read leniently);
* TOTAL_PASSED otherwise.

Document timestamps (``/DocTimeStamp``) are not signatures of a person: they are not listed,
their effect shows as ``modification_level = LTA_UPDATES`` on the signatures they follow.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
import logging
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESSubIndic
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext

from schemas.errors import ConfigurationError, CorruptInput, EncryptedInput
from schemas.results import FileStatus, Indication, SignatureReport, VerificationReport

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANGED = "the document was changed after it was signed"
UNTRUSTED = "the signer's certificate is not issued by a trusted authority"
_TRUST_REASONS: dict[str, str] = {
    "NO_CERTIFICATE_CHAIN_FOUND": UNTRUSTED,
    "NO_SIGNING_CERTIFICATE_FOUND": "the signer's certificate is missing from the signature",
    "CHAIN_CONSTRAINTS_FAILURE": UNTRUSTED + " (or its chain may not be used for signing)",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": UNTRUSTED + " (its certificate chain does not check out)",
    "CRYPTO_CONSTRAINTS_FAILURE": "the signature uses a cryptographic algorithm that is not "
    "accepted",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "the signature uses a cryptographic algorithm that is "
    "no longer accepted",
    "EXPIRED": "the signer's certificate had expired",
    "OUT_OF_BOUNDS_NO_POE": "the signer's certificate was expired or not yet valid, and nothing "
    "proves the signature was made while it was valid",
    "OUT_OF_BOUNDS_NOT_REVOKED": "the signer's certificate was expired or not yet valid",
    "NOT_YET_VALID": "the signer's certificate was not yet valid",
    "REVOKED": "the signer's certificate has been revoked",
    "REVOKED_NO_POE": "the signer's certificate has been revoked",
    "REVOKED_CA_NO_POE": "a certificate in the signer's chain has been revoked",
    "SIG_CONSTRAINTS_FAILURE": "the signer's certificate may not be used for this signature",
    "TRY_LATER": "the revocation status of the signer's certificate could not be checked",
}


def load_certificates(blobs: Iterable[bytes]) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or more per blob) or DER blobs; ConfigurationError on junk."""
    certs: list[asn1_x509.Certificate] = []
    for index, blob in enumerate(blobs):
        try:
            loaded = list(load_certs_from_pemder_data(blob))
            for cert in loaded:
                _ = cert.subject  # force parsing now, not during validation
        except Exception as exc:  # asn1crypto raises ValueError, TypeError, ...
            raise ConfigurationError(
                "certificate #%d cannot be read: %s" % (index + 1, exc)
            ) from exc
        if not loaded:
            raise ConfigurationError("certificate #%d: no certificate found" % (index + 1))
        certs.extend(loaded)
    return certs


def _open(data: bytes) -> tuple[PdfFileReader, bool]:
    """A reader, strict if possible (True), else lenient (False); re-raises the strict error."""
    try:
        return PdfFileReader(io.BytesIO(data), strict=True), True
    except Exception as strict_error:
        try:
            return PdfFileReader(io.BytesIO(data), strict=False), False
        except Exception:
            raise strict_error from None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _lenient_diagnosis(data: bytes) -> str:
    """What a lenient pypdf reader makes of a file pyHanko refused, for a human."""
    try:
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "a lenient reader (pypdf) sees an encrypted PDF"
        return "a lenient reader (pypdf) sees %d page(s)" % len(reader.pages)
    except Exception as exc:
        return "a lenient reader (pypdf) cannot read it either (%s)" % _describe(exc)


def _unreadable(
    name: str, data: bytes, why: str, exc: BaseException | None = None
) -> VerificationReport:
    detail = why if exc is None else "%s: %s" % (why, _describe(exc))
    if data.lstrip()[:1024].find(b"%PDF-") >= 0:
        detail += "; " + _lenient_diagnosis(data)
    return VerificationReport(file=name, status=FileStatus.UNREADABLE, detail=detail)


def _run(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion, also when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def _name(value: object) -> str | None:
    """A PDF name or an enum member as plain text: ``/ETSI.CAdES.detached`` -> ``ETSI...``."""
    if value is None:
        return None
    return str(getattr(value, "name", value)).lstrip("/")


def _failed_report(
    emb: EmbeddedPdfSignature, indication: Indication, reason: str
) -> SignatureReport:
    """Facts we can still salvage about a signature whose validation could not complete."""
    signer = sha256 = None
    try:
        signer = emb.signer_cert.subject.human_friendly
        sha256 = emb.signer_cert.sha256.hex()
    except Exception:
        pass
    coverage = _name(emb.coverage) or SignatureCoverageLevel.UNCLEAR.name
    return SignatureReport(
        field_name=str(emb.field_name),
        indication=indication,
        reasons=(reason,),
        intact=False,
        valid=False,
        trusted=False,
        coverage=coverage,
        signer=signer,
        signer_certificate_sha256=sha256,
        subfilter=_name(emb.sig_object.get("/SubFilter")),
    )


def _modification_reasons(status: PdfSignatureStatus, signature_fields: set[str]) -> list[str]:
    """Why the changes made after signing are not acceptable (empty list: they are)."""
    coverage, level = status.coverage, status.modification_level
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return []
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return ["the signature does not cover the whole document (%s)" % _name(coverage)]
    reasons: list[str] = []
    if level is None:
        reasons.append(CHANGED + " and the changes could not be analysed")
    elif level == ModificationLevel.OTHER:
        reasons.append(CHANGED + " (content, pages or structure were modified)")
    elif level == ModificationLevel.ANNOTATIONS:
        reasons.append(CHANGED + " (comments, stamps or drawings were added)")
    elif level == ModificationLevel.FORM_FILLING and isinstance(status.diff_result, DiffResult):
        filled = sorted(set(status.diff_result.changed_form_fields) - signature_fields)
        if filled:
            reasons.append(
                CHANGED + " (form fields were filled in or changed: %s)" % ", ".join(filled)
            )
    if status.docmdp_ok is False:
        reasons.append("the changes made after signing are not allowed by the document's rules")
    return reasons


def _trust_reason(indic: AdESSubIndic | None) -> str:
    if indic is None:
        return UNTRUSTED
    key = _name(indic) or ""
    return _TRUST_REASONS.get(key, "the signer's certificate could not be validated (%s)" % key)


def _report(
    emb: EmbeddedPdfSignature, status: PdfSignatureStatus, signature_fields: set[str]
) -> SignatureReport:
    failed: list[str] = []
    doubtful: list[str] = []
    if not status.intact:
        failed.append(CHANGED + " (its fingerprint no longer matches the signature)")
    if not status.valid:
        failed.append("the signature value is not cryptographically valid")
    failed += _modification_reasons(status, signature_fields)
    if status.intact and status.valid and not status.trusted:
        indic = status.trust_problem_indic
        (failed if isinstance(indic, AdESFailure) or status.revoked else doubtful).append(
            _trust_reason(indic)
        )
    if not status.seed_value_ok:
        failed.append("the signature does not meet the requirements set for its signature field")
    for label, tst in (
        ("timestamp", status.timestamp_validity),
        ("content timestamp", status.content_timestamp_validity),
    ):
        if tst is not None and not (tst.intact and tst.valid and tst.trusted):
            doubtful.append("the %s inside the signature could not be verified" % label)
    signing_time = status.signer_reported_dt
    tst = status.timestamp_validity
    if tst is not None and tst.intact and tst.valid and tst.trusted:
        signing_time = tst.timestamp
    if failed:
        indication = Indication.TOTAL_FAILED
    elif doubtful:
        indication = Indication.INDETERMINATE
    else:
        indication = Indication.TOTAL_PASSED
    level = status.modification_level
    return SignatureReport(
        field_name=str(emb.field_name),
        indication=indication,
        reasons=tuple(failed + doubtful),
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        coverage=_name(status.coverage) or SignatureCoverageLevel.UNCLEAR.name,
        modification_level=_name(level),
        docmdp_ok=status.docmdp_ok,
        signer=status.signing_cert.subject.human_friendly,
        signer_certificate_sha256=status.signing_cert.sha256.hex(),
        signing_time=signing_time,
        subfilter=_name(emb.sig_object.get("/SubFilter")),
    )


async def _validate_all(
    embs: Sequence[EmbeddedPdfSignature],
    new_context: Callable[[], ValidationContext],
    signature_fields: set[str],
) -> list[SignatureReport]:
    reports = []
    for emb in embs:
        context = new_context()
        try:
            status = await async_validate_pdf_signature(emb, signer_validation_context=context)
            reports.append(_report(emb, status, signature_fields))
        except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
            reason = "the signature is malformed and cannot be checked (%s)" % _describe(exc)
            reports.append(_failed_report(emb, Indication.TOTAL_FAILED, reason))
        except Exception as exc:  # a bug or an unforeseen input: no verdict, never a pass
            log.warning("signature %s: validation crashed: %r", emb.field_name, exc)
            reason = "the verifier could not reach a verdict (%s)" % _describe(exc)
            reports.append(_failed_report(emb, Indication.INDETERMINATE, reason))
        finally:
            await context.aclose()
    return reports


def _unsupported(reader: PdfFileReader, seen: set[str]) -> list[SignatureReport]:
    """Filled signature fields pyHanko skipped (an unknown SubFilter): listed, never passed."""
    reports = []
    for name, sig_obj, _field in enumerate_sig_fields(reader, filled_status=True):
        if name in seen:
            continue
        obj = sig_obj.get_object()
        if _name(obj.get("/Type")) == "DocTimeStamp":
            continue
        subfilter = _name(obj.get("/SubFilter"))
        reports.append(
            SignatureReport(
                field_name=str(name),
                indication=Indication.INDETERMINATE,
                reasons=("this kind of signature (%s) cannot be checked" % subfilter,),
                intact=False,
                valid=False,
                trusted=False,
                coverage=SignatureCoverageLevel.UNCLEAR.name,
                subfilter=subfilter,
            )
        )
    return reports


def _verify(
    data: bytes,
    name: str,
    trust_roots: list[asn1_x509.Certificate],
    other_certs: list[asn1_x509.Certificate],
    at: dt.datetime | None,
) -> VerificationReport:
    if not data:
        return VerificationReport(file=name, status=FileStatus.UNREADABLE, detail="empty file")
    try:
        reader, strict = _open(data)
    except Exception as exc:
        return _unreadable(name, data, "not a readable PDF", exc)
    try:
        encrypted = reader.encrypted
    except Exception as exc:
        return _unreadable(name, data, "damaged encryption settings", exc)
    if encrypted:
        return VerificationReport(
            file=name,
            status=FileStatus.ENCRYPTED,
            detail="the PDF is encrypted; its signatures cannot be checked without the key",
        )
    try:
        embedded = list(reader.embedded_signatures)
        signature_fields = {str(n) for n, _o, _f in enumerate_sig_fields(reader)}
        seen = {str(e.field_name) for e in embedded}
        unsupported = _unsupported(reader, seen)
    except Exception as exc:
        return _unreadable(name, data, "the signature fields cannot be read", exc)
    regular = [e for e in embedded if e.sig_object_type == "/Sig"]
    if not regular and not unsupported:
        stamps = len(embedded)
        detail = "%d document timestamp(s) but no signature" % stamps if stamps else None
        return VerificationReport(file=name, status=FileStatus.NO_SIGNATURE, detail=detail)

    def new_context() -> ValidationContext:
        return ValidationContext(
            trust_roots=list(trust_roots),
            other_certs=list(other_certs),
            moment=at,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )

    reports = _run(lambda: _validate_all(regular, new_context, signature_fields)) + unsupported
    detail = None
    if not strict:
        detail = "the file's structure is damaged; it could only be read leniently"
        reports = [_cap_lenient(r) for r in reports]
    return VerificationReport(
        file=name, status=FileStatus.SIGNED, detail=detail, signatures=tuple(reports)
    )


def _cap_lenient(report: SignatureReport) -> SignatureReport:
    if report.indication is not Indication.TOTAL_PASSED:
        return report
    reason = "the file's structure is damaged, so what was signed cannot be confirmed"
    return report.model_copy(
        update={"indication": Indication.INDETERMINATE, "reasons": report.reasons + (reason,)}
    )


def verify_pdf(
    data: bytes,
    *,
    name: str,
    trust_roots: Sequence[bytes],
    other_certs: Sequence[bytes] = (),
    at: dt.datetime | None = None,
) -> VerificationReport:
    """Verify every signature in ``data`` against ``trust_roots`` (PEM or DER) at ``at``.

    ``other_certs`` help build chains (intermediates); they are not trusted. ``at`` defaults
    to now. Never raises on any ``data``; raises ConfigurationError when a certificate given
    as a trust root or other certificate cannot be read, ValueError on a naive ``at``.
    """
    if at is not None and at.tzinfo is None:
        raise ValueError("verify_pdf(at=...) needs a timezone-aware datetime")
    roots = load_certificates(trust_roots)
    extra = load_certificates(other_certs)
    try:
        return _verify(data, name, roots, extra, at)
    except Exception as exc:  # the last line of defence: a diagnosis, never a traceback
        log.warning("verification of %s crashed: %r", name, exc)
        return VerificationReport(
            file=name,
            status=FileStatus.UNREADABLE,
            detail="the verifier could not analyse the file: %s" % _describe(exc),
        )


def signature_count(data: bytes) -> int:
    """How many signature fields in ``data`` are filled (signatures and document timestamps).

    Cheap: no cryptography. Raises EncryptedInput for an encrypted PDF (its fields cannot be
    read without the key) and CorruptInput when not even a lenient parse finds them.
    """
    try:
        reader, _strict = _open(data)
        encrypted = reader.encrypted
    except Exception as exc:
        raise CorruptInput("not a readable PDF: %s" % _describe(exc)) from exc
    if encrypted:
        raise EncryptedInput("the PDF is encrypted")
    try:
        return sum(1 for _ in enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:
        raise CorruptInput("the signature fields cannot be read: %s" % _describe(exc)) from exc
