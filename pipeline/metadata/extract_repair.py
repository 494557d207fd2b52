"""Fields put right from the rest of the same document, where the document says it twice.

    respell_from_body(subject, body)        -> the trích yếu with a word's diacritics as the
                                               body spells it in the same words ('THUỘC THẤM
                                               QUYỀN GIẢI QUYẾT' under 'Điều 1. ... thuộc thẩm
                                               quyền giải quyết'), and how many words changed
    fill_from_body(subject, body)           -> a subject in capitals with a word its reading
                                               lost put back from the body's same words
    drop_from_body(subject, body)           -> a subject less a lone letter read into it
    spell_storage_units(items, notation)    -> 'Lưu: VT, Vụ GDTTH' as 'Lưu: VT, Vụ GDTrH' when
                                               the ký hiệu names the drafting unit GDTrH
    complete_title(title, fragment, text)   -> 'KT. VỤ TRƯỞNG VỤ GIÁO DỤC' + 'HỌC' (its line's
                                               front lost under the seal) as '... GIÁO DỤC
                                               TRUNG HỌC' when the text names 'Vụ Giáo dục
                                               Trung học'

Each changes a field only when the document itself is certain: the same words elsewhere in
it, spelt one way only. A word read the same everywhere is left alone.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

from pipeline.metadata.extract_text import fold, is_upper

WINDOW = 4  # words that must read the same (diacritics aside) around a respelt word
_EDGE = "./,;:!?()[]“”\"'‘’`"
_LUU = re.compile(r"^L\w{1,2}U\b", re.IGNORECASE)


def _core(token: str) -> str:
    return token.strip(_EDGE)


def _keys(tokens: list[str]) -> list[str]:
    return [fold(_core(t)) for t in tokens]


def _marks(word: str) -> int:
    """Diacritics in a word: combining marks, and the bar of đ."""
    nfd = unicodedata.normalize("NFD", word)
    return sum(unicodedata.combining(c) > 0 for c in nfd) + sum(c in "đĐ" for c in nfd)


def _cased_like(model: str, word: str) -> str:
    """``word`` in the case of ``model``: 'THẤM' and 'thẩm' -> 'THẨM'; 'Đảo', 'đào' -> 'Đào'."""
    if model.isupper():
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:].lower()
    return word.lower()


def _is_syllable(word: str) -> bool:
    """A Vietnamese syllable the lexicon knows ('chuẩn'; not 'chuãn', which no word has)."""
    from pipeline.reading.lexicon import lexicon  # the word list, read once when first asked

    return unicodedata.normalize("NFC", word).casefold() in lexicon().syllables


def respell_from_body(subject: str, body: str) -> tuple[str, int]:
    """The subject with each word that the body spells otherwise, in the same ``WINDOW``
    words (folded alike), and one way only, spelt as the body does; and how many changed.

    A word in capitals takes the body's lower-case spelling seen once: Tesseract loses more
    marks over capitals ('THẤM QUYỀN' over 'thẩm quyền'). A word in lower case, read as well
    as the body's, takes it only when the body says it so twice or more ('Đảo tạo' under
    many 'Đào tạo'). Never a spelling with fewer marks: Tesseract loses a mark (the tone
    stacked over ê, â, ô) far more often than it makes one up, so the body's 'cơ chê' (read
    twice so in decree 49) is no reason to take the subject's 'cơ chế' apart. A word in lower
    case that is no Vietnamese syllable at all ('chuãn' read for 'chuẩn') takes the body's
    spelling seen once, when that is one."""
    words, others = subject.split(), body.split()
    keys, other_keys = _keys(words), _keys(others)
    at: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(others) - WINDOW + 1):
        at.setdefault(tuple(other_keys[j : j + WINDOW]), []).append(j)
    seen: dict[int, set[int]] = {}  # subject word -> the body words read at its place
    for start in range(len(words) - WINDOW + 1):
        window = tuple(keys[start : start + WINDOW])
        for j in at.get(window, []) if all(window) else []:
            for k in range(WINDOW):
                seen.setdefault(start + k, set()).add(j + k)
    changed = 0
    for i, places in seen.items():
        core = _core(words[i])
        found = [_core(others[j]) for j in places if not _core(others[j]).isupper()]
        spelt = {w.casefold() for w in found}
        if len(spelt) != 1 or not core.isalpha():
            continue
        (new,) = spelt
        once = core.isupper() or (_is_syllable(new) and not _is_syllable(core))
        if len(found) < (1 if once else 2):
            continue
        if new != core.casefold() and new.isalpha() and _marks(new) >= _marks(core):
            words[i] = words[i].replace(core, _cased_like(core, new))
            changed += 1
    return " ".join(words), changed


def fill_from_body(subject: str, body: str) -> tuple[str, int]:
    """A subject in capitals with a word put back that its reading lost (a line's first word,
    'HÀ NỘI | NĂM 2030' for 'HÀ NỘI | ĐẾN NĂM 2030'): where the body has the subject's three
    words before and three after with one word between, the same word each time."""
    words, others = subject.split(), body.split()
    if not is_upper(subject):
        return subject, 0
    keys, other_keys = _keys(words), _keys(others)
    side, added = 3, 0
    for i in range(len(words) - side, side - 1, -1):
        left, right = keys[i - side : i], keys[i : i + side]
        if not all(left) or not all(right):
            continue
        found = {
            _core(others[j + side])
            for j in range(len(others) - 2 * side)
            if other_keys[j : j + side] == left
            and other_keys[j + side + 1 : j + 2 * side + 1] == right
        }
        spelt = {w.casefold() for w in found}
        if len(spelt) == 1 and (new := spelt.pop()).isalpha():
            words.insert(i, new.upper())
            added += 1
    return " ".join(words), added


def drop_from_body(subject: str, body: str) -> tuple[str, int]:
    """A subject less a lone letter read into it ('một số ó điều'), where the body has the
    three words before it and the three after side by side; and how many were left out."""
    words, others = subject.split(), body.split()
    keys, other_keys = _keys(words), _keys(others)
    side, out = 3, []
    pairs = {tuple(other_keys[j : j + 2 * side]) for j in range(len(others) - 2 * side + 1)}
    for i, word in enumerate(words):
        core = _core(word)
        around = keys[max(0, i - side) : i] + keys[i + 1 : i + 1 + side]
        lone = len(core) == 1 and core.isalpha() and len(around) == 2 * side and all(around)
        if lone and tuple(around) in pairs:
            continue
        out.append(word)
    return " ".join(out), len(words) - len(out)


def spell_storage_units(items: tuple[str, ...], notation: str | None) -> tuple[str, ...]:
    """The drafting unit in 'Lưu: VT, <unit>' as the ký hiệu spells it (Decree 30/2020: both
    name the unit that drafted the document), when the item's code is one letter off it."""
    parts = [p for p in re.split(r"[-/]", notation or "") if len(p) >= 4 and p.isalpha()]
    if not parts:
        return items
    out = []
    for item in items:
        if _LUU.match(fold(item)):
            item = re.sub(r"[^\W\d_]{4,}", lambda m: _unit_spelling(m.group(0), parts), item)
        out.append(item)
    return tuple(out)


def _unit_spelling(token: str, parts: list[str]) -> str:
    if token in parts or not token[:1].isupper():
        return token
    near = {p for p in parts if len(p) == len(token) and Levenshtein.distance(p, token) == 1}
    return near.pop() if len(near) == 1 else token


def complete_title(title: str, fragment: str, text: str) -> str | None:
    """The title's last line with the words its continuation line lost in front: the text's
    own mention of the unit, 'GIÁO DỤC' + up to two words + 'HỌC' (folded alike); None when
    the text does not name it."""
    tail = fold(title).split()[-2:]
    piece = fold(fragment).split()
    if len(tail) < 2 or not piece:
        return None
    words = text.split()
    keys = _keys(words)
    found: set[tuple[str, ...]] = set()
    for i in range(len(keys) - len(tail)):
        if keys[i : i + len(tail)] != tail:
            continue
        for gap in range(3):
            end = i + len(tail) + gap
            if keys[end : end + len(piece)] == piece:
                found.add(tuple(_core(w).upper() for w in words[i + len(tail) : end]))
    if len(found) != 1:
        return None
    (lost,) = found
    return " ".join([title, *lost, fragment.strip(_EDGE + " ")])
