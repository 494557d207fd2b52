"""``sohoa db upgrade|current``: the warehouse schema, migrated by Alembic."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from storage import migrations
from storage.database import engine_for
from workers.cli import DataOption, settings_for

db_app = typer.Typer(
    help="The warehouse schema (Alembic migrations in storage/migrations).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")


@db_app.command(help="Migrate the warehouse (SOHOA_WAREHOUSE_URL) to the newest schema.")
def upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
    data: DataOption = None,
) -> None:
    settings = settings_for(data=data)
    engine = engine_for(settings.resolved_warehouse_url, settings.warehouse_password_file)
    before = migrations.current(engine)
    migrations.upgrade(engine, revision)
    after = migrations.current(engine)
    Console().print(f"warehouse schema: {before or 'empty'} -> {after}")
    engine.dispose()


@db_app.command(help="Show the warehouse's schema revision and the newest one.")
def current(data: DataOption = None) -> None:
    settings = settings_for(data=data)
    engine = engine_for(settings.resolved_warehouse_url, settings.warehouse_password_file)
    found, wanted = migrations.current(engine), migrations.head()
    Console().print(f"warehouse schema: {found or 'empty'} (newest: {wanted})")
    engine.dispose()
    if found != wanted:
        raise typer.Exit(1)
