"""``sohoa watch``: the intake watcher, sending ready dossiers to the workers' queue."""

from __future__ import annotations

import signal
import threading

import typer

from workers.cli import DataOption, console, settings_for

HELP = """Watch the intake (intake/<agency>/<folder>/ with a manifest.json, or
intake/<agency>/<file>) and enqueue each dossier once it is complete: a folder when its
manifest.json lands, a lone file when it has been still for SOHOA_WATCH__STABLE_S seconds.
Uses MinIO bucket notifications when offered, and lists every SOHOA_WATCH__LIST_INTERVAL_S
seconds in any case. A unit sent whose dossier has not moved for
SOHOA_WATCH__RECONCILE_AFTER_S seconds and whose message is in no queue (a Redis that lost its
data) is sent again. Logs at SOHOA_LOG_LEVEL (default INFO). Stops on SIGTERM or Ctrl-C."""


def register(app: typer.Typer) -> None:
    app.command(help=HELP)(watch)


def watch(data: DataOption = None) -> None:
    from storage import places
    from storage.intake_ledger import IntakeLedger
    from storage.queue import DossierQueue
    from storage.s3 import S3ObjectStore
    from workers.logs import configure
    from workers.queue.metrics import DossierStatusCollector, Metrics, QueueDepthCollector, serve
    from workers.intake.watcher import Watcher

    settings = settings_for(data=data)
    configure(settings.log_level or "INFO")
    store = places.store(settings)
    if isinstance(store, S3ObjectStore):
        store.check()
    warehouse = places.warehouse(settings)
    queue = DossierQueue.open(settings.queue)
    queue.ping()
    on_sent = lambda unit, trigger: None  # noqa: E731
    if settings.metrics.port is not None:
        from prometheus_client import CollectorRegistry

        registry = CollectorRegistry()
        metrics = Metrics(registry)
        registry.register(QueueDepthCollector(queue))
        registry.register(DossierStatusCollector(warehouse))
        serve(settings.metrics.port, settings.metrics.host, registry)
        on_sent = lambda unit, trigger: metrics.enqueued.labels(trigger).inc()  # noqa: E731
    watcher = Watcher(
        store,
        IntakeLedger(warehouse),
        queue.send,
        settings.watch,
        on_sent=on_sent,
        queued=queue.payloads,
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    console.print(f"sohoa watch: watching intake/ in {store!r}")
    watcher.run(stop)
    queue.close()
