"""``sohoa claims list|release``: the warehouse's claims on documents (storage/leases.py).

A run renews its claims while it works, so a claim whose lease ran out belongs to a run that
died; ``release --all-expired`` gives those up, ``release --dossier CODE`` every claim of one
dossier (live ones too: use it only when the run holding them is known to be gone).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from storage import leases, places
from storage.warehouse import Warehouse
from workers.cli import DataOption, console, settings_for
from workers.logs import for_humans

claims_app = typer.Typer(
    help="Claims runs hold on documents: list them, release dead ones.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(claims_app, name="claims")


def _warehouse(data: DataOption) -> Warehouse:
    settings = settings_for(data=data)
    return places.warehouse(settings)


def _table(title: str, found: list[leases.Claim]) -> Table:
    now = dt.datetime.now(dt.UTC)
    table = Table(title=title)
    for column in ("dossier", "document", "owner", "lease"):
        table.add_column(column)
    for claim in found:
        left = (claim.until - now).total_seconds()
        lease = f"expired {-left:.0f} s ago" if left < 0 else f"{left:.0f} s left"
        table.add_row(
            escape(for_humans(claim.dossier)),
            escape(for_humans(claim.document)),
            claim.owner,
            lease,
        )
    return table


@claims_app.command(name="list", help="Every claim held, live or expired.")
def list_claims(
    dossier: Annotated[str | None, typer.Option(help="only this dossier code")] = None,
    data: DataOption = None,
) -> None:
    warehouse = _warehouse(data)
    Console().print(_table("claims", leases.claims(warehouse, dossier=dossier)))


@claims_app.command(help="Release claims: their documents become failed and re-runnable.")
def release(
    dossier: Annotated[
        str | None, typer.Option(help="every claim on this dossier code, live or not")
    ] = None,
    all_expired: Annotated[
        bool, typer.Option("--all-expired", help="every claim whose lease ran out")
    ] = False,
    data: DataOption = None,
) -> None:
    if dossier is None and not all_expired:
        console.print("[red]error:[/red] say which claims: --dossier CODE or --all-expired")
        raise typer.Exit(2)
    warehouse = _warehouse(data)
    released = leases.release(warehouse, dossier=dossier, expired_only=all_expired)
    Console().print(_table(f"released {len(released)} claim(s)", released))
