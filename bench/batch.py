"""A 50-dossier batch through the distributed deployment, measured.

Starts its own services on loopback (redis-server, moto's S3 server, a fresh PostgreSQL
database on the local server), drops N dossier folders (manifest.json last) into the intake,
runs ``sohoa watch`` and ``sohoa worker --processes P`` as real processes, waits (bounded) until
every dossier is in a final state, then counts: results, duplicates, warehouse rows against
objects. Prints one JSON summary.

    python bench/batch.py [--dossiers 50] [--processes 2] [--pages 1]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import sqlalchemy as sa
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from storage import migrations  # noqa: E402
from storage.database import engine_for  # noqa: E402
from storage.tables import documents, dossiers  # noqa: E402
from storage.warehouse import Warehouse  # noqa: E402
from tests.memory import PeakMemory  # noqa: E402
from tests.services import (  # noqa: E402
    MotoServer,
    RedisServer,
    make_s3_place,
    sohoa_env,
    start_sohoa,
    stop_process,
    wait_until,
)

AGENCY = "000.17.22.H56"
FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def scan(number: int, page: int) -> bytes:
    """An A5 page at 150 dpi with an administrative header and a few lines of body."""
    image = Image.new("RGB", (874, 1240), "white")
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(FONT, 24)
    lines = [
        "UBND TỈNH ĐỒNG NAI",
        f"Số: {number:03d}/2024/QĐ-UBND",
        "Biên Hòa, ngày 05 tháng 02 năm 2024",
        "QUYẾT ĐỊNH",
        f"Về việc cấp giấy phép số {number} (trang {page})",
    ] + [f"Điều {i}. Tổ chức thực hiện việc số hóa hồ sơ thủ tục hành chính." for i in range(1, 9)]
    for i, line in enumerate(lines):
        draw.text((70, 80 + i * 42), line, font=font, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(150, 150))
    return out.getvalue()


def sample_scans(count: int, seed: int = 7, distinct: int = 16) -> list[bytes]:
    """``count`` realistic pages: 300-dpi degraded samples from ``sohoa samples`` (as PNG),
    at most ``distinct`` different ones, repeated (a sample page takes seconds to make)."""
    from samplegen.samples import generate_documents

    pages: list[bytes] = []
    wanted = min(count, distinct)
    for doc in generate_documents(wanted, seed, 300, clean_ratio=0.0, turned_ratio=0.0):
        for sample in doc.pages:
            out = io.BytesIO()
            sample.image.save(out, "PNG", dpi=(300, 300))
            pages.append(out.getvalue())
    pages = pages[:wanted]
    return [pages[n % len(pages)] for n in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=50)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--pages", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--samples", action="store_true", help="300-dpi degraded sample pages")
    args = parser.parse_args()
    summary = run_batch(args.dossiers, args.pages, args.processes, args.timeout, args.samples)
    print(json.dumps(summary, indent=1))
    ok = (
        summary["result_pdfs"] == args.dossiers
        and summary["duplicate_results"] == 0
        and summary["documents_digitised_in_warehouse"] == summary["result_pdfs"]
        and summary["originals_recorded"] + summary["original_manifests"]
        == summary["originals_objects"]
    )
    return 0 if ok else 1


def run_batch(
    dossier_count: int, page_count: int, process_count: int, timeout: float, samples: bool
) -> dict:
    realistic = sample_scans(page_count) if samples else None
    work = Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    redis_server = RedisServer(work / "redis").start()
    moto = MotoServer().start()
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    database = f"sohoa_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    warehouse_url = admin.rsplit("/", 1)[0] + f"/{database}"
    engine = engine_for(warehouse_url)
    migrations.upgrade(engine)
    engine.dispose()
    place = make_s3_place(moto.endpoint, work)
    store, warehouse = place.store(), Warehouse.open(warehouse_url)
    env = sohoa_env(
        **place.env(),
        SOHOA_WAREHOUSE_URL=warehouse_url,
        SOHOA_QUEUE__URL=redis_server.url,
        SOHOA_DATA=str(work / "data"),
        SOHOA_WATCH__LIST_INTERVAL_S="2",
        SOHOA_WATCH__STABLE_S="2",
    )
    processes = []
    try:
        # The key is created once up front, as `sohoa worker` does before its processes start.
        started = time.monotonic()
        for n in range(1, dossier_count + 1):
            prefix = f"intake/{AGENCY}/ho-so-{n:03d}/"
            files = [f"trang-{p}.png" for p in range(1, page_count + 1)]
            for p, name in enumerate(files, 1):
                store.put(prefix + name, realistic[p - 1] if realistic else scan(n, p))
            manifest = {
                "dossier_code": f"{AGENCY}-240315-{n:04d}",
                "received_date": "2024-03-15",
                "documents": [{"name": "quyet-dinh", "files": files}],
            }
            store.put(prefix + "manifest.json", json.dumps(manifest).encode())
        dropped = time.monotonic()
        processes.append(start_sohoa(["watch"], env, work / "watch.log"))
        processes.append(
            start_sohoa(["worker", "--processes", str(process_count)], env, work / "worker.log")
        )
        memory = PeakMemory(processes[-1].pid)

        def finished() -> Counter[str] | None:
            with warehouse.transaction() as conn:
                statuses = Counter(conn.execute(sa.select(dossiers.c.status)).scalars())
            final = statuses["digitised"] + statuses["quarantined"] + statuses["failed"]
            return statuses if final >= dossier_count else None

        statuses = wait_until(finished, timeout=timeout, interval=0.5, what="the batch")
        done = time.monotonic()
        peaks = memory.stop()
    finally:
        for process in processes:
            stop_process(process)
    with warehouse.transaction() as conn:
        rows = conn.execute(sa.select(documents)).mappings().all()
    pdfs = [k for k in store.list("results/") if k.endswith(".pdf")]
    sidecars = [k for k in store.list("results/") if k.endswith(".json")]
    originals = set(store.list("originals/"))
    recorded_originals = {i["original_key"] for r in rows for i in r["inputs"]}
    per_document = Counter((r["dossier_id"], r["name"]) for r in rows if r["status"] == "digitised")
    summary = {
        "dossiers": dossier_count,
        "pages_per_dossier": page_count,
        "worker_processes": process_count,
        "cores": os.cpu_count(),
        "dossier_statuses": dict(statuses),
        "result_pdfs": len(pdfs),
        "sidecars": len(sidecars),
        "duplicate_results": len(pdfs) - len(set(pdfs)) + sum(n - 1 for n in per_document.values()),
        "documents_digitised_in_warehouse": sum(r["status"] == "digitised" for r in rows),
        "result_keys_in_warehouse": len({r["result_key"] for r in rows if r["result_key"]}),
        "originals_objects": len(originals),
        "originals_recorded": len(recorded_originals),
        "original_manifests": sum(k.endswith(".json") for k in originals),
        "intake_left": len(list(store.list("intake/"))),
        "drop_seconds": round(dropped - started, 1),
        "wall_seconds_drop_to_done": round(done - started, 1),
        "wall_seconds_from_start_to_done": round(done - dropped, 1),
        "seconds_per_dossier": round((done - dropped) / dossier_count, 2),
        # `sohoa worker` itself, its largest worker process, the largest Tesseract or qpdf
        "peak_rss_mb": {
            "worker_main": peaks["root"],
            "worker_process": peaks["child"],
            "tesseract_or_qpdf": peaks["grandchild"],
        },
    }
    redis_server.stop()
    moto.stop()
    warehouse.engine.dispose()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return summary


if __name__ == "__main__":
    sys.exit(main())
