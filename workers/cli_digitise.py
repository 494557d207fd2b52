"""``sohoa digitise``: local paths through the job, pages in a process pool."""

from __future__ import annotations

from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schemas.errors import ExitCode
from schemas.settings import Settings
from storage.objects import open_store
from storage.warehouse import Warehouse
from workers.cli import DataOption, console, settings_for
from workers.job import digitise_dossier
from workers.job_context import DocumentOutcome, JobContext
from workers.keys import open_signing_key
from workers.local_intake import dossiers_from_paths
from workers.pool import PagePool

HELP = """Digitise scans: PATH is an image (PNG, JPEG, TIFF), a PDF, or a dossier folder (page
files plus an optional manifest.json); a folder of folders is a batch of dossiers.

Exit codes: 0 every document digitised (or already digitised); 7 some inputs were rejected
and quarantined; 1 some documents failed on a retryable error (re-run to retry);
8 bad settings or signing key.
"""


def register(app: typer.Typer) -> None:
    app.command(help=HELP)(digitise)


def digitise(
    paths: Annotated[
        list[Path], typer.Argument(help="images, PDFs or dossier folders", exists=True)
    ],
    data: DataOption = None,
    agency: Annotated[
        str | None, typer.Option(help="agency code when a manifest names none")
    ] = None,
    jobs: Annotated[int | None, typer.Option(help="OCR processes (default: every core)")] = None,
) -> None:
    settings = settings_for(data=data, agency=agency, jobs=jobs)
    settings.data.mkdir(parents=True, exist_ok=True)
    with PagePool(settings.jobs) as pool:  # the OCR processes start while the rest opens
        outcomes = _digitise_all(paths, settings, pool)
    _summarise(outcomes, settings.data)
    raise typer.Exit(int(_exit_code(outcomes)))


def _digitise_all(paths: list[Path], settings: Settings, pool: PagePool) -> list[DocumentOutcome]:
    key = open_signing_key(settings)  # PKCS#12 (agency or development) or PKCS#11 token
    signer, trust_roots = key.signer, key.trust_roots
    store = open_store(settings.resolved_store_url, settings.s3)
    warehouse = Warehouse.open(
        settings.resolved_warehouse_url, password_file=settings.warehouse_password_file
    )
    outcomes: list[DocumentOutcome] = []
    columns = (
        TextColumn("[bold]digitising"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task("pages", total=0)
        pool.on_page = lambda n: progress.advance(bar, n)
        pool.on_plan = lambda n: progress.update(bar, total=(progress.tasks[0].total or 0) + n)
        # Twice as many dossiers, and within each twice as many documents, as OCR processes
        # are in progress, so that while one is assembled and signed the pool still has pages
        # queued; at most 2 x jobs dossiers are read into memory at once.
        with (
            ThreadPoolExecutor(max_workers=2 * settings.jobs) as threads,
            ThreadPoolExecutor(max_workers=2 * settings.jobs) as document_threads,
        ):
            ctx = JobContext(
                settings,
                store,
                warehouse,
                signer,
                trust_roots,
                pool.run,
                map_documents=document_threads.map,
            )
            pending: deque[Future[list[DocumentOutcome]]] = deque()
            for dossier in dossiers_from_paths(paths, settings):
                if len(pending) >= 2 * settings.jobs:
                    outcomes.extend(pending.popleft().result())
                pending.append(threads.submit(digitise_dossier, dossier, ctx))
            while pending:
                outcomes.extend(pending.popleft().result())
    return outcomes


def _exit_code(outcomes: list[DocumentOutcome]) -> ExitCode:
    statuses = Counter(o.status for o in outcomes)
    if statuses["failed"]:
        return ExitCode.FAILED
    if statuses["quarantined"]:
        return ExitCode.REJECTED
    return ExitCode.OK


def _summarise(outcomes: list[DocumentOutcome], data: Path) -> None:
    out = Console()  # the summary is the result: stdout; progress and errors go to stderr
    table = Table(title="sohoa digitise", show_lines=False)
    for column in ("dossier", "document", "outcome", "pages"):
        table.add_column(column)
    table.add_column("output or reason", overflow="fold")
    styles = {
        "digitised": "green",
        "already-digitised": "cyan",
        "reused": "cyan",
        "quarantined": "yellow",
        "failed": "red",
    }
    for o in outcomes:
        status = "already digitised" if o.status == "already-digitised" else o.status
        where = o.result_key or (
            "recorded as reused"
            if o.status == "reused"
            else f"{o.message}\n→ {', '.join(o.quarantine_keys) or o.reason}"
        )
        table.add_row(
            o.dossier, o.document, f"[{styles[o.status]}]{status}", str(o.pages or ""), where
        )
    out.print(table)
    counts = Counter(o.status for o in outcomes)
    out.print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + f"; data in {data}")
