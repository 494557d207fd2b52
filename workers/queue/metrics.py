"""Prometheus metrics of workers and watcher, on ``Settings.metrics.port``.

    sohoa_dossiers_total{outcome}        digitised, quarantined, failed, gone, retrying, error
    sohoa_documents_total{outcome}       digitised, already-digitised, quarantined, failed
    sohoa_pages_total{outcome}           pages of those documents
    sohoa_stage_seconds{stage}           histogram per stage (inspect, ocr, sign ...)
    sohoa_dossier_seconds                histogram of whole messages
    sohoa_queue_depth{queue,state}       both queues (dossiers, pages): ready, running, delayed
                                         (awaiting a retry), dead (dead letters); read at scrape
    sohoa_dossiers_by_status{status}     dossiers in the warehouse now: received, processing,
                                         retrying, digitised, quarantined, failed
    sohoa_dossier_oldest_age_seconds{status}  since the least recently moved dossier of each
                                         status last moved (a `retrying` one that grows: stuck)
    sohoa_intake_enqueued_total{trigger} the watcher: units sent, by what noticed them

Workers are several processes: each writes its samples to PROMETHEUS_MULTIPROC_DIR (set by
``sohoa worker`` before the processes start) and one extra process (a dramatiq fork function)
serves them all, with the gauges read at scrape. The watcher is one process with its own
registry. ``sohoa worker`` removes the samples' folder when it stops.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from typing import Any

from dramatiq import Middleware

from schemas.errors import QueueUnavailable, WarehouseUnavailable
from storage.queue import DIGITISE_ACTOR

log = logging.getLogger(__name__)

STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600)
DOSSIER_BUCKETS = (1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


class Metrics:
    """The metric objects; created once per process, after PROMETHEUS_MULTIPROC_DIR is set."""

    def __init__(self, registry: Any = None) -> None:
        import prometheus_client as prom  # after the environment is set: see module doc

        kw = {"registry": registry} if registry is not None else {}
        self.dossiers = prom.Counter(
            "sohoa_dossiers", "Dossiers handled, by outcome", ["outcome"], **kw
        )
        self.documents = prom.Counter(
            "sohoa_documents", "Documents handled, by outcome", ["outcome"], **kw
        )
        self.pages = prom.Counter(
            "sohoa_pages", "Pages of documents, by outcome", ["outcome"], **kw
        )
        self.stage_seconds = prom.Histogram(
            "sohoa_stage_seconds", "Time per stage", ["stage"], buckets=STAGE_BUCKETS, **kw
        )
        self.dossier_seconds = prom.Histogram(
            "sohoa_dossier_seconds", "Time per dossier message", buckets=DOSSIER_BUCKETS, **kw
        )
        self.enqueued = prom.Counter(
            "sohoa_intake_enqueued", "Intake units sent to the queue", ["trigger"], **kw
        )

    # JobObserver
    def stage(self, stage: str, seconds: float, outcome: str) -> None:
        self.stage_seconds.labels(stage).observe(seconds)

    def document(self, outcome: str, pages: int) -> None:
        self.documents.labels(outcome).inc()
        if pages:
            self.pages.labels(outcome).inc(pages)

    def dossier(self, outcome: str) -> None:
        self.dossiers.labels(outcome).inc()


_metrics: Metrics | None = None
_lock = threading.Lock()


def metrics() -> Metrics:
    global _metrics
    with _lock:
        if _metrics is None:
            _metrics = Metrics()
        return _metrics


class MessageMetrics(Middleware):
    """Time per dossier message, and the attempts that failed and will be retried. Requests
    for help with pages are not dossiers: they are left out."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}

    def before_process_message(self, broker: Any, message: Any) -> None:
        if message.actor_name == DIGITISE_ACTOR:
            self._started[message.message_id] = time.perf_counter()

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: Any = None
    ) -> None:
        if message.actor_name != DIGITISE_ACTOR:
            return
        started = self._started.pop(message.message_id, None)
        m = metrics()
        if started is not None:
            m.dossier_seconds.observe(time.perf_counter() - started)
        if exception is not None:
            m.dossiers.labels("retrying").inc()

    after_skip_message = after_process_message

    def after_worker_shutdown(self, broker: Any, worker: Any) -> None:
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if directory:
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid(), directory)


class QueueDepthCollector:
    """Reads both queues' depth from Redis whenever Prometheus scrapes."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue

    def collect(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "sohoa_queue_depth", "Messages in the queues", labels=["queue", "state"]
        )
        try:
            depth = self.queue.depth()
        except QueueUnavailable:
            log.warning("queue depth: the queue is unreachable")
            return
        for (queue, state), count in depth.items():
            family.add_metric([queue, state], count)
        yield family


class DossierStatusCollector:
    """Reads the dossiers' statuses from the warehouse whenever Prometheus scrapes."""

    def __init__(self, warehouse: Any) -> None:
        self.warehouse = warehouse

    def collect(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily

        from storage.dossier_states import status_summary

        try:
            summary = status_summary(self.warehouse)
        except WarehouseUnavailable:
            log.warning("dossier statuses: the warehouse is unreachable")
            return
        counts = GaugeMetricFamily(
            "sohoa_dossiers_by_status", "Dossiers in each status", labels=["status"]
        )
        ages = GaugeMetricFamily(
            "sohoa_dossier_oldest_age_seconds",
            "Seconds since the least recently moved dossier of each status moved",
            labels=["status"],
        )
        now = dt.datetime.now(dt.UTC)
        for row in summary:
            counts.add_metric([row.status], row.count)
            ages.add_metric([row.status], max(0.0, (now - row.oldest).total_seconds()))
        yield counts
        yield ages


def serve(port: int, host: str, registry: Any) -> Any:
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server


def serve_worker_metrics() -> int:
    """A dramatiq fork function: serve every worker process's samples, plus queue depth."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    from schemas.settings import load_settings
    from storage import places
    from storage.queue import DossierQueue

    settings = load_settings()  # a process of its own, started by `sohoa worker`
    if settings.metrics.port is None:
        return 0
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=os.environ["PROMETHEUS_MULTIPROC_DIR"])
    registry.register(QueueDepthCollector(DossierQueue.open(settings.queue)))
    warehouse = places.warehouse(settings)
    registry.register(DossierStatusCollector(warehouse))
    serve(settings.metrics.port, settings.metrics.host, registry)
    while True:  # dramatiq's fork process ends this with SIGTERM when the workers stop
        time.sleep(60)
