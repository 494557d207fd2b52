"""What the warehouse hands back: a document's row and a dossier's, frozen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from schemas.states import DocumentStatus


@dataclass(frozen=True)
class DocumentRow:
    id: int
    dossier_id: int
    name: str
    status: DocumentStatus
    input_sha256: str
    result_key: str | None
    result_version: int | None
    pipeline_version: str = ""
    lease_owner: str | None = None
    duplicate_of: int | None = None


@dataclass(frozen=True)
class DossierRow:
    id: int
    agency: str
    code: str
    status: str
    source: str | None
    manifest: dict[str, Any] | None
    received_at: dt.datetime
    error_reason: str | None = None
    error: str | None = None


def document_row(row: Any) -> DocumentRow:
    """A documents-table row as a DocumentRow, its status typed."""
    found = {f.name: getattr(row, f.name) for f in fields(DocumentRow)}
    return DocumentRow(**found | {"status": DocumentStatus(found["status"])})
