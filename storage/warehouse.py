"""The electronic results warehouse: dossiers, documents and one event per stage.

SQLAlchemy Core over any URL (the embedded default is SQLite; PostgreSQL arrives with
[distributed] and Alembic). Database errors become WarehouseUnavailable at this boundary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from schemas.errors import WarehouseUnavailable

metadata = sa.MetaData()

dossiers = sa.Table(
    "dossiers",
    metadata,
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

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_id", sa.ForeignKey("dossiers.id"), nullable=False, index=True),
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

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossier_id", sa.ForeignKey("dossiers.id"), nullable=False, index=True),
    sa.Column("document_id", sa.ForeignKey("documents.id"), index=True),
    sa.Column("stage", sa.String(30), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("seconds", sa.Float),
    sa.Column("detail", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class DocumentRow:
    id: int
    dossier_id: int
    name: str
    status: str
    input_sha256: str
    result_key: str | None
    result_version: int | None


class Warehouse:
    """A thin adapter: every method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Warehouse:
        try:
            engine = sa.create_engine(url)
            if engine.dialect.name == "sqlite":
                if engine.url.database and engine.url.database != ":memory:":
                    Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            metadata.create_all(engine)
        except SQLAlchemyError as exc:
            raise WarehouseUnavailable(f"cannot open warehouse: {exc.__class__.__name__}") from exc
        return cls(engine)

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise WarehouseUnavailable(f"warehouse error: {exc.__class__.__name__}") from exc

    def ensure_dossier(
        self, agency: str, code: str, *, source: str, procedure_code: str | None = None
    ) -> int:
        """The dossier's id, creating it as ``received`` the first time it is seen."""
        now = _now()
        for _ in range(2):  # a concurrent insert of the same dossier loses the race once
            with self._tx() as conn:
                found = conn.execute(
                    sa.select(dossiers.c.id).where(
                        dossiers.c.agency == agency, dossiers.c.code == code
                    )
                ).scalar()
                if found is not None:
                    return int(found)
            try:
                with self._tx() as conn:
                    values = dict(agency=agency, code=code, status="received", source=source)
                    values.update(procedure_code=procedure_code, received_at=now, updated_at=now)
                    return int(
                        conn.execute(dossiers.insert().values(**values)).inserted_primary_key[0]
                    )
            except IntegrityError:
                continue
        raise WarehouseUnavailable(f"cannot register dossier {code}")

    def set_dossier_status(self, dossier_id: int, status: str) -> None:
        with self._tx() as conn:
            conn.execute(
                dossiers.update()
                .where(dossiers.c.id == dossier_id)
                .values(status=status, updated_at=_now())
            )

    def find_document(self, input_sha256: str, pipeline_version: str) -> DocumentRow | None:
        with self._tx() as conn:
            row = conn.execute(
                sa.select(documents).where(
                    documents.c.input_sha256 == input_sha256,
                    documents.c.pipeline_version == pipeline_version,
                )
            ).first()
        if row is None:
            return None
        return DocumentRow(
            id=row.id,
            dossier_id=row.dossier_id,
            name=row.name,
            status=row.status,
            input_sha256=row.input_sha256,
            result_key=row.result_key,
            result_version=row.result_version,
        )

    def record_document(self, dossier_id: int, **values: Any) -> int:
        """Insert or update the document keyed by (input_sha256, pipeline_version)."""
        now = _now()
        key = (values["input_sha256"], values["pipeline_version"])
        existing = self.find_document(*key)
        with self._tx() as conn:
            if existing is None:
                result = conn.execute(
                    documents.insert().values(
                        dossier_id=dossier_id, created_at=now, updated_at=now, **values
                    )
                )
                return int(result.inserted_primary_key[0])
            conn.execute(
                documents.update()
                .where(documents.c.id == existing.id)
                .values(dossier_id=dossier_id, updated_at=now, **values)
            )
            return existing.id

    def add_event(
        self,
        dossier_id: int,
        stage: str,
        outcome: str,
        *,
        document_id: int | None = None,
        seconds: float | None = None,
        detail: str | None = None,
    ) -> None:
        with self._tx() as conn:
            conn.execute(
                events.insert().values(
                    dossier_id=dossier_id,
                    document_id=document_id,
                    stage=stage,
                    outcome=outcome,
                    seconds=seconds,
                    detail=detail,
                    at=_now(),
                )
            )

    def rows(self, table: sa.Table) -> list[dict[str, Any]]:
        """Every row of a table, for reports and tests."""
        with self._tx() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
