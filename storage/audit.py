"""The audit trail: who did what at the desk, and to which account, in the warehouse (table
``audit``, migration 0007). Every row names the user (the name as typed, for a failed login)
and the agency whose data it touched, else the user's own, so a supervisor reads the trail of
the agencies they see and nothing else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa

from storage.tables import audit, dossiers
from storage.warehouse import Warehouse

ACTIONS = (
    "login",
    "login-failed",
    "logout",
    "search",
    "download-result",
    "download-sidecar",
    "download-original",
    "upload",
    "retry",
    "accept",
    "reuse",
    "verify",
    "user-added",
    "user-disabled",
    "user-enabled",
)
PAGE = 200


def _storable(text: str) -> str:
    """What was typed, as PostgreSQL can hold it: a NUL (``q=%00`` in a desk search, a login
    name) written ``\\x00``; PostgreSQL's text refuses it, and the row, and the page, failed."""
    return text.replace("\x00", "\\x00")


def record(
    warehouse: Warehouse,
    action: str,
    username: str,
    *,
    user_id: int | None = None,
    agency: str | None = None,
    dossier_id: int | None = None,
    document_id: int | None = None,
    detail: str | None = None,
) -> None:
    """One action, in its own transaction (an action that failed half-way is still said)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    with warehouse.transaction() as conn:
        conn.execute(
            audit.insert().values(
                at=dt.datetime.now(dt.UTC),
                user_id=user_id,
                username=_storable(username[:80]),
                action=action,
                agency=agency,
                dossier_id=dossier_id,
                document_id=document_id,
                detail=None if detail is None else _storable(detail[:2000]),
            )
        )


def trail(
    warehouse: Warehouse,
    scope: Collection[str] | None,
    *,
    action: str | None = None,
    username: str | None = None,
    dossier_id: int | None = None,
    limit: int = PAGE,
) -> list[Any]:
    """The newest actions first, only those about ``scope``'s agencies (None: all)."""
    select = sa.select(audit, dossiers.c.code.label("dossier_code")).select_from(
        audit.outerjoin(dossiers, audit.c.dossier_id == dossiers.c.id)
    )
    if scope is not None:
        select = select.where(audit.c.agency.in_(list(scope)))
    if action:
        select = select.where(audit.c.action == action)
    if username:
        select = select.where(audit.c.username == username)
    if dossier_id is not None:
        select = select.where(audit.c.dossier_id == dossier_id)
    select = select.order_by(audit.c.at.desc(), audit.c.id.desc()).limit(limit)
    with warehouse.transaction() as conn:
        return list(conn.execute(select))
