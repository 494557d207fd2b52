"""A worker process that cannot work (its signing key went bad after ``sohoa worker`` checked
it) stops with a clear message and exit code 8; the message it had taken is never
dead-lettered for the worker's own fault, and a worker that can work digitises it. Real
processes: dramatiq's worker process on a real Redis, S3 on moto, PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

import pytest

from storage.intake_ledger import IntakeLedger
from storage.queue import DossierQueue, pages_queue
from tests.distributed import AGENCY, deployment, drop_folder, page, wait_for_statuses
from tests.services import REPO, start_sohoa, stop_process, wait_until
from workers.intake.watcher import Watcher

CODE = f"{AGENCY}-240315-0001"


@pytest.fixture
def deploy(s3_place, postgres_url, redis_url, queue_namespace, tmp_path):
    return deployment(s3_place, postgres_url, redis_url, tmp_path / "data", queue_namespace)


@pytest.mark.e2e
def test_a_worker_whose_key_went_bad_stops_and_the_message_waits_for_a_good_one(
    deploy, tmp_path
):
    store, warehouse, settings = deploy.store(), deploy.warehouse(), deploy.settings()
    manifest = {"dossier_code": CODE, "agency": AGENCY, "documents": [{"name": "don",
                                                                       "files": ["trang-1.png"]}]}
    drop_folder(store, "ho-so-1", {"trang-1.png": page("Về việc cấp phép")}, manifest)
    queue = DossierQueue.open(settings.queue)
    Watcher(store, IntakeLedger(warehouse), queue.send, settings.watch).scan()
    key, password = tmp_path / "agency.p12", tmp_path / "agency.password"
    key.write_bytes(b"a PKCS#12 file damaged since the preflight")
    password.write_text("mat-khau")
    env = deploy.env(SOHOA_SIGNING_PKCS12=str(key), SOHOA_SIGNING_PASSWORD_FILE=str(password))
    log = tmp_path / "bad-worker.log"
    command = [sys.executable, "-m", "dramatiq", "workers.queue.actors", "--processes", "1",
               "--queues", settings.queue.name, pages_queue(settings.queue)]
    with log.open("wb") as out:  # dramatiq's own start, as ``sohoa worker`` makes it
        worker = subprocess.Popen(command, env=env, cwd=REPO, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    dead = (settings.queue.name, "dead")
    try:
        wait_until(lambda: worker.poll() is not None or queue.depth()[dead], timeout=120,
                   what="the worker to stop or the message to be dead-lettered")
    finally:
        stop_process(worker)
    said = log.read_text()
    assert queue.depth()[dead] == 0, said  # not dead-lettered for the worker's own fault
    assert worker.returncode == 8, said
    assert "cannot work" in said and "PKCS#12" in said, said
    good = start_sohoa(["worker"], deploy.env(), tmp_path / "good-worker.log")
    try:
        wait_for_statuses(warehouse, {CODE: "digitised"})
    finally:
        stop_process(good)
