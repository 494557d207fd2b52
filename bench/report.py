"""Benchmark (not a test): `sohoa report` over a generated year of 100,000 dossiers.

    python bench/report.py [--dossiers N] [--url sqlite:///path | postgresql://...]

Fills a fresh warehouse with agencies at three levels and N register rows spread over 2025,
then times each step of a report: loading facts, computing indicators, rendering HTML.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from pipeline.indicators.rates import AgencyTree, parse_period
from pipeline.indicators.report import build_report
from storage import migrations
from storage.database import engine_for
from storage.indicator_facts import load_agencies, load_facts, load_operational
from storage.register_store import agencies, procedures
from storage.tables import dossiers
from storage.warehouse import Warehouse
from workers.reports.html import to_html
from workers.reports.render import to_json


def fill(url: str, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    engine = engine_for(url)
    migrations.upgrade(engine)
    province = "000.00.00.H56"
    rows = [dict(code=province, name="UBND tỉnh", level="province", parent_code=None)]
    departments = [f"000.{i:02d}.22.H56" for i in range(10, 30)]
    districts = [f"000.00.{i:02d}.H56" for i in range(31, 42)]
    communes = [f"000.{d[7:9]}.{j:02d}.H56" for d in districts for j in range(1, 11)]
    rows += [
        dict(code=c, name=f"Sở {c}", level="province", parent_code=province) for c in departments
    ]
    rows += [
        dict(code=c, name=f"Huyện {c}", level="district", parent_code=province) for c in districts
    ]
    rows += [
        dict(code=c, name=f"Xã {c}", level="commune", parent_code=f"000.00.{c[4:6]}.H56")
        for c in communes
    ]
    codes = [f"{rng.randint(1, 2)}.{rng.randint(0, 999999):06d}" for _ in range(300)]
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(agencies.insert(), rows)
        conn.execute(
            procedures.insert(),
            [dict(code=c, name=c, result_is_document=rng.random() < 0.7) for c in codes],
        )
        batch = []
        every = departments + communes + districts
        for i in range(count):
            agency = rng.choice(every)
            parts = rng.randint(0, 4)
            batch.append(
                dict(
                    agency=agency,
                    code=f"{agency}-25{i:06d}",
                    status="received",
                    source="bench",
                    procedure_code=rng.choice(codes),
                    received_at=start + dt.timedelta(minutes=rng.randint(0, 525_000)),
                    updated_at=now,
                    registered_at=now,
                    channel="online",
                    register_components=parts,
                    register_components_digitised=rng.randint(0, parts),
                    register_components_reused=rng.randint(0, parts) if rng.random() < 0.3 else 0,
                    register_result_electronic=rng.random() < 0.6,
                )
            )
            if len(batch) == 10_000:
                conn.execute(dossiers.insert(), batch)
                batch = []
        if batch:
            conn.execute(dossiers.insert(), batch)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    started = time.perf_counter()
    fill(url, args.dossiers)
    filled = time.perf_counter()
    warehouse = Warehouse.open(url)
    facts = load_facts(warehouse)
    tree = AgencyTree(load_agencies(warehouse))
    start, end, _ = parse_period("2025")
    operational = load_operational(warehouse, start, end)
    loaded = time.perf_counter()
    report = build_report(
        facts, tree, period="2025", operational=operational, now=dt.datetime.now(dt.UTC)
    )
    computed = time.perf_counter()
    text = to_json(report)
    page = to_html(report)
    rendered = time.perf_counter()
    fill_s = filled - started
    print(f"warehouse      {url.split(':')[0]}, {len(facts):,} dossiers ({fill_s:.1f} s to fill)")
    print(f"load facts     {loaded - filled:6.2f} s")
    print(f"indicators     {computed - loaded:6.2f} s  ({len(report.by_agency):,} agency rows)")
    print(f"JSON + HTML    {rendered - computed:6.2f} s  ({len(text):,} + {len(page):,} bytes)")
    print(f"report total   {rendered - filled:6.2f} s")


if __name__ == "__main__":
    main()
