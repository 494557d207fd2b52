"""Dossiers whose documents do not add up (``sohoa audit --check``): a dossier's final status
must follow from the latest row of each of its documents, as the job sets it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from schemas.states import DocumentStatus, DossierStatus
from storage.database import warehouse_error
from storage.tables import documents, dossiers
from storage.warehouse import Warehouse

ALLOWED = {  # a dossier's final status: what the latest row of each document may be
    DossierStatus.DIGITISED: {DocumentStatus.DIGITISED, DocumentStatus.REUSED},
    DossierStatus.QUARANTINED: {
        DocumentStatus.DIGITISED,
        DocumentStatus.REUSED,
        DocumentStatus.QUARANTINED,
    },
}


@dataclass(frozen=True)
class Inconsistency:
    agency: str
    dossier: str
    status: str
    problem: str


def _problems(status: str, latest: dict[str, tuple[str, str | None]]) -> list[str]:
    problems = [
        f"document {name!r} is digitised without a result"
        for name, (state, result) in latest.items()
        if state == DocumentStatus.DIGITISED and not result
    ]
    if status not in ALLOWED:
        return problems
    if not latest:
        return [f"{status} with 0 documents", *problems]
    problems += [
        f"document {name!r} is {state}"
        for name, (state, _result) in latest.items()
        if state not in ALLOWED[status]
    ]
    if status == DossierStatus.QUARANTINED and all(
        s != DocumentStatus.QUARANTINED for s, _r in latest.values()
    ):
        problems.append("no document is quarantined")
    return problems


def inconsistent_dossiers(warehouse: Warehouse) -> list[Inconsistency]:
    """Every dossier whose status disagrees with its documents, with what is wrong."""
    try:
        with warehouse.engine.connect() as conn:
            heads = conn.execute(
                sa.select(dossiers.c.id, dossiers.c.agency, dossiers.c.code, dossiers.c.status)
            ).all()
            rows = conn.execute(
                sa.select(
                    documents.c.dossier_id,
                    documents.c.name,
                    documents.c.status,
                    documents.c.result_key,
                ).order_by(documents.c.id)
            ).all()
    except SQLAlchemyError as exc:
        raise warehouse_error(exc) from exc
    latest: dict[int, dict[str, tuple[str, str | None]]] = {}
    for row in rows:  # ordered by id: the last row of a name is its latest
        latest.setdefault(row.dossier_id, {})[row.name] = (row.status, row.result_key)
    return [
        Inconsistency(head.agency, head.code, head.status, problem)
        for head in heads
        for problem in _problems(head.status, latest.get(head.id, {}))
    ]
