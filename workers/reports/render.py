"""A report as a terminal table, CSV and JSON for the national reporting sheet, or a
self-contained HTML page with SVG charts (no scripts, no CDN: it works offline)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from pipeline.indicators.rates import INDICATORS
from pipeline.indicators.report import Report

LEVELS = ("ministry", "province", "district", "commune")


def _pct(value: Decimal | None) -> str:
    return "N/A" if value is None else f"{value:.2f}"


def _records(report: Report) -> list[dict[str, object]]:
    out = []
    for dimension, rows in (
        ("level", report.by_level),
        ("agency", report.by_agency),
        ("procedure", report.by_procedure),
        ("month", report.monthly),
    ):
        for row in rows:
            out.append(
                {
                    "dimension": dimension,
                    "group": row.group,
                    "group_name": report.agency_names.get(row.group, "")
                    if dimension == "agency"
                    else "",
                    "period": row.period,
                    "indicator": row.indicator,
                    "indicator_name": INDICATORS[row.indicator],
                    "numerator": row.rate.numerator,
                    "denominator": row.rate.denominator,
                    "rate_percent": _pct(row.rate.percent),
                    "points_of_1": _pct(row.rate.points()) if row.indicator != "4.1" else "",
                    "target_percent": _pct(row.target) if row.target is not None else "",
                    "meets_target": ""
                    if row.meets_target is None
                    else ("yes" if row.meets_target else "no"),
                }
            )
    return out


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    records = _records(report)
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]) if records else ["dimension"])
    writer.writeheader()
    writer.writerows(records)
    return buffer.getvalue()


def to_json(report: Report) -> str:
    op = report.operational
    return json.dumps(
        {
            "period": report.period,
            "scope": report.scope,
            "generated_at": report.generated_at.isoformat(),
            "dossiers": report.dossiers,
            "indicators": _records(report),
            "operational": {
                "documents": op.documents,
                "pages": op.pages,
                "pages_per_day": {d.isoformat(): n for d, n in sorted(op.pages_per_day.items())},
                "quarantined_by_reason": dict(sorted(op.quarantined.items())),
                "quarantine_rate_percent": _pct(op.quarantine_rate),
                "median_hours_received_to_digitised": op.median_hours_to_digitised,
                "signatures_awaiting_acceptance": op.unconfirmed_signatures,
            },
        },
        ensure_ascii=False,
        indent=1,
    )


def to_table(report: Report, console: Console) -> None:
    table = Table(
        title=f"Digitisation indicators {report.period} ({report.scope}), "
        f"{report.dossiers} dossiers received"
    )
    for column in ("level", "indicator", "numerator / denominator", "rate %", "target %", "met"):
        table.add_column(column, justify="right" if "%" in column else "left")
    for row in sorted(
        report.by_level,
        key=lambda r: (LEVELS.index(r.group) if r.group in LEVELS else 9, r.indicator),
    ):
        met = {None: "", True: "[green]yes", False: "[red]no"}[row.meets_target]
        table.add_row(
            row.group,
            f"{row.indicator} {INDICATORS[row.indicator]}",
            f"{row.rate.numerator} / {row.rate.denominator}",
            _pct(row.rate.percent),
            _pct(row.target) if row.target is not None else "",
            met,
        )
    console.print(table)
    op = report.operational
    hours = op.median_hours_to_digitised
    console.print(
        f"documents {op.documents}, pages {op.pages}, quarantine rate {_pct(op.quarantine_rate)}%"
        f", median hours from receipt to digitised {'N/A' if hours is None else f'{hours:.1f}'}"
    )
    if op.unconfirmed_signatures:
        console.print(
            f"[yellow]{op.unconfirmed_signatures} signed inputs kept with a signature not "
            "confirmed[/yellow]: not counted in 4.1 until accepted (sohoa accept --list)"
        )
