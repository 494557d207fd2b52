"""``sohoa worker``: digitisation workers, dramatiq on Redis.

dramatiq's master process starts ``--processes`` worker processes (``--threads`` each) and,
with a metrics port, one process serving their metrics. When one worker process dies
(kill -9, out of memory) dramatiq stops the whole group on purpose: run ``sohoa worker`` under a
supervisor that restarts it (docker compose ``restart: unless-stopped``, systemd
``Restart=always``). The message the dead process held returns to the queue once its heartbeat
is ``SOHOA_QUEUE__HEARTBEAT_TIMEOUT_S`` old (15 s) and is digitised exactly once. A worker
process that cannot work (its signing key or a setting gone bad since start-up) stops the same
way, with exit code 8 and the reason in the log, never dead-lettering the message it held.
Each process takes one dossier message per thread at a time, never one ahead (a killed process
delays only the dossiers it was digitising; a small dossier never waits behind a big one).
Logs at SOHOA_LOG_LEVEL (default INFO): a line per dossier per stage outcome.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from typing import Annotated

import typer

from schemas.settings import Settings
from storage.queue import pages_queue
from workers.cli import DataOption, console, settings_for

HELP = __doc__.split("\n\n", 1)[1].replace("``", "")


def register(app: typer.Typer) -> None:
    app.command(help=HELP)(worker)


def preflight(settings: Settings) -> None:
    """Fail at start-up, with exit code 8, rather than on every message."""
    from storage import places
    from storage.queue import DossierQueue
    from storage.s3 import S3ObjectStore
    from workers.signing.process_key import open_signing_key

    queue = DossierQueue.open(settings.queue)
    try:
        queue.ping()
    finally:
        queue.close()
    store = places.store(settings)
    if isinstance(store, S3ObjectStore):
        store.check()
    warehouse = places.warehouse(settings)
    warehouse.engine.dispose()
    # Usable? (A development key is created here, once, before the processes start; a token
    # session is closed again: each worker process opens its own.)
    open_signing_key(settings).close()


def worker(
    processes: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
    threads: Annotated[int, typer.Option(min=1, help="dossiers at once per process")] = 1,
    data: DataOption = None,
) -> None:
    settings = settings_for(data=data)
    from workers.logs import configure

    configure(settings.log_level or "INFO")
    preflight(settings)
    # The worker processes read their settings from the environment: pass the flags on.
    if data is not None:
        os.environ["SOHOA_DATA"] = str(settings.data)
    import dramatiq.worker
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    # One dossier message per thread (dramatiq's default: two). dramatiq reads its setting
    # when it is imported, which it already is here: the processes it forks see the module's.
    os.environ["dramatiq_queue_prefetch"] = str(threads)
    dramatiq.worker.QUEUE_PREFETCH = threads
    argv = ["workers.queue.actors", "--processes", str(processes), "--threads", str(threads)]
    argv += ["--queues", settings.queue.name, pages_queue(settings.queue)]
    with ExitStack() as cleanup:
        if settings.metrics.port is not None:  # removed again when the workers stop
            folder = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="sohoa-metrics-"))
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
            argv += ["--fork-function", "workers.queue.metrics:serve_worker_metrics"]
        console.print(
            f"sohoa worker: {processes} process(es) x {threads} thread(s) on queues "
            f"{settings.queue.name!r} and {pages_queue(settings.queue)!r}"
        )
        code = dramatiq_main(make_argument_parser().parse_args(argv))
    raise typer.Exit(code)
