"""The indicators of ``sohoa report``, live from the warehouse, rendered by the same HTML
report (workers/reports/html.py, its SVG charts included)."""

from __future__ import annotations

import datetime as dt

from pipeline.indicators.rates import AgencyTree, parse_period
from pipeline.indicators.report import build_report
from storage.indicator_facts import load_agencies, load_facts, load_operational
from storage.register_store import load_targets
from storage.warehouse import Warehouse

LEVELS = ("ministry", "province", "district", "commune")


def live_report(warehouse: Warehouse, period: str, level: str | None, agency: str | None) -> str:
    """The report's HTML page; ValueError on a period or level it does not know."""
    from workers.reports.html import to_html  # matplotlib: loaded only when needed

    start, end, _grain = parse_period(period)
    if level not in (None, *LEVELS):
        raise ValueError(f"unknown level {level!r}")
    built = build_report(
        load_facts(warehouse),
        AgencyTree(load_agencies(warehouse)),
        period=period,
        agency=agency,
        level=level,  # type: ignore[arg-type]
        targets=load_targets(warehouse) or None,
        operational=load_operational(warehouse, start, end),
        now=dt.datetime.now(dt.UTC),
    )
    return to_html(built)
