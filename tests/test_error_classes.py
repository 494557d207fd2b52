"""Errors in their class, caused for real: warehouse errors mapped narrowly (a connection
refused or a serialisation failure is retryable, a typo'd column or a broken constraint is a
bug), and one CLI exception handler (each typed error to its exit code, Ctrl-C to 130,
anything unknown to 70 with its traceback in the log)."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from schemas.errors import (
    ConfigurationError,
    ExitCode,
    InternalError,
    StorageUnavailable,
    WarehouseUnavailable,
)
from storage import migrations
from storage.database import engine_for, warehouse_error
from storage.tables import dossiers
from storage.warehouse import Warehouse
from tests.conftest import encode, text_image
from tests.services import REPO, free_port, sohoa_env, start_sohoa, stop_process, wait_until
from workers.cli import cli_exception_handler

# -- the warehouse: retryable or a bug --------------------------------------------------------

DOSSIER = dict(
    agency="000.17.22.H56",
    code="000.17.22.H56-240315-0001",
    status="received",
    received_at=sa.func.now(),
    updated_at=sa.func.now(),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse(request, tmp_path) -> Warehouse:
    if request.param == "sqlite":
        return Warehouse.open(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    url = request.getfixturevalue("postgres_url")
    migrations.upgrade(engine_for(url))
    return Warehouse.open(url)


def test_a_typod_column_is_a_bug_not_an_outage(warehouse: Warehouse) -> None:
    with pytest.raises(InternalError, match="42703|SQLITE_ERROR"):
        with warehouse.transaction() as conn:
            conn.execute(sa.text("SELECT agencyy FROM dossiers"))


def test_a_broken_constraint_is_a_bug(warehouse: Warehouse) -> None:
    """The same dossier inserted twice: a uniqueness our own code broke."""
    with warehouse.transaction() as conn:
        conn.execute(dossiers.insert().values(**DOSSIER))
    with pytest.raises(sa.exc.IntegrityError) as caught:  # the warehouse leaves races to callers
        with warehouse.transaction() as conn:
            conn.execute(dossiers.insert().values(**DOSSIER))
    assert isinstance(warehouse_error(caught.value), InternalError)


def test_a_refused_connection_is_retryable() -> None:
    with pytest.raises(WarehouseUnavailable):
        Warehouse.open(f"postgresql://postgres@127.0.0.1:{free_port()}/sohoa")


def test_a_serialisation_failure_is_retryable(postgres_url: str) -> None:
    """Two REPEATABLE READ transactions update the same row: PostgreSQL refuses the second
    (SQLSTATE 40001). Running it again succeeds, so it is retryable."""
    engine = engine_for(postgres_url)
    migrations.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(dossiers.insert().values(**DOSSIER))
    late = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    try:
        late.begin()
        late.execute(sa.select(dossiers.c.status))  # its snapshot is taken here
        with engine.begin() as first:
            first.execute(dossiers.update().values(status="processing"))
        with pytest.raises(sa.exc.OperationalError) as caught:
            late.execute(dossiers.update().values(status="digitised"))
        assert isinstance(caught.value.orig, psycopg.errors.SerializationFailure)
        mapped = warehouse_error(caught.value)
        assert isinstance(mapped, WarehouseUnavailable) and "40001" in str(mapped)
    finally:
        late.close()
        engine.dispose()


def test_a_busy_sqlite_file_is_retryable_a_missing_table_is_not(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")  # holds the write lock
    waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        for statement, expected in (
            ("BEGIN IMMEDIATE", WarehouseUnavailable),  # SQLITE_BUSY
            ("SELECT * FROM nowhere", InternalError),  # SQLITE_ERROR
        ):
            with pytest.raises(sqlite3.OperationalError) as caught:
                waiter.execute(statement)
            wrapped = sa.exc.OperationalError(statement, None, caught.value)
            assert type(warehouse_error(wrapped)) is expected, statement
    finally:
        waiter.close()
        holder.close()


# -- the CLI: one handler, one exit code per class ----------------------------------------------


def _raise(exc: BaseException):
    def command() -> None:
        raise exc

    return command


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (KeyError("a bug"), ExitCode.INTERNAL),
        (InternalError("our own signature did not verify"), ExitCode.INTERNAL),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (ConfigurationError("bad setting"), ExitCode.CONFIG),
        (StorageUnavailable("S3 unreachable"), ExitCode.FAILED),
        (WarehouseUnavailable("refused"), ExitCode.FAILED),
    ],
)
def test_each_error_class_has_its_exit_code(error, code, caplog) -> None:
    with caplog.at_level(logging.ERROR, logger="workers.cli"):
        assert cli_exception_handler(_raise(error)) == code
    if code is ExitCode.INTERNAL:
        (record,) = caplog.records
        assert record.exc_info is not None and record.exc_info[1] is error  # the traceback


def test_an_exit_of_the_command_passes_through() -> None:
    with pytest.raises(SystemExit) as caught:
        cli_exception_handler(_raise(SystemExit(7)))
    assert caught.value.code == 7
    assert cli_exception_handler(lambda: None) == ExitCode.OK


def _sohoa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_line_exits_70_on_a_bug_and_1_on_an_outage(postgres_url, tmp_path) -> None:
    """A real SQL programming error (a renamed column) and a real refused connection."""
    engine = engine_for(postgres_url)
    migrations.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE events RENAME COLUMN detail TO detail_old"))
    engine.dispose()
    env = sohoa_env(SOHOA_DATA=str(tmp_path / "data"), SOHOA_WAREHOUSE_URL=postgres_url)
    bug = _sohoa(env, "audit", "000.17.22.H56-240315-0001")
    assert bug.returncode == ExitCode.INTERNAL, bug.stderr  # was 1: "run again"
    assert "Traceback" in bug.stderr and "UndefinedColumn" in bug.stderr

    refused = f"postgresql://postgres@127.0.0.1:{free_port()}/sohoa"
    outage = _sohoa(env | {"SOHOA_WAREHOUSE_URL": refused}, "audit", "X")
    assert outage.returncode == ExitCode.FAILED, outage.stderr
    assert "Traceback" not in outage.stderr and "warehouse" in outage.stderr


def test_ctrl_c_exits_130(tmp_path: Path) -> None:
    inbox = tmp_path / "ho-so-dai"
    inbox.mkdir()
    for n in range(4):
        (inbox / f"trang-{n}.png").write_bytes(encode(text_image(["CÔNG VĂN"] * 20), "PNG"))
    log = tmp_path / "digitise.log"
    env = sohoa_env(SOHOA_DATA=str(tmp_path / "data"), SOHOA_JOBS="1")
    process = start_sohoa(["digitise", str(inbox)], env, log)
    try:
        wait_until(lambda: "digitising" in log.read_text(), timeout=120, what="the progress bar")
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
        assert process.wait(timeout=120) == ExitCode.INTERRUPTED, log.read_text()[-2000:]
    finally:
        stop_process(process)
