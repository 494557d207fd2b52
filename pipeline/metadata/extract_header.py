"""The header of a Vietnamese administrative document (Decree 30/2020, Appendix I): issuing
agency and its parent, số và ký hiệu, place and date, type, trích yếu.

Every finder takes NFC lines (blank lines end a block, as the page text has them) and returns
the value with a confidence in 0..1, or None. They tolerate Tesseract's usual slips: Đ read as
D, lost or stacked diacritics, a colon or a space lost or added, the agency block and the
motto beside it read as one line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import takewhile

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.metadata.extract_text import (
    clean,
    correct_organ_phrases,
    fold,
    fold_chars,
    is_upper,
    letters,
)

DOCUMENT_TYPES = (
    # legal normative documents (Law 64/2025/QH15 on their promulgation), then Decree 30/2020's
    "LUẬT",
    "PHÁP LỆNH",
    "NGHỊ ĐỊNH",
    "THÔNG TƯ LIÊN TỊCH",
    "THÔNG TƯ",
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
    # results of sector procedures (kết quả giải quyết TTHC)
    "GIẤY CHỨNG NHẬN",
    "GIẤY PHÉP",
    "GIẤY XÁC NHẬN",
    "CHỨNG CHỈ",
    "GIẤY ĐĂNG KÝ",
    "VĂN BẢN CHẤP THUẬN",
)
CONG_VAN = "CÔNG VĂN"
# The type's abbreviation in ký hiệu (Decree 30/2020, Appendix III); mixed case matters.
ABBREVIATIONS = {
    "NGHỊ ĐỊNH": "NĐ",
    "THÔNG TƯ LIÊN TỊCH": "TTLT",
    "THÔNG TƯ": "TT",
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
    "GIẤY CHỨNG NHẬN": "GCN",
    "GIẤY PHÉP": "GP",
}
COPY_ABBREVIATIONS = ("SY", "TrS", "SL")  # bản sao y, trích sao, sao lục
AGENCY_ABBREVIATIONS = ("UBND", "HĐND")
# Spellings whose folded form belongs to one type only (HD/HĐ and DA/ĐA need the type line).
_BY_FOLD: dict[str, list[str]] = {}
for _abbr in (*ABBREVIATIONS.values(), *COPY_ABBREVIATIONS, *AGENCY_ABBREVIATIONS):
    _BY_FOLD.setdefault(fold(_abbr), []).append(_abbr)
_TYPE_BY_ABBREVIATION = {v: k for k, v in ABBREVIATIONS.items()}
_TYPE_KEYS = sorted(((fold(t), t) for t in DOCUMENT_TYPES), key=lambda kv: -len(kv[0]))
_MOTTO_KEYS = ("CONG HOA XA HOI", "DOC LAP", "TU DO", "HANH PHUC", "CHU NGHIA VIET NAM")
# Words that begin the name of an agency; the last line starting with one begins the issuing
# agency, lines above it name its parent ("UBND TỈNH ..." above "SỞ ...").
_ORGAN_HEADS = tuple(
    fold(w) + " "
    for w in (
        "ỦY BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|HĐND|SỞ|PHÒNG|BAN|BỘ|CỤC|CHI CỤC|TỔNG CỤC|"
        "TRUNG TÂM|VĂN PHÒNG|THANH TRA|TRƯỜNG|BỆNH VIỆN|CÔNG AN|KHO BẠC|ĐÀI|VIỆN|HỌC VIỆN|"
        "TÒA ÁN|CHI NHÁNH|ĐOÀN|HỘI|CÔNG TY|TẬP ĐOÀN|ĐẢNG ỦY|TỈNH ỦY|HUYỆN ỦY|THÀNH ỦY|ĐỘI|"
        "TRẠM|BỘ CHỈ HUY"
    ).split("|")
)

_NUMBER = re.compile(
    r"(?<![^\W\d_])S(?:[^\W\d_]{1,2}|6|0)?\s*[:;.,]?\s*([0-9OoIl|]{1,6})\s*(/\s*|(?=[^\W\d_]))"
    r"(?P<notation>[^\s,;:/-]+(?:\s*[-/]+\s*[^\s,;:/-]+)*)"
)
_BARE_NUMBER = re.compile(r"^([0-9]{1,6})\s*(/)\s*(?P<notation>[^\W\d_][^\s,;:]*-[^\s,;:]+)")
_DATE = re.compile(
    r"NG\w{0,2}Y\s*([0-9OIL]{1,2})\s*TH\w{0,3}NG\s*([0-9OIL]{1,2})\s*N\w{0,2}M\s*([0-9OIL]{4})"
)
_BLANK_NUMBER = re.compile(r"^S[O0]\s*[:;.]?\s*/\s*[A-Z]")  # folded
# 'Hà Nội, ngày   tháng   năm 2026': the place, the date left blank (signed digitally)
_BLANK_DATE = re.compile(r"NG\w{0,2}Y\s+TH\w{0,3}NG\s+N\w{0,2}M\b")
_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "L": "1"})


@dataclass(frozen=True)
class Found:
    value: object
    confidence: float
    line: int = -1  # where it was found


def _digits(text: str) -> str:
    return text.translate(_DIGITS)


def number_line(lines: list[str]) -> int | None:
    """Where 'Số: ...' is, its number printed or left blank ('Số: /QĐ-UBND', the number and the
    date of a document signed digitally are in its signature)."""
    return next((i for i, line in enumerate(lines) if _number_match(line) or _blank(line)), None)


def _blank(line: str) -> bool:
    return bool(_BLANK_NUMBER.match(fold(line)))


def spell_notation(notation: str, organ: str | None = None, type_name: str | None = None) -> str:
    """Each part of a ký hiệu in its printed spelling when the key says which: 'QD' is 'QĐ',
    'TTR' is 'TTr', 'SKHDT' under SỞ KẾ HOẠCH VÀ ĐẦU TƯ is 'SKHĐT'; 'HD' is 'HĐ' only under
    HỢP ĐỒNG (HƯỚNG DẪN is 'HD')."""
    known = dict((k, v[0]) for k, v in _BY_FOLD.items() if len(v) == 1)
    initials = {fold(x): x for x in _organ_initials(organ)}
    for key, spelled in initials.items():
        known.setdefault(key, spelled)
    wanted = ABBREVIATIONS.get(type_name or "")
    if wanted:
        known[fold(wanted)] = wanted
    parts = re.split(r"([-/])", notation.replace(" ", ""))
    first_word = next((i for i, p in enumerate(parts) if p and p[0].isalpha()), -1)
    out = []
    for i, part in enumerate(parts):
        # one letter off: the agency's initials (4 letters or more) anywhere, and the type's
        # abbreviation (3 or more) where Decree 30 puts it, first after the number and year
        near = [v for v in list(initials.values())[:2] if len(v) >= 4]  # not the 4-letter cut
        if i == first_word and wanted and (len(wanted) >= 3 or len(part) == len(wanted) == 2):
            near.append(wanted)  # 'CI' under CHỈ THỊ is CT: the type line says which
        out.append(part if part in "-/" else _spell_part(part, known, near))
    return "".join(out)


def _spell_part(part: str, known: dict[str, str], near: list[str]) -> str:
    """A known spelling; 'QĐĐ' (a letter read twice) counts as 'QĐ'; 'STTTI' one letter off
    a ``near`` spelling ('STTTT', the initials of SỞ THÔNG TIN VÀ TRUYỀN THÔNG) is that."""
    key = fold(part)
    if key in known:
        return known[key]
    for i in range(len(key) - 1):
        if key[i] == key[i + 1] and key[:i] + key[i + 1 :] in known:
            return known[key[:i] + key[i + 1 :]]
    close = {v for v in near if Levenshtein.distance(fold(v), key) == 1}
    return close.pop() if len(close) == 1 and part[:1].isupper() else part


def _organ_initials(organ: str | None) -> list[str]:
    """'SỞ KẾ HOẠCH VÀ ĐẦU TƯ' -> SKHĐT and KHĐT ('và' and punctuation are not initials)."""
    if not organ:
        return []
    words = [w for w in re.split(r"[\s,\-–]+", organ) if w and fold(w) != "VA" and w[0].isalpha()]
    initials = "".join(w[0].upper() for w in words)
    return [x for x in (initials, initials[1:], initials[:4]) if len(x) >= 2]


def _number_match(line: str) -> re.Match[str] | None:
    """'Số: 05/QĐ-UBND'; 'SUỐI TÂN' is no 'Số: 1/TÂN': without a slash, digits only."""
    for match in _NUMBER.finditer(line):
        if match.group(2) or match.group(1).isdigit():
            return match
    return None


def find_number(lines: list[str]) -> Found | None:
    """Số và ký hiệu: ('05', '2024/QĐ-UBND') as printed after 'Số:'; without 'Số:' a line that
    starts like '05/QĐ-UBND' near the top, with less confidence."""
    for i, line in enumerate(lines):
        if match := _number_match(line):
            confidence = 0.95 if match.group(1).isdigit() else 0.8
            return _number(match, confidence if match.group(2) else 0.75, i)
    for i, line in enumerate(lines[:30]):
        if match := _BARE_NUMBER.match(line):
            return _number(match, 0.6, i)
    return None


def _number(match: re.Match[str], confidence: float, line: int) -> Found:
    notation = re.sub(r"\s+", "", match.group("notation")).strip(".:;,-/")
    notation = re.sub(r"-{2,}", "-", notation)
    return Found((_digits(match.group(1))[:11], notation[:30]), confidence, line)


def find_date(lines: list[str], after: int = 0) -> Found | None:
    """(date, place): 'Biên Hòa, ngày 05 tháng 02 năm 2024'. The first date of the header wins;
    a date further down (a law cited in the body) is taken with a low confidence."""
    for i, line in enumerate(lines):
        key = fold_chars(line)
        match = _DATE.search(key)
        if not match and i < after + 12 and (blank := _BLANK_DATE.search(key)):
            if place := _place_before(line[: blank.start()]):
                return Found((None, place), 0.6, i)  # the place; the date left blank
        if not match:
            continue
        day, month, year = (int(_digits(g)) for g in match.groups())
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue
        if not 1900 <= year <= 2100:
            continue
        place = _place_before(line[: match.start()])
        in_header = i < after + 12
        confidence = (0.95 if place else 0.7) if in_header else 0.4
        return Found((date, place), confidence, i)
    return None


def _place_before(text: str) -> str | None:
    """The place before ', ngày ...'; where the line ran on from the column beside it ('V/v
    ... đánh giá Hà Nội'), the capitalised words that end it."""
    if match := _number_match(text):
        text = text[match.end() :]
    place = clean(text.split("  ")[-1]).rstrip(".")
    words = place.split()
    if len(words) > 6 or (words and not words[0][:1].isupper()):
        words = list(reversed(list(takewhile(lambda w: w[:1].isupper(), reversed(words)))))
        place = " ".join(words)
    if not words or len(words) > 6 or not letters(place):
        return None
    return place


def _is_motto(line: str) -> bool:
    key = fold(line)
    return any(m in key for m in _MOTTO_KEYS)


def _left_of_motto(line: str) -> str:
    """The agency's part of a line read across both header columns."""
    words = line.split()
    folded = [fold(w) for w in words]
    for i in range(len(words) - 1):
        if (folded[i], folded[i + 1]) in {("CONG", "HOA"), ("DOC", "LAP")}:
            return " ".join(words[:i])
    return line


def find_organ(lines: list[str], stop: int | None) -> Found | None:
    """(organ, parent): the agency block above the number, motto lines left out."""
    header: list[str] = []
    for line in lines[: stop if stop is not None else 10]:
        if _DATE.search(fold_chars(line)):
            break
        left = clean(re.sub(r"(?:^|\s+)[.,;:·•'`]+(?=\s|$)", "", _left_of_motto(line)))  # specks
        if len(letters(left)) < 2 or _is_motto(left) or not is_upper(left):
            continue
        if _number_match(left) or _blank(left):
            break
        header.append(left)
    if not header:
        return None
    start = 0
    for i, line in enumerate(header):
        key = fold(line) + " "
        continues = i > 0 and (fold(header[i - 1]).endswith((" VA", ",", "-")) or key[:3] == "VA ")
        # a head word alone ending the block names no agency: the name above it wrapped
        # there ('SỞ NÔNG NGHIỆP VÀ MÔI' / 'TRƯỜNG')
        continues = continues or (i > 0 and i == len(header) - 1 and key in _ORGAN_HEADS)
        if key.startswith(_ORGAN_HEADS) and not continues:
            start = i
    known = (fold(header[start]) + " ").startswith(_ORGAN_HEADS)
    organ = correct_organ_phrases(" ".join(header[start:]))[:200]
    parent = correct_organ_phrases(" ".join(header[:start]))[:200] or None
    return Found((organ, parent), 0.9 if known else 0.6)


def find_type(lines: list[str], start: int = 0) -> Found | None:
    """Loại văn bản: the upper-case line naming the type, below the number when there is one;
    specks read before or after it ('c . QUYẾT ĐỊNH', '`. QUYẾTĐỊNH _') and a lost space left
    out."""
    for i, raw in enumerate(lines[start : start + 40], start):
        found = _type_of(raw, _without_specks(raw), i) or _type_of(raw, _without_specks(raw, 2), i)
        if found:
            return found
    return None


def _type_of(raw: str, line: str, i: int) -> Found | None:
    """The type a line names (``line``: ``raw`` less its specks), or None."""
    key = fold(line).strip(" .:;,")
    if key and len(key) <= 60 and "CAN CU" not in key and is_upper(line):
        for type_key, canonical in _TYPE_KEYS:
            if key == type_key:
                exact = line.strip(" .:") == canonical and line == raw
                return Found(canonical, 0.95 if exact else 0.8, i)
            if key.replace(" ", "") == type_key.replace(" ", ""):
                return Found(canonical, 0.75, i)
            if key.startswith(type_key + " "):
                name = clean(line).upper() if canonical.startswith("GIẤY") else canonical
                return Found(name[:100], 0.75, i)
        if len(key) >= 6:
            type_key, canonical = max(_TYPE_KEYS, key=lambda kv: fuzz.ratio(key, kv[0]))
            if fuzz.ratio(key, type_key) >= 85:
                return Found(canonical, 0.6, i)
    return None


def _without_specks(line: str, most: int = 1) -> str:
    """A line less the tokens at either end that are a speck or a mark read beside it ('L n
    QUYẾT ĐỊNH ch na'): one letter or none, or two with a lower-case one; with ``most=2`` any
    two ('SỐ. - QUYẾTĐỊNH'), tried only after the line as it is ('ĐỀ ÁN' keeps 'ĐỀ')."""
    words = line.split()
    while words and _speck(words[0], most):
        words = words[1:]
    while words and _speck(words[-1], most):
        words = words[:-1]
    return " ".join(words)


def _speck(word: str, most: int) -> bool:
    found = letters(word)
    upper = all(ch.isupper() for ch in found)
    return len(found) <= max(1, most) or (len(found) == 2 and not upper)


def type_from_notation(notation: str) -> str | None:
    for part in re.split(r"[-/]", notation):
        if part in _TYPE_BY_ABBREVIATION:
            return _TYPE_BY_ABBREVIATION[part]
    return None
