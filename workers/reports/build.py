"""A report of the indicators from the warehouse, as it is now: the one place ``sohoa report``
and the desk's indicators page build it."""

from __future__ import annotations

import datetime as dt

from pipeline.indicators.rates import AgencyTree, parse_period
from pipeline.indicators.report import Report, build_report
from storage.indicator_facts import load_agencies, load_facts, load_operational
from storage.register_store import load_targets
from storage.warehouse import Warehouse
from workers.reports.render import LEVELS


def checked_period(period: str, level: str | None) -> tuple[dt.date, dt.date]:
    """The period's first and last day; ValueError on a period or level it does not know."""
    start, end, _grain = parse_period(period)
    if level not in (None, *LEVELS):
        raise ValueError(f"unknown level {level!r}")
    return start, end


def warehouse_report(
    warehouse: Warehouse, period: str, level: str | None, agency: str | None
) -> Report:
    """The indicators for ``period`` (2024, 2024-Q1, 2024-03), one level or all, one agency
    and those under it or all; ValueError on a period or level it does not know."""
    start, end = checked_period(period, level)
    return build_report(
        load_facts(warehouse),
        AgencyTree(load_agencies(warehouse)),
        period=period,
        agency=agency,
        level=level,  # type: ignore[arg-type]
        targets=load_targets(warehouse) or None,
        operational=load_operational(warehouse, start, end),
        now=dt.datetime.now(dt.UTC),
    )
