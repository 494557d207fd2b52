"""The electronic results warehouse: dossiers, documents and one event per stage.

SQLAlchemy Core over any URL: SQLite (the embedded default) or PostgreSQL (psycopg 3). The
schema is Alembic's (``storage/migrations``): an embedded SQLite file is migrated when it is
opened; a PostgreSQL warehouse by ``sohoa db upgrade``, and opening one that is behind is a
ConfigurationError. Database errors become WarehouseUnavailable at this boundary.

A document belongs to its dossier: its identity is (dossier, name, input bytes, pipeline
version). The same bytes in another dossier, or under another name, are a document of their
own, linked by ``duplicate_of`` to the first document seen with them.

A document row is claimed by one run at a time (``lease_owner`` until ``lease_until``): a
second run on the same document gets DocumentBusy (retryable), the same run coming back after
a crash (the same owner, e.g. a redelivered message) takes it over. Result versions count per
dossier and document name: a re-digitisation gets N+1 and keeps N.

A dossier is received when the dossier says (the manifest's date, or the register's), else
when its first intake object was stored; never when a worker happened to pick it up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from schemas.errors import DocumentBusy, WarehouseUnavailable
from schemas.states import DocumentStatus, DossierStatus
from storage.database import aware, engine_for, warehouse_error
from storage.dates import received_change, start_of_day
from storage.identity import IDENTITY, first_with_bytes, identity
from storage.rows import DocumentRow, DossierRow, document_row
from storage.search import index_document
from storage.tables import documents, dossiers, events


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


FINAL_STATES = tuple(status for status in DocumentStatus if status.final)


class Warehouse:
    """A thin adapter: every method is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, password_file: Path | None = None) -> Warehouse:
        """Open a warehouse; an embedded SQLite file is migrated to the newest schema, any
        other database must already be (``sohoa db upgrade``)."""
        from storage.migrations import ensure_current  # Alembic only where it is used

        engine = engine_for(url, password_file)
        try:
            ensure_current(engine, upgrade=engine.dialect.name == "sqlite")
        except SQLAlchemyError as exc:
            raise warehouse_error(exc, "cannot open warehouse") from exc
        return cls(engine)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise warehouse_error(exc) from exc

    _tx = transaction

    def ensure_dossier(
        self,
        agency: str,
        code: str,
        *,
        source: str,
        procedure_code: str | None = None,
        manifest: dict[str, Any] | None = None,
        received_on: dt.date | None = None,
        uploaded_at: dt.datetime | None = None,
    ) -> int:
        """The dossier's id, creating it as ``received`` the first time it is seen.

        ``received_on``: the day the dossier itself gives (its manifest); ``uploaded_at``: when
        its first intake object was stored. The moment of this call is the last resort."""
        for _ in range(2):  # a concurrent insert of the same dossier loses the race once
            with self._tx() as conn:
                found = conn.execute(
                    sa.select(
                        dossiers.c.id, dossiers.c.received_at, dossiers.c.registered_at
                    ).where(dossiers.c.agency == agency, dossiers.c.code == code)
                ).first()
                if found is not None:
                    changes: dict[str, Any] = {}
                    if manifest is not None:
                        changes.update(manifest=manifest)
                    received = received_change(found, received_on, uploaded_at)
                    if received is not None:
                        changes.update(received_at=received)
                    if changes:
                        conn.execute(
                            dossiers.update().where(dossiers.c.id == found.id).values(**changes)
                        )
                    return int(found.id)
            now = _now()
            received = start_of_day(received_on) if received_on else uploaded_at or now
            try:
                with self._tx() as conn:
                    values = dict(agency=agency, code=code, source=source)
                    values.update(status=DossierStatus.RECEIVED)
                    values.update(procedure_code=procedure_code, received_at=received)
                    values.update(manifest=manifest, updated_at=now)
                    return int(
                        conn.execute(dossiers.insert().values(**values)).inserted_primary_key[0]
                    )
            except IntegrityError:
                continue
        raise WarehouseUnavailable(f"cannot register dossier {code}")

    def set_dossier_status(
        self,
        dossier_id: int,
        status: DossierStatus | str,
        *,
        error_reason: str | None = None,
        error: str | None = None,
    ) -> None:
        status = DossierStatus(status)  # ValueError for another status, before the database
        with self._tx() as conn:
            conn.execute(
                dossiers.update()
                .where(dossiers.c.id == dossier_id)
                .values(status=status, updated_at=_now(), error_reason=error_reason, error=error)
            )

    def find_document(
        self, dossier_id: int, name: str, input_sha256: str, pipeline_version: str
    ) -> DocumentRow | None:
        """The dossier's document of this name, input bytes and pipeline version."""
        key = dict(name=name, input_sha256=input_sha256, pipeline_version=pipeline_version)
        with self._tx() as conn:
            row = conn.execute(sa.select(documents).where(identity(dossier_id, key))).first()
        return None if row is None else document_row(row)

    def _find(self, dossier_id: int, values: dict[str, Any]) -> DocumentRow | None:
        return self.find_document(dossier_id, *(values[k] for k in IDENTITY))

    def _insert(self, conn: Connection, dossier_id: int, now: dt.datetime, **values: Any) -> int:
        values.setdefault("duplicate_of", first_with_bytes(conn, dossier_id, values))
        inserted = conn.execute(
            documents.insert().values(
                dossier_id=dossier_id, created_at=now, updated_at=now, **values
            )
        )
        return int(inserted.inserted_primary_key[0])

    def record_document(self, dossier_id: int, **values: Any) -> int:
        """Insert or update the dossier's document (name, input_sha256, pipeline_version).

        A final status (digitised, quarantined, failed) also gives up the run's claim. A
        digitised document is (re)indexed for search with ``search_text``, its pages' text."""
        now = _now()
        text = values.pop("search_text", "")
        if "status" in values:  # ValueError for another status, before the database
            values["status"] = DocumentStatus(values["status"])
        if values.get("status") in FINAL_STATES:
            values.update(lease_owner=None, lease_until=None)
        existing = self._find(dossier_id, values)
        with self._tx() as conn:
            if existing is None:
                document_id = self._insert(conn, dossier_id, now, **values)
            else:
                document_id = existing.id
                if existing.duplicate_of is None and "duplicate_of" not in values:
                    # a copy claimed at the same moment as its first sees it now
                    values.update(
                        duplicate_of=first_with_bytes(conn, dossier_id, values, document_id)
                    )
                conn.execute(
                    documents.update()
                    .where(documents.c.id == document_id)
                    .values(updated_at=now, **values)
                )
            if values.get("status") == DocumentStatus.DIGITISED:
                index_document(conn, document_id, values.get("metadata"), text)
            return document_id

    def claim_document(
        self, dossier_id: int, *, owner: str, lease_s: float, **values: Any
    ) -> DocumentRow:
        """Take the dossier's document (name, input_sha256, pipeline_version) for one run, as
        ``processing``. A document already ``digitised`` is returned untouched (check its
        status); one held by another live run raises DocumentBusy. A new document with the
        same bytes as one seen before is linked to it (``duplicate_of``)."""
        for _ in range(3):
            now = _now()
            until = now + dt.timedelta(seconds=lease_s)
            existing = self._find(dossier_id, values)
            if existing is not None and existing.status == DocumentStatus.DIGITISED:
                return existing
            claim = dict(values, status=DocumentStatus.PROCESSING)
            claim.update(lease_owner=owner, lease_until=until)
            try:
                with self._tx() as conn:
                    if existing is None:
                        self._insert(conn, dossier_id, now, **claim)
                    else:
                        taken = conn.execute(
                            documents.update()
                            .where(
                                documents.c.id == existing.id,
                                documents.c.status != DocumentStatus.DIGITISED,
                                sa.or_(
                                    documents.c.lease_owner.is_(None),
                                    documents.c.lease_owner == owner,
                                    documents.c.lease_until < now,
                                ),
                            )
                            .values(updated_at=now, **claim)
                        ).rowcount
                        if not taken:
                            continue  # digitised or held meanwhile: look again
            except IntegrityError:
                continue  # another run inserted it first
            found = self._find(dossier_id, values)
            if found is not None and found.lease_owner == owner:
                return found
        found = self._find(dossier_id, values)
        if found is not None and found.status == DocumentStatus.DIGITISED:
            return found
        raise DocumentBusy(
            "another run is digitising the same document", subject=values["input_sha256"][:12]
        )

    def claim_result_version(self, document_id: int) -> int:
        """The result version of this document: kept if it has one, else one more than the
        highest of the same document name in the same dossier."""
        for _ in range(5):
            try:
                with self._tx() as conn:
                    row = conn.execute(
                        sa.select(
                            documents.c.dossier_id, documents.c.name, documents.c.result_version
                        ).where(documents.c.id == document_id)
                    ).one()
                    if row.result_version is not None:
                        return int(row.result_version)
                    # Serialise allocations within one dossier (a row lock on PostgreSQL;
                    # SQLite already runs one writer at a time).
                    conn.execute(
                        sa.select(dossiers.c.id)
                        .where(dossiers.c.id == row.dossier_id)
                        .with_for_update()
                    )
                    highest = conn.execute(
                        sa.select(sa.func.max(documents.c.result_version)).where(
                            documents.c.dossier_id == row.dossier_id,
                            documents.c.name == row.name,
                        )
                    ).scalar()
                    version = int(highest or 0) + 1
                    conn.execute(
                        documents.update()
                        .where(documents.c.id == document_id)
                        .values(result_version=version, updated_at=_now())
                    )
                    return version
            except IntegrityError:
                continue  # a concurrent run took that number: count again
        raise WarehouseUnavailable("cannot allocate a result version")

    def dossier(self, dossier_id: int) -> DossierRow:
        with self._tx() as conn:
            row = conn.execute(sa.select(dossiers).where(dossiers.c.id == dossier_id)).one()
        return DossierRow(
            id=row.id,
            agency=row.agency,
            code=row.code,
            status=row.status,
            source=row.source,
            manifest=row.manifest,
            received_at=aware(row.received_at),  # type: ignore[arg-type]
            error_reason=row.error_reason,
            error=row.error,
        )

    def find_dossier(self, agency: str, code: str) -> int | None:
        with self._tx() as conn:
            found = conn.execute(
                sa.select(dossiers.c.id).where(dossiers.c.agency == agency, dossiers.c.code == code)
            ).scalar()
        return None if found is None else int(found)

    def documents_of(self, dossier_id: int) -> list[dict[str, Any]]:
        with self._tx() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(documents)
                    .where(documents.c.dossier_id == dossier_id)
                    .order_by(documents.c.id)
                )
            ]

    def fail_dossier(self, dossier_id: int, reason: str, message: str) -> None:
        """Retries ran out: the dossier and its unfinished documents become ``failed``."""
        now = _now()
        with self._tx() as conn:
            conn.execute(
                documents.update()
                .where(
                    documents.c.dossier_id == dossier_id,
                    documents.c.status.not_in(FINAL_STATES),
                )
                .values(
                    status=DocumentStatus.FAILED,
                    error_reason=reason,
                    error=message,
                    lease_owner=None,
                    lease_until=None,
                    updated_at=now,
                )
            )
            conn.execute(
                dossiers.update()
                .where(dossiers.c.id == dossier_id)
                .values(
                    status=DossierStatus.FAILED, error_reason=reason, error=message, updated_at=now
                )
            )
            conn.execute(
                events.insert().values(
                    dossier_id=dossier_id,
                    stage="job",
                    outcome="failed",
                    detail=f"{reason}: {message}",
                    at=now,
                )
            )

    def find_dossier_by_source(self, source: str) -> int | None:
        with self._tx() as conn:
            found = conn.execute(
                sa.select(sa.func.max(dossiers.c.id)).where(dossiers.c.source == source)
            ).scalar()
        return None if found is None else int(found)

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
