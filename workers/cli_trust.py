"""``sohoa trust``: the trust profiles shipped with sohoa.

sohoa trust list [--profile vn]     each certificate, its pinned SHA-256 and its expiry
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from schemas.errors import ExitCode, SohoaError
from workers.cli import console
from workers.trust_store import anchors

trust_app = typer.Typer(
    help="Trust profiles shipped with sohoa (pinned certification authorities).",
    no_args_is_help=True,
)
ProfileOption = Annotated[str, typer.Option("--profile", metavar="NAME", help="trust profile (vn)")]


@trust_app.command("list")
def list_anchors(profile: ProfileOption = "vn") -> None:
    """Each certificate of PROFILE: role, subject, SHA-256 (checked against the pinned value),
    expiry; a warning 90 days before a certificate expires."""
    now = dt.datetime.now(dt.UTC)
    try:
        rows = anchors(profile, now)
    except SohoaError as exc:
        console.print("[red]error:[/red] %s" % escape(str(exc)))
        raise typer.Exit(int(exc.exit_code)) from exc
    table = Table(title="trust profile %s: %d certificates, SHA-256 pinned" % (profile, len(rows)))
    for column in ("file", "role", "subject", "SHA-256", "expires", "warning"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row.file,
            row.role,
            escape(row.subject),
            row.sha256,
            row.not_after.date().isoformat(),
            row.warning or "",
        )
    console.print(table)
    console.print(
        "Compare the SHA-256 values with those the authorities publish before relying on them."
    )
    expiring = [r for r in rows if r.warning]
    for row in expiring:
        console.print("[yellow]warning:[/yellow] %s %s" % (row.file, row.warning))
    raise typer.Exit(int(ExitCode.OK))


def register(app: typer.Typer) -> None:
    app.add_typer(trust_app, name="trust")
