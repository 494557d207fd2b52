"""The digitisation job: store -> pipeline -> store -> warehouse, for one dossier.

The CLI (in-process, pages in a process pool) and the dramatiq actor (workers/queue/actors.py) call
the same ``digitise_dossier``. It never raises for bad input: a PermanentError quarantines the
document's files with an error.json. A RetryableError marks the document ``failed`` on the CLI
(``ctx.retryable == "record"``); under the queue (``"raise"``) the attempt is recorded as
``retrying`` and the error propagates, so that the broker's middleware retries with backoff and,
when retries run out, marks the dossier ``failed``.

A document is claimed in the warehouse by one run (``ctx.owner``) at a time; the same bytes
and pipeline version are digitised once (``already-digitised`` afterwards). A newer pipeline
version gives result version N+1 and keeps N. Intake objects (``dossier.intake``) are removed
last, and only when every document is digitised or quarantined and the object is still the
version that was read.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pipeline.inputs.files import Inspection, inspect
from schemas.errors import (
    ConfigurationError,
    DiskFull,
    DocumentBusy,
    ObjectNotFound,
    PermanentError,
    RetryableError,
    SohoaError,
    disk_full,
)
from schemas.results import InputFile
from schemas.states import DocumentStatus, DossierStatus
from storage import object_keys as keys
from storage.rows import DocumentRow
from workers.job.context import (
    DocumentInput,
    DocumentOutcome,
    DossierInput,
    InputBlob,
    JobContext,
    StageTimer,
    document_key,
    sha256,
    year_of,
)
from workers.job.document import DocumentRun
from workers.job.duplicates import duplicate
from workers.job.quarantine import fail, quarantine, quarantine_or_fail, record_attempt
from workers.job.recipe import digitise_document
from workers.job.reuse import check_reuse, record_reused

log = logging.getLogger(__name__)

WAIT_FOR_OTHER_RUN_S = 1800.0
"""On the CLI, how long a document another live run digitises is waited for before it is
reported busy (failed, re-runnable)."""


def digitise_dossier(dossier: DossierInput, ctx: JobContext) -> list[DocumentOutcome]:
    manifest = dossier.manifest.model_dump(mode="json", exclude_defaults=True) or None
    dossier_id = ctx.warehouse.ensure_dossier(
        dossier.agency,
        dossier.code,
        source=dossier.source,
        procedure_code=dossier.manifest.procedure_code,
        manifest=manifest,
        received_on=dossier.manifest.received_date,
        uploaded_at=dossier.uploaded_at,
    )
    ctx.warehouse.set_dossier_status(dossier_id, DossierStatus.PROCESSING)
    try:
        if dossier.rejection is not None:
            outcomes = [
                quarantine(ctx, dossier_id, dossier, doc, dossier.rejection)
                for doc in dossier.documents
            ]
        else:
            outcomes = list(
                ctx.map_documents(
                    lambda doc: _digitise_document(ctx, dossier_id, dossier, doc),
                    dossier.documents,
                )
            )
    except RetryableError as exc:  # only under the queue: recorded, then retried by middleware
        ctx.warehouse.set_dossier_status(
            dossier_id, DossierStatus.RETRYING, error_reason=exc.reason, error=str(exc)
        )
        raise
    final = final_status(outcomes)
    if final != DossierStatus.FAILED:  # every document is stored and recorded: the intake can go
        _keep_manifest(ctx, dossier)
        _release_intake(ctx, dossier)
    ctx.warehouse.set_dossier_status(dossier_id, final)  # last: a final status means all done
    for outcome in outcomes:
        ctx.observer.document(outcome.status, outcome.pages)
    return outcomes


def final_status(outcomes: Sequence[DocumentOutcome]) -> DossierStatus:
    """A dossier's status once its documents are done: failed if one failed (re-runnable),
    else quarantined if one was, else digitised (the worst of them, in DossierStatus's order)."""
    statuses = {o.status for o in outcomes}
    bad = [s for s in (DossierStatus.QUARANTINED, DossierStatus.FAILED) if s in statuses]
    return max(bad, default=DossierStatus.DIGITISED)


def _keep_manifest(ctx: JobContext, dossier: DossierInput) -> None:
    """manifest.json is input too: kept byte for byte beside the originals."""
    blob = dossier.manifest_blob
    if blob is None or dossier.rejection is not None:  # a rejected one is in quarantine
        return
    key = keys.original_key(
        dossier.agency, year_of(dossier, ctx), dossier.code, sha256(blob.data), "json"
    )
    if not ctx.store.exists(key):
        ctx.store.put(key, blob.data)


def _release_intake(ctx: JobContext, dossier: DossierInput) -> None:
    """Remove the intake objects read, unless a new version was dropped meanwhile."""
    for obj in dossier.intake:
        try:
            current = ctx.store.stat(obj.key)
        except ObjectNotFound:
            continue
        if current.etag != obj.etag:
            log.warning(
                "dossier %s: %s changed while it was digitised; kept for the next run",
                dossier.code,
                obj.key,
            )
            continue
        ctx.store.delete(obj.key)


def _digitise_document(
    ctx: JobContext, dossier_id: int, dossier: DossierInput, doc: DocumentInput
) -> DocumentOutcome:
    if not doc.files:
        return record_reused(ctx, dossier_id, dossier, doc)
    refused = next((f.rejection for f in doc.files if f.rejection is not None), None)
    if refused is not None:  # a link leaving the folder, a FIFO: refused unread at intake
        return quarantine_or_fail(ctx, dossier_id, dossier, doc, refused)
    inputs = tuple(_input_file(f) for f in doc.files)
    input_sha = document_key([i.sha256 for i in inputs])
    claimed = _claim_document(ctx, dossier_id, dossier, doc, inputs, input_sha)
    if isinstance(claimed, DocumentOutcome):  # another run has it, or it is done already
        return claimed
    timer = StageTimer(ctx, dossier_id, claimed.id)
    try:
        with _local_disk_full_is_retryable(doc.name):
            check_reuse(ctx, doc)  # files and a false reused_from: quarantined, not counted
            if claimed.duplicate_of is not None:
                reused = duplicate(ctx, dossier_id, dossier, doc, claimed, inputs)
                if reused is not None:
                    return reused
            with timer("inspect"):
                inspections = [_inspect(f, ctx) for f in doc.files]
            run = DocumentRun(ctx, timer, dossier, doc, input_sha)
            return digitise_document(run, inputs, inspections)
    except PermanentError as exc:
        return quarantine_or_fail(ctx, dossier_id, dossier, doc, exc, input_sha)
    except RetryableError as exc:
        log.warning("dossier %s document %s failed: %s", dossier.code, doc.name, exc)
        if ctx.retryable == "raise":
            record_attempt(ctx, dossier_id, doc.name, input_sha, exc)
            raise
        return fail(ctx, dossier_id, dossier, doc, input_sha, exc.reason, str(exc))
    except ConfigurationError as exc:  # the operator's to fix: the input is kept, not blamed
        log.error("dossier %s document %s failed: %s", dossier.code, doc.name, exc)
        return fail(ctx, dossier_id, dossier, doc, input_sha, exc.reason, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch; it stays re-runnable
        log.exception("dossier %s document %s: internal error", dossier.code, doc.name)
        failure = f"{exc.__class__.__name__}: {exc}"
        return fail(ctx, dossier_id, dossier, doc, input_sha, "internal-error", failure)


@contextmanager
def _local_disk_full_is_retryable(document: str) -> Iterator[None]:
    """A full local disk met by a stage that writes files of its own (Pillow's page for
    Tesseract in the OCR processes, qpdf's spool, pyHanko's output) is DiskFull: retried, the
    input kept; never an internal error."""
    try:
        yield
    except OSError as exc:
        if not disk_full(exc):
            raise
        raise DiskFull("no space left on the local disk", subject=document) from exc


def _claim_document(
    ctx: JobContext,
    dossier_id: int,
    dossier: DossierInput,
    doc: DocumentInput,
    inputs: tuple[InputFile, ...],
    input_sha: str,
) -> DocumentRow | DocumentOutcome:
    """The document claimed for this run, or its outcome when another live run holds it
    (failed, re-runnable) or it is already digitised (e.g. a redelivered message)."""
    names = tuple(f.name for f in doc.files)
    try:
        claimed = _claim(
            ctx,
            dossier_id,
            name=doc.name,
            input_sha256=input_sha,
            pipeline_version=ctx.pipeline_version,
            inputs=[i.model_dump() for i in inputs],
            role=doc.role,
            reused_from=doc.reused_from,
        )
    except DocumentBusy as exc:
        if ctx.retryable == "raise":
            raise
        log.warning("dossier %s document %s: %s", dossier.code, doc.name, exc)
        return DocumentOutcome(
            dossier.code, doc.name, "failed", names, reason=exc.reason, message=str(exc)
        )
    if claimed.status == DocumentStatus.DIGITISED:  # this very document (a redelivered message)
        ctx.warehouse.add_event(
            dossier_id,
            "dedupe",
            "skipped",
            document_id=claimed.id,
            detail=f"already digitised as {claimed.result_key}",
        )
        return DocumentOutcome(
            dossier.code, doc.name, "already-digitised", names, result_key=claimed.result_key
        )
    return claimed


def _claim(ctx: JobContext, dossier_id: int, **values: Any) -> DocumentRow:
    """Claim the document. On the CLI, while another live run holds it, wait (its claim ends
    when it finishes, or within a lease when it dies): both runs then report its one result,
    instead of this one calling it failed. Under the queue DocumentBusy is retried instead."""
    deadline = time.monotonic() + WAIT_FOR_OTHER_RUN_S
    while True:
        try:
            return ctx.warehouse.claim_document(
                dossier_id, owner=ctx.owner, lease_s=ctx.lease_s, **values
            )
        except DocumentBusy:
            if ctx.retryable == "raise" or time.monotonic() > deadline:
                raise
            time.sleep(min(2.0, ctx.lease_s / 10))


def _input_file(blob: InputBlob) -> InputFile:
    digest, size = blob.digest()  # a local file is read in chunks, never whole
    return InputFile(name=blob.name, sha256=digest, size=size, original_key="")


def _inspect(blob: InputBlob, ctx: JobContext) -> Inspection:
    try:
        return inspect(blob.content, ctx.settings.limits, ctx.settings.ocr.raster_dpi)
    except SohoaError as exc:
        exc.about(blob.name)
        raise


