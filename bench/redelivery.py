"""How long a crashed worker's message takes to come back: kill -9 a worker mid-dossier,
restart it at once, and time until the dossier is picked up again and until it is digitised.

    python bench/redelivery.py [--heartbeat-s 15] [--maintenance 1.0]

``--heartbeat-s 60 --maintenance 0.001`` are dramatiq's defaults, for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from schemas.messages import IntakeMessage  # noqa: E402
from storage.queue import DossierQueue  # noqa: E402
from storage.tables import events  # noqa: E402
from tests.distributed import AGENCY, deployment, drop_folder, wait_for_statuses  # noqa: E402
from tests.services import (  # noqa: E402
    MotoServer,
    RedisServer,
    children_of,
    make_s3_place,
    start_sohoa,
    stop_process,
    wait_until,
)
from tests.test_faults import _full_page  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--heartbeat-s", default="15")
    parser.add_argument("--maintenance", default="1.0")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sohoa-redelivery-"))
    redis_server, moto = RedisServer(work / "redis").start(), MotoServer().start()
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    database = f"sohoa_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    deploy = deployment(
        make_s3_place(moto.endpoint, work),
        admin.rsplit("/", 1)[0] + f"/{database}",
        redis_server.url,
        work / "data",
    )
    env = deploy.env(
        SOHOA_QUEUE__HEARTBEAT_TIMEOUT_S=args.heartbeat_s,
        SOHOA_QUEUE__MAINTENANCE_PROBABILITY=args.maintenance,
    )
    store, warehouse = deploy.store(), deploy.warehouse()
    pages = {f"trang-{i}.png": _full_page(i) for i in range(1, 7)}
    unit = drop_folder(store, "ho-so-1", pages, {"dossier_code": f"{AGENCY}-240315-0001"})
    DossierQueue.open(deploy.settings().queue).send(IntakeMessage(unit=unit).model_dump())

    def inspections() -> int:
        with warehouse.transaction() as conn:
            return conn.execute(
                sa.select(sa.func.count()).where(events.c.stage == "inspect")
            ).scalar_one()

    first = start_sohoa(["worker"], env, work / "worker.log")
    wait_until(inspections, timeout=120, what="OCR to begin")
    for pid in children_of(first.pid):
        os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    first.wait(timeout=60)
    before = inspections()
    restarted = time.monotonic()
    second = start_sohoa(["worker"], env, work / "worker.log")
    try:
        wait_until(lambda: inspections() > before, timeout=900, interval=0.2, what="redelivery")
        picked_up = time.monotonic()
        wait_for_statuses(warehouse, {f"{AGENCY}-240315-0001": "digitised"}, timeout=300)
        done = time.monotonic()
        results = sorted(k for k in store.list("results/") if k.endswith(".pdf"))
    finally:
        stop_process(second)
        redis_server.stop()
        moto.stop()
        warehouse.engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    print(
        json.dumps(
            {
                "heartbeat_timeout_s": float(args.heartbeat_s),
                "maintenance_probability": float(args.maintenance),
                "group_down_after_kill_s": round(restarted - killed, 1),
                "picked_up_after_restart_s": round(picked_up - restarted, 1),
                "digitised_after_restart_s": round(done - restarted, 1),
                "results": results,
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
