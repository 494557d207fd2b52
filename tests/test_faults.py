"""Faults caused for real, with real processes: a worker killed with SIGKILL mid-dossier,
Redis stopped during a batch, the S3 server unreachable (a loopback proxy in front of it cut and
restored), retries running out, and the same object dropped twice.

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
    RedisServer,
    TcpProxy,
    children_of,
    start_sohoa,
    stop_process,
    wait_until,
)
from workers.watch import Watcher


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
    settings = deploy.settings()
    DossierQueue.open(settings.queue).send(IntakeMessage(unit=unit).model_dump())
    log = tmp_path / "worker.log"
    first = start_sohoa(["worker", "--processes", "1"], deploy.env(), log)
    try:
        wait_until(lambda: _events(warehouse, "inspect"), timeout=120, what="OCR to begin")
        workers = wait_until(lambda: children_of(first.pid), timeout=10, what="worker processes")
        assert _pdfs(store) == []  # mid-dossier: nothing stored yet
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        first.wait(timeout=60)  # dramatiq stops the whole group when one process dies
    finally:
        stop_process(first)
    assert _events(warehouse, "store-result") == 0
    restarted = time.monotonic()
    second = start_sohoa(["worker", "--processes", "1"], deploy.env(), log)
    try:
        wait_for_statuses(warehouse, {f"{AGENCY}-240315-0007": "digitised"}, timeout=240)
        print(f"\nredelivered and digitised {time.monotonic() - restarted:.1f} s after restart")
    finally:
        stop_process(second)
    assert _pdfs(store) == [
        f"results/{AGENCY}/{time.gmtime().tm_year}/{AGENCY}-240315-0007/quyet-dinh.v1.pdf"
    ]
    assert _events(warehouse, "store-result") == 1  # exactly once
    rows = document_rows(warehouse)
    assert [(r["status"], r["result_version"], r["page_count"]) for r in rows] == [
        ("digitised", 1, 6)
    ]
    assert list(store.list("intake/")) == []


def test_redis_stopped_during_a_batch_loses_nothing(s3_place, postgres_url, tmp_path):
    redis_server = RedisServer(tmp_path / "redis").start()
    deploy = deployment(s3_place, postgres_url, redis_server.url, tmp_path / "data")
    store, warehouse = deploy.store(), deploy.warehouse()
    codes = [f"to-khai-{i}" for i in range(4)]
    for i, code in enumerate(codes):
        store.put(f"intake/{AGENCY}/{code}.png", page(f"Tờ khai số {i}", f"{i + 10}"))
    settings = deploy.settings()
    queue = DossierQueue.open(settings.queue)
    assert len(Watcher(store, IntakeLedger(warehouse), queue.send, settings.watch).scan()) == 4
    worker = start_sohoa(["worker", "--processes", "1"], deploy.env(), tmp_path / "worker.log")
    try:
        wait_until(
            lambda: "digitised" in {s for c, s in _statuses(warehouse).items() if c in codes},
            timeout=120,
            what="a first dossier",
        )
        redis_server.stop()
        time.sleep(3)  # the worker meets a dead Redis for a while (not an assertion)
        redis_server.start()
        wait_for_statuses(warehouse, {code: "digitised" for code in codes}, timeout=240)
    finally:
        stop_process(worker)
        redis_server.stop()
    assert len(_pdfs(store)) == 4  # nothing lost, nothing twice
    assert sorted(r["result_version"] for r in document_rows(warehouse)) == [1, 1, 1, 1]
    assert list(store.list("intake/")) == []


def _statuses(warehouse):
    from tests.distributed import dossier_statuses

    return dossier_statuses(warehouse)


def _behind_proxy(deploy, proxy: TcpProxy) -> dict[str, str]:
    return deploy.env(SOHOA_STORE_URL=f"s3://127.0.0.1:{proxy.port}")


def test_unreachable_s3_is_retried_until_it_returns(deploy, moto_server, tmp_path):
    store, warehouse = deploy.store(), deploy.warehouse()
    store.put(f"intake/{AGENCY}/don-de-nghi.png", page("Đơn đề nghị"))
    proxy = TcpProxy(moto_server.port).up()
    env = _behind_proxy(deploy, proxy)  # the worker reaches S3 only through the proxy
    settings = deploy.settings()
    queue = DossierQueue.open(settings.queue)
    worker = start_sohoa(["worker", "--processes", "1"], env, tmp_path / "worker.log")
    try:
        wait_until(lambda: children_of(worker.pid), timeout=60, what="the worker to start")
        proxy.down()
        queue.send(IntakeMessage(unit=f"intake/{AGENCY}/don-de-nghi.png").model_dump())
        wait_until(lambda: queue.depth()["delayed"], timeout=120, what="a retry to be scheduled")
        proxy.up()
        wait_for_statuses(warehouse, {"don-de-nghi": "digitised"}, timeout=180)
    finally:
        stop_process(worker)
        proxy.down()
    assert "S3 unreachable" in (tmp_path / "worker.log").read_text()  # the attempt that failed
    assert len(_pdfs(store)) == 1
    assert list(store.list("intake/")) == []


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


def test_the_same_object_dropped_twice_gives_one_result(deploy, tmp_path):
    store, warehouse = deploy.store(), deploy.warehouse()
    scan = page("Giấy chứng nhận")
    settings = deploy.settings()
    queue = DossierQueue.open(settings.queue)
    watcher = Watcher(store, IntakeLedger(warehouse), queue.send, settings.watch)
    store.put(f"intake/{AGENCY}/giay-chung-nhan.png", scan)
    store.put(f"intake/{AGENCY}/ban-sao.png", scan)  # the same bytes under a second name
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
    assert len(_pdfs(store)) == 1
    assert len(document_rows(warehouse)) == 1
    assert _events(warehouse, "dedupe", "skipped") == 2


def test_a_dossier_over_its_time_limit_is_stopped_and_failed(deploy, tmp_path):
    store, warehouse = deploy.store(), deploy.warehouse()
    pages = {f"trang-{i}.png": _full_page(i) for i in range(1, 5)}
    unit = drop_folder(store, "ho-so-dai", pages, {"documents": [{"files": list(pages)}]})
    env = deploy.env(SOHOA_QUEUE__TIME_LIMIT_S="1", SOHOA_QUEUE__MAX_RETRIES="0")
    DossierQueue.open(deploy.settings().queue).send(IntakeMessage(unit=unit).model_dump())
    worker = start_sohoa(["worker", "--processes", "1"], env, tmp_path / "worker.log")
    try:
        wait_for_statuses(warehouse, {"ho-so-dai": "failed"}, timeout=120)
    finally:
        stop_process(worker)
    row = warehouse.dossier(warehouse.find_dossier(AGENCY, "ho-so-dai"))
    assert "TimeLimitExceeded" in (row.error or "")
    assert [r["status"] for r in document_rows(warehouse)] == ["failed"]
    assert _pdfs(store) == [] and len(list(store.list("intake/"))) == 5  # kept for a re-run
