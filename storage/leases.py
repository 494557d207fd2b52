"""Claims on documents as leases: renewed while their run works, released by hand or on exit.

A run claims a document (``Warehouse.claim_document``) for ``lease_s`` seconds and renews every
claim it holds while it works (``renew``, called by workers/job/heartbeat.py's heartbeat). A run that
dies stops renewing, so its claims run out within one lease and another run takes them over.
``release`` gives claims up: one run's (when it stops), a dossier's, or every expired one
(``sohoa claims release``); a released document is ``failed`` with the reason, so a re-run
takes it, or ``retrying`` when the run stopped on a passing outage and will be retried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from schemas.states import DocumentStatus, DossierStatus
from storage.database import aware
from storage.tables import documents, dossiers, events
from storage.warehouse import Warehouse


@dataclass(frozen=True)
class Claim:
    document_id: int
    dossier_id: int
    agency: str
    dossier: str
    document: str
    owner: str
    until: dt.datetime

    def expired(self, now: dt.datetime) -> bool:
        return self.until < now


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def renew(warehouse: Warehouse, owner: str, lease_s: float) -> int:
    """Push back the end of every claim ``owner`` holds; how many it holds."""
    with warehouse.transaction() as conn:
        return conn.execute(
            documents.update()
            .where(
                documents.c.lease_owner == owner, documents.c.status == DocumentStatus.PROCESSING
            )
            .values(lease_until=_now() + dt.timedelta(seconds=lease_s))
        ).rowcount


def claims(warehouse: Warehouse, *, dossier: str | None = None) -> list[Claim]:
    """Every claim held (live or expired), optionally of one dossier code."""
    query = (
        sa.select(
            documents.c.id,
            documents.c.dossier_id,
            dossiers.c.agency,
            dossiers.c.code,
            documents.c.name,
            documents.c.lease_owner,
            documents.c.lease_until,
        )
        .join(dossiers, dossiers.c.id == documents.c.dossier_id)
        .where(documents.c.lease_owner.is_not(None))
        .order_by(documents.c.id)
    )
    if dossier is not None:
        query = query.where(dossiers.c.code == dossier)
    with warehouse.transaction() as conn:
        return [
            Claim(r.id, r.dossier_id, r.agency, r.code, r.name, r.lease_owner, aware(r.lease_until))  # type: ignore[arg-type]
            for r in conn.execute(query)
        ]


def release(
    warehouse: Warehouse,
    *,
    owner: str | None = None,
    dossier: str | None = None,
    expired_only: bool = False,
    reason: str = "claim-released",
    message: str = "the run holding it stopped or was released by hand",
    retrying: bool = False,
) -> list[Claim]:
    """Give up claims: ``owner``'s, ``dossier``'s, and with ``expired_only`` only those whose
    lease ran out. Their documents become ``failed`` (re-runnable) with ``reason``, or
    ``retrying`` when the run will be retried; a dossier left ``processing`` with no live
    claim does too. Returns the claims released."""
    document_status = DocumentStatus.RETRYING if retrying else DocumentStatus.FAILED
    dossier_status = DossierStatus.RETRYING if retrying else DossierStatus.FAILED
    now = _now()
    chosen = [
        c
        for c in claims(warehouse, dossier=dossier)
        if (owner is None or c.owner == owner) and (not expired_only or c.expired(now))
    ]
    with warehouse.transaction() as conn:
        for claim in chosen:
            conn.execute(
                documents.update()
                .where(documents.c.id == claim.document_id, documents.c.lease_owner == claim.owner)
                .values(
                    lease_owner=None,
                    lease_until=None,
                    status=sa.case(
                        (documents.c.status == DocumentStatus.PROCESSING, document_status),
                        else_=documents.c.status,
                    ),
                    error_reason=reason,
                    error=message,
                    updated_at=now,
                )
            )
            conn.execute(
                events.insert().values(
                    dossier_id=claim.dossier_id,
                    document_id=claim.document_id,
                    stage="claim",
                    outcome="released",
                    detail=f"{reason}: held by {claim.owner}",
                    at=now,
                )
            )
        for dossier_id in {c.dossier_id for c in chosen}:
            _settle_dossier(conn, dossier_id, dossier_status, reason, message, now)
    return chosen


def _settle_dossier(
    conn: sa.Connection,
    dossier_id: int,
    status: DossierStatus,
    reason: str,
    message: str,
    now: dt.datetime,
) -> None:
    """A dossier left ``processing`` with no claim held any more takes ``status``."""
    still_held = conn.execute(
        sa.select(sa.func.count())
        .select_from(documents)
        .where(documents.c.dossier_id == dossier_id, documents.c.lease_owner.is_not(None))
    ).scalar()
    if not still_held:
        conn.execute(
            dossiers.update()
            .where(dossiers.c.id == dossier_id, dossiers.c.status == DossierStatus.PROCESSING)
            .values(status=status, error_reason=reason, error=message, updated_at=now)
        )
