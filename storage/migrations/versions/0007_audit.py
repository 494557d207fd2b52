"""[desk]: the audit trail: one row per action at the desk (logins, failed logins, searches,
downloads, uploads, retry, accept, reuse, verify) and per change of an account, with the user.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", name="fk_audit_user")),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("agency", sa.String(30)),
        sa.Column(
            "dossier_id", sa.Integer, sa.ForeignKey("dossiers.id", name="fk_audit_dossier")
        ),
        sa.Column(
            "document_id", sa.Integer, sa.ForeignKey("documents.id", name="fk_audit_document")
        ),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_audit_at", "audit", ["at"])
    op.create_index("ix_audit_user_id", "audit", ["user_id"])
    op.create_index("ix_audit_agency", "audit", ["agency"])
    op.create_index("ix_audit_dossier_id", "audit", ["dossier_id"])


def downgrade() -> None:
    op.drop_table("audit")
