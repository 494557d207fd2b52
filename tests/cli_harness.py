"""``sohoa verify`` and ``sohoa trust`` in the test process (typer's CliRunner), with every
SOHOA_* variable of the calling environment cleared: one harness for the verify tests."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from click.testing import Result
from typer.testing import CliRunner

from workers.cli import trust as cli_trust
from workers.cli import verify as cli_verify


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """sohoa (test harness: verify and trust)."""

    cli_verify.register(app)
    cli_trust.register(app)
    return app


def cli(monkeypatch: pytest.MonkeyPatch, *prefix: str) -> Callable[..., Result]:
    """``invoke(*args, env=None)`` runs ``sohoa *prefix *args``."""
    for key in list(os.environ):
        if key.startswith("SOHOA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("SOHOA_LANG", "en")  # the tests read English; vi is asked for by env
    runner, app = CliRunner(), _app()

    def invoke(*args: str | Path, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, [*prefix, *map(str, args)], env=env, catch_exceptions=False)

    return invoke
