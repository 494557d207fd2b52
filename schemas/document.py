"""Document metadata (a first cut of Circular 02/2019/TT-BNV) and the clerk's manifest.json."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DOSSIER_CODE_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$"
AGENCY_CODE_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"

FieldSource = Literal["ocr", "text-layer", "manifest"]


class MetadataFields(BaseModel):
    """The fields read from a document's text; lengths follow Circular 02/2019 Appendix I."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code_number: str | None = Field(None, max_length=11, description="số, e.g. '05'")
    code_notation: str | None = Field(None, max_length=30, description="ký hiệu, e.g. 'QĐ-UBND'")
    issued_date: dt.date | None = Field(None, description="ngày ban hành")
    place: str | None = Field(None, max_length=100, description="địa danh before the date")
    type_name: str | None = Field(None, max_length=100, description="loại văn bản, e.g. QUYẾT ĐỊNH")
    organ_name: str | None = Field(None, max_length=200, description="cơ quan ban hành")
    subject: str | None = Field(None, max_length=500, description="trích yếu")

    @property
    def number_and_symbol(self) -> str | None:
        """'05/2024/QĐ-UBND' style: số và ký hiệu as printed after 'Số:'."""
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation


class DocumentMetadata(MetadataFields):
    """Extracted fields plus where each came from and how sure we are of it."""

    confidence: dict[str, float] = Field(default_factory=dict, description="0..1 per field")
    sources: dict[str, FieldSource] = Field(default_factory=dict)
    disagreements: dict[str, str] = Field(
        default_factory=dict, description="field -> what the text said when the manifest won"
    )


class ManifestDocument(BaseModel):
    """One component of a dossier: its page files in order, and fields the clerk vouches for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: list[str] = Field(min_length=1, description="file names inside the dossier folder")
    name: str | None = Field(None, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    metadata: MetadataFields = MetadataFields()


class Manifest(BaseModel):
    """manifest.json in a dossier folder. Every field is optional; unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dossier_code: str | None = Field(None, pattern=DOSSIER_CODE_PATTERN, description="mã số hồ sơ")
    agency: str | None = Field(None, pattern=AGENCY_CODE_PATTERN, description="mã định danh đơn vị")
    procedure_code: str | None = Field(None, max_length=30, description="mã TTHC")
    received_date: dt.date | None = None
    metadata: MetadataFields = Field(MetadataFields(), description="applies to every document")
    documents: list[ManifestDocument] = Field(
        default_factory=list, description="empty: every file in the folder is one document"
    )
