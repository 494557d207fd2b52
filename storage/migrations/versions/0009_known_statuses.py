"""[house]: the warehouse refuses a dossier or document status sohoa does not know (a CHECK
constraint on each ``status`` column; the same sets as schemas/states.py, written out here so
that this revision never changes with the code).

A warehouse holding another status is not changed: the upgrade stops and names the statuses.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from schemas.errors import ConfigurationError

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KNOWN = {
    "dossiers": ("received", "processing", "retrying", "digitised", "quarantined", "failed"),
    "documents": ("processing", "retrying", "digitised", "reused", "quarantined", "failed"),
}


def check_name(table: str) -> str:
    return f"ck_{table}_status"


def condition(table: str) -> str:
    return "status IN (%s)" % ", ".join(f"'{status}'" for status in KNOWN[table])


def upgrade() -> None:
    conn = op.get_bind()
    for table, known in KNOWN.items():
        found = conn.execute(sa.text(f"SELECT DISTINCT status FROM {table}")).scalars()
        unknown = sorted(set(found) - set(known))
        if unknown:
            raise ConfigurationError(
                f"the {table} hold statuses this sohoa does not know: {', '.join(unknown)}"
            )
    for table in KNOWN:
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint(check_name(table), condition(table))


def downgrade() -> None:
    for table in KNOWN:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(check_name(table), type_="check")
