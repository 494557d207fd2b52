"""A person accepts a signed input whose signature could not be confirmed.

A signed PDF that verifies INDETERMINATE (intact, but its signer is not trusted here) is kept
as it is, marked ``error_reason = "signature-unconfirmed"`` on its digitised document row. It
does not count as an electronically issued result (indicator 4.1, storage/indicator_facts.py)
until a person accepts it: ``accept_signature`` clears the mark and records who accepted it,
and why, as an event of the dossier (``sohoa audit`` shows it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from schemas.errors import ObjectNotFound
from schemas.states import DocumentStatus
from storage.database import warehouse_error
from storage.tables import documents, dossiers, events
from storage.warehouse import Warehouse

UNCONFIRMED = "signature-unconfirmed"


@dataclass(frozen=True)
class Unconfirmed:
    agency: str
    dossier: str
    document: str
    result_key: str | None
    why: str | None


def _unconfirmed(agency: str | None = None, code: str | None = None) -> sa.Select:
    query = (
        sa.select(
            documents.c.id,
            documents.c.dossier_id,
            dossiers.c.agency,
            dossiers.c.code,
            documents.c.name,
            documents.c.result_key,
            documents.c.error,
        )
        .select_from(documents.join(dossiers, documents.c.dossier_id == dossiers.c.id))
        .where(
            documents.c.status == DocumentStatus.DIGITISED,
            documents.c.error_reason == UNCONFIRMED,
        )
        .order_by(documents.c.id)
    )
    if code is not None:
        query = query.where(dossiers.c.code == code)
    if agency is not None:
        query = query.where(dossiers.c.agency == agency)
    return query


def unconfirmed_signatures(warehouse: Warehouse) -> list[Unconfirmed]:
    """Kept signed inputs still waiting for a person to accept their signature."""
    try:
        with warehouse.engine.connect() as conn:
            rows = conn.execute(_unconfirmed()).all()
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc
    return [Unconfirmed(r.agency, r.code, r.name, r.result_key, r.error) for r in rows]


def accept_signature(
    warehouse: Warehouse,
    code: str,
    document: str,
    *,
    by: str,
    note: str = "",
    agency: str | None = None,
) -> int:
    """Accept the unconfirmed signature of ``document`` in dossier ``code``: it counts as an
    electronic result from now on. Returns how many rows were accepted (1, or more when the
    same name exists in several versions or agencies); ObjectNotFound when none waits."""
    if not by.strip():
        raise ValueError("who accepts the signature must be named")
    now = dt.datetime.now(dt.UTC)
    try:
        with warehouse.engine.begin() as conn:
            rows = [r for r in conn.execute(_unconfirmed(agency, code)) if r.name == document]
            for row in rows:
                conn.execute(
                    documents.update()
                    .where(documents.c.id == row.id, documents.c.error_reason == UNCONFIRMED)
                    .values(error_reason=None, error=None, updated_at=now)
                )
                detail = f"accepted by {by.strip()}: {note.strip() or 'no note'}; was: {row.error}"
                conn.execute(
                    events.insert().values(
                        dossier_id=row.dossier_id,
                        document_id=row.id,
                        stage="signature",
                        outcome="accepted",
                        detail=detail,
                        at=now,
                    )
                )
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc
    if not rows:
        raise ObjectNotFound(
            "no kept signed document awaits acceptance", subject=f"{code}/{document}"
        )
    return len(rows)
