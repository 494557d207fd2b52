"""The queue of dossiers: dramatiq's RedisBroker, tuned, and the few calls producers make.

Tuning: dramatiq's defaults (a 60 s heartbeat timeout, maintenance on 1 broker call in 1,000)
left a crashed worker's message unacknowledged for minutes; here a worker silent for
``heartbeat_timeout_s`` (15 s) is dead and, with maintenance on every call, its messages go back
to the queue on the next fetch of any live worker. Every busy worker keeps heartbeating through
its delay-queue consumer, which polls at most every few seconds, so 15 s stays safe.

Retries, backoff and the time limit are middleware (dramatiq's Retries and TimeLimit), never
the actors'. Only a RetryableError is retried (``retry_when``); anything else fails the dossier
at once. Redis errors become QueueUnavailable at this boundary.

Redis outages: a message is acknowledged only once its outcome is durable. dramatiq's own
Retries enqueues the retry of a failed attempt, and when Redis is down at that moment it logs
"Unexpected failure in after_process_message of Retries" and the worker acknowledges the message
anyway once Redis is back: the dossier is lost (dramatiq PR #545). Here (``DurableRetries`` and
``SohoaBroker``) the retry, or the message that fails the dossier, waits for Redis; until it is
written the failed message stays unacknowledged in Redis, so a worker that dies meanwhile leaves
it to be redelivered. And a worker whose connection broke drops the delayed messages it held in
memory (retries waiting for their backoff) while Redis still lists them as its own: they are
put back in their queue as soon as it consumes that queue again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
from dramatiq import Message
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.errors import ConnectionClosed
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)
from dramatiq.middleware.time_limit import TimeLimitExceeded

from schemas.errors import ConfigurationError, QueueUnavailable, RetryableError
from schemas.settings import QueueSettings

log = logging.getLogger(__name__)

DIGITISE_ACTOR = "digitise"
EXHAUSTED_ACTOR = "digitise_exhausted"
HELP_ACTOR = "help_with_pages"


def pages_queue(settings: QueueSettings) -> str:
    """Where requests for help with pages wait, beside the dossiers' queue."""
    return f"{settings.name}-pages"


def redis_client(settings: QueueSettings) -> redis.Redis:
    if not settings.url:
        raise ConfigurationError("no queue configured: set SOHOA_QUEUE__URL=redis://host:6379/0")
    password = None
    if settings.password_file is not None:
        try:
            password = settings.password_file.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read the queue password file: {exc.strerror}",
                subject=str(settings.password_file),
            ) from exc
    extra = {"password": password} if password else {}
    return redis.Redis.from_url(
        settings.url,
        socket_connect_timeout=5,
        socket_timeout=30,
        health_check_interval=15,
        **extra,
    )


def retryable_only(max_retries: int) -> Callable[[int, BaseException], bool]:
    """dramatiq's ``retry_when``: a RetryableError, while retries remain; nothing else."""

    def retry_when(retries: int, exception: BaseException) -> bool:
        return isinstance(exception, RetryableError) and retries < max_retries

    return retry_when


def failure_reason(exception: BaseException) -> str:
    """What a dossier failed of, as recorded: the error's reason, or what escaped the job."""
    if isinstance(exception, TimeLimitExceeded):
        return "time-limit"
    return getattr(exception, "reason", None) or "internal-error"


_patient = threading.local()  # set while DurableRetries enqueues: wait for Redis, never drop


class DurableRetries(Retries):
    """dramatiq's Retries, whose enqueue (the retry, or the ``on_retry_exhausted`` message)
    waits for Redis before the worker may acknowledge the failed message. The reason of the
    failure travels in the message's options (``sohoa_reason``) to ``on_retry_exhausted``."""

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        if exception is not None:
            message.options["sohoa_reason"] = failure_reason(exception)
        _patient.on = True
        try:
            super().after_process_message(broker, message, result=result, exception=exception)
        finally:
            _patient.on = False


class SohoaBroker(RedisBroker):
    """RedisBroker with the two mends of the module docstring."""

    def enqueue(self, message: Message, *, delay: int | None = None) -> Message:
        waited, wait = 0.0, 0.5
        while True:
            try:
                sent = super().enqueue(message, delay=delay)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                if not getattr(_patient, "on", False):
                    raise
                if not waited:
                    log.warning(
                        "message %s: queue unreachable (%s); its outcome waits for Redis, "
                        "the message stays unacknowledged",
                        message.message_id,
                        exc.__class__.__name__,
                    )
                time.sleep(wait)
                waited, wait = waited + wait, min(wait * 2, 10.0)
                continue
            if waited:
                log.warning("message %s: outcome enqueued after %.0f s", message.message_id, waited)
            return sent

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> Any:
        if queue_name.endswith(".DQ"):  # (re)started: nothing of this queue is held in memory
            acks = f"{self.namespace}:__acks__.{self.broker_id}.{queue_name}"
            try:
                held = [m.decode() for m in self.client.smembers(acks)]
                if held:
                    self.do_requeue(queue_name, *held)
                    log.warning("%d delayed message(s) put back in %s", len(held), queue_name)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                raise ConnectionClosed(exc) from None
        return super().consume(queue_name, prefetch, timeout)


def make_broker(settings: QueueSettings) -> RedisBroker:
    """The broker every sohoa process shares: workers consume, watcher and redigitise send."""
    middleware = [
        AgeLimit(),
        TimeLimit(time_limit=int(settings.time_limit_s * 1000), interval=1000),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        DurableRetries(
            max_retries=settings.max_retries,
            min_backoff=int(settings.min_backoff_s * 1000),
            max_backoff=int(settings.max_backoff_s * 1000),
        ),
        CurrentMessage(),
    ]
    return SohoaBroker(
        client=redis_client(settings),
        middleware=middleware,
        namespace=settings.namespace,
        heartbeat_timeout=int(settings.heartbeat_timeout_s * 1000),
        maintenance_chance=max(1, int(settings.maintenance_probability * MAINTENANCE_SCALE)),
    )


@contextmanager
def queue_errors() -> Iterator[None]:
    """Redis errors as QueueUnavailable: the one place sohoa turns them into its own."""
    try:
        yield
    except redis.RedisError as exc:
        raise QueueUnavailable(f"queue unreachable: {exc.__class__.__name__}") from exc


class DossierQueue:
    """What producers need: send a message to an actor, and see how deep the queue is."""

    def __init__(self, broker: RedisBroker, settings: QueueSettings) -> None:
        self.broker, self.settings = broker, settings

    @classmethod
    def open(cls, settings: QueueSettings) -> DossierQueue:
        return cls(make_broker(settings), settings)

    def send(self, payload: dict[str, Any], actor: str = DIGITISE_ACTOR) -> str:
        """Enqueue ``payload`` for ``actor``; returns the message id."""
        message = Message(
            queue_name=self.settings.name, actor_name=actor, args=(payload,), kwargs={}, options={}
        )
        with queue_errors():
            return self.broker.enqueue(message).message_id

    def depth(self) -> dict[tuple[str, str], int]:
        """(queue, state) -> messages, for the dossiers' queue and the pages' queue: ready
        (waiting), running (taken by a worker, not yet acknowledged), delayed (retries waiting
        for their backoff) and dead (dead letters)."""
        ns, client = self.settings.namespace, self.broker.client
        depth = {}
        with queue_errors():
            for name in (self.settings.name, pages_queue(self.settings)):
                key = f"{ns}:{name}"
                ready = int(client.llen(key))
                depth[(name, "ready")] = ready
                depth[(name, "running")] = max(0, int(client.hlen(f"{key}.msgs")) - ready)
                depth[(name, "delayed")] = int(client.hlen(f"{key}.DQ.msgs"))
                depth[(name, "dead")] = int(client.zcard(f"{key}.XQ"))
        return depth

    def payloads(self) -> Iterator[dict[str, Any]]:
        """The payload of every dossier message still in Redis: waiting, running, delayed or
        dead-lettered (and those a ``digitise_exhausted`` message carries)."""
        key = f"{self.settings.namespace}:{self.settings.name}"
        with queue_errors(), self.broker.client.pipeline(transaction=True) as read:
            for hash_name in (f"{key}.msgs", f"{key}.DQ.msgs", f"{key}.XQ.msgs"):
                read.hvals(hash_name)  # at once: a message moving between them is seen
            found = read.execute()
        for data in (d for values in found for d in values):
            message = Message.decode(data)
            payload = message.args[0] if message.args else None
            if message.actor_name == EXHAUSTED_ACTOR and isinstance(payload, dict):
                payload = (payload.get("args") or [None])[0]
            if isinstance(payload, dict):
                yield payload

    def ping(self) -> None:
        with queue_errors():
            self.broker.client.ping()

    def close(self) -> None:
        self.broker.close()
