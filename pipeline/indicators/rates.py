"""Digitisation-rate indicators of Decision 766/QĐ-TTg (DOMAIN.md), as pure functions.

    4.1 electronic results  dossiers whose result was issued as a signed electronic file
                            / dossiers of procedures whose result is a document
    4.2 dossiers digitised  dossiers with every component digitised AND (where the procedure
                            has a document result) an electronic result / dossiers received
    4.3 reuse               dossiers with >= 1 component reused from earlier digitised data
                            / dossiers received

Rates have two decimals (percent); N/A (None) when the denominator is 0. Scoring: a rate of
80% or more earns full points, otherwise rate x max / 80%.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from schemas.indicators import Agency, DossierFacts

IndicatorCode = Literal["4.1", "4.2", "4.3"]
INDICATORS: dict[IndicatorCode, str] = {
    "4.1": "electronic results issued",
    "4.2": "dossiers digitised",
    "4.3": "reuse of digitised data",
}
FULL_POINTS_AT = Decimal("80")


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        value = Decimal(self.numerator) * 100 / Decimal(self.denominator)
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def points(self, maximum: Decimal = Decimal(1)) -> Decimal | None:
        """Decision 766 scoring: full points at 80% or more, else rate x max / 80%."""
        percent = self.percent
        if percent is None:
            return None
        if percent >= FULL_POINTS_AT:
            return maximum.quantize(Decimal("0.01"))
        return (percent * maximum / FULL_POINTS_AT).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.numerator + other.numerator, self.denominator + other.denominator)


ZERO = Rate(0, 0)


def indicator_rates(dossier: DossierFacts) -> dict[IndicatorCode, Rate]:
    """One dossier's contribution to each indicator's numerator and denominator."""
    all_digitised = dossier.components_digitised >= dossier.components
    result_ok = dossier.electronic_result or not dossier.result_is_document
    return {
        "4.1": Rate(
            int(dossier.result_is_document and dossier.electronic_result),
            int(dossier.result_is_document),
        ),
        "4.2": Rate(int(all_digitised and result_ok), 1),
        "4.3": Rate(int(dossier.components_reused > 0), 1),
    }


def period_of(day: dt.date, grain: Literal["year", "quarter", "month"]) -> str:
    if grain == "year":
        return f"{day.year}"
    if grain == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def parse_period(text: str) -> tuple[dt.date, dt.date, Literal["year", "quarter", "month"]]:
    """'2024', '2024-Q1' or '2024-03' -> [start, end) and its grain; ValueError otherwise."""
    if len(text) == 4 and text.isdigit():
        year = int(text)
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1), "year"
    if len(text) == 7 and text[4:6] == "-Q" and text[:4].isdigit() and text[6] in "1234":
        year, quarter = int(text[:4]), int(text[6])
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        return start, end, "quarter"
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        year, month = int(text[:4]), int(text[5:])
        if 1 <= month <= 12:
            end = dt.date(year + (month == 12), month % 12 + 1, 1)
            return dt.date(year, month, 1), end, "month"
    raise ValueError(f"period {text!r} is not YYYY, YYYY-Qn or YYYY-MM")


class AgencyTree:
    """Agencies with their parents; the level of an agency is the one valid on a given day."""

    def __init__(self, agencies: Iterable[Agency]) -> None:
        self.versions: dict[str, list[Agency]] = defaultdict(list)
        for agency in agencies:
            self.versions[agency.code].append(agency)

    def on(self, code: str, day: dt.date) -> Agency | None:
        versions = self.versions.get(code, [])
        return next((a for a in versions if a.valid_on(day)), versions[-1] if versions else None)

    def ancestors(self, code: str, day: dt.date) -> list[str]:
        """The agency itself, then its parent, grandparent ... as of ``day``."""
        chain, seen = [], set()
        current: str | None = code
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(current)
            agency = self.on(current, day)
            current = agency.parent if agency else None
        return chain


@dataclass(frozen=True)
class IndicatorRow:
    group: str  # e.g. an agency code, a level, a procedure, or "all"
    period: str
    indicator: IndicatorCode
    rate: Rate
    target: Decimal | None = None

    @property
    def meets_target(self) -> bool | None:
        percent = self.rate.percent
        return None if percent is None or self.target is None else percent >= self.target


Targets = Mapping[tuple[IndicatorCode, str, int], Decimal]  # (indicator, level, year) -> %


def compute(
    dossiers: Sequence[DossierFacts],
    tree: AgencyTree,
    *,
    by: Literal["agency", "level", "procedure", "all"],
    grain: Literal["year", "quarter", "month"],
    targets: Targets | None = None,
) -> list[IndicatorRow]:
    """Aggregate per group and period. By agency, a dossier counts for its agency and every
    agency above it (sub-units roll up); by level, for the level its agency had that day."""
    totals: dict[tuple[str, str, IndicatorCode], Rate] = defaultdict(lambda: ZERO)
    groups_of: Callable[[DossierFacts], list[str]] = {
        "agency": lambda d: tree.ancestors(d.agency, d.received),
        "level": lambda d: [a.level] if (a := tree.on(d.agency, d.received)) else ["unknown"],
        "procedure": lambda d: [d.procedure or "unknown"],
        "all": lambda d: ["all"],
    }[by]
    for dossier in dossiers:
        period = period_of(dossier.received, grain)
        rates = indicator_rates(dossier)
        for group in groups_of(dossier):
            for code, rate in rates.items():
                totals[(group, period, code)] += rate
    rows = []
    for (group, period, code), rate in sorted(totals.items()):
        target = None
        if targets is not None and by == "level":
            target = targets.get((code, group, int(period[:4])))
        rows.append(IndicatorRow(group, period, code, rate, target))
    return rows
