"""The facts the indicators and the operational figures are computed from, read from the
warehouse in a few grouped queries (a province's year is ~10^5 dossiers). A dossier counts on
the day it was received in Vietnam (``received_at``: as the dossier or the register says, else
when it was dropped; see storage/dates.py)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from schemas.indicators import Agency, DossierFacts, Operational
from schemas.states import DocumentStatus
from storage.acceptance import UNCONFIRMED
from storage.database import aware, warehouse_error
from storage.dates import day_in_vietnam
from storage.register_store import agencies, procedures
from storage.tables import documents, dossiers
from storage.warehouse import Warehouse

COUNTED = (DocumentStatus.DIGITISED, DocumentStatus.REUSED)  # a document that counts as digitised


def _rows(warehouse: Warehouse, query: sa.Executable) -> list[sa.Row]:
    try:
        with warehouse.engine.connect() as conn:
            return list(conn.execute(query))
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc


def load_agencies(warehouse: Warehouse) -> list[Agency]:
    rows = _rows(warehouse, sa.select(agencies).order_by(agencies.c.code, agencies.c.valid_from))
    return [Agency(r.code, r.name, r.level, r.parent_code, r.valid_from, r.valid_to) for r in rows]


# A kept signed input whose signature could not be confirmed (INDETERMINATE) is not an
# electronically issued result until a person accepts it (storage/acceptance.py).
_confirmed = sa.func.coalesce(documents.c.error_reason, "") != UNCONFIRMED


def _per_dossier() -> sa.Subquery:
    """Per dossier, from its documents: components, those digitised or reused, those reused,
    and results issued electronically (signature confirmed)."""
    component = sa.func.coalesce(documents.c.role, "component") == "component"
    return (
        sa.select(
            documents.c.dossier_id,
            sa.func.count(sa.distinct(sa.case((component, documents.c.name)))).label("parts"),
            sa.func.count(
                sa.distinct(
                    sa.case(
                        (
                            component & documents.c.status.in_(COUNTED),
                            documents.c.name,
                        )
                    )
                )
            ).label("done"),
            sa.func.count(
                sa.distinct(
                    sa.case(
                        (  # refused (its source is not in the warehouse): it does not count
                            documents.c.reused_from.is_not(None)
                            & documents.c.status.in_(COUNTED),
                            documents.c.name,
                        )
                    )
                )
            ).label("reused"),
            sa.func.count(
                sa.distinct(
                    sa.case(
                        (
                            (documents.c.role == "result")
                            & (documents.c.status == DocumentStatus.DIGITISED)
                            & _confirmed,
                            documents.c.name,
                        )
                    )
                )
            ).label("results"),
        )
        .group_by(documents.c.dossier_id)
        .subquery()
    )


def load_facts(warehouse: Warehouse) -> list[DossierFacts]:
    per_dossier = _per_dossier()
    query = sa.select(
        dossiers.c.code,
        dossiers.c.agency,
        dossiers.c.procedure_code,
        dossiers.c.received_at,
        dossiers.c.register_components,
        dossiers.c.register_components_digitised,
        dossiers.c.register_components_reused,
        dossiers.c.register_result_electronic,
        procedures.c.result_is_document,
        per_dossier.c.parts,
        per_dossier.c.done,
        per_dossier.c.reused,
        per_dossier.c.results,
    ).select_from(
        dossiers.outerjoin(per_dossier, per_dossier.c.dossier_id == dossiers.c.id).outerjoin(
            procedures, procedures.c.code == dossiers.c.procedure_code
        )
    )
    facts = []
    for r in _rows(warehouse, query):
        components = max(r.register_components or 0, r.parts or 0)
        done = min(components, max(r.register_components_digitised or 0, r.done or 0))
        facts.append(
            DossierFacts(
                code=r.code,
                agency=r.agency,
                procedure=r.procedure_code,
                received=day_in_vietnam(r.received_at),
                result_is_document=True if r.result_is_document is None else r.result_is_document,
                components=components,
                components_digitised=done,
                components_reused=max(r.register_components_reused or 0, r.reused or 0),
                electronic_result=bool(r.register_result_electronic) or bool(r.results),
            )
        )
    return facts


def load_operational(warehouse: Warehouse, start: dt.date, end: dt.date) -> Operational:
    """Documents of dossiers received in [start, end): pages per day, quarantine, delays."""
    query = sa.select(
        documents.c.dossier_id,
        documents.c.status,
        documents.c.page_count,
        documents.c.error_reason,
        documents.c.updated_at,
        dossiers.c.received_at,
    ).select_from(documents.join(dossiers, documents.c.dossier_id == dossiers.c.id))
    pages_per_day: Counter[dt.date] = Counter()
    quarantined: Counter[str] = Counter()
    finished: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    all_done: defaultdict[int, bool] = defaultdict(lambda: True)
    count = pages = unconfirmed = 0
    for r in _rows(warehouse, query):
        if not start <= day_in_vietnam(r.received_at) < end:
            continue
        count += 1
        if r.status == DocumentStatus.DIGITISED:
            unconfirmed += r.error_reason == UNCONFIRMED
            pages += r.page_count or 0
            pages_per_day[day_in_vietnam(r.updated_at)] += r.page_count or 0
            received, updated = aware(r.received_at), aware(r.updated_at)
            last = finished.get(r.dossier_id, (received, updated))[1]
            finished[r.dossier_id] = (received, max(last, updated))  # type: ignore[type-var]
        else:
            all_done[r.dossier_id] = False
            if r.status == DocumentStatus.QUARANTINED:
                quarantined[r.error_reason or "unknown"] += 1
    hours = [
        (done - received).total_seconds() / 3600
        for dossier, (received, done) in finished.items()
        if all_done[dossier]
    ]
    return Operational(
        documents=count,
        pages=pages,
        pages_per_day=dict(pages_per_day),
        quarantined=dict(quarantined),
        median_hours_to_digitised=round(statistics.median(hours), 2) if hours else None,
        unconfirmed_signatures=unconfirmed,
    )
