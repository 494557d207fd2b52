"""Engines for the warehouse's databases: SQLite (embedded) and PostgreSQL (psycopg 3), and
what their errors mean for sohoa (``warehouse_error``)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from schemas.errors import ConfigurationError, InternalError, SohoaError, WarehouseUnavailable

# SQLite's primary result codes for a database that is busy, locked, unreadable or full right
# now; anything else (SQLITE_ERROR: no such table or column, a syntax error) is a bug of ours.
_SQLITE_TRANSIENT = frozenset(
    (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_INTERRUPT)
    + (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL)
)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes for what was stored in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment


def warehouse_error(exc: sa.exc.SQLAlchemyError, doing: str = "warehouse error") -> SohoaError:
    """What a database error means, by its DB-API class and code (never its text).

    Retryable (WarehouseUnavailable): the server cannot be reached or the connection dropped,
    a pool timeout, a transaction that lost a race (PostgreSQL serialisation failure, deadlock,
    lock timeout: psycopg's OperationalError), a SQLite file that is busy, locked or full.
    Internal (InternalError, a bug of ours): a wrong table or column, a syntax error, a broken
    constraint, a value the column cannot hold, SQLAlchemy misused.
    """
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    what = f"{doing}: {exc.__class__.__name__}" + (f" ({code})" if code else "")
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return WarehouseUnavailable(what)
    if isinstance(exc, sa.exc.TimeoutError | sa.exc.DisconnectionError):
        return WarehouseUnavailable(what)
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        sqlite_code = getattr(orig, "sqlite_errorcode", None)  # None: not SQLite
        if sqlite_code is None or (sqlite_code & 0xFF) in _SQLITE_TRANSIENT:  # low byte: primary
            return WarehouseUnavailable(what)
    return InternalError(what)


def engine_for(url: str, password_file: Path | None = None) -> Engine:
    """A SQLAlchemy engine for a warehouse URL; ``postgresql://`` means psycopg 3."""
    try:
        parsed = sa.engine.make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        if password_file is not None:
            try:
                password = password_file.read_text(encoding="utf-8").rstrip("\r\n")
            except OSError as exc:
                raise ConfigurationError(
                    f"cannot read the warehouse password file: {exc.strerror}",
                    subject=str(password_file),
                ) from exc
            parsed = parsed.set(password=password)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                _private_file(Path(parsed.database))
            engine = sa.create_engine(parsed)
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            sa.event.listen(engine, "begin", _sqlite_begin_immediate)
            return engine
        return sa.create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigurationError(f"bad warehouse URL: {exc.__class__.__name__}") from exc


def _private_file(path: Path) -> None:
    """The embedded warehouse holds owner ids and manifests: a folder sohoa makes for it is
    0700, the file 0600 (SQLite gives its -wal and -shm files the database file's mode). A
    file or folder that cannot be made here is left to SQLite to report."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        return


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin_immediate(conn: sa.Connection) -> None:
    """Every transaction takes SQLite's write lock when it begins: threads of one process then
    queue on ``busy_timeout`` instead of failing at once with "database is locked" when one
    that read first tries to write after another wrote (a read-to-write upgrade in WAL mode).
    The embedded warehouse trades read concurrency for that; PostgreSQL is the scaling one."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")
