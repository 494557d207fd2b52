"""What operators and the watcher ask of the dossiers' states: how many are in each status and
since when the oldest of each has not moved, and when the dossier of an intake unit last moved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from storage.tables import dossiers, events
from storage.warehouse import Warehouse


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int
    oldest: dt.datetime  # the least recent last move among them


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def status_summary(warehouse: Warehouse) -> list[StatusCount]:
    query = sa.select(
        dossiers.c.status, sa.func.count(), sa.func.min(dossiers.c.updated_at)
    ).group_by(dossiers.c.status)
    with warehouse.transaction() as conn:
        rows = conn.execute(query).all()
    return [StatusCount(status, count, _aware(oldest)) for status, count, oldest in rows]


@dataclass(frozen=True)
class UnitDossier:
    status: str
    moved_at: dt.datetime  # its last status change or stage event, whichever is later


def dossiers_of_units(warehouse: Warehouse, units: Iterable[str]) -> dict[str, UnitDossier]:
    """The dossier each unit became (by its source), for the units that became one."""
    units = list(units)
    if not units:
        return {}
    last_event = (
        sa.select(sa.func.max(events.c.at))
        .where(events.c.dossier_id == dossiers.c.id)
        .scalar_subquery()
    )
    query = sa.select(
        dossiers.c.source, dossiers.c.status, dossiers.c.updated_at, last_event
    ).where(dossiers.c.source.in_(units))
    with warehouse.transaction() as conn:
        rows = conn.execute(query).all()
    found = {}
    for source, status, updated, event_at in rows:
        moved = max(_aware(updated), _aware(event_at)) if event_at else _aware(updated)
        found[source] = UnitDossier(status, moved)
    return found
