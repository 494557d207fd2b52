"""``sohoa audit DOSSIER_CODE`` and ``sohoa fixity``: what happened to a dossier, and whether
every stored byte is still what the warehouse recorded. Both open the store and the warehouse
as the worker does (``storage.places``: S3 credentials and buckets, the warehouse password)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schemas.errors import ExitCode, ObjectNotFound
from storage import places
from storage.consistency import inconsistent_dossiers
from storage.history import RecordedObject, dossier_history, recorded_objects
from storage.objects import ObjectStore
from storage.warehouse import Warehouse
from workers.cli import DataOption, console, settings_for

FIXITY_HELP = """Re-hash every stored original, quarantined file and result against the SHA-256
the warehouse recorded. Exit codes: 0 every object matches; 9 some object changed (and maybe
others are missing); 10 some object is missing; 1 the store or the warehouse cannot be reached
(run again); 8 bad settings."""

AUDIT_HELP = """Print a dossier's event history, oldest first. Exit codes: 0 printed; 10 no
such dossier; 1 the warehouse cannot be reached."""


CHECK_HELP = """Instead of one dossier's history, check every dossier against its documents
(e.g. digitised with 0 documents, a document's status at odds with the dossier's); exit 1 when
any does not add up."""


def register(app: typer.Typer) -> None:
    app.command(help=AUDIT_HELP)(audit)
    app.command(help=FIXITY_HELP)(fixity)


def audit(
    dossier_code: Annotated[
        str | None, typer.Argument(help="mã số hồ sơ, or the dossier folder name")
    ] = None,
    check: Annotated[bool, typer.Option(help=CHECK_HELP)] = False,
    data: DataOption = None,
) -> None:
    settings = settings_for(data=data)
    if check:
        _check_dossiers(places.warehouse(settings))
    if dossier_code is None:
        raise typer.BadParameter("give a DOSSIER_CODE, or --check")
    lines = dossier_history(places.warehouse(settings), dossier_code)
    out = Console()
    if not lines:
        out.print(f"no dossier {escape(dossier_code)!r} in the warehouse")
        raise typer.Exit(int(ExitCode.MISSING))
    table = Table(title=f"history of {escape(dossier_code)}")
    for column in ("at (UTC)", "agency", "document", "stage", "outcome", "seconds", "detail"):
        table.add_column(column, overflow="fold")
    for line in lines:
        table.add_row(
            f"{line.at:%Y-%m-%d %H:%M:%S}",
            line.agency,
            escape(line.document or ""),
            line.stage,
            line.outcome,
            "" if line.seconds is None else f"{line.seconds:.3f}",
            escape(line.detail or ""),
        )
    out.print(table)


def _check_dossiers(warehouse: Warehouse) -> None:
    found = inconsistent_dossiers(warehouse)
    out = Console()
    for item in found:
        out.print(f"[red]{item.status}[/red] {item.agency} {item.dossier}: {item.problem}")
    out.print(f"{len(found)} problems in the warehouse's dossiers")
    raise typer.Exit(int(ExitCode.FAILED if found else ExitCode.OK))


def fixity(data: DataOption = None) -> None:
    settings = settings_for(data=data)
    warehouse = places.warehouse(settings)
    store = places.store(settings)
    items = list(recorded_objects(warehouse))
    problems: list[tuple[RecordedObject, ExitCode, str]] = []
    columns = (
        TextColumn("[bold]fixity"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("objects"),
        TimeElapsedColumn(),
    )
    # A store that cannot be reached raises StorageUnavailable: the CLI exits 1 (run again).
    with tempfile.TemporaryDirectory(prefix="sohoa-fixity-") as folder:
        spool = Path(folder, "object")
        with Progress(*columns, console=console) as progress:
            bar = progress.add_task("objects", total=len(items))
            for item in items:
                problem = _check_object(store, item, spool)
                if problem is not None:
                    problems.append((item, *problem))
                progress.advance(bar)
    out = Console()
    for item, _, what in problems:
        out.print(
            f"[red]{what}[/red] {item.role} {escape(item.key)} (dossier {escape(item.dossier)}, "
            f"document {escape(item.document)}, recorded {item.sha256})"
        )
    out.print(f"{len(items)} objects checked, {len(problems)} problems")
    raise typer.Exit(int(fixity_code([code for _, code, _ in problems])))


def _check_object(
    store: ObjectStore, item: RecordedObject, spool: Path
) -> tuple[ExitCode, str] | None:
    """None if the object holds the recorded bytes, else what is wrong with it. The object
    is copied to ``spool`` and hashed from there: one object at a time, never whole in memory."""
    try:
        store.get_file(item.key, spool)
    except ObjectNotFound:
        return ExitCode.MISSING, "missing"
    with spool.open("rb") as handle:
        actual = hashlib.file_digest(handle, "sha256").hexdigest()
    spool.unlink()
    return None if actual == item.sha256 else (ExitCode.CHANGED, f"changed: sha256 is {actual}")


def fixity_code(problems: list[ExitCode]) -> ExitCode:
    """A changed object outweighs a missing one: both are printed, the worst is the code."""
    for code in (ExitCode.CHANGED, ExitCode.MISSING):
        if code in problems:
            return code
    return ExitCode.OK
