"""The ``sohoa`` command line. Each command builds the settings once and calls into the job.

One exception handler (``cli_exception_handler``, after OCRmyPDF's) turns what escapes a
command into its exit code: a typed error (schemas/errors.py) into its own, Ctrl-C into 130,
anything else, a bug, into 70 with its traceback in the log. Never 0, never 1 ("run again")
for an error nobody knows.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from schemas.errors import ExitCode, InternalError, SohoaError
from schemas.settings import Settings, load_settings
from workers.logs import configure as configure_logging
from workers.logs import for_humans

app = typer.Typer(
    name="sohoa",
    help="Digitise Vietnamese administrative dossiers into signed, searchable, counted records.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True)
log = logging.getLogger("workers.cli")

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
        "digitise",
        "verify",
        "keys",
        "trust",
        "samples",
        "evaluate",
        "audit",
        "report",
        "db",
        "worker",
        "watch",
        "redigitise",
        "claims",
        "desk",
        "accept",
    ):
        importlib.import_module(f"workers.cli.{name}").register(app)


def cli_exception_handler(command: Callable[[], object]) -> int:
    """Run ``command`` and return the process exit code for the exception it ends with.

    ``sys.exit`` passes through untouched: typer ends every command that way, with its code
    (2 for a usage error, 130 for a Ctrl-C inside a command)."""
    try:
        command()
        return int(ExitCode.OK)
    except KeyboardInterrupt:
        log.error("interrupted (Ctrl-C)")
        return int(ExitCode.INTERRUPTED)
    except InternalError as exc:  # sohoa's own failure: named, with where it happened
        log.error("internal error: %s", exc, exc_info=exc)
        return int(exc.exit_code)
    except SohoaError as exc:  # a typed error that escaped a command: say it, exit by class
        console.print(f"[red]error:[/red] {escape(for_humans(str(exc)))}")
        return int(exc.exit_code)
    except Exception:
        log.exception("internal error: a bug in sohoa")
        return int(ExitCode.INTERNAL)


def main() -> None:
    configure_logging()
    sys.exit(cli_exception_handler(lambda: (_register_commands(), app())))


if __name__ == "__main__":
    main()
