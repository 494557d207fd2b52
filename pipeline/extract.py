"""Metadata from the text of a Vietnamese administrative document (first cut, see DOMAIN.md).

Parsers work on NFC text, tolerate Tesseract's usual slips (Đ read as D, lost diacritics,
"Số" read as "Sô"/"S6") and report a confidence per field. Manifest values win over the text;
where they disagree the text's reading is kept as a disagreement.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from schemas.document import DocumentMetadata, MetadataFields

DOCUMENT_TYPES = (
    "NGHỊ QUYẾT",
    "QUYẾT ĐỊNH",
    "CHỈ THỊ",
    "QUY CHẾ",
    "QUY ĐỊNH",
    "THÔNG CÁO",
    "THÔNG BÁO",
    "HƯỚNG DẪN",
    "CHƯƠNG TRÌNH",
    "KẾ HOẠCH",
    "PHƯƠNG ÁN",
    "ĐỀ ÁN",
    "DỰ ÁN",
    "BÁO CÁO",
    "BIÊN BẢN",
    "TỜ TRÌNH",
    "HỢP ĐỒNG",
    "CÔNG ĐIỆN",
    "BẢN GHI NHỚ",
    "BẢN THỎA THUẬN",
    "GIẤY ỦY QUYỀN",
    "GIẤY MỜI",
    "GIẤY GIỚI THIỆU",
    "GIẤY NGHỈ PHÉP",
    "PHIẾU GỬI",
    "PHIẾU CHUYỂN",
    "PHIẾU BÁO",
    "THƯ CÔNG",
    "GIẤY CHỨNG NHẬN",
    "GIẤY PHÉP",
    "GIẤY XÁC NHẬN",
)
CONG_VAN = "CÔNG VĂN"
# The type's abbreviation in ký hiệu (Decree 30/2020, Appendix III); mixed case matters.
ABBREVIATIONS = {
    "NGHỊ QUYẾT": "NQ",
    "QUYẾT ĐỊNH": "QĐ",
    "CHỈ THỊ": "CT",
    "QUY CHẾ": "QC",
    "QUY ĐỊNH": "QyĐ",
    "THÔNG CÁO": "TC",
    "THÔNG BÁO": "TB",
    "HƯỚNG DẪN": "HD",
    "CHƯƠNG TRÌNH": "CTr",
    "KẾ HOẠCH": "KH",
    "PHƯƠNG ÁN": "PA",
    "ĐỀ ÁN": "ĐA",
    "DỰ ÁN": "DA",
    "BÁO CÁO": "BC",
    "BIÊN BẢN": "BB",
    "TỜ TRÌNH": "TTr",
    "HỢP ĐỒNG": "HĐ",
    "CÔNG ĐIỆN": "CĐ",
    "BẢN GHI NHỚ": "BGN",
    "BẢN THỎA THUẬN": "BTT",
    "GIẤY ỦY QUYỀN": "GUQ",
    "GIẤY MỜI": "GM",
    "GIẤY GIỚI THIỆU": "GGT",
    "GIẤY NGHỈ PHÉP": "GNP",
    "PHIẾU GỬI": "PG",
    "PHIẾU CHUYỂN": "PC",
    "PHIẾU BÁO": "PB",
}
_INCOMPLETE_AGENCY_LINES = {"UY BAN NHAN DAN", "HOI DONG NHAN DAN"}
_MOTTO_KEYS = ("CONG HOA XA HOI", "DOC LAP", "TU DO", "HANH PHUC", "CHU NGHIA VIET NAM")
# Abbreviations whose Đ Tesseract often reads as D, and where the D spelling means nothing else.
_D_FIXES = {"QD": "QĐ", "QYD": "QyĐ", "CD": "CĐ"}

_NUMBER = re.compile(r"\bS\S{0,2}\s*[:;.,]\s*(\d{1,6})\s*/\s*([^\s,;]+)", re.IGNORECASE)
_CONG_VAN_SUBJECT = re.compile(r"^V\s*/\s*(v)?\s+", re.IGNORECASE)  # "V/ góp ý": v lost
_DATE = re.compile(
    r"ng\w{1,2}y\s+(\d{1,2})\s+th\w{1,3}ng\s+(\d{1,2})\s+n\w{1,2}m\s+(\d{4})", re.IGNORECASE
)


def fold(text: str) -> str:
    """Upper case without diacritics, Đ as D: a key for tolerant comparisons."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", bare).strip().upper()


_TYPE_KEYS = sorted(((fold(t), t) for t in DOCUMENT_TYPES), key=lambda kv: -len(kv[0]))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in unicodedata.normalize("NFC", text).splitlines()]


def _is_upper(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) / len(letters) > 0.8


def find_number(text: str) -> tuple[str, str, float] | None:
    match = _NUMBER.search(text)
    if not match:
        return None
    number, notation = match.group(1), match.group(2).strip(".:;,")
    parts = notation.split("-")
    fixed = "-".join(
        "/".join(_D_FIXES.get(p.upper(), p) for p in part.split("/")) for part in parts
    )
    return number, fixed[:30], 0.9 if fixed == notation else 0.7


def find_date(text: str) -> tuple[dt.date, str | None, float] | None:
    for line in _lines(text):
        match = _DATE.search(line)
        if not match:
            continue
        day, month, year = (int(g) for g in match.groups())
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue
        before = _NUMBER.sub("", line[: match.start()]).strip(" ,.;:-")
        place = before.split("  ")[-1].strip(" ,") or None
        return date, place, 0.9
    return None


def find_type(lines: list[str]) -> tuple[str, int, float] | None:
    for i, line in enumerate(lines[:40]):
        key = fold(line)
        for type_key, canonical in _TYPE_KEYS:
            if key == type_key or (key.startswith(type_key + " ") and _is_upper(line)):
                exact = line.upper() == canonical or line.startswith(canonical)
                name = canonical if key == type_key else line.upper() if exact else canonical
                return name[:100], i, 0.95 if exact else 0.75
    return None


def _left_column(line: str) -> str:
    """Tesseract often reads the agency block and the motto beside it as one line: keep the
    part before the motto (or before the place-and-date after a number)."""
    words = line.split()
    folded = [fold(w) for w in words]
    for i in range(len(words) - 1):
        if (folded[i], folded[i + 1]) in {("CONG", "HOA"), ("DOC", "LAP")}:
            return " ".join(words[:i])
    return line


def find_organ(lines: list[str]) -> tuple[str, float] | None:
    """The issuing agency: the last upper-case line of the header block, or the two lines of
    a block such as 'ỦY BAN NHÂN DÂN' / 'TỈNH QUẢNG NINH' whose first line names no place."""
    header: list[str] = []
    for line in lines[:12]:
        if _NUMBER.search(line) or _DATE.search(line):
            break
        left = _left_column(line).strip(" -_*")
        if not left or any(m in fold(left) for m in _MOTTO_KEYS) or not _is_upper(left):
            continue
        header.append(left)
    if not header:
        return None
    if len(header) >= 2 and fold(header[-2]) in _INCOMPLETE_AGENCY_LINES:
        return f"{header[-2]} {header[-1]}"[:200], 0.7
    return header[-1][:200], 0.7 if len(header) > 1 else 0.5


def find_subject(lines: list[str], type_line: int | None) -> tuple[str, float] | None:
    for i, line in enumerate(lines[:40]):
        if match := _CONG_VAN_SUBJECT.match(line):
            lines = [*lines[:i], "V/v " + line[match.end() :], *lines[i + 1 :]]
            return _gather(lines, i)[:500], 0.85 if match.group(1) else 0.6
    if type_line is None:
        return None
    start = type_line + 1
    while start < len(lines) and not lines[start]:
        start += 1
    return (_gather(lines, start)[:500], 0.7) if start < len(lines) else None


def _gather(lines: list[str], start: int) -> str:
    """A subject: its first line and up to two continuation lines before a blank line."""
    taken = []
    for line in lines[start : start + 3]:
        if not line or (taken and _is_upper(line)):
            break
        taken.append(line)
    return " ".join(taken)


def _spell_abbreviation(notation: str, type_name: str) -> str:
    """'HD-UBND' under HỢP ĐỒNG is 'HĐ-UBND': the type says which spelling was printed."""
    wanted = ABBREVIATIONS.get(type_name)
    if not wanted:
        return notation
    parts = re.split(r"([-/])", notation)
    return "".join(wanted if fold(p) == fold(wanted) else p for p in parts)


def extract(text: str) -> DocumentMetadata:
    lines = _lines(text)
    values: dict[str, object] = {}
    confidence: dict[str, float] = {}
    if number := find_number(text):
        values["code_number"], values["code_notation"], confidence["code_number"] = number
        confidence["code_notation"] = number[2]
    if date := find_date(text):
        values["issued_date"], values["place"], confidence["issued_date"] = date
        if date[1]:
            confidence["place"] = 0.6
    type_found = find_type(lines)
    if type_found:
        values["type_name"], _, confidence["type_name"] = type_found
    if organ := find_organ(lines):
        values["organ_name"], confidence["organ_name"] = organ
    if subject := find_subject(lines, type_found[1] if type_found else None):
        values["subject"], confidence["subject"] = subject
    if not type_found and "subject" in values and fold(str(values["subject"])).startswith("V/V"):
        values["type_name"], confidence["type_name"] = CONG_VAN, 0.6
    if type_found and "code_notation" in values:
        values["code_notation"] = _spell_abbreviation(str(values["code_notation"]), type_found[0])
    sources = {name: "ocr" for name in values}
    return DocumentMetadata(**values, confidence=confidence, sources=sources)  # type: ignore[arg-type]


def merge_manifest(found: DocumentMetadata, *overrides: MetadataFields) -> DocumentMetadata:
    """Manifest values win; a field the text read differently is recorded as a disagreement."""
    values = found.model_dump(include=set(MetadataFields.model_fields))
    confidence, sources = dict(found.confidence), dict(found.sources)
    disagreements = dict(found.disagreements)
    for override in overrides:
        for name, value in override.model_dump(exclude_none=True).items():
            if values.get(name) not in (None, value):
                disagreements[name] = str(values[name])
            values[name], confidence[name], sources[name] = value, 1.0, "manifest"
    return DocumentMetadata(
        **values, confidence=confidence, sources=sources, disagreements=disagreements
    )
