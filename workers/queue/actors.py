"""The dramatiq actors. ``sohoa worker`` runs dramatiq's CLI with this module as the broker
module: each worker process imports it, reads settings from SOHOA_*, and declares the actors on
a RedisBroker from storage/queue.py (retries, backoff, time limit and metrics are middleware).

    digitise(payload)                     an IntakeMessage or a RedigitiseMessage
    digitise_exhausted(message, retries)  dramatiq's on_retry_exhausted: the dossier is failed
    help_with_pages(base)                 read pages of a document another worker shares out

Only a RetryableError is retried (``retry_when``); any other error (sohoa's own, a time limit)
fails the dossier at once, with its reason recorded, through the same ``digitise_exhausted``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage

from schemas.errors import PermanentError, RetryableError
from schemas.messages import MESSAGE
from schemas.settings import load_settings
from storage.queue import (
    DIGITISE_ACTOR,
    EXHAUSTED_ACTOR,
    HELP_ACTOR,
    make_broker,
    pages_queue,
    retryable_only,
)
from workers.logs import configure
from workers.malloc import map_large_blocks
from workers.queue.metrics import MessageMetrics, metrics
from workers.queue.runtime import WorkerRuntime

settings = load_settings()  # this module is the worker processes' entry point
configure(settings.log_level or "INFO")  # in place of dramatiq's: one line a record, masked
broker = make_broker(settings.queue)
broker.add_middleware(MessageMetrics())
dramatiq.set_broker(broker)


class _RetryableInOneLine(logging.Filter):
    """dramatiq logs each failed attempt as an error with its traceback. A RetryableError is
    expected (a service away) and retried: one warning line, with what failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, RetryableError):
            record.msg, record.args = "%s %s: %s", (record.getMessage(), error.reason, error)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


logging.getLogger("dramatiq.worker.WorkerThread").addFilter(_RetryableInOneLine())

_runtime: WorkerRuntime | None = None
_lock = threading.Lock()


def runtime() -> WorkerRuntime:
    """Built once per worker process (never in dramatiq's master): as the process boots, in
    the background, so that the first message (a request for help with pages above all)
    finds it ready; or by that first message, whichever comes first."""
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = WorkerRuntime.from_settings(settings, metrics(), _ask_for_help)
        return _runtime


class _BuildRuntimeAtBoot(dramatiq.Middleware):
    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        map_large_blocks()  # this process reads pages too
        threading.Thread(target=_build_quietly, name="sohoa-runtime", daemon=True).start()


def _build_quietly() -> None:
    try:
        runtime()
    except Exception:  # noqa: BLE001 - the first message builds it again and reports why
        logging.getLogger(__name__).exception("cannot prepare the worker; will retry")


broker.add_middleware(_BuildRuntimeAtBoot())


@dramatiq.actor(
    actor_name=DIGITISE_ACTOR,
    queue_name=settings.queue.name,
    throws=(PermanentError,),
    retry_when=retryable_only(settings.queue.max_retries),
    on_retry_exhausted=EXHAUSTED_ACTOR,
)
def digitise(payload: dict[str, Any]) -> None:
    message = MESSAGE.validate_python(payload)
    owner = CurrentMessage.get_current_message().message_id  # the same on every redelivery
    runtime().digitise(message, owner=f"message-{owner}")


def _ask_for_help(base: str, helpers: int) -> None:
    for _ in range(helpers):
        help_pages.send(base)


@dramatiq.actor(
    actor_name=HELP_ACTOR,
    queue_name=pages_queue(settings.queue),
    max_retries=0,  # a helper that fails leaves its page to the dossier's own thread
    time_limit=int(settings.queue.time_limit_s * 1000),
)
def help_pages(base: str) -> None:
    runtime().help_with_pages(base)


@dramatiq.actor(actor_name=EXHAUSTED_ACTOR, queue_name=settings.queue.name)
def digitise_exhausted(message: dict[str, Any], retries: dict[str, Any]) -> None:
    payload = MESSAGE.validate_python(message["args"][0])
    options = message.get("options", {})
    trace = str(options.get("traceback") or "").strip().splitlines()
    reason = str(options.get("sohoa_reason") or "internal-error")
    runtime().exhausted(payload, trace[-1] if trace else "unknown error", reason)
