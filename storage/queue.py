"""The queue of dossiers: dramatiq's RedisBroker, tuned, and the few calls producers make.

Tuning: dramatiq's defaults (a 60 s heartbeat timeout, maintenance on 1 broker call in 1,000)
left a crashed worker's message unacknowledged for minutes; here a worker silent for
``heartbeat_timeout_s`` (15 s) is dead and, with maintenance on every call, its messages go back
to the queue on the next fetch of any live worker. Every busy worker keeps heartbeating through
its delay-queue consumer, which polls at most every few seconds, so 15 s stays safe.

Retries, backoff and the time limit are middleware (dramatiq's Retries and TimeLimit), never
the actors'. Redis errors become QueueUnavailable at this boundary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from dramatiq import Message
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from schemas.errors import ConfigurationError, QueueUnavailable
from schemas.settings import QueueSettings

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


def make_broker(settings: QueueSettings) -> RedisBroker:
    """The broker every sohoa process shares: workers consume, watcher and redigitise send."""
    middleware = [
        AgeLimit(),
        TimeLimit(time_limit=int(settings.time_limit_s * 1000), interval=1000),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(
            max_retries=settings.max_retries,
            min_backoff=int(settings.min_backoff_s * 1000),
            max_backoff=int(settings.max_backoff_s * 1000),
        ),
        CurrentMessage(),
    ]
    return RedisBroker(
        client=redis_client(settings),
        middleware=middleware,
        namespace=settings.namespace,
        heartbeat_timeout=int(settings.heartbeat_timeout_s * 1000),
        maintenance_chance=max(1, int(settings.maintenance_probability * MAINTENANCE_SCALE)),
    )


@contextmanager
def _boundary() -> Iterator[None]:
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
        with _boundary():
            return self.broker.enqueue(message).message_id

    def depth(self) -> dict[str, int]:
        """Messages waiting, delayed (retries with backoff) and dead-lettered."""
        ns, name = self.settings.namespace, self.settings.name
        client = self.broker.client
        with _boundary():
            return {
                "ready": int(client.llen(f"{ns}:{name}")),
                "delayed": int(client.llen(f"{ns}:{name}.DQ")),
                "dead": int(client.zcard(f"{ns}:{name}.XQ")),
            }

    def ping(self) -> None:
        with _boundary():
            self.broker.client.ping()

    def close(self) -> None:
        self.broker.close()
