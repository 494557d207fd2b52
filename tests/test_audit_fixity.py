"""`sohoa audit` and `sohoa fixity` on a real digitise run: on the embedded defaults, and on
what a deployment runs (the S3 server on loopback with credentials in files, PostgreSQL that
asks for a password given in a file), opened exactly as the worker opens them.

Fixity's exit codes are distinct: 0 all match, 9 changed, 10 missing, 1 unreachable."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
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
)
from tests.test_digitise_e2e import HEADER, sohoa
from tests.test_signing import tiny_pdf

TEXT = b"Quyet dinh so 05/2024/QD-UBND ve viec ban hanh quy che"


def test_audit_and_fixity(tmp_path):
    inbox = tmp_path / "ho-so-kiem-tra"
    inbox.mkdir()
    (inbox / "trang.png").write_bytes(encode(text_image(HEADER[:8]), "PNG"))
    data = tmp_path / "data"
    assert sohoa("digitise", str(inbox), data=data).returncode == 0

    history = sohoa("audit", "ho-so-kiem-tra", data=data)
    assert history.returncode == 0, history.stderr
    for stage in ("inspect", "ocr", "sign", "verify", "store-result"):
        assert stage in history.stdout
    assert sohoa("audit", "no-such-dossier", data=data).returncode == ExitCode.MISSING

    clean = sohoa("fixity", data=data)
    assert clean.returncode == 0 and "2 objects checked, 0 problems" in clean.stdout
    assert "fixity" in clean.stderr and "2/2" in clean.stderr  # the progress bar

    result = next((data / "objects" / "results").rglob("*.pdf"))
    original = next((data / "objects" / "originals").rglob("*.png"))
    signed, scan = result.read_bytes(), original.read_bytes()
    result.write_bytes(signed + b"%tampered\n")
    original.unlink()
    broken = sohoa("fixity", data=data)
    assert broken.returncode == ExitCode.CHANGED  # the worse of the two
    assert "2 problems" in broken.stdout
    assert "missing" in broken.stdout and "changed" in broken.stdout

    result.write_bytes(signed)
    assert sohoa("fixity", data=data).returncode == ExitCode.MISSING
    original.write_bytes(scan)
    assert sohoa("fixity", data=data).returncode == ExitCode.OK


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
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE DATABASE sohoa")
    yield f"postgresql://postgres@{LOOPBACK}:{port}/sohoa", secret
    subprocess.run(stop, capture_output=True, timeout=60)


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
    moto_server, locked_postgres, tmp_path
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
        assert _run(env, "db", "upgrade").returncode == 0
        inbox = tmp_path / "ho-so-trien-khai"
        inbox.mkdir()
        (inbox / "quyet-dinh.pdf").write_bytes(tiny_pdf(TEXT))  # a text layer: no OCR
        done = _run(env, "digitise", str(inbox))
        assert done.returncode == 0, done.stdout + done.stderr

        history = _run(env, "audit", "ho-so-trien-khai")
        assert history.returncode == 0, history.stderr
        assert "store-result" in history.stdout
        refused = _run(without_password, "audit", "ho-so-trien-khai")
        assert refused.returncode == ExitCode.FAILED  # the server asks for the password
        assert "warehouse" in refused.stderr

        clean = _run(env, "fixity")
        assert clean.returncode == ExitCode.OK, clean.stdout + clean.stderr
        assert "2 objects checked, 0 problems" in clean.stdout

        store = place.store()
        (result,) = [k for k in store.list("results/") if k.endswith(".pdf")]
        (original,) = list(store.list("originals/"))
        signed = store.get(result)
        store.put(result, signed[:-10] + b"%changed\n")
        changed = _run(env, "fixity")
        assert changed.returncode == ExitCode.CHANGED, changed.stdout + changed.stderr
        assert "changed: sha256 is" in changed.stdout and result in changed.stdout

        store.put(result, signed)
        store.delete(original)
        missing = _run(env, "fixity")
        assert missing.returncode == ExitCode.MISSING, missing.stdout + missing.stderr
        assert "missing" in missing.stdout and original in missing.stdout

        proxy.down()
        unreachable = _run(env, "fixity")
        assert unreachable.returncode == ExitCode.FAILED, unreachable.stdout + unreachable.stderr
        assert "S3 unreachable" in unreachable.stderr
    finally:
        proxy.down()
