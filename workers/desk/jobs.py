"""How the desk gets a dossier digitised. With a queue (``SOHOA_QUEUE__URL``) the watcher and
the workers do it: an upload is a drop into the intake bucket, "try again" a redigitise
message. On the embedded defaults nobody else is running, so the desk itself runs the same
job (``WorkerRuntime``) in one background thread, one dossier at a time."""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from schemas.errors import SohoaError
from schemas.messages import DossierMessage, IntakeMessage, RedigitiseMessage
from schemas.settings import Settings

log = logging.getLogger(__name__)


class Jobs:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ThreadPoolExecutor | None = None
        self._runtime = None
        self._lock = threading.Lock()

    @property
    def queued(self) -> bool:
        return self.settings.queue.url is not None

    def uploaded(self, unit: str) -> Future[str] | None:
        """An intake unit is complete: the watcher sees it, or we digitise it here."""
        if self.queued:
            return None
        return self._submit(IntakeMessage(unit=unit))

    def again(self, dossier_id: int) -> Future[str] | None:
        message = RedigitiseMessage(dossier_id=dossier_id)
        if self.queued:
            from storage.queue import DossierQueue

            DossierQueue.open(self.settings.queue).send(message.model_dump())
            return None
        return self._submit(message)

    def _submit(self, message: DossierMessage) -> Future[str]:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="desk-job")
        return self._pool.submit(self._run, message)

    def _run(self, message: DossierMessage) -> str:
        from workers.queue.runtime import WorkerRuntime

        if self._runtime is None:
            self._runtime = WorkerRuntime.from_settings(self.settings)
        try:
            return self._runtime.digitise(message, owner=f"desk-{os.getpid()}")
        except SohoaError as exc:  # no broker to retry: failed, visible, re-runnable
            self._runtime.exhausted(message, str(exc), exc.reason)
            return "failed"
        except Exception:
            log.exception("the desk's job on %s failed", message.kind)
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
