"""``sohoa audit DOSSIER_CODE`` and ``sohoa fixity``: what happened to a dossier, and whether
every stored byte is still what the warehouse recorded."""

from __future__ import annotations

import hashlib
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from schemas.errors import ExitCode, ObjectNotFound
from storage.consistency import inconsistent_dossiers
from storage.history import dossier_history, recorded_objects
from storage.objects import open_store
from storage.warehouse import Warehouse
from workers.cli import DataOption, settings_for

FIXITY_HELP = """Re-hash every stored original and result against the SHA-256 recorded in the
warehouse. Exit codes: 0 all match; 1 some object is missing or changed."""


CHECK_HELP = """Instead of one dossier's history, check every dossier against its documents
(e.g. digitised with 0 documents, a document's status at odds with the dossier's); exit 1 when
any does not add up."""


def register(app: typer.Typer) -> None:
    app.command(help="Print a dossier's event history, oldest first.")(audit)
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
        _check(Warehouse.open(settings.resolved_warehouse_url))
    if dossier_code is None:
        raise typer.BadParameter("give a DOSSIER_CODE, or --check")
    lines = dossier_history(Warehouse.open(settings.resolved_warehouse_url), dossier_code)
    out = Console()
    if not lines:
        out.print(f"no dossier {dossier_code!r} in the warehouse")
        raise typer.Exit(int(ExitCode.FAILED))
    table = Table(title=f"history of {dossier_code}")
    for column in ("at (UTC)", "agency", "document", "stage", "outcome", "seconds", "detail"):
        table.add_column(column, overflow="fold")
    for line in lines:
        table.add_row(
            f"{line.at:%Y-%m-%d %H:%M:%S}",
            line.agency,
            line.document or "",
            line.stage,
            line.outcome,
            "" if line.seconds is None else f"{line.seconds:.3f}",
            line.detail or "",
        )
    out.print(table)


def _check(warehouse: Warehouse) -> None:
    found = inconsistent_dossiers(warehouse)
    out = Console()
    for item in found:
        out.print(f"[red]{item.status}[/red] {item.agency} {item.dossier}: {item.problem}")
    out.print(f"{len(found)} problems in the warehouse's dossiers")
    raise typer.Exit(int(ExitCode.FAILED if found else ExitCode.OK))


def fixity(data: DataOption = None) -> None:
    settings = settings_for(data=data)
    store = open_store(settings.resolved_store_url)
    checked, problems = 0, []
    for item in recorded_objects(Warehouse.open(settings.resolved_warehouse_url)):
        checked += 1
        try:
            actual = hashlib.sha256(store.get(item.key)).hexdigest()
        except ObjectNotFound:
            problems.append((item, "missing"))
            continue
        if actual != item.sha256:
            problems.append((item, f"changed: sha256 is {actual}"))
    out = Console()
    for item, what in problems:
        out.print(
            f"[red]{what}[/red] {item.role} {item.key} (dossier {item.dossier}, "
            f"document {item.document}, recorded {item.sha256})"
        )
    out.print(f"{checked} objects checked, {len(problems)} problems")
    raise typer.Exit(int(ExitCode.FAILED if problems else ExitCode.OK))
