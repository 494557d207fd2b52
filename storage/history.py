"""Read-side queries for people: a dossier's history (``sohoa audit``) and the list of stored
objects with the hashes the warehouse recorded for them (``sohoa fixity``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from storage.database import warehouse_error
from storage.tables import documents, dossiers, events
from storage.warehouse import Warehouse


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    agency: str
    dossier: str
    document: str | None
    stage: str
    outcome: str
    seconds: float | None
    detail: str | None


@dataclass(frozen=True)
class RecordedObject:
    key: str
    sha256: str
    role: str  # "original", "quarantine" or "result"
    dossier: str
    document: str


def dossier_history(warehouse: Warehouse, code: str) -> list[HistoryLine]:
    """Every event of every dossier with this code (any agency), oldest first."""
    query = (
        sa.select(
            events.c.at,
            dossiers.c.agency,
            dossiers.c.code,
            documents.c.name,
            events.c.stage,
            events.c.outcome,
            events.c.seconds,
            events.c.detail,
        )
        .select_from(
            events.join(dossiers, events.c.dossier_id == dossiers.c.id).outerjoin(
                documents, events.c.document_id == documents.c.id
            )
        )
        .where(dossiers.c.code == code)
        .order_by(events.c.at, events.c.id)
    )
    try:
        with warehouse.engine.connect() as conn:
            return [HistoryLine(*row) for row in conn.execute(query)]
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc


def recorded_objects(warehouse: Warehouse) -> Iterator[RecordedObject]:
    """Every object key the warehouse names (originals, quarantined files, results, of any
    document whatever its status), with the SHA-256 recorded for it."""
    query = (
        sa.select(
            dossiers.c.code,
            documents.c.name,
            documents.c.inputs,
            documents.c.result_key,
            documents.c.result_sha256,
        )
        .select_from(documents.join(dossiers, documents.c.dossier_id == dossiers.c.id))
        .order_by(documents.c.id)
    )
    try:
        with warehouse.engine.connect() as conn:
            rows = conn.execute(query).all()
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc
    for code, name, inputs, result_key, result_sha in rows:
        for item in inputs or []:
            for role in ("original", "quarantine"):
                if item.get(f"{role}_key"):
                    yield RecordedObject(item[f"{role}_key"], item["sha256"], role, code, name)
        if result_key:
            yield RecordedObject(result_key, result_sha, "result", code, name)
