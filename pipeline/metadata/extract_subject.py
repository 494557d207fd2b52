"""Trích yếu (Decree 30/2020, Appendix I): the lines under the type name, or 'V/v ...' under
the number of a công văn.

    QUYẾT ĐỊNH                         the type line
    Về việc ban hành quy chế ...       the subject: bold, most often in lower case, but printed
    CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ...  (and quoted) in capitals too; the issuer's line under
                                       it is no part of it
    Căn cứ ...

Finders take NFC lines (blank lines end a block) and return a ``Found`` or None.
"""

from __future__ import annotations

import re

from pipeline.metadata.extract_header import (
    _DATE,
    _TYPE_KEYS,
    Found,
    _is_motto,
    _place_before,
)
from pipeline.metadata.extract_text import clean, fold, fold_chars, is_upper, nfc

_CONG_VAN_SUBJECT = re.compile(r"^V\s*[/|]\s*([vVyY])?[\s.:]*(?=\S)")
_BODY_STARTS = ("CAN CU ", "KINH GUI", "THUC HIEN ", "DIEU ", "XET ", "THEO DE NGHI", "NOI NHAN")
# Who issues: the line under the subject of a decision or a resolution names its issuer, the
# head of the agency or the agency itself ('CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH ...', 'CHÍNH PHỦ').
_ISSUER_HEADS = tuple(
    fold(w) + " "
    for w in (
        "CHỦ TỊCH|GIÁM ĐỐC|BỘ TRƯỞNG|THỦ TƯỚNG|TỔNG CỤC TRƯỞNG|CỤC TRƯỞNG|VIỆN TRƯỞNG|"
        "HIỆU TRƯỞNG|CHÁNH ÁN|VỤ TRƯỞNG|TRƯỞNG BAN|TRƯỞNG PHÒNG|THỐNG ĐỐC|TỔNG GIÁM ĐỐC|"
        "TỔNG KIỂM TOÁN|CHỦ NHIỆM|ỦY BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN|CHÍNH PHỦ"
    ).split("|")
)
# Words a phrase cannot end on (a preposition, a conjunction, a quantifier), as spelt: folded,
# 'từ' would be 'tư' too ('ĐẦU TƯ' ends many a line)
_DANGLING = frozenset("nhằm về của và cho để trong tại theo với đối giữa từ đến các những".split())
UPPER_LINES = 8  # a subject in capitals: at most this many lines (they are short)
VV_LINES = 8  # a công văn's V/v: at most this many lines (its column is narrow)
V_COLUMN = 48  # characters: a line of the V/v's column (60 mm or so) is no longer
# Words that open a body paragraph, capitalised right under a subject ('Nhân dịp Đại hội ...')
_OPENERS = tuple(
    fold(w) + " "
    for w in "Nhân dịp|Nhằm|Để|Thừa lệnh|Vừa qua|Hiện nay|Tiếp theo|Thời gian qua".split("|")
)


def find_subject(
    lines: list[str], type_line: int | None, start: int = 0, organ: str | None = None
) -> Found | None:
    """Trích yếu: the lines under the type, or 'V/v ...' under the number of a công văn;
    ``organ`` (the agency read in the header) tells the issuer's line from a subject in
    capitals."""
    if type_line is None:
        for i, line in enumerate(lines[start : start + 40], start):
            if match := _CONG_VAN_SUBJECT.match(line):
                first = "V/v " + _without_date(line[match.end() :])
                found = _gather([first, *_continued(lines[i + 1 : i + 14])], VV_LINES)
                return Found(found, 0.85 if match.group(1) else 0.6, i)
        return None
    rest = lines[type_line + 1 :]
    while rest and not rest[0]:
        rest = rest[1:]
    if not rest:
        return None
    if is_upper(rest[0]):
        found = _in_capitals(rest, organ)
        return Found(found, 0.7, type_line + 1) if found else None
    return Found(_gather(rest), 0.8, type_line + 1)


def _in_capitals(lines: list[str], organ: str | None) -> str | None:
    """A subject printed in capitals: the upper-case lines under the type, past a blank line,
    up to the issuer's line, a type word ('QUYẾT ĐỊNH:') or the body; None when the first
    line is the issuer's."""
    taken: list[str] = []
    for line in [line for line in lines[: UPPER_LINES + 2] if line][:UPPER_LINES]:
        ends = _is_issuer(line, organ) or _ends_preamble(line)
        if not is_upper(line) or (ends and not (taken and _dangles(taken[-1]))):
            break  # a blank line may split it ('... BAN HÀNH / MỚI / <blank> / TRONG ...')
        taken.append(line)
    return clean(_joined(taken))[:500] or None


def _is_issuer(line: str, organ: str | None) -> bool:
    key = fold(line).strip(" .:;,")
    if organ and (key == fold(organ) or key.endswith(" " + fold(organ))):
        return True
    return (key + " ").startswith(_ISSUER_HEADS) and len(key.split()) <= 12


def _ends_preamble(line: str) -> bool:
    """'QUYẾT ĐỊNH:' / 'QUYẾT NGHỊ:' or the first words of the body."""
    key = fold(line)
    if line.rstrip().endswith(":") and any(key.startswith(k) for k, _ in _TYPE_KEYS):
        return True
    return (key + " ").startswith(_BODY_STARTS) or key.startswith("QUYET NGHI")


def _without_date(line: str) -> str:
    """A line without the place and date read onto its end from the column beside it."""
    match = _DATE.search(fold_chars(line))
    if not match:
        return line
    place = _place_before(line[: match.start()]) or ""
    cut = line[: match.start()].rstrip(" ,")
    return cut[: len(cut) - len(place)].rstrip(" ,") if cut.endswith(place) else cut


def _continued(lines: list[str]) -> list[str]:
    """The lines that go on with a công văn's 'V/v' in its narrow column: lower-case starts,
    and short lines in mixed case that start with a capital (a name cut at the line's end:
    'Bến Thành - Suối' / 'Tiên đến ...'), past blank lines and the place-and-date or motto
    lines of the column beside it, which Tesseract put between; up to 'Kính gửi'."""
    out = [""]
    for line in lines:
        if not line or _DATE.search(fold_chars(line)) or _is_motto(line):
            continue
        if not (line[:1].islower() or _goes_on(line, out[-2] if len(out) > 1 else "")):
            break
        out.insert(-1, line)
    return out


def _goes_on(line: str, before: str) -> bool:
    """A capitalised line of the V/v's column: short, mixed case, no heading of its own."""
    key = fold(line)
    if len(line) > V_COLUMN or is_upper(line) or before.rstrip().endswith((".", ";", ":")):
        return False
    return not (key + " ").startswith((*_BODY_STARTS, "SO ")) and " NGAY " not in f" {key} "


def _gather(lines: list[str], most: int = 4) -> str:
    """A subject: its first line and up to ``most`` - 1 more before a blank line, the body or
    a paragraph's opening words ('Nhân dịp ...' right under the subject)."""
    taken: list[str] = []
    for line in lines[:most]:
        key = fold(line) + " "
        body = key.startswith(_BODY_STARTS) and not _dangles(taken[-1] if taken else "")
        if not line or (taken and (is_upper(line) or body)):
            break
        if taken and (re.match(r"^(\d+|[IVX]+)[.)]\s", line) or _opens_paragraph(line)):
            break
        taken.append(line)
    return clean(_joined(taken))[:500]


def _joined(lines: list[str]) -> str:
    """The subject's lines as one: a word broken at its hyphen at a line's end ('CÁC-' / 'BON')
    joined without a space; a dash set apart ('Châu Á -' / 'Thái Bình Dương') keeps it."""
    out = ""
    for line in lines:
        glued = len(out) > 1 and out.endswith("-") and out[-2].isalpha()
        out += line if glued or not out else " " + line
    return out


def _dangles(line: str) -> bool:
    """The line ends on a word that asks for more ('... NHẰM', '... của'): the next line goes
    on with it, whatever its first words ('THỰC HIỆN ĐÓNG GÓP ...' is no body's opening)."""
    words = line.split()
    return bool(words) and nfc(words[-1]).lower() in _DANGLING


def _opens_paragraph(line: str) -> bool:
    return line[:1].isupper() and (fold(line) + " ").startswith(_OPENERS)
