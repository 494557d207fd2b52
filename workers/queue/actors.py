"""The dramatiq actors. ``sohoa worker`` runs dramatiq's CLI with this module as the broker
module: each worker process imports it, reads settings from SOHOA_*, and declares the actors on
a RedisBroker from storage/queue.py (retries, backoff, time limit and metrics are middleware).

    digitise(payload)                     an IntakeMessage or a RedigitiseMessage
    digitise_exhausted(message, retries)  dramatiq's on_retry_exhausted: the dossier is failed
    help_with_pages(base)                 read pages of a document another worker shares out

Only a RetryableError is retried (``retry_when``); any other error (sohoa's own, a time limit)
fails the dossier at once, with its reason recorded, through the same ``digitise_exhausted``.
A worker process that cannot be built for good (a signing key or a setting that went bad
after ``sohoa worker`` checked them) is no message's fault: it stops at once with exit code 8
(70 for a bug) and says why, the message it held unacknowledged, so that the queue gives it
to another worker once its heartbeat is old (or to this one, restarted and fixed).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, NoReturn

import dramatiq
from dramatiq.middleware import CurrentMessage

from schemas.errors import ExitCode, InternalError, PermanentError, RetryableError, SohoaError
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
            try:
                _runtime = WorkerRuntime.from_settings(settings, metrics(), _ask_for_help)
            except RetryableError:
                raise  # a service away at boot: the message is retried as usual
            except Exception as exc:  # noqa: BLE001 - the worker cannot work: not the message's
                _stop_worker(exc)
        return _runtime


def _stop_worker(exc: Exception) -> NoReturn:
    """End this worker process now, its message left unacknowledged (never failed nor
    dead-lettered): dramatiq's master stops the group with the same exit code."""
    bug = not isinstance(exc, SohoaError) or isinstance(exc, InternalError)
    code = ExitCode.INTERNAL if bug else ExitCode.CONFIG  # a key, a setting, a tool: exit 8
    log = logging.getLogger(__name__)
    log.critical(
        "this worker cannot work, stopping it (exit %d); its message stays in the queue: %s",
        code,
        exc,
        exc_info=bug,
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(code)


class _BuildRuntimeAtBoot(dramatiq.Middleware):
    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        map_large_blocks()  # this process reads pages too
        threading.Thread(target=_build_quietly, name="sohoa-runtime", daemon=True).start()


def _build_quietly() -> None:
    try:
        runtime()  # a worker that cannot work stops here, before it takes a message
    except RetryableError as exc:  # the first message builds it again and reports why
        logging.getLogger(__name__).warning("cannot prepare the worker; will retry: %s", exc)


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
