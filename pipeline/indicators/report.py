"""A digitisation report: indicators by level (against targets), by agency, by procedure and
by month, plus operational figures. Pure: facts in, a frozen report out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipeline.indicators.rates import AgencyTree, IndicatorRow, Targets, compute, parse_period
from schemas.indicators import DossierFacts, Level, Operational

# Provincial plan targets quoted in DOMAIN.md (percent), per indicator, level and year.
DEFAULT_TARGETS: dict[tuple[str, str, int], Decimal] = {
    ("4.2", "province", 2024): Decimal(70),
    ("4.2", "district", 2024): Decimal(40),
    ("4.2", "commune", 2024): Decimal(35),
    ("4.1", "province", 2024): Decimal(80),
    ("4.1", "district", 2024): Decimal(30),
    ("4.1", "commune", 2024): Decimal(20),
    ("4.1", "province", 2022): Decimal(30),
}


@dataclass(frozen=True)
class Report:
    period: str
    scope: str
    generated_at: dt.datetime
    dossiers: int
    by_level: tuple[IndicatorRow, ...]
    by_agency: tuple[IndicatorRow, ...]
    by_procedure: tuple[IndicatorRow, ...]
    monthly: tuple[IndicatorRow, ...]
    operational: Operational
    agency_names: Mapping[str, str]


def targets_for(year_targets: Targets | None, years: Sequence[int]) -> Targets:
    """The plan defaults overridden by ``year_targets``, per year; a year without its own
    target takes the latest earlier year's."""
    table = {**DEFAULT_TARGETS, **(year_targets or {})}
    out: dict[tuple[str, str, int], Decimal] = {}
    for (code, level, year), value in sorted(table.items(), key=lambda kv: kv[0][2]):
        for wanted in years:
            if year <= wanted:
                out[(code, level, wanted)] = value
    return out


def build_report(
    facts: Sequence[DossierFacts],
    tree: AgencyTree,
    *,
    period: str,
    agency: str | None = None,
    level: Level | None = None,
    targets: Targets | None = None,
    operational: Operational | None = None,
    now: dt.datetime,
) -> Report:
    start, end, grain = parse_period(period)
    chosen = [
        d
        for d in facts
        if start <= d.received < end
        and (agency is None or agency in tree.ancestors(d.agency, d.received))
        and (level is None or ((a := tree.on(d.agency, d.received)) and a.level == level))
    ]
    years = sorted({d.received.year for d in chosen} | {start.year})
    goals = targets_for(targets, years)
    names = {code: versions[-1].name for code, versions in tree.versions.items()}
    scope = ", ".join(
        x for x in (f"agency {agency}" if agency else "", f"level {level}" if level else "") if x
    )
    return Report(
        period=period,
        scope=scope or "all agencies",
        generated_at=now,
        dossiers=len(chosen),
        by_level=tuple(compute(chosen, tree, by="level", grain="year", targets=goals)),
        by_agency=tuple(compute(chosen, tree, by="agency", grain="year")),
        by_procedure=tuple(compute(chosen, tree, by="procedure", grain="year")),
        monthly=tuple(compute(chosen, tree, by="all", grain="month")),
        operational=operational or Operational(),
        agency_names=names,
    )
