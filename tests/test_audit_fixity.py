"""`sohoa audit` and `sohoa fixity` on a real digitise run: on the embedded defaults, and on
what a deployment runs (the S3 server on loopback with credentials in files, PostgreSQL that
asks for a password given in a file), opened exactly as the worker opens them.

Fixity's exit codes are distinct: 0 all match, 9 changed, 10 missing, 1 unreachable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from schemas.errors import ExitCode
from tests.conftest import encode, text_image
from tests.services import (
    LOOPBACK,
    REPO,
    TcpProxy,
    _start_own_postgres,
    make_s3_place,
    sohoa_env,
    wait_until,
)
from tests.test_digitise_e2e import HEADER, sohoa
from tests.test_signing import tiny_pdf
from workers import cli

TEXT = b"Quyet dinh so 05/2024/QD-UBND ve viec ban hanh quy che"


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def sohoa_here(monkeypatch, capsys):
    """``sohoa ARGS`` in this process, through the same exception handler as the command line
    (a process start costs seconds on a busy machine); the environment is exactly ``env``."""
    before = list(cli.app.registered_commands)
    if not before:
        cli._register_commands()

    def run(env: dict[str, str], *args: str) -> Ran:
        for key in [k for k in os.environ if k.startswith("SOHOA_")]:
            monkeypatch.delenv(key)
        for key, value in env.items():
            if key.startswith("SOHOA_"):
                monkeypatch.setenv(key, value)
        monkeypatch.setenv("COLUMNS", "200")  # tables unfolded, as in the subprocess runs
        capsys.readouterr()
        try:
            code = cli.cli_exception_handler(lambda: cli.app(args=list(args)))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    yield run
    cli.app.registered_commands[:] = before


def test_audit_and_fixity(tmp_path, sohoa_here):
    inbox = tmp_path / "ho-so-kiem-tra"
    inbox.mkdir()
    (inbox / "trang.png").write_bytes(encode(text_image(HEADER[:8]), "PNG"))
    data = tmp_path / "data"
    assert sohoa("digitise", str(inbox), data=data).returncode == 0
    env = {"SOHOA_DATA": str(data)}

    history = sohoa_here(env, "audit", "ho-so-kiem-tra")
    assert history.returncode == 0, history.stderr
    for stage in ("inspect", "ocr", "sign", "verify", "store-result"):
        assert stage in history.stdout
    assert sohoa_here(env, "audit", "no-such-dossier").returncode == ExitCode.MISSING

    clean = sohoa_here(env, "fixity")
    assert clean.returncode == 0 and "2 objects checked, 0 problems" in clean.stdout
    assert "fixity" in clean.stderr and "2/2" in clean.stderr  # the progress bar

    result = next((data / "objects" / "results").rglob("*.pdf"))
    original = next((data / "objects" / "originals").rglob("*.png"))
    signed, scan = result.read_bytes(), original.read_bytes()
    result.write_bytes(signed + b"%tampered\n")
    original.unlink()
    broken = sohoa("fixity", data=data)  # the real command line, once
    assert broken.returncode == ExitCode.CHANGED  # the worse of the two
    assert "2 problems" in broken.stdout
    assert "missing" in broken.stdout and "changed" in broken.stdout

    result.write_bytes(signed)
    assert sohoa_here(env, "fixity").returncode == ExitCode.MISSING
    original.write_bytes(scan)
    assert sohoa_here(env, "fixity").returncode == ExitCode.OK


# -- a deployment: S3 with credentials in files, PostgreSQL with a password in a file ----------


@pytest.fixture(scope="module")
def locked_postgres() -> Iterator[tuple[str, Path]]:
    """An own PostgreSQL that refuses a connection without the password (SCRAM, not trust):
    the URL without it, and the file that holds it."""
    directory = Path(tempfile.mkdtemp(prefix="sohoa-test-pgpw-"))
    password = "mat-khau-kho-doan"
    port, stop = _start_own_postgres(directory, password=password)
    secret = Path(tempfile.mkdtemp(prefix="sohoa-test-pgpw-secret-")) / "warehouse-password"
    secret.write_text(password + "\n")
    import psycopg

    admin = f"postgresql://postgres:{password}@{LOOPBACK}:{port}/postgres"

    def ready() -> bool:  # the port answers before the server takes connections
        try:
            with psycopg.connect(admin, connect_timeout=5):
                return True
        except psycopg.OperationalError:
            return False

    try:
        wait_until(ready, timeout=60, what="the password-protected postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE sohoa")
        yield f"postgresql://postgres@{LOOPBACK}:{port}/sohoa", secret
    finally:
        subprocess.run(stop, capture_output=True, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)  # the cluster: about 40 MB
        shutil.rmtree(secret.parent, ignore_errors=True)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_audit_and_fixity_on_s3_and_a_postgresql_with_a_password_file(
    moto_server, locked_postgres, tmp_path, sohoa_here
):
    url, password_file = locked_postgres
    proxy = TcpProxy(moto_server.port).up()  # S3 that the test can make unreachable
    try:
        place = make_s3_place(f"{LOOPBACK}:{proxy.port}", tmp_path)
        env = sohoa_env(
            **place.env(),
            SOHOA_DATA=str(tmp_path / "data"),
            SOHOA_WAREHOUSE_URL=url,
            SOHOA_WAREHOUSE_PASSWORD_FILE=str(password_file),
        )
        without_password = {k: v for k, v in env.items() if k != "SOHOA_WAREHOUSE_PASSWORD_FILE"}
        assert sohoa_here(env, "db", "upgrade").returncode == 0
        inbox = tmp_path / "ho-so-trien-khai"
        inbox.mkdir()
        (inbox / "quyet-dinh.pdf").write_bytes(tiny_pdf(TEXT))  # a text layer: no OCR
        done = _run(env, "digitise", str(inbox))
        assert done.returncode == 0, done.stdout + done.stderr

        history = sohoa_here(env, "audit", "ho-so-trien-khai")
        assert history.returncode == 0, history.stderr
        assert "store-result" in history.stdout
        refused = sohoa_here(without_password, "audit", "ho-so-trien-khai")
        assert refused.returncode == ExitCode.FAILED  # the server asks for the password
        assert "warehouse" in refused.stderr

        clean = sohoa_here(env, "fixity")
        assert clean.returncode == ExitCode.OK, clean.stdout + clean.stderr
        assert "2 objects checked, 0 problems" in clean.stdout

        store = place.store()
        (result,) = [k for k in store.list("results/") if k.endswith(".pdf")]
        (original,) = list(store.list("originals/"))
        signed = store.get(result)
        store.delete(result)  # sohoa's store never replaces bytes: an intruder deletes first
        store.put(result, signed[:-10] + b"%changed\n")
        changed = sohoa_here(env, "fixity")
        assert changed.returncode == ExitCode.CHANGED, changed.stdout + changed.stderr
        assert "changed: sha256 is" in changed.stdout and result in changed.stdout

        store.delete(result)
        store.put(result, signed)
        store.delete(original)
        missing = sohoa_here(env, "fixity")
        assert missing.returncode == ExitCode.MISSING, missing.stdout + missing.stderr
        assert "missing" in missing.stdout and original in missing.stdout

        proxy.down()
        unreachable = sohoa_here(env, "fixity")
        assert unreachable.returncode == ExitCode.FAILED, unreachable.stdout + unreachable.stderr
        assert "S3 unreachable" in unreachable.stderr
    finally:
        proxy.down()
