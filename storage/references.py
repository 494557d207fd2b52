"""What a manifest's ``reused_from`` may name: a document the warehouse holds as digitised."""

from __future__ import annotations

import sqlalchemy as sa

from schemas.states import DocumentStatus
from storage.tables import documents, dossiers
from storage.warehouse import Warehouse


def digitised_result(warehouse: Warehouse, reference: str) -> str | None:
    """The result key of the digitised document ``reference`` names, by "<dossier code>/
    <document name>" (its newest version) or by that key; None if the warehouse holds none."""
    code, _, name = reference.rpartition("/")
    with warehouse.transaction() as conn:
        row = conn.execute(
            sa.select(documents.c.result_key)
            .join(dossiers, dossiers.c.id == documents.c.dossier_id)
            .where(
                documents.c.status == DocumentStatus.DIGITISED,
                sa.or_(
                    documents.c.result_key == reference,
                    sa.and_(dossiers.c.code == code, documents.c.name == name),
                ),
            )
            .order_by(documents.c.result_version.desc())
            .limit(1)
        ).first()
    return None if row is None else row.result_key
