"""Re-digitisation: result version N+1 beside N, selections, and the resumable batch command.
The worker's runtime runs in-process here (file store, SQLite, a development key); the queue
is a real Redis."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from schemas.messages import IntakeMessage, RedigitiseMessage
from schemas.results import Sidecar
from schemas.settings import load_settings
from storage.batches import Batches
from tests.distributed import AGENCY, document_rows, page
from tests.services import REPO, sohoa_env
from workers.queue.redigitise import Selection, select, version_key
from workers.queue.runtime import WorkerRuntime

CODE = f"{AGENCY}-240315-0042"


@pytest.fixture
def digitised(tmp_path):
    """One dossier digitised by pipeline version 1: a document and a quarantined file."""
    settings = load_settings({"SOHOA_DATA": str(tmp_path / "data")})
    runtime = dataclasses.replace(WorkerRuntime.from_settings(settings), pipeline_version="1")
    prefix = f"intake/{AGENCY}/ho-so-42/"
    runtime.store.put(prefix + "trang-1.png", page("Về việc cấp giấy phép"))
    runtime.store.put(prefix + "ghi-chu.txt", "không phải ảnh".encode())
    manifest = {
        "dossier_code": CODE,
        "received_date": "2024-03-15",
        "documents": [
            {"name": "giay-phep", "files": ["trang-1.png"], "metadata": {"code_number": "42"}}
        ],
    }
    runtime.store.put(prefix + "manifest.json", json.dumps(manifest).encode())
    assert runtime.digitise(IntakeMessage(unit=prefix), owner="test-1") == "quarantined"
    return runtime, settings


def test_a_newer_pipeline_gives_version_n_plus_1_and_keeps_n(digitised):
    runtime, _settings = digitised
    (dossier_id,) = select(runtime.warehouse, Selection(older_than_version="2"))
    assert list(runtime.store.list("intake/")) == []
    newer = dataclasses.replace(runtime, pipeline_version="2")
    newer.digitise(RedigitiseMessage(dossier_id=dossier_id), owner="test-2")
    base = f"results/{AGENCY}/2024/{CODE}/giay-phep"
    results = sorted(k for k in runtime.store.list("results/"))
    assert results == [f"{base}.v1.json", f"{base}.v1.pdf", f"{base}.v2.json", f"{base}.v2.pdf"]
    sidecar = Sidecar.model_validate_json(runtime.store.get(f"{base}.v2.json"))
    assert (sidecar.pipeline_version, sidecar.result_version) == ("2", 2)
    assert sidecar.metadata.code_number == "42"  # the clerk's manifest came back too
    rows = [
        (r["name"], r["pipeline_version"], r["status"], r["result_version"])
        for r in document_rows(runtime.warehouse)
    ]
    assert sorted(rows) == [
        ("ghi-chu", "1", "quarantined", None),
        ("ghi-chu", "2", "quarantined", None),  # re-run from its quarantined bytes
        ("giay-phep", "1", "digitised", 1),
        ("giay-phep", "2", "digitised", 2),
    ]
    assert select(runtime.warehouse, Selection(older_than_version="2")) == []
    newer.digitise(RedigitiseMessage(dossier_id=dossier_id), owner="test-3")  # same version
    assert len(list(runtime.store.list("results/"))) == 4  # already digitised: no v3


def test_selections(digitised):
    runtime, _ = digitised
    w = runtime.warehouse
    assert select(w, Selection(status="quarantined")) == select(w, Selection())
    assert select(w, Selection(status="failed")) == []
    assert select(w, Selection(agency="000.00.00.H00")) == []
    assert version_key("1.10") > version_key("1.9") > version_key("1") and version_key(
        "10"
    ) > version_key("9")


def test_a_dossier_stuck_retrying_is_rerun_from_its_intake(digitised):
    """What a lost message leaves: the dossier ``retrying``, its files still in the intake.
    Selected by status or by code, it is digitised from the intake, which is then released."""
    runtime, _ = digitised
    w, unit = runtime.warehouse, f"intake/{AGENCY}/ho-so-43/"
    runtime.store.put(unit + "trang-1.png", page("Về việc gia hạn giấy phép", "43"))
    dossier_id = w.ensure_dossier(AGENCY, "ho-so-43", source=unit)
    w.set_dossier_status(dossier_id, "retrying", error_reason="queue-unavailable", error="lost")
    assert select(w, Selection(status="retrying")) == [dossier_id]
    assert select(w, Selection(status="failed")) == []
    assert select(w, Selection(dossier="ho-so-43")) == [dossier_id]
    assert select(w, Selection(dossier="ho-so-43", status="quarantined")) == []
    message = RedigitiseMessage(dossier_id=dossier_id)
    assert runtime.digitise(message, owner="test-4") == "digitised"
    assert w.dossier(dossier_id).status == "digitised"
    assert list(runtime.store.list(unit)) == []
    assert select(w, Selection(status="retrying")) == []


def test_the_batch_command_is_resumable(digitised, redis_url, queue_namespace, tmp_path):
    _runtime, settings = digitised
    env = sohoa_env(
        SOHOA_DATA=str(settings.data),
        SOHOA_QUEUE__URL=redis_url,
        SOHOA_QUEUE__NAMESPACE=queue_namespace,
    )

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "workers.cli", "redigitise", *args],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )

    dry = run("--dry-run", "--agency", AGENCY, "--since", "2000-01-01")
    assert dry.returncode == 0 and "1 dossier(s) would be digitised again" in dry.stdout
    first = run("--no-wait", "--status", "quarantined")
    assert first.returncode == 0 and "batch 1 started: 1 dossier(s) enqueued" in first.stdout
    again = run("--no-wait", "--status", "quarantined")  # interrupted before it finished
    assert "batch 1 resumed: 1 dossier(s) enqueued" in again.stdout
    import redis

    queued = redis.Redis.from_url(redis_url).llen(f"{queue_namespace}:dossiers")
    assert queued == 2  # sent again on resuming: duplicates are harmless
    progress = Batches(_runtime.warehouse).progress(1)
    assert (progress.total, progress.enqueued, progress.done) == (1, 1, 0)
