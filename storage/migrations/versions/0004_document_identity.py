"""[integrity]: a document belongs to its dossier. Idempotency is per (dossier, document
name, input bytes, pipeline version) instead of per (input bytes, pipeline version), so the
same bytes in another dossier are a document of that dossier, linked by ``duplicate_of`` to
the first one seen.

Every warehouse at 0003 satisfies the new constraint: it is looser than the old one.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_document_input_version", type_="unique")
        batch.add_column(sa.Column("duplicate_of", sa.Integer))
        batch.create_foreign_key("fk_documents_duplicate_of", "documents", ["duplicate_of"], ["id"])
        batch.create_unique_constraint(
            "uq_document_identity", ["dossier_id", "name", "input_sha256", "pipeline_version"]
        )
        batch.create_index("ix_documents_input_sha256", ["input_sha256"])


def downgrade() -> None:
    """Refused when two dossiers hold the same bytes: the old constraint cannot hold then."""
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_input_sha256")
        batch.drop_constraint("uq_document_identity", type_="unique")
        batch.drop_constraint("fk_documents_duplicate_of", type_="foreignkey")
        batch.drop_column("duplicate_of")
        batch.create_unique_constraint(
            "uq_document_input_version", ["input_sha256", "pipeline_version"]
        )
