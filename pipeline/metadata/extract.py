"""Metadata from the text of a Vietnamese administrative document (see DOMAIN.md).

    extract(text)                       -> DocumentMetadata, a confidence (0..1) per field found
    merge_manifest(found, *overrides)   -> manifest values win; disagreements are recorded
    archival_metadata(meta, ...)        -> the 22 fields of Circular 02/2019/TT-BNV

The finders live in ``extract_header`` (agency, số và ký hiệu, place and date, type, trích
yếu) and ``extract_signer`` (Nơi nhận, signing authority, signer). Fields cross-check each
other: the type says whether 'HD' in the ký hiệu is HĐ (hợp đồng) or HD (hướng dẫn), the
agency's initials say 'SKHĐT' rather than 'SKHDT', and a type abbreviation in the ký hiệu
that agrees with the type line raises both confidences.
"""

from __future__ import annotations

from pipeline.metadata.extract_header import (
    ABBREVIATIONS,
    CONG_VAN,
    DOCUMENT_TYPES,
    find_date,
    find_organ,
    find_type,
    number_line,
    spell_notation,
    type_from_notation,
)
from pipeline.metadata.extract_header import find_number as _find_number
from pipeline.metadata.extract_repair import (
    drop_from_body,
    fill_from_body,
    respell_from_body,
    spell_storage_units,
)
from pipeline.metadata.extract_recipients import find_recipients
from pipeline.metadata.extract_signer import find_signer
from pipeline.metadata.extract_subject import find_subject
from pipeline.metadata.extract_header import Found
from pipeline.metadata.extract_text import clean, fold, lines_of
from schemas.document import ArchivalMetadata, DocumentMetadata, FieldSource, MetadataFields

__all__ = [
    "ABBREVIATIONS",
    "CONG_VAN",
    "DOCUMENT_TYPES",
    "archival_metadata",
    "extract",
    "find_date",
    "find_number",
    "fold",
    "merge_manifest",
]


def find_number(text: str) -> tuple[str, str, float] | None:
    """(số, ký hiệu, confidence) from a text; see ``extract_header.find_number``."""
    found = _find_number(lines_of(text))
    if found is None:
        return None
    number, notation = found.value  # type: ignore[misc]
    return number, spell_notation(notation), found.confidence


def extract(text: str, source: FieldSource = "ocr") -> DocumentMetadata:
    lines = lines_of(text)
    values: dict[str, object] = {}
    confidence: dict[str, float] = {}

    def put(name: str, value: object, sure: float) -> None:
        if value not in (None, "", ()):
            values[name], confidence[name] = value, round(sure, 2)

    numbered = number_line(lines)
    if organ := find_organ(lines, numbered):
        name, parent = organ.value  # type: ignore[misc]
        put("organ_name", name, organ.confidence)
        put("parent_organ_name", parent, organ.confidence - 0.1)
    type_found = find_type(lines, numbered + 1 if numbered is not None else 0)
    if number := _find_number(lines):
        code_number, notation = number.value  # type: ignore[misc]
        type_name = type_found.value if type_found else None
        spelled = spell_notation(notation, values.get("organ_name"), type_name)  # type: ignore[arg-type]
        put("code_number", code_number, number.confidence)
        put("code_notation", spelled, number.confidence - (0.05 if spelled != notation else 0))
    if date := find_date(lines, numbered or 0):
        issued, place = date.value  # type: ignore[misc]
        put("issued_date", issued, date.confidence)
        put("place", place, date.confidence - 0.1)
    organ_name = str(values.get("organ_name", "")) or None
    type_line = type_found.line if type_found else None
    subject = find_subject(lines, type_line, numbered or 0, organ_name)
    if subject:
        body = _after(lines, subject)
        text, respelt = respell_from_body(str(subject.value), body)
        text, added = fill_from_body(text, body)
        text, dropped = drop_from_body(text, body)
        sure = subject.confidence - 0.05 * bool(respelt) - 0.1 * bool(added or dropped)
        put("subject", text, sure)
    _settle_type(values, confidence, type_found, put)
    if signer := find_signer(lines):
        put("signing_authority", signer.authority, 0.8)
        put("signer_position", signer.position, signer.position_confidence)
        put("signer_name", signer.name, signer.confidence)
    if recipients := find_recipients(lines):
        items = spell_storage_units(recipients[0], str(values.get("code_notation", "")))
        put("recipients", items, recipients[1] - (0.05 if items != recipients[0] else 0))
    sources: dict[str, FieldSource] = {name: source for name in values}
    return DocumentMetadata(**values, confidence=confidence, sources=sources)  # type: ignore[arg-type]


def _settle_type(values, confidence, type_found, put) -> None:  # type: ignore[no-untyped-def]
    """The type line, else what the ký hiệu or a 'V/v' subject implies; agreement between the
    type line and the ký hiệu raises the confidence of both."""
    in_notation = type_from_notation(str(values.get("code_notation", "")))
    if type_found:
        sure = type_found.confidence
        if in_notation == type_found.value:
            sure = max(sure, 0.98)
            confidence["code_notation"] = max(confidence.get("code_notation", 0), 0.98)
        elif in_notation:
            sure -= 0.2
        put("type_name", type_found.value, sure)
    elif in_notation:
        put("type_name", in_notation, 0.5)
    elif fold(str(values.get("subject", ""))).startswith("V/V"):
        put("type_name", CONG_VAN, 0.85 if "code_notation" in values else 0.6)


def _after(lines: list[str], subject: Found) -> str:
    """The text after the subject's lines (whose words the body may say again)."""
    taken, i = "", subject.line
    want = "".join(str(subject.value).split())  # its lines may be joined without a space
    while i < len(lines) and "".join(clean(taken).split()) != want and len(taken) < 600:
        taken += " " + lines[i]
        i += 1
    return "\n".join(lines[i:])


def merge_manifest(found: DocumentMetadata, *overrides: MetadataFields) -> DocumentMetadata:
    """Manifest values win; a field the text read differently is recorded as a disagreement."""
    values = found.model_dump(include=set(MetadataFields.model_fields))
    confidence, sources = dict(found.confidence), dict(found.sources)
    disagreements = dict(found.disagreements)
    for override in overrides:
        for name, value in override.model_dump(exclude_none=True).items():
            if values.get(name) not in (None, value):
                disagreements[name] = _as_text(values[name])
            values[name], confidence[name], sources[name] = value, 1.0, "manifest"
    return DocumentMetadata(
        **values, confidence=confidence, sources=sources, disagreements=disagreements
    )


def _as_text(value: object) -> str:
    if isinstance(value, tuple | list):
        return "; ".join(str(v) for v in value)
    return str(value)


ARCHIVAL_FROM_TEXT = {
    "type_name",
    "code_number",
    "code_notation",
    "issued_date",
    "organ_name",
    "subject",
}


def archival_metadata(
    meta: MetadataFields, *, page_amount: int | None = None, **clerk: object
) -> ArchivalMetadata:
    """Circular 02/2019 metadata: the six text fields from ``meta``, the rest from the clerk
    or the system (``file_code=``, ``doc_ordinal=``, ``mode=`` ..., by field name)."""
    from_text = meta.model_dump(
        include={
            "type_name",
            "code_number",
            "code_notation",
            "issued_date",
            "organ_name",
            "subject",
        }
    )
    return ArchivalMetadata(**{**from_text, **clerk, "page_amount": page_amount})
