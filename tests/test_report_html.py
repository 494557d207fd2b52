"""The HTML report opened in real headless Chromium (Debian's chromium): it renders, logs no
console error, and loads nothing from outside the file."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

from PIL import Image

from pipeline.indicators.report import Operational, build_report
from tests.test_indicators import FIXTURE, TREE
from workers.reports.html import to_html

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--window-size=1200,2400",
]


def test_report_renders_in_chromium_without_console_errors(tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium package is needed (scripts/install.sh installs it)"
    report = build_report(
        FIXTURE,
        TREE,
        period="2025",
        operational=Operational(documents=9, pages=20, quarantined={"corrupt": 2}),
        now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    )
    page = tmp_path / "report.html"
    page.write_text(to_html(report), encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "external resource"
    assert "<script" not in text
    for level in ("province", "district", "commune"):
        assert level in text
    shot = tmp_path / "report.png"
    done = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console
    assert shot.exists()
    image = Image.open(shot).convert("L")
    low, high = image.getextrema()
    assert high - low > 100  # something was drawn, not a blank page
