"""A document's identity: it belongs to its dossier. The same input bytes in another dossier
(or under another name) are a document of their own, linked to the first one seen with them;
under ``SOHOA_DUPLICATES=reuse`` such a copy takes that first document's signed result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from schemas.states import DocumentStatus
from storage.tables import documents, dossiers

if TYPE_CHECKING:
    from storage.warehouse import Warehouse

IDENTITY = ("name", "input_sha256", "pipeline_version")  # with the dossier


def identity(dossier_id: int, values: dict[str, Any]) -> sa.ColumnElement[bool]:
    missing = [k for k in IDENTITY if values.get(k) is None]
    if missing:
        raise TypeError(f"a document is known by its {', '.join(missing)} too")
    return sa.and_(
        documents.c.dossier_id == dossier_id, *(documents.c[k] == values[k] for k in IDENTITY)
    )


def first_with_bytes(
    conn: Connection, dossier_id: int, values: dict[str, Any], before: int | None = None
) -> int | None:
    """The first document of another dossier (or another name) with the same input bytes;
    ``before``: one that came before the document of that id (never the other way round)."""
    found = conn.execute(
        sa.select(sa.func.min(documents.c.id)).where(
            documents.c.input_sha256 == values["input_sha256"],
            documents.c.duplicate_of.is_(None),
            documents.c.id < before if before is not None else sa.true(),
            sa.not_(
                sa.and_(documents.c.dossier_id == dossier_id, documents.c.name == values["name"])
            ),
        )
    ).scalar()
    return None if found is None else int(found)


def reusable_result(
    warehouse: Warehouse, input_sha256: str, pipeline_version: str
) -> dict[str, Any] | None:
    """The first signed result of these input bytes by this pipeline version, if any."""
    with warehouse.transaction() as conn:
        row = conn.execute(
            sa.select(documents)
            .where(
                documents.c.input_sha256 == input_sha256,
                documents.c.pipeline_version == pipeline_version,
                documents.c.status == DocumentStatus.DIGITISED,
                documents.c.result_key.is_not(None),
            )
            .order_by(documents.c.id)
            .limit(1)
        ).first()
    return None if row is None else dict(row._mapping)


def described(warehouse: Warehouse, document_id: int) -> str:
    """A document as people name it: its dossier's code and its name."""
    with warehouse.transaction() as conn:
        row = conn.execute(
            sa.select(dossiers.c.code, documents.c.name)
            .select_from(documents.join(dossiers, documents.c.dossier_id == dossiers.c.id))
            .where(documents.c.id == document_id)
        ).one()
    return f"document {row.name!r} of dossier {row.code} (#{document_id})"
