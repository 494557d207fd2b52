"""The ``sohoa`` command line. Each command builds the settings once and calls into the job."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from schemas.errors import SohoaError
from schemas.settings import Settings, load_settings
from workers.logs import configure as configure_logging

app = typer.Typer(
    name="sohoa",
    help="Digitise Vietnamese administrative dossiers into signed, searchable, counted records.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True)

DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="embedded store, warehouse and dev keys (env SOHOA_DATA)"),
]


def settings_for(**overrides: object) -> Settings:
    """Settings from SOHOA_* plus command-line overrides; a bad setting exits with CONFIG."""
    try:
        return load_settings(**overrides)
    except SohoaError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(int(exc.exit_code)) from exc


def _register_commands() -> None:
    import importlib

    for name in (
        "cli_digitise",
        "cli_verify",
        "cli_keys",
        "cli_trust",
        "cli_samples",
        "cli_eval",
        "cli_audit",
        "cli_report",
        "cli_db",
        "cli_worker",
        "cli_watch",
        "cli_redigitise",
        "cli_claims",
    ):
        importlib.import_module(f"workers.{name}").register(app)


def main() -> None:
    configure_logging()
    _register_commands()
    try:
        app()
    except SohoaError as exc:  # a typed error that escaped a command: say it, exit by class
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(int(exc.exit_code))


if __name__ == "__main__":
    main()
