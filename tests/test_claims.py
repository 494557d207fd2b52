"""Claims as leases (storage/leases.py, workers/job/heartbeat.py, ``sohoa claims``), the run's scratch
folder on SIGTERM (workers/job/scratch.py): over SQLite and PostgreSQL, and through the real CLI."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemas.errors import WarehouseUnavailable
from storage import leases, migrations
from storage.database import engine_for
from storage.warehouse import Warehouse
from tests.conftest import text_image
from tests.services import REPO, TcpProxy, sohoa_env, start_sohoa, wait_until
from workers.job.heartbeat import Heartbeat

AGENCY = "000.17.22.H56"


def _doc(sha: str, name: str = "quyet-dinh") -> dict:
    return dict(name=name, input_sha256=sha, pipeline_version="1", inputs=[], role="component")


def test_a_heartbeat_renews_its_own_claims_only(warehouse):
    d = warehouse.ensure_dossier(AGENCY, "d1", source="test")
    warehouse.claim_document(d, owner="mine", lease_s=1, **_doc("a" * 64))
    warehouse.claim_document(d, owner="other", lease_s=1, **_doc("b" * 64, "to-trinh"))
    assert leases.renew(warehouse, "mine", 600) == 1
    left = {c.owner: c.until - dt.datetime.now(dt.UTC) for c in leases.claims(warehouse)}
    assert left["mine"] > dt.timedelta(seconds=500) and left["other"] < dt.timedelta(seconds=2)


def test_releasing_expired_claims_leaves_live_ones(warehouse):
    d = warehouse.ensure_dossier(AGENCY, "d1", source="test")
    warehouse.set_dossier_status(d, "processing")
    warehouse.claim_document(d, owner="dead", lease_s=-1, **_doc("a" * 64))
    warehouse.claim_document(d, owner="alive", lease_s=600, **_doc("b" * 64, "to-trinh"))
    released = leases.release(warehouse, expired_only=True)
    assert [(c.owner, c.document) for c in released] == [("dead", "quyet-dinh")]
    rows = {r["name"]: r for r in warehouse.documents_of(d)}
    assert rows["quyet-dinh"]["status"] == "failed"
    assert rows["quyet-dinh"]["error_reason"] == "claim-released"
    assert rows["to-trinh"]["lease_owner"] == "alive"
    assert warehouse.dossier(d).status == "processing"  # a live run still works on it
    again = warehouse.claim_document(d, owner="next", lease_s=600, **_doc("a" * 64))
    assert again.lease_owner == "next"  # a re-run takes the released document at once


def test_releasing_a_dossier_fails_it_when_nothing_is_held(warehouse):
    d = warehouse.ensure_dossier(AGENCY, "d1", source="test")
    other = warehouse.ensure_dossier(AGENCY, "d2", source="test")
    warehouse.set_dossier_status(d, "processing")
    warehouse.claim_document(d, owner="r1", lease_s=600, **_doc("a" * 64))
    warehouse.claim_document(other, owner="r1", lease_s=600, **_doc("c" * 64))
    assert len(leases.release(warehouse, dossier="d1")) == 1
    assert warehouse.dossier(d).status == "failed"
    assert [c.dossier for c in leases.claims(warehouse)] == ["d2"]


def test_a_stopped_heartbeat_releases_what_its_run_still_holds(warehouse):
    d = warehouse.ensure_dossier(AGENCY, "d1", source="test")
    with Heartbeat(warehouse, "run-1", lease_s=600):
        warehouse.claim_document(d, owner="run-1", lease_s=600, **_doc("a" * 64))
    assert leases.claims(warehouse) == []
    assert warehouse.documents_of(d)[0]["error_reason"] == "run-stopped"


def test_a_heartbeat_keeps_beating_after_an_error_that_is_not_an_outage(warehouse, caplog):
    """The claims' column goes away under a live run (a migration run by hand while workers
    work) and comes back: renewing fails with an error of ours, not an outage. The heartbeat
    must not die of it: once the column is back, the run's claim is renewed again, instead of
    running out under the live run and being taken by another."""
    d = warehouse.ensure_dossier(AGENCY, "d1", source="test")
    warehouse.claim_document(d, owner="run-1", lease_s=600, **_doc("a" * 64))
    rename = "ALTER TABLE documents RENAME COLUMN {} TO {}"
    with Heartbeat(warehouse, "run-1", lease_s=0.6):
        with warehouse.transaction() as conn:
            conn.exec_driver_sql(rename.format("lease_until", "lease_until_away"))
        try:
            wait_until(
                lambda: "could not renew" in caplog.text, timeout=30, what="a beat to fail"
            )
        finally:
            with warehouse.transaction() as conn:
                conn.exec_driver_sql(rename.format("lease_until_away", "lease_until"))
        (before,) = leases.claims(warehouse)
        wait_until(
            lambda: leases.claims(warehouse)[0].until != before.until,
            timeout=30,
            what="the claim renewed again",
        )


def test_a_run_that_meets_a_warehouse_outage_leaves_its_document_retrying_not_failed(
    postgres_url,
):
    """PostgreSQL cut for real (a proxy that refuses and drops every connection) while a
    queue run holds a claim: the run's write fails, and by the time it unwinds the server is
    back. The attempt will be retried, so the document and its dossier are ``retrying``, not
    ``failed`` (which a clerk reads as an end, and which had been recorded before)."""
    engine = engine_for(postgres_url)
    migrations.upgrade(engine)
    engine.dispose()
    server = sa.engine.make_url(postgres_url)
    proxy = TcpProxy(server.port or 5432).up()
    warehouse = Warehouse.open(server.set(port=proxy.port).render_as_string(False))
    try:
        d = warehouse.ensure_dossier(AGENCY, "d1", source="test")
        warehouse.set_dossier_status(d, "processing")
        with pytest.raises(WarehouseUnavailable):
            with Heartbeat(warehouse, "message-1", lease_s=600, retried=True):
                warehouse.claim_document(d, owner="message-1", lease_s=600, **_doc("a" * 64))
                proxy.down()  # the blip
                try:
                    warehouse.add_event(d, "ocr", "ok")
                finally:
                    proxy.up()
        row = warehouse.documents_of(d)[0]
        assert (row["status"], row["lease_owner"]) == ("retrying", None)
        assert warehouse.dossier(d).status == "retrying"
        again = warehouse.claim_document(d, owner="message-1", lease_s=600, **_doc("a" * 64))
        assert again.status == "processing"  # the retry takes it up
    finally:
        proxy.down()
        warehouse.engine.dispose()


# -- through the CLI ------------------------------------------------------------------------


def _scans(folder: Path, pages: int = 4) -> Path:
    """One document of several small pages: the run holds its claim while they are read."""
    folder.mkdir(parents=True)
    images = [
        text_image([f"Trang {n}", "QUYẾT ĐỊNH về việc số hóa"], size=(620, 877), dpi=75)
        for n in range(1, pages + 1)
    ]
    images[0].save(
        folder / "quyet-dinh.tiff", save_all=True, append_images=images[1:], dpi=(75, 75)
    )
    return folder


def _held(data: Path) -> list[sqlite3.Row]:
    if not (data / "warehouse.sqlite").exists():
        return []
    db = sqlite3.connect(data / "warehouse.sqlite", timeout=10)
    db.row_factory = sqlite3.Row
    try:
        return db.execute("select * from documents where lease_owner is not null").fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        return []
    finally:
        db.close()


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "workers.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=600)


def test_sigterm_cleans_up_and_a_killed_runs_claim_can_be_released(tmp_path):
    inbox, data, tmp = _scans(tmp_path / "inbox" / "ho-so-1"), tmp_path / "data", tmp_path / "tmp"
    tmp.mkdir()
    env = sohoa_env(TMPDIR=str(tmp), SOHOA_JOBS="1", SOHOA_LANG="en")  # read in English
    args = ["digitise", str(inbox), "--data", str(data), "--agency", AGENCY]

    run = start_sohoa(args, env, tmp_path / "run1.log")
    wait_until(lambda: _held(data) and list(tmp.glob("sohoa-run-*/sohoa-ocr-*")), timeout=120)
    os.kill(run.pid, signal.SIGTERM)  # the run itself, not its group: it stops its children
    assert run.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp.iterdir()) == []  # no spooled pages, no OCR text left behind
    assert _held(data) == []  # released on the way out: a re-run need not wait
    wait_until(lambda: not _children_left(run.pid), timeout=30, what="OCR processes to stop")

    killed = start_sohoa(args, env, tmp_path / "run2.log")
    wait_until(lambda: _held(data), timeout=120)
    os.kill(killed.pid, signal.SIGKILL)  # no chance to release: the claim stays
    killed.wait(timeout=30)
    wait_until(lambda: not _children_left(killed.pid), timeout=60, what="orphans to stop")
    listed = _cli("claims", "list", "--data", str(data), env=env)
    assert "ho-so-1" in listed.stdout and "s left" in listed.stdout
    released = _cli("claims", "release", "--dossier", "ho-so-1", "--data", str(data), env=env)
    assert released.returncode == 0 and "released 1 claim" in released.stdout
    again = _cli(*args, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "digitised" in again.stdout


def _children_left(pid: int) -> bool:
    """Any process of the stopped run's session still alive (an orphaned OCR process)."""
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == pid and fields[0] != "Z":  # its session id is the run's pid
            return True
    return False


def test_a_run_meeting_a_document_another_run_digitises_waits_for_its_result(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from schemas.settings import load_settings
    from storage.places import open_store
    from tests.distributed import page
    from workers.job.dossier import digitise_dossier
    from workers.job.context import JobContext
    from workers.signing.process_key import open_signing_key
    from workers.intake.folder import dossiers_from_paths
    from workers.queue.runtime import run_pages_inline

    settings = load_settings({}, data=tmp_path / "data", agency=AGENCY)
    key = open_signing_key(settings)
    store = open_store(settings.resolved_store_url, settings.s3)
    warehouse = Warehouse.open(settings.resolved_warehouse_url)

    def context(owner: str) -> JobContext:
        return JobContext(
            settings,
            store,
            warehouse,
            key.signer,
            key.trust_roots,
            run_pages_inline,
            owner=owner,
            lease_s=30,
        )

    (tmp_path / "ho-so").mkdir()
    (tmp_path / "ho-so" / "giay-moi.png").write_bytes(page("Giấy mời họp"))
    (dossier,) = dossiers_from_paths([tmp_path / "ho-so"], settings)
    with ThreadPoolExecutor(2) as runs:
        first = runs.submit(digitise_dossier, dossier, context("run-a"))
        wait_until(lambda: leases.claims(warehouse), timeout=120, what="run-a's claim")
        second = runs.submit(digitise_dossier, dossier, context("run-b"))  # meets the claim
        (a,), (b,) = first.result(timeout=300), second.result(timeout=300)
    assert (a.status, b.status) == ("digitised", "already-digitised")
    assert a.result_key == b.result_key
    dossier_id = warehouse.find_dossier(dossier.agency, dossier.code)
    assert dossier_id is not None and warehouse.dossier(dossier_id).status == "digitised"


def test_a_killed_runs_scratch_folder_goes_with_the_next_run(tmp_path, monkeypatch):
    import tempfile

    from workers.job.scratch import scratch_folder

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    left = tmp_path / f"sohoa-run-{dead.stdout.strip()}-abc"
    (left / "sohoa-ocr-x").mkdir(parents=True)
    alive = tmp_path / f"sohoa-run-{os.getpid()}-def"  # a live run's: kept
    alive.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with scratch_folder() as root:
        assert tempfile.gettempdir() == str(root) and root.parent == tmp_path
    assert not left.exists() and alive.exists() and not root.exists()
    assert tempfile.gettempdir() == str(tmp_path)
