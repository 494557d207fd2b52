"""`sohoa register ...` and `sohoa report` end to end, over SQLite and PostgreSQL: the same
register gives the same report on both, and the figures are the ones computed by hand."""

from __future__ import annotations

import json
import subprocess
import sys

from storage import migrations
from storage.database import engine_for
from tests.services import REPO, sohoa_env

AGENCIES = """code,name,level,parent,valid_from,valid_to
000.00.00.H56,UBND tỉnh Đồng Nai,province,,,
000.17.22.H56,Sở Tư pháp,province,000.00.00.H56,,
000.00.31.H56,UBND huyện Long Thành,district,000.00.00.H56,,2025-07-01
000.31.01.H56,UBND xã An Phước,commune,000.00.31.H56,,2025-07-01
000.31.01.H56,UBND xã An Phước,commune,000.00.00.H56,2025-07-01,
"""
REGISTER = """\
dossier_code,agency,procedure_code,received_at,channel,components,components_digitised,\
components_reused,result_issued_electronically,result_is_document
000.17.22.H56-250301-0001,000.17.22.H56,2.002622,2025-03-01,counter,2,2,0,1,1
000.17.22.H56-250302-0002,000.17.22.H56,2.002622,2025-03-02,online,2,1,0,1,1
000.17.22.H56-250809-0003,000.17.22.H56,2.002622,2025-08-09,online,1,1,1,0,1
000.31.01.H56-250505-0004,000.31.01.H56,1.001234,2025-05-05,counter,1,1,0,0,0
000.31.01.H56-250905-0005,000.31.01.H56,1.001234,2025-09-05,post,1,0,1,0,0
000.00.31.H56-250101-0006,000.00.31.H56,2.002622,2025-01-01,counter,0,0,0,1,1
000.17.22.H56-250102-0007,000.17.22.H56,2.002622,2025-13-02,counter,1,1,0,1,1
"""
TARGETS = "indicator,level,year,percent\n4.2,commune,2025,45\n"


def run(url, tmp_path, *args):
    env = sohoa_env(SOHOA_WAREHOUSE_URL=url, SOHOA_DATA=str(tmp_path / "data"))
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_and_report(url, tmp_path):
    for name, text in (
        ("agencies.csv", AGENCIES),
        ("register.csv", REGISTER),
        ("targets.csv", TARGETS),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert (
        run(url, tmp_path, "register", "agencies", str(tmp_path / "agencies.csv")).returncode == 0
    )
    assert run(url, tmp_path, "register", "targets", str(tmp_path / "targets.csv")).returncode == 0
    first = run(url, tmp_path, "register", "import", str(tmp_path / "register.csv"))
    assert first.returncode == 7, first.stdout + first.stderr
    assert "register.csv:8" in first.stdout and "received_at" in first.stdout
    assert "6 rows loaded (6 new), 1 rejected" in first.stdout
    again = run(url, tmp_path, "register", "import", str(tmp_path / "register.csv"))
    assert "6 rows loaded (0 new), 1 rejected" in again.stdout
    done = run(url, tmp_path, "report", "--period", "2025", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    report.pop("generated_at")
    return report


def figures(report, dimension):
    return {
        (r["group"], r["indicator"]): (
            r["numerator"],
            r["denominator"],
            r["rate_percent"],
            r["target_percent"],
        )
        for r in report["indicators"]
        if r["dimension"] == dimension
    }


def test_sqlite_and_postgresql_give_the_same_hand_checked_report(tmp_path, postgres_url):
    engine = engine_for(postgres_url)
    migrations.upgrade(engine)
    engine.dispose()
    (tmp_path / "lite").mkdir()
    (tmp_path / "pg").mkdir()
    lite = load_and_report(f"sqlite:///{tmp_path / 'lite' / 'w.sqlite'}", tmp_path / "lite")
    pg = load_and_report(postgres_url, tmp_path / "pg")
    assert lite == pg
    assert lite["dossiers"] == 6
    level = figures(lite, "level")
    assert level[("province", "4.1")] == (2, 3, "66.67", "80.00")  # 2024 plan carried over
    assert level[("province", "4.2")] == (1, 3, "33.33", "70.00")
    assert level[("district", "4.2")] == (1, 1, "100.00", "40.00")
    assert level[("commune", "4.2")] == (1, 2, "50.00", "45.00")  # the loaded 2025 target
    assert level[("commune", "4.1")] == (0, 0, "N/A", "20.00")
    agency = figures(lite, "agency")
    assert agency[("000.00.00.H56", "4.2")][:2] == (3, 6)  # the province and all below it
    assert agency[("000.00.31.H56", "4.2")][:2] == (2, 2)  # the commune's May dossier rolls up


def test_report_formats_and_bad_period(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    (tmp_path / "register.csv").write_text(REGISTER, encoding="utf-8")
    run(url, tmp_path, "register", "import", str(tmp_path / "register.csv"))
    table = run(url, tmp_path, "report", "--period", "2025-Q1")
    assert table.returncode == 0 and "4.2 dossiers digitised" in table.stdout
    csv_out = tmp_path / "r.csv"
    assert (
        run(
            url, tmp_path, "report", "--period", "2025", "--format", "csv", "--out", str(csv_out)
        ).returncode
        == 0
    )
    assert csv_out.read_text().startswith("dimension,group,")
    html_out = tmp_path / "r.html"
    assert (
        run(
            url,
            tmp_path,
            "report",
            "--format",
            "html",
            "--out",
            str(html_out),
            "--period",
            "2025-03",
        ).returncode
        == 0
    )
    assert "<svg" in html_out.read_text()
    assert run(url, tmp_path, "report", "--period", "2025-Q5").returncode == 2
