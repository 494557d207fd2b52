"""What the digitisation job works on and with: its inputs and outcomes, the context a run
carries (settings, store, warehouse, signing key, how pages are read), and the stage timer.
Plain data and small helpers: workers/job/dossier.py and workers/job/document.py build on them."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from pipeline import PIPELINE_VERSION
from pipeline.inputs.source import read_source
from pipeline.reading.page import PageResult, PageTask
from schemas.document import Manifest, MetadataFields
from schemas.errors import InputChanged, PermanentError, SohoaError
from schemas.settings import Settings
from storage.dates import day_in_vietnam
from storage.objects import ObjectStore
from storage.warehouse import Warehouse

log = logging.getLogger("workers.job")

Status = Literal["digitised", "already-digitised", "reused", "quarantined", "failed"]


@dataclass(frozen=True)
class InputBlob:
    """One input file: its bytes, or the local file that holds them (read when needed and
    never kept, so that a large dossier is not held in memory all at once)."""

    name: str
    content: bytes | Path
    rejection: PermanentError | None = None
    """Refused at intake before a byte was read (a link leaving the dossier folder, a FIFO):
    ``content`` is then what can be kept of it (the link's target, nothing), not the file."""

    @property
    def data(self) -> bytes:
        return read_source(self.content)

    def digest(self) -> tuple[str, int]:
        """SHA-256 and size of the bytes, a local file read in chunks, never whole."""
        if isinstance(self.content, bytes):
            return sha256(self.content), len(self.content)
        with self.content.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256")
            return digest.hexdigest(), handle.tell()


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
    uploaded_at: dt.datetime | None = None  # its first intake object stored (or file written)


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
    subject: str | None = None  # the file a rejection is about, as the clerk named it
    page: int | None = None  # and its page, when known


class JobObserver(Protocol):
    """Told what happens, e.g. to count it in metrics (workers/queue/metrics.py)."""

    def stage(self, stage: str, seconds: float, outcome: str) -> None: ...
    def document(self, outcome: str, pages: int) -> None: ...


class Unobserved:
    """An observer that counts nothing: for a job (JobObserver) or a worker (WorkerObserver)."""

    def stage(self, stage: str, seconds: float, outcome: str) -> None:
        pass

    def document(self, outcome: str, pages: int) -> None:
        pass

    def dossier(self, outcome: str) -> None:
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
    observer: JobObserver = field(default_factory=Unobserved)
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
            log.info(
                "dossier %d document %s: %s %s in %.2f s%s",
                self.dossier_id,
                self.document_id,
                stage,
                outcome,
                took,
                f" ({detail})" if detail else "",
            )
            self.ctx.warehouse.add_event(
                self.dossier_id,
                stage,
                outcome,
                document_id=self.document_id,
                seconds=round(took, 4),
                detail=detail,
            )


def put_source(
    store: ObjectStore, key: str, source: bytes | Path, *, expected: str | None, name: str
) -> str:
    """Store bytes, or a file without holding it in memory; the SHA-256 of what was stored.
    A file that changed while it was read raises InputChanged naming ``name``."""
    if isinstance(source, bytes):
        store.put(key, source)
        return sha256(source)
    try:
        return store.put_file(key, source, expected=expected)
    except InputChanged as exc:
        raise InputChanged(exc.message, subject=name) from exc


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_key(hashes: Sequence[str]) -> str:
    """Idempotency key: one file's own hash, or the hash of several files' hashes in order."""
    return hashes[0] if len(hashes) == 1 else sha256("\n".join(hashes).encode())


def year_of(dossier: DossierInput, ctx: JobContext) -> int:
    """The year of the dossier's receipt (its keys' <yyyy>), as the dossier says."""
    if dossier.manifest.received_date or dossier.received:
        return (dossier.manifest.received_date or dossier.received).year  # type: ignore[union-attr]
    return day_in_vietnam(dossier.uploaded_at or ctx.clock()).year
