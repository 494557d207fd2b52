"""[warehouse]: agencies over time, procedures, targets, the register's facts on dossiers,
the role of a document (component or result) and where a reused component came from.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("channel", sa.String(10)))
        batch.add_column(sa.Column("registered_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("register_components", sa.Integer))
        batch.add_column(sa.Column("register_components_digitised", sa.Integer))
        batch.add_column(sa.Column("register_components_reused", sa.Integer))
        batch.add_column(sa.Column("register_result_electronic", sa.Boolean))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("role", sa.String(10)))
        batch.add_column(sa.Column("reused_from", sa.String(255)))
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("parent_code", sa.String(30)),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_to", sa.Date),
        sa.UniqueConstraint("code", "valid_from", name="uq_agency_code_from"),
    )
    op.create_index("ix_agencies_code", "agencies", ["code"])
    op.create_table(
        "procedures",
        sa.Column("code", sa.String(30), primary_key=True),
        sa.Column("name", sa.Text),
        sa.Column("result_is_document", sa.Boolean, nullable=False),
    )
    op.create_table(
        "targets",
        sa.Column("indicator", sa.String(5), primary_key=True),
        sa.Column("level", sa.String(20), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("percent", sa.Numeric(5, 2), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("targets")
    op.drop_table("procedures")
    op.drop_index("ix_agencies_code", "agencies")
    op.drop_table("agencies")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("reused_from")
        batch.drop_column("role")
    with op.batch_alter_table("dossiers") as batch:
        for column in (
            "register_result_electronic",
            "register_components_reused",
            "register_components_digitised",
            "register_components",
            "registered_at",
            "channel",
        ):
            batch.drop_column(column)
