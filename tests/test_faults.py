"""Faults caused for real, with real processes: a worker killed with SIGKILL mid-dossier,
retries running out while the S3 server is unreachable (a loopback proxy in front of it cut and
restored), an internal error, a time limit, and the same object dropped twice. Outages in the
middle of a batch (Redis, S3, a full disk, a kill while signing) are in tests/test_outages.py.

Only bounded waits; no assertion on elapsed time (the times are printed for the record)."""

from __future__ import annotations

import os
import signal
import time

import pytest
import sqlalchemy as sa

from schemas.messages import IntakeMessage
from storage.intake_ledger import IntakeLedger
from storage.queue import DossierQueue
from storage.tables import events
from tests.conftest import encode, text_image
from tests.distributed import (
    AGENCY,
    deployment,
    document_rows,
    drop_folder,
    page,
    wait_for_statuses,
)
from tests.services import (
    TcpProxy,
    children_of,
    start_sohoa,
    stop_process,
    wait_until,
)
from workers.intake.watcher import Watcher


@pytest.fixture
def deploy(s3_place, postgres_url, redis_url, queue_namespace, tmp_path):
    return deployment(s3_place, postgres_url, redis_url, tmp_path / "data", queue_namespace)


def _events(warehouse, stage: str, outcome: str = "ok") -> int:
    with warehouse.transaction() as conn:
        return conn.execute(
            sa.select(sa.func.count()).where(events.c.stage == stage, events.c.outcome == outcome)
        ).scalar_one()


def _pdfs(store) -> list[str]:
    return sorted(k for k in store.list("results/") if k.endswith(".pdf"))


def _full_page(n: int) -> bytes:
    lines = ["UBND TỈNH ĐỒNG NAI", f"Số: {n:02d}/2024/QĐ-UBND", "QUYẾT ĐỊNH"]
    lines += [f"Điều {i}. Nội dung số hóa hồ sơ thủ tục hành chính trang {n}." for i in range(18)]
    return encode(text_image(lines, dpi=150, font_size=30), "PNG")


def test_a_worker_killed_mid_dossier_is_redelivered_and_done_once(deploy, tmp_path):
    store, warehouse = deploy.store(), deploy.warehouse()
    pages = {f"trang-{i}.png": _full_page(i) for i in range(1, 7)}
    manifest = {
        "dossier_code": f"{AGENCY}-240315-0007",
        "documents": [{"name": "quyet-dinh", "files": list(pages)}],
    }
    unit = drop_folder(store, "ho-so-7", pages, manifest)
    store.put(f"intake/{AGENCY}/giay-bien-nhan.png", page("Giấy biên nhận"))
    settings = deploy.settings()
    queue = DossierQueue.open(settings.queue)
    queue.send(IntakeMessage(unit=unit).model_dump())
    queue.send(IntakeMessage(unit=f"intake/{AGENCY}/giay-bien-nhan.png").model_dump())
    log = tmp_path / "worker.log"
    first = start_sohoa(["worker", "--processes", "1"], deploy.env(), log)
    try:
        wait_until(lambda: _events(warehouse, "inspect"), timeout=120, what="OCR to begin")
        workers = wait_until(lambda: children_of(first.pid), timeout=10, what="worker processes")
        assert _pdfs(store) == []  # mid-dossier: nothing stored yet
        assert queue.depth()[("dossiers", "ready")] == 1  # one message a thread: none ahead
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        first.wait(timeout=60)  # dramatiq stops the whole group when one process dies
    finally:
        stop_process(first)
    assert _events(warehouse, "store-result") == 0
    restarted = time.monotonic()
    second = start_sohoa(["worker", "--processes", "1"], deploy.env(), log)
    try:
        wait_for_statuses(
            warehouse,
            {f"{AGENCY}-240315-0007": "digitised", "giay-bien-nhan": "digitised"},
            timeout=240,
        )
        print(f"\nredelivered and digitised {time.monotonic() - restarted:.1f} s after restart")
    finally:
        stop_process(second)
    year = time.gmtime().tm_year
    assert _pdfs(store) == [
        f"results/{AGENCY}/{year}/{AGENCY}-240315-0007/quyet-dinh.v1.pdf",
        f"results/{AGENCY}/{year}/giay-bien-nhan/giay-bien-nhan.v1.pdf",
    ]
    assert _events(warehouse, "store-result") == 2  # exactly once each
    rows = document_rows(warehouse)
    assert sorted((r["status"], r["result_version"], r["page_count"]) for r in rows) == [
        ("digitised", 1, 1),
        ("digitised", 1, 6),
    ]
    assert list(store.list("intake/")) == []


def _statuses(warehouse):
    from tests.distributed import dossier_statuses

    return dossier_statuses(warehouse)


def _behind_proxy(deploy, proxy: TcpProxy) -> dict[str, str]:
    return deploy.env(SOHOA_STORE_URL=f"s3://127.0.0.1:{proxy.port}")


def test_when_retries_run_out_the_dossier_is_failed_and_can_be_rerun(deploy, moto_server, tmp_path):
    store, warehouse = deploy.store(), deploy.warehouse()
    drop_folder(store, "ho-so-9", {"trang-1.png": page("Hồ sơ chín")})
    proxy = TcpProxy(moto_server.port).up()
    env = _behind_proxy(deploy, proxy) | {"SOHOA_QUEUE__MAX_RETRIES": "1"}
    worker = start_sohoa(["worker", "--processes", "1"], env, tmp_path / "worker.log")
    try:
        wait_until(lambda: children_of(worker.pid), timeout=60, what="the worker to start")
        proxy.down()
        queue = DossierQueue.open(deploy.settings().queue)
        queue.send(IntakeMessage(unit=f"intake/{AGENCY}/ho-so-9/").model_dump())
        wait_for_statuses(warehouse, {"ho-so-9": "failed"}, timeout=120)
        row = warehouse.dossier(warehouse.find_dossier(AGENCY, "ho-so-9"))
        assert "StorageUnavailable" in (row.error or "")
        assert list(store.list("intake/")) == [f"intake/{AGENCY}/ho-so-9/trang-1.png"]  # kept
        proxy.up()
        rerun = start_sohoa(["redigitise", "--status", "failed"], env, tmp_path / "redigitise.log")
        assert rerun.wait(timeout=180) == 0, (tmp_path / "redigitise.log").read_text()
    finally:
        stop_process(worker)
        proxy.down()
    assert "batch 1 complete: 1 digitised" in (tmp_path / "redigitise.log").read_text()
    assert _statuses(warehouse)["ho-so-9"] == "digitised"
    assert len(_pdfs(store)) == 1 and list(store.list("intake/")) == []


def test_the_same_object_dropped_twice_gives_one_result_per_dossier(deploy, tmp_path):
    store, warehouse = deploy.store(), deploy.warehouse()
    scan = page("Giấy chứng nhận")
    settings = deploy.settings()
    queue = DossierQueue.open(settings.queue)
    watcher = Watcher(store, IntakeLedger(warehouse), queue.send, settings.watch)
    store.put(f"intake/{AGENCY}/giay-chung-nhan.png", scan)
    store.put(f"intake/{AGENCY}/ban-sao.png", scan)  # the same bytes: a dossier of its own
    assert len(watcher.scan()) == 2
    assert watcher.scan() == []  # the same versions are never sent twice
    worker = start_sohoa(
        ["worker", "--processes", "1", "--threads", "2"], deploy.env(), tmp_path / "w.log"
    )
    try:
        wait_for_statuses(warehouse, {"giay-chung-nhan": "digitised", "ban-sao": "digitised"})
        store.put(f"intake/{AGENCY}/giay-chung-nhan.png", scan)  # dropped again later
        assert watcher.scan() == [f"intake/{AGENCY}/giay-chung-nhan.png"]  # a new version
        wait_until(lambda: not list(store.list("intake/")), timeout=120, what="intake to empty")
    finally:
        stop_process(worker)
    assert len(_pdfs(store)) == 2  # each dossier signs its own (SOHOA_DUPLICATES=sign)
    first, copy = document_rows(warehouse)
    assert (first["duplicate_of"], copy["duplicate_of"]) == (None, first["id"])
    assert _events(warehouse, "dedupe", "skipped") == 1  # the second drop of the same object


def test_a_dossier_over_its_time_limit_is_stopped_and_failed(deploy, tmp_path):
    store, warehouse = deploy.store(), deploy.warehouse()
    pages = {f"trang-{i}.png": _full_page(i) for i in range(1, 5)}
    unit = drop_folder(store, "ho-so-dai", pages, {"documents": [{"files": list(pages)}]})
    env = deploy.env(SOHOA_QUEUE__TIME_LIMIT_S="1", SOHOA_QUEUE__MAX_RETRIES="0")
    DossierQueue.open(deploy.settings().queue).send(IntakeMessage(unit=unit).model_dump())
    worker = start_sohoa(["worker", "--processes", "1"], env, tmp_path / "worker.log")
    dossier = lambda: warehouse.dossier(warehouse.find_dossier(AGENCY, "ho-so-dai"))  # noqa: E731
    try:
        wait_for_statuses(warehouse, {"ho-so-dai": "failed"}, timeout=120)
        # the run's claims are released as it stops (failed/run-stopped) a moment before the
        # time limit's own failure message is handled and recorded
        wait_until(
            lambda: "TimeLimitExceeded" in (dossier().error or ""), timeout=60, what="its reason"
        )
    finally:
        stop_process(worker)
    assert dossier().error_reason == "time-limit"
    assert [r["status"] for r in document_rows(warehouse)] == ["failed"]
    assert _pdfs(store) == [] and len(list(store.list("intake/"))) == 5  # kept for a re-run
