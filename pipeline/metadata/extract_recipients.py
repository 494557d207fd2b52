"""Nơi nhận (Decree 30/2020, Appendix I): the list of recipients at the foot, left of the
signer block, as printed: its items without their dash and end punctuation.

    Nơi nhận:                      KT. CHỦ TỊCH
    - Như trên;                    PHÓ CHỦ TỊCH
    - Lưu: VT, VP.                 <seal, signature>

Tesseract may read both columns as one line, put the signer's lines between two items (a
list that runs on past the signer block, or onto the next page), and read the seal's and the
signature's marks after an item.
"""

from __future__ import annotations

import re

from pipeline.metadata.extract_signer import (
    SURNAMES,
    _authority_start,
    _has_position_word,
    _is_signer_title,
    _is_upper_word,
    _name_of,
)
from pipeline.metadata.extract_text import clean, fold, is_upper, letters
from pipeline.metadata.phrases import correct_text

_NOI_NHAN = re.compile(r"^N\w{1,2}I\s*NH\w{1,2}N\b\s*:?\s*")
_ITEM = re.compile(r"^[-–—_+•*~]\s*")
# What a seal or a signature beside the list reads as: after an item's ';', or tokens with
# no letter or with a sign no recipient has.
_NOISE_SIGNS = set("#%¿“”\\=<>~^|{}[]@$€£¥§¤°")
# An item that goes on with the list past the signer's lines: a dash and a capital (a seal's
# marks may begin with '~' or '_', a recipient never does).
_RESUMES = re.compile(r"^[-–—]\s*[^\W\d_]")
# '- Thường trực Thành ủy; (để b/c)': a note after the ';', printed, not a seal's marks
_NOTE = re.compile(r"^\s*\([^()]*[^\W\d_][^()]*\)\s*$")
SIGNER_LINES = 6  # lines of a signer block a list may run on past (titles, seal marks)


def _without_title(item: str) -> str:
    """'- Như trên; PHÓ GIÁM ĐỐC' (both columns read as one line) -> '- Như trên;'."""
    start = _authority_start(item)
    if start is not None and not (start == 0 and item.rstrip().endswith(";")):
        return item[:start].strip()
    head, _, rest = item.rpartition(";")
    if head and _name_of(rest) and fold(rest.split()[0]) in SURNAMES:
        return head + ";"  # '- Như trên; Nguyễn Văn A': the signer's name beside the item
    if head and rest.split() and all(_is_upper_word(w) for w in rest.split()):
        if _has_position_word(rest):  # '- Bộ NN&PTNT; CHỦ TỊCH': the title is after the ';'
            return head + ";"
    words = item.split()
    cut = len(words)
    while cut > 0 and _is_upper_word(words[cut - 1]):
        cut -= 1
    if cut < len(words) and _has_position_word(" ".join(words[cut:])):
        return " ".join(words[:cut])
    return item


def _item(text: str) -> str:
    """One recipient as printed: what a seal or signature added after its ';' or at its end
    left out, a space before '('."""
    head, semicolon, rest = text.partition(";")
    if semicolon and len(rest.split()) <= 3 and not _NOTE.match(rest):
        text = head
    words, noise = text.split(), False
    while words and (not any(c.isalnum() for c in words[-1]) or _NOISE_SIGNS & set(words[-1])):
        words, noise = words[:-1], True
    if noise and words and words[-1].isdigit():  # '7 #iz': a digit of the same mark
        words.pop()
    return re.sub(r"(?<=\w)\(", " (", clean(" ".join(words)).rstrip("."))


def find_recipients(lines: list[str]) -> tuple[tuple[str, ...], float] | None:
    """Nơi nhận: the items under it ('- Như trên;' ...), without dash and end punctuation.
    Items may be a block apart (Tesseract's paragraphs); a line without a dash right under an
    item continues it; the list goes on past the signer's lines read between two of its
    items (a few upper-case lines or marks, then '- ...' again)."""
    for i, line in enumerate(lines):
        match = _NOI_NHAN.match(fold(line))
        if not match:
            continue
        rest = _without_title(line[match.end() :].strip())
        items = _items(([rest] if rest else []) + lines[i + 1 :])
        # an item read over two lines, as one: its fixed phrases ('Cống | TTĐT') set right
        items = [correct_text(_item(x))[0] for x in items if _item(x)]
        if items:
            return tuple(items), 0.8
    return None


def _items(lines: list[str]) -> list[str]:
    items: list[str] = []
    follows = False  # the previous line was part of an item
    passed = -1  # lines of a signer block passed since the list met it (-1: not met)
    named = False  # the signer's name was among them
    for item in lines:
        if not item:
            follows = False
            continue
        if _signer_line(item):
            passed, follows = 0, False  # the signer's lines: the list may go on after them
            continue
        if passed >= 0 and not _RESUMES.match(item):
            if items and _rest_of(items[-1], item):
                items[-1] += " " + item  # the rest of an item the signer's lines cut in two
                passed, follows = -1, True
                continue
            if named or passed >= SIGNER_LINES or not (_signer_mark(item) or _name_of(item)):
                break
            named, passed = bool(_name_of(item)), passed + 1
            continue
        passed, named = -1, False
        item = _without_title(item)
        if _ITEM.match(item):
            items.append(_ITEM.sub("", item))
        elif (follows and not is_upper(item)) or (items and _rest_of(items[-1], item)):
            items[-1] += " " + item  # a line under an item, or a block apart: its end
        elif items:
            break
        else:
            items.append(item)
        follows = True
    return items


def _signer_line(line: str) -> bool:
    """A line of the signer block: an authority or a title; 'KT, VX;' ends with ';' as list
    items do (KT: a unit's initials), no title does."""
    if line.rstrip().endswith(";"):
        return False
    return _authority_start(line) == 0 or (_is_signer_title(line) and not _ITEM.match(line))


def _rest_of(item: str, line: str) -> bool:
    """The line ends the item read only in part above it (a blank line between)."""
    return _cut(item) and _ends_item(line) and len(letters(line)) >= 4


def _cut(item: str) -> bool:
    """An item read only in part: it does not end as items end (';' or '.')."""
    return not item.rstrip().endswith((";", "."))


def _ends_item(line: str) -> bool:
    return line.rstrip().endswith((";", "."))


def _signer_mark(line: str) -> bool:
    """A line of a signer block as read: upper case (a title, a piece of one) or marks."""
    return is_upper(line, 0.5) or len(letters(line)) <= 2
