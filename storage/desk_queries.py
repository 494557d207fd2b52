"""What the web desk reads, always within the agencies the caller may see: a dossier outside
them is simply not there (the desk answers 404, never "forbidden")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from schemas.states import DocumentStatus
from storage.tables import documents, dossiers, events
from storage.warehouse import Warehouse

Scope = Collection[str] | None  # agencies one may see; None: every agency
PAGE = 100


@dataclass(frozen=True)
class DossierFilter:
    agency: str | None = None
    status: str | None = None
    procedure: str | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    code: str | None = None


def _scoped(select: sa.Select, scope: Scope) -> sa.Select:
    return select if scope is None else select.where(dossiers.c.agency.in_(list(scope)))


def list_dossiers(warehouse: Warehouse, scope: Scope, wanted: DossierFilter) -> list[Any]:
    count = (
        sa.select(sa.func.count(documents.c.id))
        .where(documents.c.dossier_id == dossiers.c.id)
        .scalar_subquery()
    )
    select = _scoped(sa.select(dossiers, count.label("documents")), scope)
    for column, value in (
        (dossiers.c.agency, wanted.agency),
        (dossiers.c.status, wanted.status),
        (dossiers.c.procedure_code, wanted.procedure),
        (dossiers.c.code, wanted.code),
    ):
        if value:
            select = select.where(column == value)
    if wanted.received_from:
        select = select.where(dossiers.c.received_at >= wanted.received_from)
    if wanted.received_to:
        select = select.where(dossiers.c.received_at < wanted.received_to)
    select = select.order_by(dossiers.c.received_at.desc(), dossiers.c.id.desc()).limit(PAGE)
    with warehouse.transaction() as conn:
        return list(conn.execute(select))


def dossier(warehouse: Warehouse, dossier_id: int, scope: Scope) -> Any | None:
    select = _scoped(sa.select(dossiers).where(dossiers.c.id == dossier_id), scope)
    with warehouse.transaction() as conn:
        return conn.execute(select).first()


def dossier_by_source(warehouse: Warehouse, source: str, scope: Scope) -> Any | None:
    select = _scoped(sa.select(dossiers).where(dossiers.c.source == source), scope)
    with warehouse.transaction() as conn:
        return conn.execute(select.order_by(dossiers.c.id.desc()).limit(1)).first()


def documents_of(warehouse: Warehouse, dossier_id: int) -> list[Any]:
    select = sa.select(documents).where(documents.c.dossier_id == dossier_id)
    with warehouse.transaction() as conn:
        return list(conn.execute(select.order_by(documents.c.name, documents.c.id)))


def history(warehouse: Warehouse, dossier_id: int) -> list[Any]:
    select = (
        sa.select(events, documents.c.name.label("document"))
        .select_from(events.outerjoin(documents, events.c.document_id == documents.c.id))
        .where(events.c.dossier_id == dossier_id)
        .order_by(events.c.at, events.c.id)
    )
    with warehouse.transaction() as conn:
        return list(conn.execute(select))


def document(warehouse: Warehouse, document_id: int, scope: Scope) -> Any | None:
    """A document with its dossier's code and agency, if the scope holds that agency."""
    select = (
        sa.select(documents, dossiers.c.code.label("dossier_code"), dossiers.c.agency)
        .select_from(documents.join(dossiers))
        .where(documents.c.id == document_id)
    )
    with warehouse.transaction() as conn:
        return conn.execute(_scoped(select, scope)).first()


def quarantined(warehouse: Warehouse, scope: Scope) -> list[Any]:
    """Quarantined documents whose case is open: none accepted as is since (an event
    ``desk``/``accepted`` on the document closes it; trying again makes a new outcome)."""
    accepted = (
        sa.select(events.c.id)
        .where(
            events.c.document_id == documents.c.id,
            events.c.stage == "desk",
            events.c.outcome == "accepted",
            events.c.at >= documents.c.updated_at,
        )
        .exists()
    )
    select = (
        sa.select(documents, dossiers.c.code.label("dossier_code"), dossiers.c.agency)
        .select_from(documents.join(dossiers))
        .where(documents.c.status == DocumentStatus.QUARANTINED, ~accepted)
        .order_by(documents.c.updated_at.desc())
        .limit(PAGE)
    )
    with warehouse.transaction() as conn:
        return list(conn.execute(_scoped(select, scope)))


def statuses(warehouse: Warehouse, scope: Scope) -> list[str]:
    select = _scoped(sa.select(dossiers.c.status).distinct(), scope)
    with warehouse.transaction() as conn:
        return sorted(r.status for r in conn.execute(select))


def agencies_seen(warehouse: Warehouse, scope: Scope) -> list[str]:
    select = _scoped(sa.select(dossiers.c.agency).distinct(), scope)
    with warehouse.transaction() as conn:
        return sorted(r.agency for r in conn.execute(select))
