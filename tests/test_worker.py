"""The worker deployment end to end with real processes: ``sohoa worker`` (dramatiq on a real
Redis), the intake watcher, S3 (moto's server through the minio SDK), PostgreSQL, Tesseract and
real signatures. Small pages, few of them."""

from __future__ import annotations

import time
import urllib.request

import pytest
from dramatiq import Message

from storage.intake_ledger import IntakeLedger
from storage.queue import DossierQueue
from tests.distributed import (
    AGENCY,
    deployment,
    document_rows,
    drop_folder,
    page,
    wait_for_statuses,
)
from tests.services import free_port, start_sohoa, stop_process, wait_until
from workers.intake.watcher import Watcher


@pytest.fixture
def deploy(s3_place, postgres_url, redis_url, queue_namespace, tmp_path):
    return deployment(s3_place, postgres_url, redis_url, tmp_path / "data", queue_namespace)


def test_watched_intake_is_digitised_by_a_worker(deploy, tmp_path):
    store, warehouse = deploy.store(), deploy.warehouse()
    manifest = {
        "dossier_code": f"{AGENCY}-240315-0001",
        "agency": AGENCY,
        "received_date": "2024-03-15",
        "documents": [{"name": "quyet-dinh", "files": ["trang-1.png"]}],
    }
    drop_folder(store, "ho-so-1", {"trang-1.png": page("Về việc cấp phép")}, manifest)
    store.put(f"intake/{AGENCY}/giay-moi.png", page("Giấy mời họp", "12"))
    settings = deploy.settings()
    queue = DossierQueue.open(settings.queue)
    watcher = Watcher(store, IntakeLedger(warehouse), queue.send, settings.watch)
    assert sorted(watcher.scan()) == [f"intake/{AGENCY}/giay-moi.png", f"intake/{AGENCY}/ho-so-1/"]
    assert queue.depth()[("dossiers", "ready")] == 2

    port, temporary = free_port(), tmp_path / "tmp"
    temporary.mkdir()
    worker = start_sohoa(
        ["worker", "--processes", "1"],
        deploy.env(SOHOA_METRICS__PORT=str(port), TMPDIR=str(temporary)),
        tmp_path / "w.log",
    )
    try:
        wait_for_statuses(
            warehouse, {f"{AGENCY}-240315-0001": "digitised", "giay-moi": "digitised"}
        )
        metrics = wait_until(lambda: _scrape(port), timeout=30, what="metrics")
    finally:
        stop_process(worker)
    log = (tmp_path / "w.log").read_text()
    assert "Traceback" not in log, log
    assert f"dossier intake/{AGENCY}/ho-so-1/: digitised" in log  # INFO: one line a dossier
    assert len([line for line in log.splitlines() if ": ocr ok in " in line]) == 2  # a stage
    assert list(temporary.iterdir()) == []  # no sohoa-metrics-* (or other) folder left behind

    results = sorted(store.list("results/"))
    assert results == [
        f"results/{AGENCY}/2024/{AGENCY}-240315-0001/quyet-dinh.v1.json",
        f"results/{AGENCY}/2024/{AGENCY}-240315-0001/quyet-dinh.v1.pdf",
        f"results/{AGENCY}/{results[2].split('/')[2]}/giay-moi/giay-moi.v1.json",
        f"results/{AGENCY}/{results[2].split('/')[2]}/giay-moi/giay-moi.v1.pdf",
    ]
    originals = list(store.list("originals/"))
    assert len(originals) == 3 and sum(k.endswith(".json") for k in originals) == 1  # + manifest
    assert list(store.list("intake/")) == []  # removed once stored and recorded
    rows = document_rows(warehouse)
    assert [(r["status"], r["result_version"]) for r in rows] == [("digitised", 1)] * 2
    assert store.get(rows[0]["result_key"]).startswith(b"%PDF")
    assert 'sohoa_dossiers_total{outcome="digitised"} 2.0' in metrics
    assert 'sohoa_documents_total{outcome="digitised"} 2.0' in metrics
    assert 'sohoa_stage_seconds_count{stage="ocr"} 2.0' in metrics
    assert 'sohoa_queue_depth{queue="dossiers",state="ready"} 0.0' in metrics
    assert 'sohoa_queue_depth{queue="dossiers-pages",state="dead"} 0.0' in metrics
    assert 'sohoa_dossiers_by_status{status="digitised"} 2.0' in metrics
    assert 'sohoa_dossier_oldest_age_seconds{status="digitised"}' in metrics


def _scrape(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode()
    except OSError:
        return None
    return text if "sohoa_dossiers_total" in text else None


def test_a_worker_refuses_to_start_without_its_services(deploy, tmp_path):
    import subprocess
    import sys

    from tests.services import REPO

    def start(env):
        return subprocess.run(
            [sys.executable, "-m", "workers.cli", "worker"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )

    env = deploy.env()
    no_queue = {k: v for k, v in env.items() if k != "SOHOA_QUEUE__URL"}
    answer = start(no_queue)
    assert answer.returncode == 8 and "SOHOA_QUEUE__URL" in answer.stderr
    answer = start(env | {"SOHOA_S3__BUCKETS__RESULTS": "no-such-bucket"})
    assert answer.returncode == 8 and "no-such-bucket" in answer.stderr
    answer = start(env | {"SOHOA_QUEUE__URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert answer.returncode == 1 and "queue unreachable" in answer.stderr


# -- retries and Redis outages, in-process: a dramatiq Worker on our broker and a real Redis ----


@pytest.fixture
def outage(tmp_path):
    """An own redis-server (stopped and started by the test) and our broker on it."""
    import dramatiq

    from schemas.settings import QueueSettings
    from storage.queue import make_broker
    from tests.services import RedisServer

    server = RedisServer(tmp_path / "redis").start()
    settings = QueueSettings(url=server.url, min_backoff_s=0.1, max_backoff_s=0.2, max_retries=3)
    broker = make_broker(settings)
    calls: dict[str, list] = {"flaky": [], "gave_up": []}
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=1)
    yield server, broker, calls, worker
    worker.stop(timeout=5000)
    broker.close()
    server.stop()


def _actors(broker, calls, fail, min_backoff_s: float = 0.1):
    import dramatiq

    from storage.queue import retryable_only

    @dramatiq.actor(
        broker=broker,
        actor_name="flaky",
        queue_name="q",
        retry_when=retryable_only(3),
        min_backoff=int(min_backoff_s * 1000),
        max_backoff=int(min_backoff_s * 2000),
        on_retry_exhausted="gave_up",
    )
    def flaky(n):
        calls["flaky"].append(n)
        fail(len(calls["flaky"]))

    @dramatiq.actor(broker=broker, actor_name="gave_up", queue_name="q")
    def gave_up(message, retries):
        calls["gave_up"].append((message["options"]["sohoa_reason"], retries["retries"]))

    return flaky


def test_a_retry_waits_for_redis_and_is_never_lost(outage):
    """The attempt fails while Redis is down: its retry is enqueued once Redis is back, and
    only then is the message acknowledged (upstream dramatiq acknowledged it, retry lost)."""
    import threading

    from schemas.errors import QueueUnavailable

    server, broker, calls, worker = outage
    release = threading.Event()

    def fail(attempt):
        if attempt == 1:
            release.wait(30)
            raise QueueUnavailable("queue unreachable: ConnectionError")

    flaky = _actors(broker, calls, fail)
    worker.start()
    flaky.send(1)
    wait_until(lambda: calls["flaky"], timeout=30, what="the first attempt")
    server.stop()
    release.set()  # it fails now, with Redis down
    time.sleep(3)  # the retry cannot be enqueued meanwhile (not an assertion)
    server.start()
    wait_until(lambda: len(calls["flaky"]) == 2, timeout=60, what="the retry")
    assert calls["gave_up"] == []


def test_an_internal_error_fails_at_once_with_its_reason(outage):
    server, broker, calls, worker = outage

    def fail(attempt):
        raise KeyError("a bug of ours")

    flaky = _actors(broker, calls, fail)
    worker.start()
    flaky.send(1)
    wait_until(lambda: calls["gave_up"], timeout=30, what="the dossier to be failed")
    assert calls == {"flaky": [1], "gave_up": [("internal-error", 0)]}  # never retried


def test_a_retry_held_in_memory_when_redis_restarts_is_not_stranded(outage):
    """A retry waiting for its backoff is held by the worker; the broken connection drops it
    from memory while Redis still lists it as the (live) worker's: it is put back."""
    import redis

    from schemas.errors import OcrTimeout

    server, broker, calls, worker = outage

    def fail(attempt):
        if attempt == 1:
            raise OcrTimeout("page 1: Tesseract took too long")

    flaky = _actors(broker, calls, fail, min_backoff_s=8)
    worker.start()
    flaky.send(1)
    client = redis.Redis.from_url(server.url)

    def held_in_memory():
        return client.hlen("sohoa:q.DQ.msgs") == 1 and client.llen("sohoa:q.DQ") == 0

    wait_until(held_in_memory, timeout=30, what="the retry to wait in the worker")
    server.stop()
    time.sleep(2)
    server.start()
    wait_until(lambda: len(calls["flaky"]) == 2, timeout=60, what="the retry")
    assert calls["gave_up"] == []


def test_the_queue_names_the_units_it_holds_waiting_delayed_or_dead(redis_url, queue_namespace):
    from schemas.messages import IntakeMessage
    from schemas.settings import QueueSettings

    queue = DossierQueue.open(QueueSettings(url=redis_url, namespace=queue_namespace))
    broker = queue.broker
    units = [f"intake/{AGENCY}/{name}.png" for name in ("chet", "cho", "hoan")]
    queue.send(IntakeMessage(unit=units[0]).model_dump())
    (taken,) = broker.do_fetch("dossiers", 1)  # taken by a worker, then dead-lettered (nack)
    broker.do_nack("dossiers", Message.decode(taken).options["redis_message_id"])
    queue.send(IntakeMessage(unit=units[1]).model_dump())
    later = Message.decode(taken).copy(args=(IntakeMessage(unit=units[2]).model_dump(),))
    broker.enqueue(later, delay=60_000)
    assert sorted(p["unit"] for p in queue.payloads()) == sorted(units)
    depth = queue.depth()
    assert [depth[("dossiers", s)] for s in ("ready", "delayed", "dead")] == [1, 1, 1]
    queue.close()
