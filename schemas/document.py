"""Document metadata and the clerk's manifest.json.

    MetadataFields      what is read from a document's text (or vouched for by the clerk)
    DocumentMetadata    those fields plus a confidence and a source per field, disagreements
    ArchivalMetadata    the 22 fields of Circular 02/2019/TT-BNV, Appendix I, with their lengths
    ManifestDocument    one component (thành phần hồ sơ) of a dossier: files, flags, fields
    Manifest            manifest.json: the dossier-level fields and its components

Each model is exported as a JSON Schema under ``schemas/json/`` (``python -m schemas.document``
writes them; a test fails when the files and the code drift apart). See DOMAIN.md for the
identifiers; shapes marked there as unverified are checked for length only.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_pascal

DOSSIER_CODE_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$"
AGENCY_CODE_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"
# CMND 9, tax code 10 or 13 (10-3), CCCD 12 digits. Personal data: never logged unmasked.
OWNER_ID_PATTERN = r"^(\d{9}|\d{10}|\d{12}|\d{13}|\d{10}-\d{3})$"
JSON_SCHEMA_DIR = Path(__file__).parent / "json"

FieldSource = Literal["ocr", "text-layer", "manifest"]
AgencyLevel = Literal["ministry", "province", "district", "commune"]
Channel = Literal["counter", "online", "post"]  # trực tiếp, trực tuyến, bưu chính công ích


class MetadataFields(BaseModel):
    """The fields read from a document's text; lengths follow Circular 02/2019 Appendix I."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code_number: str | None = Field(None, max_length=11, description="số, e.g. '05'")
    code_notation: str | None = Field(None, max_length=30, description="ký hiệu, e.g. 'QĐ-UBND'")
    issued_date: dt.date | None = Field(None, description="ngày ban hành")
    place: str | None = Field(None, max_length=100, description="địa danh before the date")
    type_name: str | None = Field(None, max_length=100, description="loại văn bản, e.g. QUYẾT ĐỊNH")
    organ_name: str | None = Field(None, max_length=200, description="cơ quan ban hành")
    parent_organ_name: str | None = Field(
        None, max_length=200, description="cơ quan chủ quản: the line above the agency's name"
    )
    subject: str | None = Field(None, max_length=500, description="trích yếu")
    signing_authority: str | None = Field(
        None, max_length=200, description="thẩm quyền ký: 'TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH'"
    )
    signer_position: str | None = Field(None, max_length=100, description="chức vụ: 'PHÓ CHỦ TỊCH'")
    signer_name: str | None = Field(None, max_length=100, description="họ tên người ký")
    recipients: tuple[str, ...] | None = Field(
        None, max_length=100, description="nơi nhận, one item each, without '-' and ';'"
    )

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


class ArchivalMetadata(BaseModel):
    """Circular 02/2019/TT-BNV, Appendix I: the 22 metadata of a digitised document, under the
    Circular's own names (DocCode ...). Six come from the text (TypeName, CodeNumber,
    CodeNotation, IssuedDate, OrganName, Subject), the rest from the clerk or the system."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_pascal,
        populate_by_name=True,
        serialize_by_alias=True,  # written under the Circular's names, in a sidecar too
    )

    doc_code: str | None = Field(None, max_length=25, description="mã định danh văn bản")
    file_code: str | None = Field(None, max_length=30, description="mã hồ sơ")
    identifier: str | None = Field(None, max_length=13, description="mã cơ quan lưu trữ")
    organ_id: str | None = Field(None, max_length=13, description="mã phông lưu trữ")
    file_catalog: int | None = Field(None, ge=0, le=9999, description="mục lục số / năm hồ sơ")
    file_notation: str | None = Field(None, max_length=20, description="số và ký hiệu hồ sơ")
    doc_ordinal: int | None = Field(None, ge=1, le=9999, description="số thứ tự văn bản")
    type_name: str | None = Field(None, max_length=100, description="tên loại văn bản")
    code_number: str | None = Field(None, max_length=11, description="số của văn bản")
    code_notation: str | None = Field(None, max_length=30, description="ký hiệu của văn bản")
    issued_date: dt.date | None = Field(None, description="ngày, tháng, năm văn bản")
    organ_name: str | None = Field(None, max_length=200, description="cơ quan ban hành")
    subject: str | None = Field(None, max_length=500, description="trích yếu nội dung")
    language: str = Field("Tiếng Việt", max_length=100, description="ngôn ngữ")
    page_amount: int | None = Field(None, ge=0, le=9999, description="số trang")
    description: str | None = Field(None, max_length=500, description="ghi chú")
    infor_sign: str | None = Field(None, max_length=30, description="ký hiệu thông tin")
    keyword: str | None = Field(None, max_length=100, description="từ khóa")
    mode: str | None = Field(None, max_length=20, description="chế độ sử dụng")
    confidence_level: str | None = Field(None, max_length=30, description="mức độ tin cậy")
    autograph: str | None = Field(None, max_length=2000, description="bút tích")
    format: str | None = Field(None, max_length=50, description="tình trạng vật lý")


class ManifestDocument(BaseModel):
    """One component (thành phần hồ sơ): its page files in order, whether it was digitised or
    reused from earlier digitised data, and fields the clerk vouches for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: list[str] = Field(
        default_factory=list, description="file names inside the dossier folder, in page order"
    )
    name: str | None = Field(None, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    component_code: str | None = Field(None, max_length=50, description="mã thành phần hồ sơ")
    role: Literal["component", "result"] = Field(
        "component",
        description="a component of the dossier (thành phần hồ sơ) or its result (kết quả)",
    )
    digitised: bool = Field(True, description="converted into electronic data with metadata")
    reused: bool = Field(False, description="taken from earlier digitised data, not from paper")
    reused_from: str | None = Field(
        None, max_length=255, description="the earlier result it was reused from"
    )
    metadata: MetadataFields = MetadataFields()

    @model_validator(mode="after")
    def _files_unless_reused(self) -> ManifestDocument:
        if not self.files and not self.reused:
            raise ValueError("a component needs files unless it is reused (reused: true)")
        if self.reused_from and not self.reused:
            raise ValueError("reused_from is given but reused is false")
        return self


class Manifest(BaseModel):
    """manifest.json in a dossier folder. Every field is optional; unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dossier_code: str | None = Field(None, pattern=DOSSIER_CODE_PATTERN, description="mã số hồ sơ")
    agency: str | None = Field(None, pattern=AGENCY_CODE_PATTERN, description="mã định danh đơn vị")
    agency_level: AgencyLevel | None = Field(None, description="cấp: bộ, tỉnh, huyện, xã")
    procedure_code: str | None = Field(None, max_length=30, description="mã TTHC, e.g. 2.002622")
    channel: Channel | None = Field(None, description="kênh tiếp nhận")
    received_date: dt.date | None = Field(None, description="ngày tiếp nhận")
    owner_id: str | None = Field(
        None,
        pattern=OWNER_ID_PATTERN,
        description="số định danh (CCCD or tax code): masked in logs",
    )
    metadata: MetadataFields = Field(MetadataFields(), description="applies to every document")
    documents: list[ManifestDocument] = Field(
        default_factory=list, description="empty: every file in the folder is one document"
    )


EXPORTED = {
    "manifest": Manifest,
    "document-metadata": DocumentMetadata,
    "archival-metadata": ArchivalMetadata,
}


def json_schemas() -> dict[str, dict]:
    """File name (without .schema.json) -> JSON Schema of the model, as committed."""
    schemas = {}
    for name, model in EXPORTED.items():
        schema = model.model_json_schema(by_alias=True)
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://sohoa.invalid/schemas/{name}.schema.json"
        schemas[name] = schema
    return schemas


def schema_text(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_json_schemas(directory: Path = JSON_SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = directory / f"{name}.schema.json"
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_json_schemas():
        print(path)
