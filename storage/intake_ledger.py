"""The watcher's persisted checkpoint: every intake unit version it has seen and sent.

A unit is a lone file (``intake/<agency>/<file>``) or a dossier folder
(``intake/<agency>/<folder>/``); its version names the object version that makes it ready
(the manifest's, the file's, or a digest of the folder's listing). ``(unit, version)`` is
unique, so a version is enqueued at most once, across restarts and concurrent watchers; once
more only when its message was lost (``resend``: the watcher found it in no queue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.tables import metadata
from storage.warehouse import Warehouse

intake_units = sa.Table(
    "intake_units",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("version", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),  # waiting -> ready -> enqueued
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("enqueued_at", sa.DateTime(timezone=True)),
    sa.Column("message_id", sa.String(64)),
    sa.UniqueConstraint("unit", "version", name="uq_intake_unit_version"),
)


@dataclass(frozen=True)
class UnitVersion:
    unit: str
    version: str
    state: str
    first_seen_at: dt.datetime
    enqueued_at: dt.datetime | None = None
    message_id: str | None = None


class IntakeLedger:
    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse

    def observe(self, unit: str, version: str, now: dt.datetime) -> UnitVersion:
        """The ledger's row for this version, recording it as ``waiting`` when new."""
        for _ in range(2):
            found = self._get(unit, version)
            if found is not None:
                return found
            try:
                with self.warehouse.transaction() as conn:
                    conn.execute(
                        intake_units.insert().values(
                            unit=unit, version=version, state="waiting", first_seen_at=now
                        )
                    )
            except IntegrityError:
                continue  # another watcher recorded it first
        found = self._get(unit, version)
        assert found is not None
        return found

    def _get(self, unit: str, version: str) -> UnitVersion | None:
        with self.warehouse.transaction() as conn:
            row = conn.execute(
                sa.select(intake_units).where(
                    intake_units.c.unit == unit, intake_units.c.version == version
                )
            ).first()
        if row is None:
            return None
        return UnitVersion(
            row.unit,
            row.version,
            row.state,
            _aware(row.first_seen_at),
            _aware(row.enqueued_at) if row.enqueued_at else None,
            row.message_id,
        )

    def mark_ready(self, unit: str, version: str) -> bool:
        """``waiting`` -> ``ready``; False when another watcher got there first."""
        return self._move(unit, version, ("waiting",), state="ready")

    def mark_enqueued(self, unit: str, version: str, message_id: str, now: dt.datetime) -> None:
        self._move(
            unit, version, ("ready",), state="enqueued", message_id=message_id, enqueued_at=now
        )

    def resend(self, seen: UnitVersion, message_id: str, now: dt.datetime) -> bool:
        """Record a new message for an ``enqueued`` version whose message was lost; False when
        another watcher sent it again first."""
        with self.warehouse.transaction() as conn:
            moved = conn.execute(
                intake_units.update()
                .where(
                    intake_units.c.unit == seen.unit,
                    intake_units.c.version == seen.version,
                    intake_units.c.state == "enqueued",
                    intake_units.c.message_id == seen.message_id,
                )
                .values(message_id=message_id, enqueued_at=now)
            ).rowcount
        return bool(moved)

    def _move(
        self, unit: str, version: str, from_states: tuple[str, ...], **values: object
    ) -> bool:
        with self.warehouse.transaction() as conn:
            moved = conn.execute(
                intake_units.update()
                .where(
                    intake_units.c.unit == unit,
                    intake_units.c.version == version,
                    intake_units.c.state.in_(from_states),
                )
                .values(**values)
            ).rowcount
        return bool(moved)

    def ready_unsent(self) -> list[tuple[str, str]]:
        """Versions marked ready whose enqueueing was interrupted (a crash in between)."""
        with self.warehouse.transaction() as conn:
            rows = conn.execute(
                sa.select(intake_units.c.unit, intake_units.c.version).where(
                    intake_units.c.state == "ready"
                )
            ).all()
        return [(r.unit, r.version) for r in rows]

    def forget_waiting(self, present: set[tuple[str, str]]) -> int:
        """Drop ``waiting`` versions no longer in the bucket (overwritten or removed)."""
        with self.warehouse.transaction() as conn:
            rows = conn.execute(
                sa.select(intake_units.c.id, intake_units.c.unit, intake_units.c.version).where(
                    intake_units.c.state == "waiting"
                )
            ).all()
            gone = [r.id for r in rows if (r.unit, r.version) not in present]
            if gone:
                conn.execute(intake_units.delete().where(intake_units.c.id.in_(gone)))
        return len(gone)

    def states(self) -> dict[tuple[str, str], str]:
        with self.warehouse.transaction() as conn:
            rows = conn.execute(sa.select(intake_units)).all()
        return {(r.unit, r.version): r.state for r in rows}


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
