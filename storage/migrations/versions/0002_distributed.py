"""[distributed]: result versions, document claims, failures, the watcher's ledger and
re-digitisation batches.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("manifest", sa.JSON))
        batch.add_column(sa.Column("error_reason", sa.String(40)))
        batch.add_column(sa.Column("error", sa.Text))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(120)))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True)))
        batch.create_unique_constraint(
            "uq_document_result_version", ["dossier_id", "name", "result_version"]
        )
    op.create_table(
        "intake_units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True)),
        sa.Column("message_id", sa.String(64)),
        sa.UniqueConstraint("unit", "version", name="uq_intake_unit_version"),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("pipeline_version", sa.String(20), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "batch_items",
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("batches.id"), primary_key=True),
        sa.Column("dossier_id", sa.Integer, sa.ForeignKey("dossiers.id"), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(20)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("batch_items")
    op.drop_table("batches")
    op.drop_table("intake_units")
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("uq_document_result_version", type_="unique")
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("error")
        batch.drop_column("error_reason")
        batch.drop_column("manifest")
