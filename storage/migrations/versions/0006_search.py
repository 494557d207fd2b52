"""[desk]: full-text search over digitised documents (indicator 4.3, reuse).

SQLite: an FTS5 table whose rowid is the document's id; PostgreSQL: a ``tsvector`` per
document with a GIN index. Both hold text already folded (lower case, no diacritics, đ -> d) by
``storage.search.fold``, so "nghi dinh 49" meets "Nghị định 49/2026/NĐ-CP" the same way on
both. Documents digitised before this revision are indexed here.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from storage.search import create_index, reindex_all

    conn = op.get_bind()
    create_index(conn)
    reindex_all(conn)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("DROP TABLE search_fts"))
    else:
        conn.execute(sa.text("DROP TABLE search_documents"))
