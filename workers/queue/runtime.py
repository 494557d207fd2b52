"""A worker process's lasting parts (settings, store, warehouse, signing key) and what its
actors do with a message. Built once per process; the actors in workers/queue/actors.py only parse
the message and call in here."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline import PIPELINE_VERSION
from pipeline.reading.page import PageResult, PageTask, process_page
from schemas.errors import PermanentError
from schemas.messages import DossierMessage, IntakeMessage, RedigitiseMessage
from schemas.settings import Settings
from storage import places
from storage.batches import Batches
from storage.objects import ObjectStore
from storage.queue import redis_client
from storage.warehouse import Warehouse
from workers.intake.bucket import dossier_from_intake, identify
from workers.job.context import JobContext, JobObserver, Unobserved
from workers.job.dossier import digitise_dossier, final_status
from workers.job.heartbeat import LEASE_S, Heartbeat
from workers.queue.page_fanout import PageFanOut, help_with_pages
from workers.queue.redigitise import dossier_from_warehouse
from workers.signing.process_key import open_signing_key

log = logging.getLogger(__name__)


def run_pages_inline(tasks: Sequence[PageTask]) -> list[PageResult]:
    """Pages one after another in the worker's own thread, when no queue can share them."""
    return [process_page(task) for task in tasks]


class WorkerObserver(JobObserver, Protocol):
    def dossier(self, outcome: str) -> None: ...


@dataclass
class WorkerRuntime:
    settings: Settings
    store: ObjectStore
    warehouse: Warehouse
    signer: object
    trust_roots: tuple[bytes, ...]
    observer: WorkerObserver
    pipeline_version: str = PIPELINE_VERSION
    pages: PageFanOut | None = None  # a document's pages shared out across the workers

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        observer: WorkerObserver | None = None,
        ask_for_help: Callable[[str, int], None] | None = None,
    ) -> WorkerRuntime:
        key = open_signing_key(settings)  # PKCS#12 (agency or development) or PKCS#11 token
        signer = key.signer
        return cls(
            settings,
            places.store(settings),
            places.warehouse(settings),
            signer,
            key.trust_roots,
            observer or Unobserved(),
            pages=None
            if ask_for_help is None
            else PageFanOut(
                redis_client(settings.queue),
                settings.queue.namespace,
                ask_for_help,
                max_helpers=settings.queue.page_helpers,
                lease_s=settings.ocr.timeout_s + 60,
            ),
        )

    def help_with_pages(self, base: str) -> int:
        """Read pages of a document another worker shares out (see workers/queue/page_fanout.py)."""
        if self.pages is None:
            return 0
        read = help_with_pages(
            self.pages.client, self.store, self.settings, base, self.pages.lease_s
        )
        log.info("helped with %s: read %d page(s)", base, read)
        return read

    def context(self, owner: str) -> JobContext:
        return JobContext(
            self.settings,
            self.store,
            self.warehouse,
            self.signer,
            self.trust_roots,
            self.pages.run if self.pages is not None else run_pages_inline,
            owner=owner,
            lease_s=LEASE_S,  # renewed by the heartbeat while the message is worked on
            retryable="raise",
            observer=self.observer,
            pipeline_version=self.pipeline_version,
        )

    def digitise(self, message: DossierMessage, owner: str) -> str:
        """Digitise what the message names; returns the dossier's final status. Retryable
        errors propagate (the broker retries); a dossier that cannot be rebuilt fails here.
        Intake objects are spooled to a local folder for the run, not held in memory."""
        with (
            tempfile.TemporaryDirectory(prefix="sohoa-intake-") as spool,
            Heartbeat(self.warehouse, owner, retried=True),  # claims end with this worker
        ):
            return self._digitise(message, owner, Path(spool))

    def _digitise(self, message: DossierMessage, owner: str, spool: Path) -> str:
        source: DossierMessage | None = message
        if isinstance(message, RedigitiseMessage):
            try:
                source = dossier_from_warehouse(self.warehouse, self.store, message.dossier_id)
            except PermanentError as exc:
                self.warehouse.fail_dossier(message.dossier_id, exc.reason, str(exc))
                return self._finish(message, "failed")
            if source is None:
                log.warning("dossier %s: nothing stored to digitise again", message.dossier_id)
                return self._finish(message, self.warehouse.dossier(message.dossier_id).status)
        if isinstance(source, IntakeMessage):
            try:
                dossier = dossier_from_intake(self.store, source.unit, self.settings, spool)
            except PermanentError as exc:  # e.g. a unit key that is not a valid key
                self._fail_unit(message, source.unit, exc.reason, str(exc))
                return self._finish(message, "failed")
        else:
            dossier = source
        if dossier is None:
            log.info("intake unit %s is gone: digitised already", getattr(source, "unit", "?"))
            return self._finish(message, "gone")
        outcomes = digitise_dossier(dossier, self.context(owner))
        return self._finish(message, final_status(outcomes))

    def exhausted(self, message: DossierMessage, error: str, reason: str) -> None:
        """The dossier is ``failed`` in the warehouse, visible, re-runnable: its retries ran
        out, or what it met is not worth retrying (an internal error, its time limit)."""
        if isinstance(message, RedigitiseMessage):
            dossier_id = message.dossier_id
        else:
            dossier_id = self._dossier_of_unit(message.unit)
        retried = reason not in ("internal-error", "time-limit")
        detail = f"retries exhausted; last: {error}" if retried else error
        self.warehouse.fail_dossier(dossier_id, reason, detail)
        self._finish(message, "failed")

    def _dossier_of_unit(self, unit: str) -> int:
        found = self.warehouse.find_dossier_by_source(unit)
        if found is not None:
            return found
        agency, code = identify(unit, self.settings)  # it failed before it could be read
        return self.warehouse.ensure_dossier(agency, code, source=unit)

    def _fail_unit(self, message: DossierMessage, unit: str, reason: str, error: str) -> None:
        if isinstance(message, RedigitiseMessage):
            self.warehouse.fail_dossier(message.dossier_id, reason, error)
        else:
            self.warehouse.fail_dossier(self._dossier_of_unit(unit), reason, error)

    def _finish(self, message: DossierMessage, outcome: str) -> str:
        log.info("dossier %s: %s", _named(message), outcome)
        self.observer.dossier(outcome)
        if isinstance(message, RedigitiseMessage) and message.batch_id is not None:
            Batches(self.warehouse).finish_item(message.batch_id, message.dossier_id, outcome)
        return outcome


def _named(message: DossierMessage) -> str:
    if isinstance(message, RedigitiseMessage):
        return f"#{message.dossier_id} (again)"
    return message.unit
