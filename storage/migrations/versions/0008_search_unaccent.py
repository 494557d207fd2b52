"""[desk]: PostgreSQL's search folds diacritics itself: the ``unaccent`` extension and the
immutable ``sohoa_unaccent(text)`` that indexing and questions go through (storage/search.py).

The vectors indexed before hold text folded by sohoa (lower case, no diacritics, đ -> d), which
gives the same lexemes as unaccent for Vietnamese: they stay as they are, and their page text
with them. SQLite is unchanged (FTS5 cannot fold đ: sohoa folds there).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from storage.search import create_unaccent

    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        create_unaccent(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("DROP FUNCTION IF EXISTS sohoa_unaccent(text)"))
