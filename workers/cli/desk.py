"""``sohoa serve`` (the web desk), ``sohoa users add|disable|enable|list`` and ``sohoa search``;
every change of an account is in the audit trail (storage/audit.py)."""

from __future__ import annotations

import getpass
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from schemas.desk import ROLES, User
from storage import places
from storage.audit import record
from storage.search import search as run_search
from storage.users import add_user, list_users, set_active
from storage.warehouse import Warehouse
from workers.cli import DataOption, settings_for
from workers.i18n import translations

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
    limit: Annotated[int, typer.Option(help="most results")] = 20,
    data: DataOption = None,
) -> None:
    from schemas.desk import SearchQuery

    settings = settings_for(data=data)
    _ = translations(settings.lang).gettext
    wanted = SearchQuery(text=" ".join(query), agency=agency, limit=limit)
    with places.warehouse(settings).transaction() as conn:
        hits = run_search(conn, wanted, None)
    out = Console(highlight=False)
    for hit in hits:
        out.print(
            f"{hit.dossier}/{hit.document}  {hit.type_name or ''} {hit.number or ''}"
            f"  {hit.subject or ''}  [{hit.agency}]"
        )
    out.print(_("%d results") % len(hits))
    raise typer.Exit(0 if hits else 1)
