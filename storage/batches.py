"""Re-digitisation batches: which dossiers a batch covers and how far it got.

A batch is created once for a selection and then only moves forward: items go
``pending`` -> ``enqueued`` -> ``done`` (with the dossier's outcome). Progress is read from
here, so any process can watch a batch, and an interrupted ``sohoa redigitise`` resumes it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from storage.tables import documents, dossiers, metadata
from storage.warehouse import Warehouse

batches = sa.Table(
    "batches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("criteria", sa.JSON, nullable=False),
    sa.Column("pipeline_version", sa.String(20), nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
)

batch_items = sa.Table(
    "batch_items",
    metadata,
    sa.Column("batch_id", sa.ForeignKey("batches.id"), primary_key=True),
    sa.Column("dossier_id", sa.ForeignKey("dossiers.id"), primary_key=True),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("outcome", sa.String(20)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Progress:
    total: int
    enqueued: int
    done: int
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.done >= self.total


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Batches:
    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def create(
        self, criteria: dict[str, Any], dossier_ids: list[int], pipeline_version: str
    ) -> int:
        now = _now()
        with self.warehouse.transaction() as conn:
            batch_id = conn.execute(
                batches.insert().values(
                    created_at=now,
                    criteria=criteria,
                    pipeline_version=pipeline_version,
                    total=len(dossier_ids),
                )
            ).inserted_primary_key[0]
            if dossier_ids:
                conn.execute(
                    batch_items.insert(),
                    [
                        dict(batch_id=batch_id, dossier_id=d, state="pending", updated_at=now)
                        for d in dossier_ids
                    ],
                )
        return int(batch_id)

    def find_open(self, criteria: dict[str, Any], pipeline_version: str) -> int | None:
        """The newest unfinished batch made for the same selection, to resume."""
        with self.warehouse.transaction() as conn:
            rows = conn.execute(
                sa.select(batches.c.id, batches.c.criteria)
                .where(batches.c.finished_at.is_(None))
                .where(batches.c.pipeline_version == pipeline_version)
                .order_by(batches.c.id.desc())
            ).all()
        return next((int(r.id) for r in rows if r.criteria == criteria), None)

    def items(self, batch_id: int, states: tuple[str, ...]) -> list[int]:
        with self.warehouse.transaction() as conn:
            return [
                int(d)
                for d in conn.execute(
                    sa.select(batch_items.c.dossier_id)
                    .where(batch_items.c.batch_id == batch_id, batch_items.c.state.in_(states))
                    .order_by(batch_items.c.dossier_id)
                ).scalars()
            ]

    def mark_enqueued(self, batch_id: int, dossier_id: int) -> None:
        with self.warehouse.transaction() as conn:
            conn.execute(
                batch_items.update()
                .where(
                    batch_items.c.batch_id == batch_id,
                    batch_items.c.dossier_id == dossier_id,
                    batch_items.c.state != "done",
                )
                .values(state="enqueued", updated_at=_now())
            )

    def finish_item(self, batch_id: int, dossier_id: int, outcome: str) -> None:
        with self.warehouse.transaction() as conn:
            conn.execute(
                batch_items.update()
                .where(batch_items.c.batch_id == batch_id, batch_items.c.dossier_id == dossier_id)
                .values(state="done", outcome=outcome, updated_at=_now())
            )

    def progress(self, batch_id: int) -> Progress:
        with self.warehouse.transaction() as conn:
            total = conn.execute(
                sa.select(batches.c.total).where(batches.c.id == batch_id)
            ).scalar_one()
            rows = conn.execute(
                sa.select(batch_items.c.state, batch_items.c.outcome, sa.func.count())
                .where(batch_items.c.batch_id == batch_id)
                .group_by(batch_items.c.state, batch_items.c.outcome)
            ).all()
        states: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        for state, outcome, count in rows:
            states[state] += count
            if state == "done":
                outcomes[outcome or "unknown"] += count
        return Progress(
            total=int(total),
            enqueued=states["enqueued"] + states["done"],
            done=states["done"],
            outcomes=dict(outcomes),
        )

    def close(self, batch_id: int) -> None:
        with self.warehouse.transaction() as conn:
            conn.execute(
                batches.update()
                .where(batches.c.id == batch_id, batches.c.finished_at.is_(None))
                .values(finished_at=_now())
            )


def select_dossiers(
    warehouse: Warehouse,
    *,
    agency: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    statuses: tuple[str, ...] = (),
    code: str | None = None,
) -> list[int]:
    """Ids of dossiers received in [since, until) of an agency whose status, or the status of
    one of whose documents, is one of ``statuses`` (any, when empty); ``code``: that one."""
    query = sa.select(dossiers.c.id).order_by(dossiers.c.id)
    if code:
        query = query.where(dossiers.c.code == code)
    if agency:
        query = query.where(dossiers.c.agency == agency)
    if since:
        query = query.where(dossiers.c.received_at >= since)
    if until:
        query = query.where(dossiers.c.received_at < until)
    if statuses:
        has_document = sa.exists().where(
            documents.c.dossier_id == dossiers.c.id, documents.c.status.in_(statuses)
        )
        query = query.where(sa.or_(dossiers.c.status.in_(statuses), has_document))
    with warehouse.transaction() as conn:
        return [int(i) for i in conn.execute(query).scalars()]


def pipeline_versions(warehouse: Warehouse, dossier_ids: list[int]) -> dict[int, set[str]]:
    """The pipeline versions of each dossier's documents."""
    wanted, found = set(dossier_ids), {}
    with warehouse.transaction() as conn:
        rows = conn.execute(
            sa.select(documents.c.dossier_id, documents.c.pipeline_version).distinct()
        ).all()
    for dossier_id, version in rows:
        if dossier_id in wanted:
            found.setdefault(int(dossier_id), set()).add(str(version))
    return found
