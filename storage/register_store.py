"""The one-stop shop's side of the warehouse: agencies (with their level over time), the
procedure catalogue, and the yearly targets. The register of received dossiers lands in the
``dossiers`` table itself (``Warehouse.register``), so scanned and registered dossiers are one
row each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from schemas.register import RegisterEntry
from schemas.states import DossierStatus
from storage.database import warehouse_error
from storage.dates import VIETNAM, day_in_vietnam
from storage.tables import dossiers, metadata
from storage.warehouse import Warehouse

agencies = sa.Table(
    "agencies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(30), nullable=False, index=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("level", sa.String(20), nullable=False),
    sa.Column("parent_code", sa.String(30)),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_to", sa.Date),
    sa.UniqueConstraint("code", "valid_from", name="uq_agency_code_from"),
)

procedures = sa.Table(
    "procedures",
    metadata,
    sa.Column("code", sa.String(30), primary_key=True),
    sa.Column("name", sa.Text),
    sa.Column("result_is_document", sa.Boolean, nullable=False),
)

targets = sa.Table(
    "targets",
    metadata,
    sa.Column("indicator", sa.String(5), primary_key=True),
    sa.Column("level", sa.String(20), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("percent", sa.Numeric(5, 2), nullable=False),
)


def _run(warehouse: Warehouse, statements: Iterable[sa.Executable]) -> None:
    try:
        with warehouse.engine.begin() as conn:
            for statement in statements:
                conn.execute(statement)
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc


def _upsert(warehouse: Warehouse, table: sa.Table, keys: dict, values: dict) -> sa.Executable:
    """Update where the key exists, else insert: portable across SQLite and PostgreSQL."""
    where = sa.and_(
        *(table.c[k] == v if v is not None else table.c[k].is_(None) for k, v in keys.items())
    )
    try:
        with warehouse.engine.connect() as conn:
            found = conn.execute(
                sa.select(sa.func.count()).select_from(table).where(where)
            ).scalar()
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc
    if found:
        return table.update().where(where).values(**values)
    return table.insert().values(**keys, **values)


def save_agency(
    warehouse: Warehouse,
    code: str,
    name: str,
    level: str,
    *,
    parent: str | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> None:
    _run(
        warehouse,
        [
            _upsert(
                warehouse,
                agencies,
                {"code": code, "valid_from": valid_from},
                {"name": name, "level": level, "parent_code": parent, "valid_to": valid_to},
            )
        ],
    )


def save_procedure(
    warehouse: Warehouse, code: str, *, name: str | None, result_is_document: bool
) -> None:
    _run(
        warehouse,
        [
            _upsert(
                warehouse,
                procedures,
                {"code": code},
                {"name": name, "result_is_document": result_is_document},
            )
        ],
    )


def save_target(
    warehouse: Warehouse, indicator: str, level: str, year: int, percent: Decimal
) -> None:
    _run(
        warehouse,
        [
            _upsert(
                warehouse,
                targets,
                {"indicator": indicator, "level": level, "year": year},
                {"percent": percent},
            )
        ],
    )


def load_targets(warehouse: Warehouse) -> dict[tuple[str, str, int], Decimal]:
    try:
        with warehouse.engine.connect() as conn:
            rows = conn.execute(sa.select(targets)).all()
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc
    return {(r.indicator, r.level, r.year): Decimal(r.percent) for r in rows}


def register_dossier(warehouse: Warehouse, entry: RegisterEntry) -> bool:
    """Record a received dossier from the register; True when it was not known before.

    Idempotent: importing the same row again changes nothing. A dossier that arrived through
    intake first keeps its processing status and gains the register's facts."""
    received = entry.received_at
    if not isinstance(received, dt.datetime):
        received = dt.datetime.combine(received, dt.time(), tzinfo=VIETNAM)
    elif received.tzinfo is None:
        received = received.replace(tzinfo=VIETNAM)
    received = received.astimezone(dt.UTC)  # SQLite keeps no offset: UTC, as read back
    facts = {
        "procedure_code": entry.procedure_code,
        "received_at": received,
        "channel": entry.channel,
        "register_components": entry.components,
        "register_components_digitised": entry.components_digitised,
        "register_components_reused": entry.components_reused,
        "register_result_electronic": entry.result_issued_electronically,
    }
    now = dt.datetime.now(dt.UTC)
    key = dossiers.c.agency == entry.agency, dossiers.c.code == entry.dossier_code
    statements: list[sa.Executable] = []
    if entry.procedure_name is not None or not _exists(
        warehouse, procedures, procedures.c.code == entry.procedure_code
    ):
        statements.append(
            _upsert(
                warehouse,
                procedures,
                {"code": entry.procedure_code},
                {"name": entry.procedure_name, "result_is_document": entry.result_is_document},
            )
        )
    new = not _exists(warehouse, dossiers, sa.and_(*key))
    if new:
        statements.append(
            dossiers.insert().values(
                agency=entry.agency,
                code=entry.dossier_code,
                status=DossierStatus.RECEIVED,
                source="register",
                updated_at=now,
                registered_at=now,
                **facts,
            )
        )
    else:
        if _stated_day(warehouse, key) not in (None, day_in_vietnam(received)):
            del facts["received_at"]  # the dossier's own manifest says another day: it wins
        statements.append(dossiers.update().where(*key).values(registered_at=now, **facts))
    _run(warehouse, statements)
    return new


def _stated_day(warehouse: Warehouse, key: tuple[sa.ColumnElement[bool], ...]) -> dt.date | None:
    """The received_date the dossier's manifest gave, if it came through intake with one."""
    try:
        with warehouse.engine.connect() as conn:
            manifest = conn.execute(sa.select(dossiers.c.manifest).where(*key)).scalar()
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc
    stated = (manifest or {}).get("received_date")
    return dt.date.fromisoformat(stated) if stated else None


def _exists(warehouse: Warehouse, table: sa.Table, where: sa.ColumnElement[bool]) -> bool:
    try:
        with warehouse.engine.connect() as conn:
            return bool(
                conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar()
            )
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc
