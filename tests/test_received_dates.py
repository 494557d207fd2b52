"""Dossiers are counted by the day they were received, as the dossier says: its manifest's
received_date, else when it was dropped, never when a worker got to it. A dossier received
last month and digitised today counts in last month. In-process runtime (file store, SQLite,
a development key, real Tesseract)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os

from pipeline.indicators.rates import AgencyTree
from pipeline.indicators.report import build_report
from schemas.messages import IntakeMessage
from schemas.settings import load_settings
from storage.dates import VIETNAM, day_in_vietnam, start_of_day
from storage.indicator_facts import load_facts, load_operational
from tests.distributed import AGENCY, drop_folder, page
from workers.queue.redigitise import Selection, select
from workers.queue.runtime import WorkerRuntime


def months() -> tuple[dt.date, dt.date]:
    """The first days of last month and of this month, in Vietnam."""
    this = dt.datetime.now(VIETNAM).date().replace(day=1)
    return (this - dt.timedelta(days=1)).replace(day=1), this


def test_a_dossier_received_last_month_counts_in_last_month(tmp_path):
    last, this = months()
    settings = load_settings({"SOHOA_DATA": str(tmp_path / "data")})
    runtime = dataclasses.replace(WorkerRuntime.from_settings(settings), pipeline_version="1")
    stated = last + dt.timedelta(days=1)
    code = f"{AGENCY}-{stated:%y%m%d}-0001"
    manifest = {
        "dossier_code": code,
        "received_date": stated.isoformat(),
        "documents": [{"name": "giay-phep", "files": ["trang-1.png"]}],
    }
    unit = drop_folder(
        runtime.store, "co-ngay", {"trang-1.png": page("Về việc cấp phép")}, manifest
    )
    lone = f"intake/{AGENCY}/khong-ngay.png"  # no manifest: received when it was dropped
    runtime.store.put(lone, page("Về việc thành lập", "06"))
    dropped = start_of_day(last + dt.timedelta(days=3)) + dt.timedelta(hours=10)
    path = settings.data / "objects" / lone
    os.utime(path, (dropped.timestamp(), dropped.timestamp()))
    assert runtime.digitise(IntakeMessage(unit=unit), owner="m-1") == "digitised"
    assert runtime.digitise(IntakeMessage(unit=lone), owner="m-2") == "digitised"

    facts = {f.code: f for f in load_facts(runtime.warehouse)}
    assert facts[code].received == stated
    assert facts["khong-ngay"].received == day_in_vietnam(dropped)
    tree = AgencyTree([])
    now = dt.datetime.now(dt.UTC)
    before = build_report(list(facts.values()), tree, period=f"{last:%Y-%m}", now=now)
    assert before.dossiers == 2
    assert build_report(list(facts.values()), tree, period=f"{this:%Y-%m}", now=now).dossiers == 0
    operational = load_operational(runtime.warehouse, last, this)
    assert operational.documents == 2
    hours = operational.median_hours_to_digitised
    assert hours is not None and hours > 24  # received days ago, not when it was processed
    # re-digitisation selects by the same days
    w = runtime.warehouse
    assert len(select(w, Selection(since=last, until=this - dt.timedelta(days=1)))) == 2
    assert select(w, Selection(since=this)) == []
    (only,) = select(w, Selection(since=stated, until=stated))  # its day, in Vietnam
    assert w.dossier(only).code == code
