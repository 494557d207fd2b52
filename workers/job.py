"""The digitisation job: store -> pipeline -> store -> warehouse, for one dossier.

The CLI (in-process, pages in a process pool) and the dramatiq actor (workers/actors.py) call
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

import datetime as dt
import hashlib
import io
import json
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from pypdf import PageObject, PdfReader

from pipeline import PIPELINE_VERSION
from pipeline.extract import extract, merge_manifest
from pipeline.intake import Inspection, inspect
from pipeline.page import PageResult, PageTask
from pipeline.pdf import assemble, pages_of
from pipeline.signing import sign_pdf
from pipeline.verification import verify_pdf
from schemas.document import DocumentMetadata, Manifest, MetadataFields
from schemas.errors import (
    DocumentBusy,
    ObjectNotFound,
    PermanentError,
    RetryableError,
    SignatureInvalid,
    SohoaError,
)
from schemas.results import InputFile, PageText, Sidecar, VerificationReport
from schemas.settings import Settings
from storage import keys
from storage.objects import ObjectStore
from storage.warehouse import Warehouse
from workers.keys import fetcher_factory, require_level, signing_profile

log = logging.getLogger(__name__)

SIGNING_REASON = "Số hóa bản sao điện tử"  # shown as the signature's /Reason

Status = Literal["digitised", "already-digitised", "reused", "quarantined", "failed"]


@dataclass(frozen=True)
class InputBlob:
    name: str
    data: bytes


@dataclass(frozen=True)
class DocumentInput:
    name: str
    files: tuple[InputBlob, ...]
    metadata: MetadataFields = MetadataFields()
    role: Literal["component", "result"] = "component"
    reused_from: str | None = None  # taken from earlier digitised data (no files: recorded only)


@dataclass(frozen=True)
class IntakeObject:
    """An intake object this dossier was read from, and the ETag of the version read."""

    key: str
    etag: str


@dataclass(frozen=True)
class DossierInput:
    agency: str
    code: str
    source: str
    documents: tuple[DocumentInput, ...]
    manifest: Manifest = Manifest()
    rejection: PermanentError | None = None  # the whole dossier is refused (bad manifest)
    manifest_blob: InputBlob | None = None  # manifest.json's bytes, kept as an original
    received: dt.date | None = None  # when the manifest gives no date (re-digitisation)
    intake: tuple[IntakeObject, ...] = ()  # removed once the dossier is stored and recorded


@dataclass(frozen=True)
class DocumentOutcome:
    dossier: str
    document: str
    status: Status
    files: tuple[str, ...]
    pages: int = 0
    result_key: str | None = None
    quarantine_keys: tuple[str, ...] = ()
    reason: str | None = None
    message: str | None = None


class JobObserver(Protocol):
    """Told what happens, e.g. to count it in metrics (workers/metrics.py)."""

    def stage(self, stage: str, seconds: float, outcome: str) -> None: ...
    def document(self, outcome: str, pages: int) -> None: ...


class _Unobserved:
    def stage(self, stage: str, seconds: float, outcome: str) -> None:
        pass

    def document(self, outcome: str, pages: int) -> None:
        pass


@dataclass
class JobContext:
    settings: Settings
    store: ObjectStore
    warehouse: Warehouse
    signer: object  # a pyHanko Signer; kept opaque above the pipeline
    trust_roots: Sequence[bytes]
    run_pages: Callable[[Sequence[PageTask]], list[PageResult]]
    signer_label: str = "sohoa"
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    pipeline_version: str = PIPELINE_VERSION
    owner: str = field(default_factory=lambda: f"run-{uuid.uuid4().hex}")
    """Who claims documents: one CLI run, or one queue message (the same across redeliveries)."""
    lease_s: float = 3600.0
    """How long a claim holds against other runs if its owner vanishes without coming back."""
    retryable: Literal["record", "raise"] = "record"
    observer: JobObserver = field(default_factory=_Unobserved)
    map_documents: Callable[
        [Callable[[DocumentInput], DocumentOutcome], Sequence[DocumentInput]],
        Iterable[DocumentOutcome],
    ] = map
    """How a dossier's documents are run: one after another, or (the CLI) side by side so
    that one document's pages keep the OCR processes busy while another is signed."""


class StageTimer:
    """Times each stage and writes one warehouse event per stage."""

    def __init__(self, ctx: JobContext, dossier_id: int, document_id: int | None) -> None:
        self.ctx, self.dossier_id, self.document_id = ctx, dossier_id, document_id
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        outcome, detail = "ok", None
        try:
            yield
        except SohoaError as exc:
            outcome, detail = "error", f"{exc.reason}: {exc}"
            raise
        finally:
            took = time.perf_counter() - start
            self.seconds[stage] = round(self.seconds.get(stage, 0.0) + took, 4)
            self.ctx.observer.stage(stage, took, outcome)
            self.ctx.warehouse.add_event(
                self.dossier_id,
                stage,
                outcome,
                document_id=self.document_id,
                seconds=round(took, 4),
                detail=detail,
            )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_key(files: Sequence[InputBlob]) -> str:
    """Idempotency key: one file's own hash, or the hash of several files' hashes in order."""
    hashes = [sha256(f.data) for f in files]
    return hashes[0] if len(hashes) == 1 else sha256("\n".join(hashes).encode())


def digitise_dossier(dossier: DossierInput, ctx: JobContext) -> list[DocumentOutcome]:
    manifest = dossier.manifest.model_dump(mode="json", exclude_defaults=True) or None
    dossier_id = ctx.warehouse.ensure_dossier(
        dossier.agency,
        dossier.code,
        source=dossier.source,
        procedure_code=dossier.manifest.procedure_code,
        manifest=manifest,
    )
    ctx.warehouse.set_dossier_status(dossier_id, "processing")
    try:
        if dossier.rejection is not None:
            outcomes = [
                _quarantine(ctx, dossier_id, dossier, doc, dossier.rejection, None)
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
            dossier_id, "retrying", error_reason=exc.reason, error=str(exc)
        )
        raise
    statuses = {o.status for o in outcomes}
    final = (
        "failed"
        if "failed" in statuses
        else "quarantined"
        if "quarantined" in statuses
        else "digitised"
    )
    if final != "failed":  # every document is stored and recorded: the intake can go
        _keep_manifest(ctx, dossier)
        _release_intake(ctx, dossier)
    ctx.warehouse.set_dossier_status(dossier_id, final)  # last: a final status means all done
    for outcome in outcomes:
        ctx.observer.document(outcome.status, outcome.pages)
    return outcomes


def _keep_manifest(ctx: JobContext, dossier: DossierInput) -> None:
    """manifest.json is input too: kept byte for byte beside the originals."""
    blob = dossier.manifest_blob
    if blob is None or dossier.rejection is not None:  # a rejected one is in quarantine
        return
    key = keys.original_key(
        dossier.agency, _year(dossier, ctx), dossier.code, sha256(blob.data), "json"
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


def _year(dossier: DossierInput, ctx: JobContext) -> int:
    return (dossier.manifest.received_date or dossier.received or ctx.clock().date()).year


def _digitise_document(
    ctx: JobContext, dossier_id: int, dossier: DossierInput, doc: DocumentInput
) -> DocumentOutcome:
    if not doc.files:
        return _record_reused(ctx, dossier_id, dossier, doc)
    input_sha = document_key(doc.files)
    names = tuple(f.name for f in doc.files)
    inputs = tuple(
        InputFile(name=f.name, sha256=sha256(f.data), size=len(f.data), original_key="")
        for f in doc.files
    )
    try:
        claimed = ctx.warehouse.claim_document(
            dossier_id,
            owner=ctx.owner,
            lease_s=ctx.lease_s,
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
    if claimed.status == "digitised":
        ctx.warehouse.add_event(
            dossier_id,
            "dedupe",
            "skipped",
            document_id=claimed.id,
            detail=f"same bytes as {claimed.result_key}",
        )
        return DocumentOutcome(
            dossier.code, doc.name, "already-digitised", names, result_key=claimed.result_key
        )
    document_id = claimed.id
    timer = StageTimer(ctx, dossier_id, document_id)
    try:
        with timer("inspect"):
            inspections = [_inspect(f, ctx) for f in doc.files]
        return _DocumentRun(ctx, timer, dossier, doc, input_sha).produce(inputs, inspections)
    except PermanentError as exc:
        return _quarantine(ctx, dossier_id, dossier, doc, exc, document_id, input_sha)
    except RetryableError as exc:
        log.warning("dossier %s document %s failed: %s", dossier.code, doc.name, exc)
        if ctx.retryable == "raise":
            _record_attempt(ctx, dossier_id, input_sha, exc)
            raise
        return _fail(ctx, dossier_id, dossier, doc, input_sha, exc.reason, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch; it stays re-runnable
        log.exception("dossier %s document %s: internal error", dossier.code, doc.name)
        return _fail(
            ctx,
            dossier_id,
            dossier,
            doc,
            input_sha,
            "internal-error",
            f"{exc.__class__.__name__}: {exc}",
        )


def _record_reused(
    ctx: JobContext, dossier_id: int, dossier: DossierInput, doc: DocumentInput
) -> DocumentOutcome:
    """A component the manifest says was reused from earlier digitised data and brought no
    files: nothing to digitise, but it counts (indicator 4.3), so it is recorded."""
    identity = f"reused\n{dossier.agency}\n{dossier.code}\n{doc.name}\n{doc.reused_from}"
    document_id = ctx.warehouse.record_document(
        dossier_id,
        name=doc.name,
        input_sha256=sha256(identity.encode("utf-8")),
        pipeline_version=ctx.pipeline_version,
        inputs=[],
        role=doc.role,
        reused_from=doc.reused_from,
        status="reused",
        page_count=0,
    )
    ctx.warehouse.add_event(
        dossier_id, "reuse", "recorded", document_id=document_id, detail=doc.reused_from
    )
    return DocumentOutcome(dossier.code, doc.name, "reused", ())


def _record_attempt(ctx: JobContext, dossier_id: int, input_sha: str, exc: RetryableError) -> None:
    """Under the queue: this attempt failed and will be retried; the claim is given up."""
    try:
        ctx.warehouse.record_document(
            dossier_id,
            input_sha256=input_sha,
            pipeline_version=ctx.pipeline_version,
            status="retrying",
            error_reason=exc.reason,
            error=str(exc),
            lease_owner=None,
            lease_until=None,
        )
        ctx.warehouse.add_event(dossier_id, "job", "retrying", detail=f"{exc.reason}: {exc}")
    except RetryableError:
        log.warning("dossier %s: could not record the failed attempt", dossier_id)


def _fail(
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
        input_sha256=input_sha,
        pipeline_version=ctx.pipeline_version,
        status="failed",
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


def _inspect(blob: InputBlob, ctx: JobContext) -> Inspection:
    try:
        return inspect(blob.data, ctx.settings.limits)
    except SohoaError as exc:
        exc.about(blob.name)
        raise


@dataclass
class _DocumentRun:
    """One document's way through the stages, once its inputs were accepted."""

    ctx: JobContext
    timer: StageTimer
    dossier: DossierInput
    doc: DocumentInput
    input_sha: str

    def produce(self, inputs: tuple[InputFile, ...], found: list[Inspection]) -> DocumentOutcome:
        stored = self._store_originals(inputs, found)
        signed = [f.name for f, i in zip(self.doc.files, found, strict=True) if i.signed]
        if signed and len(self.doc.files) > 1:
            raise SignatureInvalid("a signed PDF must be a document of its own", subject=signed[0])
        if signed:
            return self._keep_signed(stored)
        return self._rewrite(stored, found)

    def _store_originals(
        self, inputs: tuple[InputFile, ...], found: list[Inspection]
    ) -> tuple[InputFile, ...]:
        ctx, dossier = self.ctx, self.dossier
        stored = []
        with self.timer("store-originals"):
            for blob, info, kind in zip(self.doc.files, inputs, found, strict=True):
                key = keys.original_key(
                    dossier.agency, _year(dossier, ctx), dossier.code, info.sha256, kind.extension
                )
                if not ctx.store.exists(key):
                    ctx.store.put(key, blob.data)
                stored.append(info.model_copy(update={"original_key": key}))
        return tuple(stored)

    def _rewrite(self, stored: tuple[InputFile, ...], found: list[Inspection]) -> DocumentOutcome:
        """OCR what needs it, keep pages that have text, assemble, sign, verify."""
        ctx, timer = self.ctx, self.timer
        tasks: list[PageTask] = []
        kept: dict[int, PageObject] = {}
        with tempfile.TemporaryDirectory(prefix="sohoa-spool-") as spool:
            for i, (blob, kind, info) in enumerate(zip(self.doc.files, found, stored, strict=True)):
                reader = PdfReader(io.BytesIO(blob.data)) if kind.text_pages else None
                source: bytes | Path = blob.data
                if kind.page_count > 1:  # one copy on disk, not one per page task
                    source = Path(spool, f"{i}.{kind.extension}")
                    source.write_bytes(blob.data)
                for index in range(kind.page_count):
                    number = len(tasks) + len(kept)
                    if reader is not None and index in kind.text_pages:
                        kept[number] = reader.pages[index]
                        continue
                    task = PageTask(
                        blob.name,
                        source,
                        kind.kind,
                        index,
                        number,
                        ctx.settings.ocr,
                        ctx.settings.limits,
                        origin=info.original_key or None,
                    )
                    tasks.append(task)
            with timer("ocr"):
                ocred = {r.page.index: r for r in ctx.run_pages(tasks)} if tasks else {}
        pages, page_objects = [], []
        for number in range(len(tasks) + len(kept)):
            if number in kept:
                pages.append(
                    PageText(index=number, source="text-layer", text=kept[number].extract_text())
                )
                page_objects.append(kept[number])
            else:
                pages.append(ocred[number].page)
                page_objects.extend(pages_of(ocred[number].pdf))
        meta = self._metadata(pages)
        with timer("assemble"):
            unsigned = assemble(page_objects, meta, now=ctx.clock())
        with timer("sign"):
            profile = signing_profile(ctx.settings, self.dossier.agency, ctx.trust_roots)
            signed = sign_pdf(
                unsigned,
                ctx.signer,
                profile=profile,
                reason=SIGNING_REASON,
                location=self.dossier.agency,
                signing_time=ctx.clock(),
            )
        with timer("verify"):
            # our own certificate's OCSP/CRL may be asked; never an input file's (see below)
            fetchers = fetcher_factory(ctx.settings)
            report = verify_pdf(
                signed, name=self.doc.name, trust_roots=ctx.trust_roots, fetchers=fetchers
            )
            if not report.ok:
                reasons = "; ".join(r for s in report.signatures for r in s.reasons)
                raise SignatureInvalid(f"our own signature did not verify: {reasons}")
            require_level(report, profile.level)
        return self._store_result(stored, signed, meta, tuple(pages), report, rewritten=True)

    def _keep_signed(self, stored: tuple[InputFile, ...]) -> DocumentOutcome:
        """A PDF that already carries signatures: verify and record it, never rewrite a byte."""
        data = self.doc.files[0].data
        with self.timer("verify"):
            report = verify_pdf(data, name=self.doc.name, trust_roots=self.ctx.trust_roots)
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = tuple(
            PageText(index=i, source="text-layer", text=p.extract_text())
            for i, p in enumerate(reader.pages)
        )
        meta = self._metadata(pages)
        return self._store_result(stored, data, meta, pages, report, rewritten=False)

    def _metadata(self, pages: Sequence[PageText]) -> DocumentMetadata:
        with self.timer("extract"):
            found = extract("\n\n".join(p.text for p in pages))
            return merge_manifest(found, self.dossier.manifest.metadata, self.doc.metadata)

    def _store_result(
        self,
        stored: tuple[InputFile, ...],
        pdf: bytes,
        meta: DocumentMetadata,
        pages: tuple[PageText, ...],
        report: VerificationReport,
        *,
        rewritten: bool,
    ) -> DocumentOutcome:
        ctx, dossier, doc = self.ctx, self.dossier, self.doc
        version = ctx.warehouse.claim_result_version(self.timer.document_id)  # type: ignore[arg-type]
        key = keys.result_key(dossier.agency, _year(dossier, ctx), dossier.code, doc.name, version)
        confidences = [p.mean_confidence for p in pages if p.mean_confidence is not None]
        mean = round(sum(confidences) / len(confidences), 2) if confidences else None
        with self.timer("store-result"):
            ctx.store.put(key, pdf)
            sidecar = Sidecar(
                dossier_code=dossier.code,
                agency=dossier.agency,
                document=doc.name,
                pipeline_version=ctx.pipeline_version,
                result_version=version,
                digitised_at=ctx.clock(),
                inputs=stored,
                input_sha256=self.input_sha,
                result_key=key,
                result_sha256=sha256(pdf),
                result_was_rewritten=rewritten,
                page_count=len(pages),
                mean_confidence=mean,
                metadata=meta,
                pages=pages,
                verification=report,
                stage_seconds=dict(self.timer.seconds),
            )
            ctx.store.put(keys.sidecar_key(key), sidecar.model_dump_json(indent=1).encode())
        ctx.warehouse.record_document(
            self.timer.dossier_id,
            input_sha256=self.input_sha,
            pipeline_version=ctx.pipeline_version,
            status="digitised",
            result_version=version,
            page_count=len(pages),
            mean_confidence=mean,
            metadata=meta.model_dump(mode="json"),
            signature=report.model_dump(mode="json"),
            inputs=[s.model_dump() for s in stored],
            result_key=key,
            result_sha256=sha256(pdf),
            stage_seconds=dict(self.timer.seconds),
            error_reason=None,
            error=None,
        )
        return DocumentOutcome(
            dossier.code,
            doc.name,
            "digitised",
            tuple(f.name for f in doc.files),
            pages=len(pages),
            result_key=key,
        )


def _quarantine(
    ctx: JobContext,
    dossier_id: int,
    dossier: DossierInput,
    doc: DocumentInput,
    error: PermanentError,
    document_id: int | None,
    input_sha: str | None = None,
) -> DocumentOutcome:
    """Every byte of the document's files goes to quarantine/<reason>/..., with why."""
    log.warning("dossier %s document %s quarantined: %s", dossier.code, doc.name, error)
    at = ctx.clock().isoformat()
    stored = []
    for blob in doc.files:
        key = keys.quarantine_key(error.reason, dossier.agency, dossier.code, blob.name)
        stored.append(key)
        ctx.store.put(key, blob.data)
        report = {
            "file": blob.name,
            "reason": error.reason,
            "error": type(error).__name__,
            "message": str(error),
            "dossier": dossier.code,
            "agency": dossier.agency,
            "document": doc.name,
            "sha256": sha256(blob.data),
            "size": len(blob.data),
            "pipeline_version": ctx.pipeline_version,
            "at": at,
            "source": dossier.source,
        }
        ctx.store.put(
            key + ".error.json", json.dumps(report, ensure_ascii=False, indent=1).encode()
        )
    input_sha = input_sha or document_key(doc.files)
    ctx.warehouse.record_document(
        dossier_id,
        name=doc.name,
        input_sha256=input_sha,
        pipeline_version=ctx.pipeline_version,
        status="quarantined",
        error_reason=error.reason,
        error=str(error),
        inputs=[
            {"name": f.name, "sha256": sha256(f.data), "size": len(f.data), "quarantine_key": k}
            for f, k in zip(doc.files, stored, strict=True)
        ],
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
        quarantine_keys=tuple(stored),
        reason=error.reason,
        message=str(error),
    )
