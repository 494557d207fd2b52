"""The spine's warehouse: dossiers, documents, events.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency", sa.String(30), nullable=False),
        sa.Column("code", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("procedure_code", sa.String(30)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("agency", "code", name="uq_dossier_agency_code"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dossier_id", sa.Integer, sa.ForeignKey("dossiers.id"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("pipeline_version", sa.String(20), nullable=False),
        sa.Column("result_version", sa.Integer),
        sa.Column("page_count", sa.Integer),
        sa.Column("mean_confidence", sa.Float),
        sa.Column("metadata", sa.JSON),
        sa.Column("signature", sa.JSON),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("result_key", sa.Text),
        sa.Column("result_sha256", sa.String(64)),
        sa.Column("stage_seconds", sa.JSON),
        sa.Column("error_reason", sa.String(40)),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("input_sha256", "pipeline_version", name="uq_document_input_version"),
    )
    op.create_index("ix_documents_dossier_id", "documents", ["dossier_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dossier_id", sa.Integer, sa.ForeignKey("dossiers.id"), nullable=False),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id")),
        sa.Column("stage", sa.String(30), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("seconds", sa.Float),
        sa.Column("detail", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_events_dossier_id", "events", ["dossier_id"])
    op.create_index("ix_events_document_id", "events", ["document_id"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("documents")
    op.drop_table("dossiers")
