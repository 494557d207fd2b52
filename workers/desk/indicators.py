"""The indicators of ``sohoa report``, live from the warehouse, rendered by the same HTML
report (workers/reports/html.py, its SVG charts included)."""

from __future__ import annotations

from storage.warehouse import Warehouse
from workers.reports.build import warehouse_report


def live_report(warehouse: Warehouse, period: str, level: str | None, agency: str | None) -> str:
    """The report's HTML page; ValueError on a period or level it does not know."""
    from workers.reports.html import to_html  # matplotlib: loaded only when needed

    return to_html(warehouse_report(warehouse, period, level, agency))
