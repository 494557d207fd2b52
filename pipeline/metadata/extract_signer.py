"""The foot of a Vietnamese administrative document: Nơi nhận, the signing authority, the
signer's position and name (Decree 30/2020, Appendix I).

    KT. GIÁM ĐỐC          signing authority: TM. (thay mặt), KT. (ký thay), TL. (thừa lệnh),
    PHÓ GIÁM ĐỐC          TUQ. (thừa ủy quyền), Q. (quyền); then the signer's position
    <signature, seal>
    Nguyễn Văn A          the signer's name, the last name-like line of the page

Finders take NFC lines and return a value with a confidence, or None.
"""

from __future__ import annotations

import re
from itertools import takewhile

from rapidfuzz.distance import Levenshtein
from dataclasses import dataclass

from pipeline.metadata.extract_repair import complete_title
from pipeline.metadata.extract_text import clean, correct_title_words, fold, is_upper, letters

_AUTHORITY = re.compile(r"(?:^|\s)(TM|KT|TL|TUQ|Q|T\.M|K\.T|T\.L)\s*[.,:]\s*(?=\w)")
_POSITIONS = (
    "CHỦ TỊCH",
    "GIÁM ĐỐC",
    "VỤ TRƯỞNG",
    "VIỆN TRƯỞNG",
    "TỔNG CỤC TRƯỞNG",
    "TRƯỞNG BAN",
    "TRƯỞNG PHÒNG",
    "TRƯỞNG",
    "THỦ TRƯỞNG",
    "CHÁNH",
    "BỘ TRƯỞNG",
    "THỨ TRƯỞNG",
    "CỤC TRƯỞNG",
    "TỔNG GIÁM ĐỐC",
    "HIỆU TRƯỞNG",
    "BÍ THƯ",
    "CHÁNH VĂN PHÒNG",
    "KẾ TOÁN",
    "THƯ KÝ",
    "THỦ TƯỚNG",
    "CHỦ NHIỆM",
    "CHÁNH ÁN",
)
_POSITION_WORDS = tuple(fold(w) for w in _POSITIONS)
# Common Vietnamese family names: a line that starts with one is most likely the signer.
# The deputy of a head whose title is not 'PHÓ' + the head's.
_DEPUTIES = {"BỘ TRƯỞNG": "THỨ TRƯỞNG"}
# The head of a collective body, who signs 'TM.' it (the longer name first).
_HEADS = (
    ("ỦY BAN THƯỜNG VỤ QUỐC HỘI", "CHỦ TỊCH"),
    ("ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    ("HỘI ĐỒNG NHÂN DÂN", "CHỦ TỊCH"),
    ("CHÍNH PHỦ", "THỦ TƯỚNG"),
    ("QUỐC HỘI", "CHỦ TỊCH"),
)
_SURNAME_LIST = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Trương Đinh "
    "Lâm Mai Cao Đào Đoàn Hà Lương Tạ Chu Tô Quách Thái Trịnh Lưu Châu Tăng Vương Triệu "
    "Kiều Hứa Thân Khổng Giang Tôn Mạc Lại Đàm Hàn Văn Phùng Tống Nông Lò Quan Diệp Âu"
).split()
SURNAMES = frozenset(fold(name) for name in _SURNAME_LIST)
# One spelling per folded family name, where the fold is not shared (Vũ/Võ: VU/VO differ).
_SURNAME_SPELLING = {
    key: name
    for name in _SURNAME_LIST
    if sum(fold(other) == (key := fold(name)) for other in _SURNAME_LIST) == 1
}
_NOI = re.compile(r"^N\w{1,2}I\s*NH\w{1,2}N\b")  # Nơi nhận, folded
_AUTHORITY_MARK = re.compile(r"^(TM|KT|TL|TUQ|Q|T\.M|K\.T|T\.L)\s*[.,:]\s*")
@dataclass(frozen=True)
class Signer:
    authority: str | None
    position: str | None
    name: str | None
    confidence: float  # of the name
    position_confidence: float = 0.8  # lower where seal noise was left out or PHÓ inferred


def _authority_start(line: str) -> int | None:
    key = fold(line)
    match = _AUTHORITY.search(key)
    if not match or not is_upper(line[match.start(1) :]):
        return None
    return match.start(1)


def _name_of(line: str) -> str | None:
    """'Huỳnh 'Thị Thu Hòa' -> 'Huỳnh Thị Thu Hòa' when the line reads as a person's name."""
    words = [w.strip("'\"`.,;:‘’“”") for w in line.split()]
    words = [w for w in words if w]
    if not 2 <= len(words) <= 6 or any(not w.isalpha() for w in words):
        return None
    if not all(w[0].isupper() for w in words) or is_upper(" ".join(words), 0.6):
        return None
    surname = _SURNAME_SPELLING.get(fold(words[0]))
    if surname and surname != words[0]:  # 'Đỉnh Hữu Long': the family name as it is spelled
        words[0] = surname
    return " ".join(words)


def _name_in(line: str) -> str | None:
    """The signer's name on a line of its own, or at the end of a Nơi nhận item read on the
    same line ('- Viện kiểm sát nhân dân tối cao; Trần Hồng Hà': both columns as one)."""
    name = _name_of(line)
    if name is None and ";" in line:
        name = _name_of(line.rsplit(";", 1)[1])
    return name


def _title(line: str) -> str:
    """A title line from its authority on, in its printed spelling, 'KT:' as 'KT.'."""
    line = correct_title_words(_from_authority(line))
    return _AUTHORITY_MARK.sub(lambda m: m.group(1).replace(".", "") + ". ", line, count=1)


def _is_signer_title(line: str) -> bool:
    line = correct_title_words(line) if is_upper(line) else line
    return is_upper(line) and (_authority_start(line) == 0 or _has_position_word(line))


def _has_position_word(line: str) -> bool:
    key = fold(line)
    return any(word in key for word in _POSITION_WORDS)


def find_signer(lines: list[str]) -> Signer | None:
    """The signer block near the end: authority lines, position, then the name. Lines of seal
    or signature noise may stand between them (and glue onto the position line)."""
    at = [i for i in range(max(0, len(lines) - 60), len(lines)) if clean(lines[i])]
    tail = [clean(lines[i]) for i in at]
    found = _authority_block(tail) or _position_block(tail)
    if found is None:  # the title lines lost under a seal: a name that ends the page
        names = [n for n in map(_name_of, tail[-3:]) if n and fold(n.split()[0]) in SURNAMES]
        if not names:
            return None
        position = _head_from_piece(tail[-4:-1])
        return Signer(None, position, names[-1], 0.5, 0.5 if position else 0.8)
    authority, first, title_at = found
    if authority and first >= 0:  # its last line went on to one more, its front lost
        above = "\n".join(lines[: at[first]])
        authority, title_at = _continued_title(tail, title_at, authority, above)
    position, name_from, sure = _position_after(tail, title_at, authority)
    names = [n for n in (_name_in(line) for line in tail[name_from:]) if n]
    known = [n for n in names if fold(n.split()[0]) in SURNAMES]
    name = (known or names or [None])[-1]
    confidence = 0.9 if known else 0.5 if names else 0.0
    return Signer(
        clean(authority)[:200] if authority else None,
        clean(position)[:100] if position else None,
        clean(name)[:100] if name else None,
        confidence,
        sure,
    )


def _continued_title(tail: list[str], at: int, authority: str, text: str) -> tuple[str, int]:
    """'KT. VỤ TRƯỞNG VỤ GIÁO DỤC' over '... HỌC' ('TRUNG' lost under the seal, marks read
    before 'HỌC'): the authority with the words the document's own text puts between ('Vụ
    Giáo dục Trung học'), the continuation line taken; unchanged when the text does not say
    it one way. The piece tried is the line's last upper-case words, fewer and fewer."""
    if at + 1 >= len(tail):
        return authority, at
    line = tail[at + 1]
    if _has_position_word(correct_title_words(line)) or _authority_start(line) is not None:
        return authority, at
    words = [w.strip(".,;:") for w in line.split()]
    run = list(takewhile(lambda w: w.isalpha() and _is_upper_word(w), reversed(words)))[::-1]
    for k in range(min(len(run), 3), 0, -1):
        if completed := complete_title(authority, " ".join(run[-k:]), text):
            return completed, at + 1
    return authority, at


def _authority_block(tail: list[str]) -> tuple[str, int, int] | None:
    """(the authority lines joined, where the first and the last are): the last run of lines
    that start with TM./KT./TL./TUQ./Q. (or end a Nơi nhận line read across both columns)."""
    marked = [i for i, line in enumerate(tail) if _authority_start(line) is not None]
    if not marked:
        return None
    first = last = marked[-1]
    while first > 0 and _authority_start(tail[first - 1]) is not None:
        first -= 1
    return " ".join(_title(t) for t in tail[first : last + 1]), first, last


def _position_block(tail: list[str]) -> tuple[str, int, int] | None:
    """Without an authority: just above the last line naming a position (the head signs),
    below the body's end ('./.') or 'Nơi nhận' when the tail has one: a one-page text's own
    header ('THỦ TƯỚNG CHÍNH PHỦ' over its articles) is no signer's title."""
    ends = [i for i, t in enumerate(tail) if t.rstrip().endswith("./.") or _NOI.match(fold(t))]
    first = ends[0] + 1 if ends else 0
    last = next((i for i in range(len(tail) - 1, first - 1, -1) if _is_signer_title(tail[i])), None)
    return None if last is None else ("", -1, last - 1)


def _position_after(tail: list[str], at: int, authority: str) -> tuple[str | None, int, float]:
    """(position, where the name may start, confidence): the first of the few lines under the
    authority (up to the signer's name) that names a position, seal noise before it on its
    line left out."""
    end = next((i for i in range(at + 1, min(at + 5, len(tail))) if _signer_name(tail[i])), None)
    end = min(at + 5, len(tail)) if end is None else end
    for i in range(at + 1, end):
        line = correct_title_words(tail[i]) if is_upper(tail[i], 0.5) else tail[i]
        if (position := _position_in(line)) is not None:
            deputy = _deputy(position, authority)
            whole = i == at + 1 and clean(line) == position
            return deputy, i + 1, 0.6 if deputy != position else 0.85 if whole else 0.7
    for i in range(at + 1, end):  # 'Ö`VÌTRƯỞNG': glued to the seal's marks
        if (position := _glued_position(tail[i])) is not None:
            return _deputy(position, authority), i + 1, 0.5
    wanted = _deputy_of(authority) or _head_of(authority)  # the title the authority implies
    if wanted and at + 1 < end and _piece_of(tail[at + 1], wanted):
        return wanted, at + 2, 0.5  # 'HỦ TỊCH' under KT. CHỦ TỊCH, 'THỦ' under TM. CHÍNH PHỦ
    fits = [d for d in _deputies_of_both(authority) if at + 1 < end and _piece_of(tail[at + 1], d)]
    if len(fits) == 1:  # 'NHIỆM' under KT. BỘ TRƯỞNG, CHỦ NHIỆM: PHÓ CHỦ NHIỆM, not THỨ TRƯỞNG
        return fits[0], at + 2, 0.5
    deputy = _deputy_of(authority)
    if deputy and end == at + 1 and "," not in authority.rsplit("KT.", 1)[-1]:
        return deputy, at + 1, 0.4  # under KT. X the name at once: X's deputy signs, its line lost
    return None, at + 1, 0.0


def _signer_name(line: str) -> bool:
    name = _name_of(line)
    return bool(name) and fold(name.split()[0]) in SURNAMES


def _piece_of(line: str, title: str) -> bool:
    """The line under the authority is what the seal left of ``title``: upper case, its
    letters (or those of its last or first words, marks beside them) the front or the end of
    the title's, three letters or more, or one letter off them (five or more: 'THỦ TƯỚÓ' for
    THỦ TƯỚNG); 'SN TỊCH' is the end of CHỦ TỊCH."""
    if not is_upper(line, 0.5):
        return False
    words = line.split()
    want = fold(title).replace(" ", "")
    pieces = [words[k:] for k in range(len(words))] + [words[:k] for k in range(1, len(words))]
    for n, piece in enumerate(pieces):
        key = "".join(fold(ch) for ch in letters(" ".join(piece)))
        if len(key) < 3 or len(key) > len(want):
            continue
        front, end = want[: len(key)], want[len(want) - len(key) :]
        if key == (end if n < len(words) else front) or (n == 0 and key == front):
            return True
        near = min(Levenshtein.distance(key, e) for e in (front, end))
        if n == 0 and len(key) >= 5 and near <= 1:
            return True
    return False


def _head_from_piece(lines: list[str]) -> str | None:
    """With no authority line the head signs in person: a line over the name that is the end
    (or the front) of one position's letters, and of no other's, is what the seal left of
    it ('TƯỚNG' of THỦ TƯỚNG); None when no line is, or when it could be two ('ĐỐC')."""
    for line in reversed(lines):
        key = "".join(fold(ch) for ch in letters(line))
        if len(key) < 3 or not is_upper(line, 0.5):
            continue
        whole = {p: fold(p).replace(" ", "") for p in _POSITIONS}
        fits = [
            p for p, w in whole.items() if len(key) < len(w) and key in (w[-len(key) :], w[: len(key)])
        ]  # fmt: skip
        if len(fits) == 1:
            return fits[0]
    return None


def _head_of(authority: str) -> str | None:
    """Under 'TM. X' alone (a body that works as a collective, Decree 30/2020, art. 13) its
    head signs: TM. ỦY BAN NHÂN DÂN -> CHỦ TỊCH, TM. CHÍNH PHỦ -> THỦ TƯỚNG."""
    match = re.search(r"(?:^|\s)TM\.\s*(.+)$", authority)
    if not match or _AUTHORITY.search(" " + fold(match.group(1))):
        return None  # 'TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH': the deputy's, not the head's
    key = fold(match.group(1)) + " "
    return next((head for body, head in _HEADS if key.startswith(fold(body) + " ")), None)


def _glued_position(line: str) -> str | None:
    """A position whose first word is glued to the marks before it, ending a line: 'co
    Ö`VÌTRƯỞNG' -> 'TRƯỞNG' (taken only where no line under the authority names one)."""
    words = [w.strip(".,;:'\"`‘’“”") for w in line.split()]
    for position in sorted(_POSITION_WORDS, key=len, reverse=True):
        wanted = position.split()
        rest = words[len(words) - len(wanted) + 1 :]
        if len(words) < len(wanted) or [fold(w) for w in rest] != wanted[1:]:
            continue
        glued = words[-len(wanted)]
        head = glued[len(glued) - len(wanted[0]) :]
        if len(glued) > len(head) and fold(head) == wanted[0] and _is_upper_word(head):
            return " ".join([head, *rest])
    return None


def _deputy(position: str, authority: str) -> str:
    """Under 'KT. X' the signer is X's deputy (Decree 30/2020, art. 13): a position read as X,
    or as the end of X's position ('TRƯỞNG' under KT. VỤ TRƯỞNG), lost its PHÓ to a seal."""
    head = _kt_head(authority)
    if not head or fold(position).startswith("PHO ") or not fold(head).endswith(fold(position)):
        return position
    return _DEPUTIES.get(head, "PHÓ " + head)


def _deputy_of(authority: str) -> str | None:
    """The title of whoever signs under 'KT. X': PHÓ X, or X's deputy by name (THỨ TRƯỞNG)."""
    head = _kt_head(authority)
    return _DEPUTIES.get(head, "PHÓ " + head) if head else None


def _deputies_of_both(authority: str) -> list[str]:
    """Under 'KT. X, Y' (one head with two titles: 'BỘ TRƯỞNG, CHỦ NHIỆM') the deputy of
    either may sign: [X's deputy, Y's deputy]; [] under any other authority."""
    match = re.search(r"(?:^|\s)KT\.\s*([^,]+),\s*(.+)$", authority)
    if not match:
        return []
    found = [_deputy_of("KT. " + title.strip()) for title in match.groups()]
    return [d for d in found if d]


def _kt_head(authority: str) -> str | None:
    """X of 'KT. X' as a position ('KT. VỤ TRƯỞNG VỤ GIÁO DỤC' -> 'VỤ TRƯỞNG')."""
    match = re.search(r"(?:^|\s)KT\.\s*(.+)$", authority)
    words = (_position_in(match.group(1)) or "").split() if match else []
    return next(
        (" ".join(words[:n]) for n in range(len(words), 0, -1)
         if fold(" ".join(words[:n])) in _POSITION_WORDS),
        None,
    )  # fmt: skip


def _position_in(line: str) -> str | None:
    """The position a line names, from its first position word (with PHÓ before it) to the
    end of the upper-case run: 'ỐNG HIEHÓ THỦ TƯỚNG' -> 'THỦ TƯỚNG'."""
    words = line.split()
    keys = [fold(w.strip(".,;:'\"`‘’“”")) for w in words]
    for i in range(len(words)):
        if not any(" ".join(keys[i:]).startswith(p) for p in _POSITION_WORDS):
            continue
        start = i - 1 if i > 0 and keys[i - 1] == "PHO" else i
        taken = list(takewhile(_is_upper_word, words[start:]))
        return " ".join(taken) if len(taken) > i - start else None
    return None


def _from_authority(line: str) -> str:
    """'Nơi nhận: KT. GIÁM ĐỐC' (both columns read as one line) -> 'KT. GIÁM ĐỐC'."""
    start = _authority_start(line)
    return line[start:] if start else line


def _is_upper_word(word: str) -> bool:
    found = [ch for ch in word if ch.isalpha()]
    return bool(found) and all(ch.isupper() for ch in found)
