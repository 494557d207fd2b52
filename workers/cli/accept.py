"""``sohoa accept DOSSIER DOCUMENT --by NAME``: a person accepts a kept signed input whose
signature could not be confirmed (INDETERMINATE); ``sohoa accept --list`` shows those waiting.
Until accepted, such a document does not count as an electronically issued result (4.1)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from schemas.errors import ExitCode, ObjectNotFound
from storage.acceptance import accept_signature, unconfirmed_signatures
from storage.warehouse import Warehouse
from workers.cli import DataOption, settings_for

HELP = """Accept the signature of a kept signed PDF that sohoa could not confirm (its signer is
not trusted here, or no verdict could be reached). Records who accepted it; from then on it
counts as an electronic result. Exit codes: 0 accepted (or listed); 1 nothing awaits
acceptance under that name; 2 usage."""


def register(app: typer.Typer) -> None:
    app.command(help=HELP)(accept)


def accept(
    dossier: Annotated[str | None, typer.Argument(help="mã số hồ sơ")] = None,
    document: Annotated[str | None, typer.Argument(help="the document's name")] = None,
    by: Annotated[str, typer.Option("--by", help="who accepts it (name, post)")] = "",
    note: Annotated[str, typer.Option(help="why, e.g. how the signer was checked")] = "",
    agency: Annotated[str | None, typer.Option(help="the agency, if codes repeat")] = None,
    list_: Annotated[bool, typer.Option("--list", help="list what awaits acceptance")] = False,
    data: DataOption = None,
) -> None:
    settings = settings_for(data=data)
    warehouse = Warehouse.open(
        settings.resolved_warehouse_url, password_file=settings.warehouse_password_file
    )
    out = Console()
    if list_:
        for item in unconfirmed_signatures(warehouse):
            out.print(
                "%s %s %s: %s"
                % (item.agency, item.dossier, escape(item.document), escape(item.why or ""))
            )
        return
    if not (dossier and document and by.strip()):
        out.print("[red]error:[/red] give DOSSIER, DOCUMENT and --by (or --list)")
        raise typer.Exit(int(ExitCode.USAGE))
    try:
        count = accept_signature(warehouse, dossier, document, by=by, note=note, agency=agency)
    except ObjectNotFound as exc:
        out.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(int(ExitCode.FAILED)) from exc
    out.print(f"accepted: {escape(dossier)} {escape(document)} ({count} row(s)), by {escape(by)}")
