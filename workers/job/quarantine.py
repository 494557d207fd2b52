"""A document that does not digitise: quarantined (every byte kept under
quarantine/<reason>/..., with an error report saying why), or failed (re-runnable), or, under
the queue, an attempt recorded before the broker retries it."""

from __future__ import annotations

import json
import logging
from typing import Any

from schemas.errors import ObjectConflict, PermanentError, RetryableError, SohoaError
from schemas.states import DocumentStatus
from storage import object_keys as keys
from workers.job.context import (
    DocumentInput,
    DocumentOutcome,
    DossierInput,
    InputBlob,
    JobContext,
    document_key,
    put_source,
)

log = logging.getLogger(__name__)


def quarantine_or_fail(
    ctx: JobContext,
    dossier_id: int,
    dossier: DossierInput,
    doc: DocumentInput,
    error: PermanentError,
    input_sha: str | None = None,
) -> DocumentOutcome:
    """Quarantine the document; when even that fails (a read-only or full store), it is
    ``failed`` with both reasons, and the run goes on to the next document."""
    try:
        return quarantine(ctx, dossier_id, dossier, doc, error, input_sha)
    except SohoaError as exc:
        if ctx.retryable == "raise" and isinstance(exc, RetryableError):
            raise
        log.warning("dossier %s document %s: cannot quarantine: %s", dossier.code, doc.name, exc)
        sha = input_sha or document_key([blob.digest()[0] for blob in doc.files])
        message = f"{error.reason}: {error}; and it could not be quarantined: {exc}"
        return fail(ctx, dossier_id, dossier, doc, sha, exc.reason, message)



def record_attempt(
    ctx: JobContext, dossier_id: int, name: str, input_sha: str, exc: RetryableError
) -> None:
    """Under the queue: this attempt failed and will be retried; the claim is given up."""
    try:
        ctx.warehouse.record_document(
            dossier_id,
            name=name,
            input_sha256=input_sha,
            pipeline_version=ctx.pipeline_version,
            status=DocumentStatus.RETRYING,
            error_reason=exc.reason,
            error=str(exc),
            lease_owner=None,
            lease_until=None,
        )
        ctx.warehouse.add_event(dossier_id, "job", "retrying", detail=f"{exc.reason}: {exc}")
    except RetryableError:
        log.warning("dossier %s: could not record the failed attempt", dossier_id)



def fail(
    ctx: JobContext,
    dossier_id: int,
    dossier: DossierInput,
    doc: DocumentInput,
    input_sha: str,
    reason: str,
    message: str,
) -> DocumentOutcome:
    ctx.warehouse.record_document(
        dossier_id,
        name=doc.name,
        input_sha256=input_sha,
        pipeline_version=ctx.pipeline_version,
        status=DocumentStatus.FAILED,
        error_reason=reason,
        error=message,
    )
    ctx.warehouse.add_event(dossier_id, "job", "failed", detail=f"{reason}: {message}")
    return DocumentOutcome(
        dossier.code,
        doc.name,
        "failed",
        tuple(f.name for f in doc.files),
        reason=reason,
        message=message,
    )



def quarantine(
    ctx: JobContext,
    dossier_id: int,
    dossier: DossierInput,
    doc: DocumentInput,
    error: PermanentError,
    input_sha: str | None = None,
) -> DocumentOutcome:
    """Every byte of the document's files goes to quarantine/<reason>/..., with why."""
    log.warning("dossier %s document %s quarantined: %s", dossier.code, doc.name, error)
    at = ctx.clock().isoformat()
    inputs = [_quarantine_file(ctx, dossier, doc, blob, error, at) for blob in doc.files]
    input_sha = input_sha or document_key([i["sha256"] for i in inputs])
    document_id = ctx.warehouse.record_document(  # this dossier's own row, never another's
        dossier_id,
        name=doc.name,
        input_sha256=input_sha,
        pipeline_version=ctx.pipeline_version,
        status=DocumentStatus.QUARANTINED,
        error_reason=error.reason,
        error=str(error),
        inputs=inputs,
    )
    ctx.warehouse.add_event(
        dossier_id,
        "quarantine",
        "quarantined",
        document_id=document_id,
        detail=f"{error.reason}: {error}",
    )
    return DocumentOutcome(
        dossier.code,
        doc.name,
        "quarantined",
        tuple(f.name for f in doc.files),
        quarantine_keys=tuple(i["quarantine_key"] for i in inputs),
        reason=error.reason,
        message=str(error),
        subject=error.subject,
        page=error.page,
    )



def _quarantine_file(
    ctx: JobContext,
    dossier: DossierInput,
    doc: DocumentInput,
    blob: InputBlob,
    error: PermanentError,
    at: str,
) -> dict[str, Any]:
    """One file's bytes to quarantine/<reason>/..., with an error report beside them; what
    the warehouse records of it."""
    digest, size = blob.digest()  # a local file is hashed and stored in chunks
    key = keys.quarantine_key(error.reason, dossier.agency, dossier.code, digest, blob.name)
    entry: dict[str, Any] = {"name": blob.name, "sha256": digest, "size": size}
    if blob.name == error.subject:  # the file refused, and its page when known
        entry.update(refused=True, **({"page": error.page} if error.page else {}))
    # the same bytes may be there already; other bytes never are (the store refuses)
    put_source(ctx.store, key, blob.content, expected=digest, name=blob.name)
    report = {
        "file": blob.name,
        "reason": error.reason,
        "error": type(error).__name__,
        "message": str(error),
        "dossier": dossier.code,
        "agency": dossier.agency,
        "document": doc.name,
        "sha256": digest,
        "size": size,
        "pipeline_version": ctx.pipeline_version,
        "at": at,
        "source": dossier.source,
    }
    _put_report(ctx, key, json.dumps(report, ensure_ascii=False, indent=1).encode())
    return {**entry, "quarantine_key": key}



MAX_REPORTS = 99  # error reports kept beside one quarantined file



def _put_report(ctx: JobContext, key: str, report: bytes) -> None:
    """The error report beside quarantined bytes. A later rejection of the same bytes under
    the same key (another day, another name that makes the same segment) adds a numbered
    report: none replaces another."""
    for number in range(1, MAX_REPORTS + 1):
        try:
            ctx.store.put(keys.quarantine_report_key(key, number), report)
            return
        except ObjectConflict:
            continue
    log.warning("%s: %d error reports already; this one is only in the warehouse", key, MAX_REPORTS)
