"""Outages in the middle of a batch of multi-page dossiers, caused for real: Redis stopped
for 20 s, Redis killed with SIGKILL (its data lost), S3 or PostgreSQL unreachable for 20 s,
the workers' spool folder full, a worker killed with SIGKILL while it signs. Real processes
throughout: the watcher (``sohoa watch``) feeds two worker processes whose pages are fanned
out through Redis.

After each: every dossier digitised exactly once, no intake object left, no result version
twice, nothing in another dossier's folder. The figures of the fault table (dossiers in flight,
lost, duplicated, misfiled, seconds from the end of the fault to the last dossier digitised)
are printed, never asserted on time."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage.queue import DossierQueue
from storage.tables import documents, dossiers, events
from tests.distributed import deployment, document_rows, dossier_statuses, drop_folder, page
from tests.services import (
    RedisServer,
    TcpProxy,
    children_of,
    start_sohoa,
    stop_process,
    wait_until,
)

DOSSIERS, PAGES = 3, 3
RECONCILE = {"SOHOA_WATCH__RECONCILE_AFTER_S": "15"}  # a lost message is sent again after 15 s


@dataclass
class Batch:
    """Three dossiers of three small pages each, dropped in the intake."""

    deploy: object
    codes: list[str]
    logs: Path

    @classmethod
    def drop(cls, deploy, logs: Path) -> Batch:
        store, codes = deploy.store(), []
        for i in range(DOSSIERS):
            code = f"ho-so-{i}"
            pages = {
                f"trang-{p}.png": page(f"Hồ sơ {i}, trang {p}", f"{i}{p}")
                for p in range(1, PAGES + 1)
            }
            drop_folder(store, code, pages, {"documents": [{"name": "don", "files": list(pages)}]})
            codes.append(code)
        return cls(deploy, codes, logs)

    def start(self, env: dict[str, str], workers: int = 2) -> list[subprocess.Popen[bytes]]:
        """The watcher and ``workers`` worker processes, in one group each."""
        watch = start_sohoa(["watch"], env | RECONCILE, self.logs / "watch.log")
        worker = start_sohoa(["worker", "--processes", str(workers)], env, self.logs / "worker.log")
        return [watch, worker]

    def in_flight(self) -> int:
        statuses = dossier_statuses(self.deploy.warehouse())
        return sum(statuses.get(code) != "digitised" for code in self.codes)

    def begun(self, stage: str = "inspect") -> int:
        with self.deploy.warehouse().transaction() as conn:
            return conn.execute(
                sa.select(sa.func.count()).where(events.c.stage == stage)
            ).scalar_one()

    def wait_done(self, timeout: float = 240) -> float | None:
        """Seconds until every dossier is digitised and the intake is empty; None: never."""
        started = time.monotonic()
        store, warehouse = self.deploy.store(), self.deploy.warehouse()

        def done() -> bool:
            statuses = dossier_statuses(warehouse)
            digitised = all(statuses.get(code) == "digitised" for code in self.codes)
            return digitised and not list(store.list("intake/"))

        try:
            wait_until(done, timeout=timeout, interval=0.5, what="every dossier digitised")
        except AssertionError:
            return None
        return time.monotonic() - started

    def figures(self, fault: str, in_flight: int, recovered_s: float | None) -> dict:
        store, warehouse = self.deploy.store(), self.deploy.warehouse()
        statuses = dossier_statuses(warehouse)
        pdfs = [k for k in store.list("results/") if k.endswith(".pdf")]
        per_dossier = Counter(key.split("/")[3] for key in pdfs)
        with warehouse.transaction() as conn:
            rows = conn.execute(
                sa.select(dossiers.c.code, documents.c.result_key, documents.c.status).join(
                    dossiers, documents.c.dossier_id == dossiers.c.id
                )
            ).all()
            stored = conn.execute(
                sa.select(sa.func.count()).where(
                    events.c.stage == "store-result", events.c.outcome == "ok"
                )
            ).scalar_one()
        figures = {
            "fault": fault,
            "in flight": in_flight,
            "lost": sum(statuses.get(code) != "digitised" for code in self.codes),
            "duplicated": sum(n - 1 for n in per_dossier.values())
            + sum(".v1." not in key for key in pdfs)
            + max(0, stored - len(self.codes)),
            "misfiled": sum(code not in self.codes for code in per_dossier)
            + sum(bool(key) and f"/{code}/" not in key for code, key, _ in rows),
            "intake left": len(list(store.list("intake/"))),
            "recovered s": None if recovered_s is None else round(recovered_s, 1),
        }
        print(f"\nFAULT TABLE {figures}")
        return figures


def _assert_whole(figures: dict) -> None:
    assert (figures["lost"], figures["duplicated"], figures["misfiled"]) == (0, 0, 0), figures
    assert figures["intake left"] == 0, figures


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in reversed(processes):
        stop_process(process)


@pytest.fixture
def own_redis(tmp_path):
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.mark.parametrize("how", ["stopped", "killed"])
def test_redis_gone_for_20_s_mid_batch_loses_nothing(
    how, own_redis, s3_place, postgres_url, tmp_path
):
    """stopped: a clean shutdown and restart (its append-only file keeps every message).
    killed: SIGKILL of a Redis that keeps nothing on disk: every message and page list lost;
    the watcher sends again what has not moved."""
    deploy = deployment(s3_place, postgres_url, own_redis.url, tmp_path / "data")
    batch = Batch.drop(deploy, tmp_path)
    if how == "killed":
        import redis

        redis.Redis.from_url(own_redis.url).config_set("appendonly", "no")
    processes = batch.start(deploy.env())
    try:
        wait_until(lambda: batch.begun("ocr") or batch.begun(), timeout=180, what="OCR to begin")
        in_flight = batch.in_flight()
        if how == "killed":
            own_redis.process.kill()
            own_redis.process.wait()
            own_redis.process = None
        else:
            own_redis.stop()
        time.sleep(20)  # the outage itself (not an assertion)
        own_redis.start()
        recovered = batch.wait_done()
    finally:
        _stop(processes)
    _assert_whole(batch.figures(f"redis {how} 20 s", in_flight, recovered))


def test_s3_unreachable_for_20_s_mid_batch_loses_nothing(deploy, moto_server, tmp_path):
    batch = Batch.drop(deploy, tmp_path)
    proxy = TcpProxy(moto_server.port).up()
    env = deploy.env(SOHOA_STORE_URL=f"s3://127.0.0.1:{proxy.port}")
    in_flight, recovered = _proxy_down_for_20_s(batch, proxy, env)
    assert "S3 unreachable" in (tmp_path / "worker.log").read_text()  # attempts that failed
    _assert_whole(batch.figures("s3 unreachable 20 s", in_flight, recovered))


def test_postgresql_unreachable_for_20_s_mid_batch_loses_nothing(deploy, tmp_path):
    """The workers and the watcher reach PostgreSQL through a proxy that refuses and cuts
    every connection for 20 s while pages are read: attempts fail on the warehouse and are
    retried; no document is left failed, none is done twice."""
    batch = Batch.drop(deploy, tmp_path)
    server = sa.engine.make_url(deploy.warehouse_url)
    proxy = TcpProxy(server.port or 5432).up()
    proxied = server.set(port=proxy.port).render_as_string(hide_password=False)
    env = deploy.env(SOHOA_WAREHOUSE_URL=proxied)
    in_flight, recovered = _proxy_down_for_20_s(batch, proxy, env)
    assert "warehouse-unavailable" in (tmp_path / "worker.log").read_text()
    figures = batch.figures("postgresql unreachable 20 s", in_flight, recovered)
    _assert_whole(figures)
    rows = document_rows(deploy.warehouse())
    assert [r["status"] for r in rows] == ["digitised"] * DOSSIERS, rows


@pytest.fixture
def deploy(s3_place, postgres_url, redis_url, queue_namespace, tmp_path):
    return deployment(s3_place, postgres_url, redis_url, tmp_path / "data", queue_namespace)


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs: the workers' temporary folder (TMPDIR). Needs root, as the suite has."""
    mount = tmp_path / "spool"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.fail("cannot mount a small tmpfs for the disk-full test (root is needed)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_spool_disk_loses_nothing(deploy, small_disk, tmp_path):
    filler = small_disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as out:
        while True:
            out.write(b"\0" * 4096)  # until the disk is full
    # ... but for a few pages: Python's tempfile passes over a TMPDIR where it cannot write
    # at all (silently, for /tmp); a few kilobytes let it settle there and then run short.
    os.truncate(filler, filler.stat().st_size - 16 * 1024)
    batch = Batch.drop(deploy, tmp_path)
    processes = batch.start(deploy.env(TMPDIR=str(small_disk)))
    try:
        queue = DossierQueue.open(deploy.settings().queue)
        wait_until(
            lambda: queue.depth()[("dossiers", "delayed")], timeout=180, what="a retry"
        )  # the dossiers' intake cannot be spooled: retried
        in_flight = batch.in_flight()
        time.sleep(5)  # the disk stays full a little longer
        filler.unlink()
        recovered = batch.wait_done()
    finally:
        _stop(processes)
    assert "disk-full" in (tmp_path / "worker.log").read_text()  # never "S3 unreachable"
    _assert_whole(batch.figures("spool disk full", in_flight, recovered))


def test_a_worker_killed_while_it_signs_loses_nothing(deploy, tmp_path):
    """A time-stamping service that accepts and never answers holds the worker inside its
    signing stage: the kill lands there. The restarted worker signs without time-stamps."""
    from tests.pki_support import silent_tsa

    batch = Batch.drop(deploy, tmp_path)
    with silent_tsa() as tsa:
        held = deploy.env(
            SOHOA_SIGNING__PROFILE="B-T",
            SOHOA_SIGNING__TSA_URL=tsa,
            SOHOA_SIGNING__TSA_TIMEOUT_S="300",
        )
        processes = batch.start(held, workers=1)
        try:
            wait_until(lambda: batch.begun("assemble"), timeout=180, what="signing to begin")
            time.sleep(1)  # inside sign: waiting for the time-stamp
            assert batch.begun("sign") == 0
            in_flight = batch.in_flight()
            worker = processes[1]
            for pid in children_of(worker.pid):
                os.kill(pid, signal.SIGKILL)
            worker.wait(timeout=60)
        finally:
            _stop(processes)
    processes = batch.start(deploy.env())
    try:
        recovered = batch.wait_done()
    finally:
        _stop(processes)
    _assert_whole(batch.figures("worker kill -9 while signing", in_flight, recovered))


def _proxy_down_for_20_s(batch: Batch, proxy: TcpProxy, env: dict[str, str]) -> tuple[int, float | None]:
    """The batch run by workers reaching a service through ``proxy``, which refuses and cuts
    every connection for 20 s once pages are being read: the documents in flight then, and
    the seconds from the proxy's return to the batch's end."""
    processes = batch.start(env)
    try:
        wait_until(batch.begun, timeout=180, what="OCR to begin")
        in_flight = batch.in_flight()
        proxy.down()
        time.sleep(20)  # the outage itself (not an assertion)
        proxy.up()
        recovered = batch.wait_done()
    finally:
        _stop(processes)
        proxy.down()
    return in_flight, recovered
