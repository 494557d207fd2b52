"""The dramatiq actors. ``sohoa worker`` runs dramatiq's CLI with this module as the broker
module: each worker process imports it, reads settings from SOHOA_*, and declares the actors on
a RedisBroker from storage/queue.py (retries, backoff, time limit and metrics are middleware).

    digitise(payload)                     an IntakeMessage or a RedigitiseMessage
    digitise_exhausted(message, retries)  dramatiq's on_retry_exhausted: the dossier is failed
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage

from schemas.errors import PermanentError
from schemas.messages import MESSAGE
from schemas.settings import load_settings
from storage.queue import DIGITISE_ACTOR, EXHAUSTED_ACTOR, make_broker
from workers.logs import MaskPersonalIds
from workers.metrics import MessageMetrics, metrics
from workers.runtime import WorkerRuntime

settings = load_settings()  # this module is the worker processes' entry point
broker = make_broker(settings.queue)
broker.add_middleware(MessageMetrics())
dramatiq.set_broker(broker)
for handler in logging.getLogger().handlers:  # dramatiq's handlers: mask CCCD numbers too
    handler.addFilter(MaskPersonalIds())

_runtime: WorkerRuntime | None = None
_lock = threading.Lock()


def runtime() -> WorkerRuntime:
    """Built on the first message, in the worker process (never in dramatiq's master)."""
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = WorkerRuntime.from_settings(settings, metrics())
        return _runtime


@dramatiq.actor(
    actor_name=DIGITISE_ACTOR,
    queue_name=settings.queue.name,
    throws=(PermanentError,),
    on_retry_exhausted=EXHAUSTED_ACTOR,
)
def digitise(payload: dict[str, Any]) -> None:
    message = MESSAGE.validate_python(payload)
    owner = CurrentMessage.get_current_message().message_id  # the same on every redelivery
    runtime().digitise(message, owner=f"message-{owner}")


@dramatiq.actor(actor_name=EXHAUSTED_ACTOR, queue_name=settings.queue.name)
def digitise_exhausted(message: dict[str, Any], retries: dict[str, Any]) -> None:
    payload = MESSAGE.validate_python(message["args"][0])
    trace = str(message.get("options", {}).get("traceback") or "").strip().splitlines()
    runtime().exhausted(payload, trace[-1] if trace else "unknown error")
