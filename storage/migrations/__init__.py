"""Alembic migrations of the warehouse schema, run from our own code (``sohoa db upgrade``)
or from the ``alembic`` command (``alembic.ini`` at the repository root).

    0001  the spine's dossiers, documents, events
    0002  [distributed]: result versions, document claims, failures, the watcher's ledger,
          re-digitisation batches
    0003  [warehouse]: agencies over time, procedures, targets, register facts, roles
    0004  [integrity]: a document belongs to its dossier (identity, duplicate_of)
    0005  [desk]: the web desk's accounts
    0006  [desk]: full-text search (SQLite FTS5, PostgreSQL tsvector)
    0007  [desk]: the audit trail of the desk's actions
    0008  [desk]: PostgreSQL folds diacritics itself (unaccent) for search
    0009  [house]: a CHECK constraint refuses an unknown dossier or document status
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from schemas.errors import ConfigurationError
from storage.database import warehouse_error

HERE = Path(__file__).resolve().parent
BASELINE = "0001"  # what a warehouse created before Alembic (the spine's create_all) holds


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    return config


def head() -> str:
    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


@contextmanager
def _boundary() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        raise warehouse_error(exc, "warehouse migration") from exc


def current(engine: Engine) -> str | None:
    with _boundary(), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for the whole upgrade. SQLite changes a constraint by copying a table,
    dropping it and renaming the copy, which it refuses under rows of another table pointing
    at it while foreign keys are enforced: they are switched off for the upgrade (possible
    only outside a transaction) and every reference is checked before the commit."""
    with engine.connect() as conn:
        sqlite = conn.connection.dbapi_connection if engine.dialect.name == "sqlite" else None
        if sqlite is not None:
            sqlite.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                yield conn
                if sqlite is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise ConfigurationError(f"the upgrade broke references: {broken[:5]}")
        finally:
            if sqlite is not None:
                sqlite.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to ``revision``; a pre-Alembic warehouse is first stamped as the baseline."""
    config = alembic_config()
    with _boundary(), _migrating(engine) as conn:
        config.attributes["connection"] = conn
        has_version = MigrationContext.configure(conn).get_current_revision() is not None
        if not has_version and inspect(conn).has_table("dossiers"):
            command.stamp(config, BASELINE)
        command.upgrade(config, revision)


def ensure_current(engine: Engine, *, upgrade: bool) -> None:
    """Migrate (embedded SQLite) or insist that someone did (``sohoa db upgrade``)."""
    found, wanted = current(engine), head()
    if found == wanted:
        return
    if upgrade:
        globals()["upgrade"](engine)
        return
    raise ConfigurationError(
        f"warehouse schema is at {found or 'nothing'}, this sohoa needs {wanted}: "
        "run `sohoa db upgrade`"
    )
