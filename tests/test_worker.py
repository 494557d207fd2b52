"""The worker deployment end to end with real processes: ``sohoa worker`` (dramatiq on a real
Redis), the intake watcher, S3 (moto's server through the minio SDK), PostgreSQL, Tesseract and
real signatures. Small pages, few of them."""

from __future__ import annotations

import urllib.request

import pytest

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
from workers.watch import Watcher


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
    assert queue.depth()["ready"] == 2

    port = free_port()
    worker = start_sohoa(
        ["worker", "--processes", "1"],
        deploy.env(SOHOA_METRICS__PORT=str(port)),
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
    assert 'sohoa_queue_depth{state="ready"} 0.0' in metrics


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
