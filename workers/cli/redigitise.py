"""``sohoa redigitise``: digitise stored dossiers again, as one resumable batch."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from workers.cli import DataOption, console, settings_for
from workers.queue.redigitise import StatusFilter

if TYPE_CHECKING:
    from storage.warehouse import Warehouse

HELP = """Enqueue re-digitisation of stored originals for the workers (SOHOA_QUEUE__URL), then
show the batch's progress, read from the warehouse, until every dossier is done. Dates are the
days dossiers were received (in Vietnam, inclusive). A re-digitised document gets result
version N+1 and keeps N; with the same pipeline version nothing new is produced. Interrupted,
the same command resumes the same batch. Exit codes: 0 done; 1 some dossiers failed; 7 some
quarantined."""


AgencyOption = Annotated[str | None, typer.Option(help="only this agency code")]
SinceOption = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])]
UntilOption = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])]
StatusOption = Annotated[
    StatusFilter,
    typer.Option(help="failed, retrying (stuck: its message lost), quarantined or all"),
]
DossierOption = Annotated[str | None, typer.Option(help="only the dossier of this code")]
OlderThanVersionOption = Annotated[
    str | None, typer.Option(help="only dossiers digitised by a pipeline older than this")
]
DryRunOption = Annotated[bool, typer.Option(help="say what would be enqueued")]
WaitOption = Annotated[bool, typer.Option(help="--no-wait: enqueue and exit")]


def register(app: typer.Typer) -> None:
    app.command(help=HELP)(redigitise)


def redigitise(
    agency: AgencyOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    status: StatusOption = "all",
    dossier: DossierOption = None,
    older_than_version: OlderThanVersionOption = None,
    dry_run: DryRunOption = False,
    wait: WaitOption = True,
    data: DataOption = None,
) -> None:
    from pipeline import PIPELINE_VERSION
    from storage import places
    from storage.queue import DossierQueue
    from workers.queue.redigitise import (
        Selection,
        enqueue_batch,
        select,
        start_batch,
    )

    settings = settings_for(data=data)
    selection = Selection(
        agency=agency,
        since=since.date() if since else None,
        until=until.date() if until else None,
        status=status,
        older_than_version=older_than_version,
        dossier=dossier,
    )
    warehouse = places.warehouse(settings)
    out = Console()
    if dry_run:
        ids = select(warehouse, selection)
        out.print(f"{len(ids)} dossier(s) would be digitised again: {ids[:20]}")
        return
    batch_id, resumed = start_batch(warehouse, selection, PIPELINE_VERSION)
    queue = DossierQueue.open(settings.queue)
    sent = enqueue_batch(warehouse, queue, batch_id)
    verb = "resumed" if resumed else "started"
    out.print(f"batch {batch_id} {verb}: {sent} dossier(s) enqueued")
    if wait:
        _wait(warehouse, batch_id, out)


def _wait(warehouse: Warehouse, batch_id: int, out: Console) -> None:
    """A progress bar until the batch is done; the exit code says how it went."""
    from workers.queue.redigitise import wait_for_batch

    columns = (
        TextColumn(f"[bold]batch {batch_id}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("dossiers"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("dossiers", total=None)
        done = wait_for_batch(
            warehouse, batch_id, lambda p: bar.update(task, total=p.total, completed=p.done)
        )
    summary = ", ".join(f"{n} {o}" for o, n in sorted(done.outcomes.items())) or "nothing to do"
    out.print(f"batch {batch_id} complete: {summary}")
    raise typer.Exit(
        1 if done.outcomes.get("failed") else 7 if done.outcomes.get("quarantined") else 0
    )
