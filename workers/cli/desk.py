"""``sohoa serve`` (the web desk), ``sohoa users add|disable|enable|list`` and ``sohoa search``;
every change of an account is in the audit trail (storage/audit.py)."""

from __future__ import annotations

import getpass
import logging
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from schemas.desk import QUESTION_MAX, ROLES, SearchQuery, User
from schemas.errors import ExitCode, SohoaError
from storage import places
from storage.audit import record
from storage.search import search as run_search
from storage.search import tokens
from storage.users import add_user, list_users, set_active
from storage.warehouse import Warehouse
from workers.cli import DataOption, settings_for
from workers.clerk_words import reason_words
from workers.i18n import translations
from workers.logs import for_humans, mask_identifiers

users_app = typer.Typer(help="Accounts of the web desk.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command(help="Serve the web desk for clerks and supervisors.")(serve)
    app.command(help="Search digitised documents; words without diacritics are fine.")(search)
    app.add_typer(users_app, name="users")


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8080,
    data: DataOption = None,
) -> None:
    import uvicorn

    from workers.desk import create_app

    settings = settings_for(data=data)
    logging.getLogger("sohoa.desk.audit").setLevel(logging.INFO)  # who did what, always said
    app = create_app(settings)
    Console(stderr=True).print(f"sohoa desk on http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)


@users_app.command("add", help="Add an account (the password is asked for, or --password-file).")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="clerk, supervisor or admin")],
    agency: Annotated[str, typer.Option(help="the agency code it acts for")],
    name: Annotated[str | None, typer.Option(help="full name shown on events")] = None,
    password_file: Annotated[
        typer.FileText | None, typer.Option(help="read the password from this file")
    ] = None,
    data: DataOption = None,
) -> None:
    if role not in ROLES:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}")
    settings = settings_for(data=data)
    if password_file is not None:
        password = password_file.read().strip()
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    warehouse = places.warehouse(settings)
    user = add_user(warehouse, username, name or username, role, agency, password)
    _account_change(warehouse, "user-added", user)
    Console().print(f"added {user.username} ({user.role}, {user.agency})")


@users_app.command("disable", help="Disable an account; its sessions stop at once.")
def users_disable(username: str, data: DataOption = None) -> None:
    _set_active(username, data, active=False)


@users_app.command("enable", help="Enable a disabled account again.")
def users_enable(username: str, data: DataOption = None) -> None:
    _set_active(username, data, active=True)


def _set_active(username: str, data: Path | None, *, active: bool) -> None:
    done = "enabled" if active else "disabled"
    warehouse = places.warehouse(settings_for(data=data))
    user = set_active(warehouse, username, active)
    _account_change(warehouse, f"user-{done}", user)
    Console().print(f"{done} {user.username}")


def _account_change(warehouse: Warehouse, action: str, user: User) -> None:
    """An account changed on the command line: in the audit trail, by the system's user."""
    by = f"cli:{getpass.getuser()}"
    detail = f"{user.username} ({user.role}, {user.agency})"
    record(warehouse, action, by, agency=user.agency, detail=detail)


@users_app.command("list", help="List the accounts.")
def users_list(data: DataOption = None) -> None:
    table = Table()
    for column in ("user", "name", "role", "agency", "active"):
        table.add_column(column)
    for user in list_users(places.warehouse(settings_for(data=data))):
        table.add_row(user.username, user.full_name, user.role, user.agency, str(user.active))
    Console().print(table)


def search(
    query: Annotated[list[str], typer.Argument(help="words, a dossier code, số/ký hiệu")],
    agency: Annotated[str | None, typer.Option(help="only this agency")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="most results")] = 20,
    data: DataOption = None,
) -> None:
    """Exits 0 whether anything was found or not (1 is a warehouse that did not answer); a
    question with no word in it and no --agency, or too long, is a usage error (2). What is
    printed of a hit is masked (for_humans) and never read as markup; the question is in the
    audit trail, masked, by ``cli:<system user>``."""
    settings = settings_for(data=data)
    _ = translations(settings.lang).gettext
    text = " ".join(query)
    if not tokens(text) and not agency:
        _refuse(_("Type a word, a number or a dossier code to search for"), ExitCode.USAGE)
    if len(text) > QUESTION_MAX:
        too_long = _("The question is too long (at most %d characters)") % QUESTION_MAX
        _refuse(too_long, ExitCode.USAGE)
    try:
        wanted = SearchQuery(text=text, agency=agency, limit=limit)
    except ValidationError as exc:  # named by field, never echoing what was typed
        fields = ", ".join(str(e["loc"][0]) for e in exc.errors())
        _refuse(_("The search is not valid: %s") % fields, ExitCode.USAGE)
    try:
        warehouse = places.existing_warehouse(settings)
        with warehouse.transaction() as conn:
            hits = run_search(conn, wanted, None)
        by = f"cli:{getpass.getuser()}"
        record(warehouse, "search", by, agency=agency, detail=mask_identifiers(f"q={text}"))
    except SohoaError as exc:
        words = reason_words(exc.reason, _)
        _refuse(f"{words}: {for_humans(str(exc))}", exc.exit_code)
    out = Console(highlight=False)
    for hit in hits:
        line = (
            f"{hit.dossier}/{hit.document}  {hit.type_name or ''} {hit.number or ''}"
            f"  {hit.subject or ''}  [{hit.agency}]"
        )
        out.print(escape(for_humans(line)), soft_wrap=True)  # one hit, one line
    out.print(_("%d results") % len(hits))


def _refuse(message: str, code: int) -> NoReturn:
    Console(stderr=True, highlight=False).print(f"[red]{escape(message)}[/red]")
    raise typer.Exit(int(code))
