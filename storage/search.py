"""Full-text search over digitised documents: what a clerk types finds what was digitised.

Text is folded before it is indexed and before it is asked for (``fold``: NFD, combining marks
dropped, đ -> d, lower case), so "nghi dinh 49" finds "Nghị định 49/2026/NĐ-CP" on both
backends, ranked by relevance:

    SQLite      FTS5 table ``search_fts`` (rowid = document id), ranked by bm25
    PostgreSQL  ``search_documents`` (document id, tsvector 'simple') with a GIN index, ts_rank

A document is indexed when the warehouse records it digitised (``Warehouse.record_document``
calls ``index_document`` in the same transaction), with its fields and the text of its pages.
Filters (agency, type, dates) and the caller's scope are applied by joining the warehouse's
own rows, never by trusting the index.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from schemas.desk import SearchHit, SearchQuery
from storage.tables import documents, dossiers

COLUMNS = ("code", "number", "kind", "title", "body")  # dossier code, số/ký hiệu, type, ...
_TOKEN = re.compile(r"\w+", re.UNICODE)
_WEIGHTS = "10.0, 8.0, 3.0, 4.0, 1.0"  # bm25 per column: a code or number hit ranks first
PG_TABLE = "search_documents"


def fold(text: str) -> str:
    """Lower case, no diacritics: 'Nghị định 49/2026/NĐ-CP' -> 'nghi dinh 49/2026/nd-cp'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def is_search_table(name: str | None) -> bool:
    """The index's own tables (FTS5 keeps shadow tables), outside the declared schema."""
    return bool(name) and (name.startswith("search_fts") or name == PG_TABLE)  # type: ignore[union-attr]


def create_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(
            sa.text(
                "CREATE VIRTUAL TABLE search_fts USING fts5("
                + ", ".join(COLUMNS)
                + ", tokenize = 'unicode61 remove_diacritics 0')"
            )
        )
        return
    conn.execute(
        sa.text(
            f"CREATE TABLE {PG_TABLE} (document_id INTEGER PRIMARY KEY "
            "REFERENCES documents(id) ON DELETE CASCADE, tsv tsvector NOT NULL)"
        )
    )
    conn.execute(sa.text(f"CREATE INDEX ix_{PG_TABLE}_tsv ON {PG_TABLE} USING GIN (tsv)"))


def _fields(code: str, metadata: Mapping[str, Any] | None, body: str) -> dict[str, str]:
    meta = metadata or {}
    number = "/".join(str(meta[k]) for k in ("code_number", "code_notation") if meta.get(k))
    title = " ".join(str(meta[k]) for k in ("subject", "organ_name", "place") if meta.get(k))
    texts = (code, number, str(meta.get("type_name") or ""), title, body)
    # words only: PostgreSQL's parser would keep "49/2026/nd-cp" as one path-like token
    return {column: " ".join(tokens(text)) for column, text in zip(COLUMNS, texts, strict=True)}


def index_document(
    conn: Connection, document_id: int, metadata: Mapping[str, Any] | None, body: str = ""
) -> None:
    """(Re)index one digitised document, inside the caller's transaction."""
    code = conn.execute(
        sa.select(dossiers.c.code)
        .select_from(documents.join(dossiers))
        .where(documents.c.id == document_id)
    ).scalar_one()
    index_rows(conn, [(document_id, code, metadata, body)])


def index_rows(
    conn: Connection, rows: Sequence[tuple[int, str, Mapping[str, Any] | None, str]]
) -> None:
    """(Re)index documents given as (id, dossier code, metadata, text), in one go."""
    if not rows:
        return  # an empty executemany would be one execution without parameters
    values = [{"id": i, **_fields(code, meta, body)} for i, code, meta, body in rows]
    if conn.dialect.name == "sqlite":
        conn.execute(
            sa.text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": v["id"]} for v in values]
        )
        conn.execute(
            sa.text(
                "INSERT INTO search_fts (rowid, "
                + ", ".join(COLUMNS)
                + ") VALUES (:id, "
                + ", ".join(f":{c}" for c in COLUMNS)
                + ")"
            ),
            values,
        )
        return
    weighted = " || ".join(
        f"setweight(to_tsvector('simple', :{c}), '{w}')"
        for c, w in zip(COLUMNS, "AABCD", strict=True)
    )
    conn.execute(
        sa.text(
            f"INSERT INTO {PG_TABLE} (document_id, tsv) VALUES (:id, {weighted}) "
            "ON CONFLICT (document_id) DO UPDATE SET tsv = EXCLUDED.tsv"
        ),
        values,
    )


def reindex_all(conn: Connection) -> int:
    """Index every digitised document from its recorded fields (the page text is in its
    sidecar; documents digitised from now on are indexed with it)."""
    rows = conn.execute(
        sa.select(documents.c.id, dossiers.c.code, documents.c.metadata)
        .select_from(documents.join(dossiers))
        .where(documents.c.status == "digitised")
    ).all()
    if rows:
        index_rows(conn, [(r.id, r.code, r.metadata, "") for r in rows])
    return len(rows)


def _match(conn: Connection, words: list[str]) -> tuple[sa.TextClause, Any]:
    """The ids matching every word, with a rank (lower is better)."""
    if conn.dialect.name == "sqlite":
        expression = " ".join(f'"{w}"*' if w == words[-1] else f'"{w}"' for w in words)
        clause = sa.text(
            f"SELECT rowid AS id, bm25(search_fts, {_WEIGHTS}) AS rank "
            "FROM search_fts WHERE search_fts MATCH :q"
        ).columns(sa.column("id", sa.Integer), sa.column("rank", sa.Float))
        return clause.bindparams(q=expression), None
    expression = " & ".join(words[:-1] + [words[-1] + ":*"])
    clause = sa.text(
        f"SELECT document_id AS id, -ts_rank(tsv, to_tsquery('simple', :q)) AS rank "
        f"FROM {PG_TABLE} WHERE tsv @@ to_tsquery('simple', :q)"
    ).columns(sa.column("id", sa.Integer), sa.column("rank", sa.Float))
    return clause.bindparams(q=expression), None


def search(
    conn: Connection, query: SearchQuery, agencies: Collection[str] | None
) -> list[SearchHit]:
    """Digitised documents matching every word of ``query.text`` and its filters, best first;
    only those of ``agencies`` (None: every agency)."""
    words = tokens(query.text)
    columns = (
        documents.c.id,
        documents.c.name,
        documents.c.metadata,
        documents.c.result_key,
        dossiers.c.id.label("dossier_id"),
        dossiers.c.code,
        dossiers.c.agency,
        dossiers.c.received_at,
    )
    if words:
        matched = _match(conn, words)[0].subquery("matched")
        select = sa.select(*columns, matched.c.rank).select_from(
            matched.join(documents, documents.c.id == matched.c.id).join(dossiers)
        )
        select = select.order_by(matched.c.rank, documents.c.id)
    else:
        select = sa.select(*columns, sa.literal(0.0).label("rank")).select_from(
            documents.join(dossiers)
        )
        select = select.order_by(dossiers.c.received_at.desc(), documents.c.id)
    select = select.where(documents.c.status == "digitised")
    select = _filtered(select, query, agencies)
    rows = conn.execute(select.limit(query.limit)).all()
    return [_hit(r) for r in rows]


def _filtered(select: sa.Select, query: SearchQuery, agencies: Collection[str] | None) -> Any:
    if agencies is not None:
        select = select.where(dossiers.c.agency.in_(list(agencies)))
    if query.agency:
        select = select.where(dossiers.c.agency == query.agency)
    if query.dossier:
        select = select.where(dossiers.c.code == query.dossier)
    if query.type_name:
        kind = documents.c.metadata["type_name"].as_string()
        select = select.where(kind == query.type_name.strip().upper())
    if query.issued_from:
        select = select.where(
            documents.c.metadata["issued_date"].as_string() >= query.issued_from.isoformat()
        )
    if query.issued_to:
        select = select.where(
            documents.c.metadata["issued_date"].as_string() <= query.issued_to.isoformat()
        )
    if query.received_from:
        select = select.where(dossiers.c.received_at >= query.received_from)
    if query.received_to:
        select = select.where(dossiers.c.received_at < query.received_to)
    return select


def _hit(row: Any) -> SearchHit:
    meta = row.metadata or {}
    number = "/".join(str(meta[k]) for k in ("code_number", "code_notation") if meta.get(k))
    return SearchHit(
        document_id=row.id,
        document=row.name,
        dossier_id=row.dossier_id,
        dossier=row.code,
        agency=row.agency,
        number=number or None,
        type_name=meta.get("type_name"),
        subject=meta.get("subject"),
        issued_date=meta.get("issued_date"),
        result_key=row.result_key,
        rank=float(row.rank or 0.0),
    )
