"""``sohoa register import|agencies|targets FILE`` and ``sohoa report``: the one-stop shop's
register in, the digitisation-rate indicators out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from pipeline.indicators.register_file import parse_register
from schemas.errors import ExitCode
from schemas.register import AgencyEntry, RegisterEntry, TargetEntry
from storage import places
from storage.register_store import register_dossier, save_agency, save_target
from storage.warehouse import Warehouse
from workers.cli import DataOption, console, settings_for
from workers.reports.build import checked_period, warehouse_report
from workers.reports.render import to_csv, to_json, to_table

register_app = typer.Typer(
    help="Load the one-stop shop's register, agencies and targets.", no_args_is_help=True
)
FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or JSON")]
IMPORT_HELP = """Load received dossiers (CSV with a header row, or a JSON list) with columns
dossier_code, agency, procedure_code, received_at, channel, components, components_digitised,
components_reused, result_issued_electronically (and optionally procedure_name,
result_is_document). Idempotent. Bad rows are reported with their line and reason; good rows
still load. Exit codes: 0 all rows loaded; 7 some rows rejected."""


def register(app: typer.Typer) -> None:
    app.add_typer(register_app, name="register")
    app.command(help=REPORT_HELP)(report)


def _warehouse(data: Path | None) -> Warehouse:
    settings = settings_for(data=data)
    return places.warehouse(settings)


def _load(path: Path, model, save) -> None:  # type: ignore[no-untyped-def]
    good, bad = parse_register(path.read_bytes(), path.name, model)
    new = sum(1 for row in good if save(row.entry))
    out = Console()
    for row in bad:
        out.print(f"[yellow]{path.name}:{row.line}[/yellow] rejected: {row.reason}")
    out.print(f"{path.name}: {len(good)} rows loaded ({new} new), {len(bad)} rejected")
    raise typer.Exit(int(ExitCode.REJECTED if bad else ExitCode.OK))


@register_app.command("import", help=IMPORT_HELP)
def import_register(file: FileArgument, data: DataOption = None) -> None:
    warehouse = _warehouse(data)
    _load(file, RegisterEntry, lambda entry: register_dossier(warehouse, entry))


@register_app.command(help="Load agencies: code, name, level, parent, valid_from, valid_to.")
def agencies(file: FileArgument, data: DataOption = None) -> None:
    warehouse = _warehouse(data)

    def save(entry: AgencyEntry) -> bool:
        save_agency(
            warehouse,
            entry.code,
            entry.name,
            entry.level,
            parent=entry.parent,
            valid_from=entry.valid_from,
            valid_to=entry.valid_to,
        )
        return False

    _load(file, AgencyEntry, save)


@register_app.command(help="Load targets: indicator (4.1/4.2/4.3), level, year, percent.")
def targets(file: FileArgument, data: DataOption = None) -> None:
    warehouse = _warehouse(data)

    def save(entry: TargetEntry) -> bool:
        save_target(warehouse, entry.indicator, entry.level, entry.year, entry.percent)
        return False

    _load(file, TargetEntry, save)


REPORT_HELP = """Digitisation-rate indicators of Decision 766 (4.1 electronic results, 4.2
dossiers digitised, 4.3 reuse) by level against targets, by agency (sub-units included), by
procedure and by month, with operational figures. Targets: `sohoa register targets`, else the
provincial plan defaults quoted in DOMAIN.md."""


def report(
    period: Annotated[str, typer.Option(help="2024, 2024-Q1 or 2024-03")] = str(
        dt.date.today().year
    ),
    level: Annotated[str | None, typer.Option(help="ministry, province, district, commune")] = None,
    agency: Annotated[str | None, typer.Option(help="an agency code, sub-units included")] = None,
    format: Annotated[
        Literal["table", "csv", "json", "html"],
        typer.Option("--format", help="table in the terminal, or a file format"),
    ] = "table",
    out: Annotated[Path | None, typer.Option(help="write here instead of standard output")] = None,
    data: DataOption = None,
) -> None:
    try:
        checked_period(period, level)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(int(ExitCode.USAGE)) from exc
    built = warehouse_report(_warehouse(data), period, level, agency)
    if format == "table" and out is None:
        to_table(built, Console())
        return
    if format == "html":
        from workers.reports.html import to_html  # matplotlib: loaded only when needed

        text = to_html(built)
    else:
        text = to_json(built) if format == "json" else to_csv(built)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        Console().print(f"report written to {out}")
