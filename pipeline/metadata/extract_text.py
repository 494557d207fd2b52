"""Text helpers for the metadata parsers: tolerant keys for Vietnamese text read by Tesseract.

``fold`` and ``fold_chars`` give an upper-case key without diacritics (Đ as D), so that
"QUYET DINH", "QUYÉT ĐỊNH" and "QUYẾT ĐỊNH" compare equal; ``fold_chars`` keeps one character
per character, so a match found in the key is at the same place in the text.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

# Look-alikes Tesseract (or a PDF text layer) puts for Vietnamese letters.
_LOOKALIKES = str.maketrans(
    {"Ð": "Đ", "ð": "đ", "Ɖ": "Đ", "ɖ": "đ", "\u00a0": " "}
    | {dash: "-" for dash in "\u2010\u2011\u2012\u2013\u2014\u2212"}
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_LOOKALIKES)


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "D"
    base = unicodedata.normalize("NFD", ch)[0]
    upper = base.upper()
    return upper if len(upper) == 1 else base


def fold_chars(text: str) -> str:
    """Upper case without diacritics, one character for each character of ``text``."""
    return "".join(_fold_char(ch) for ch in nfc(text))


def fold(text: str) -> str:
    """Upper case without diacritics, Đ as D, runs of white space as one space."""
    return re.sub(r"\s+", " ", fold_chars(text)).strip()


def lines_of(text: str) -> list[str]:
    """NFC lines, stripped; blank lines kept (they end a block)."""
    return [line.strip() for line in nfc(text).splitlines()]


def letters(text: str) -> list[str]:
    return [ch for ch in text if ch.isalpha()]


def is_upper(line: str, share: float = 0.8) -> bool:
    found = letters(line)
    return len(found) >= 2 and sum(ch.isupper() for ch in found) / len(found) > share


_STRAY = " \t-_*•|,;:'\"`‘’“”"


def clean(text: str) -> str:
    """One line of a field: single spaces, no stray punctuation at either end. A quotation
    mark at an end that closes (or opens) a quotation inside the field is no stray mark:
    'Tổ chức "Festival ... năm 2026"' keeps its last mark, spelt as the field opened it
    (Tesseract reads a straight closing mark as ” about as often as ")."""
    text = re.sub(r"\s+", " ", text).strip()
    core = text.strip(_STRAY)
    start = len(text) - len(text.lstrip(_STRAY))
    before, after = text[:start], text[start + len(core) :]
    opened = _open_quote(core)
    if opened and any(c in '"“”' for c in after):
        return core + ('"' if opened == '"' else "”")
    closed = _open_quote(core[::-1].translate(_MIRROR))
    if core and closed and any(c in '"“”' for c in before):
        return ('"' if closed == '"' else "“") + core
    return core


_MIRROR = str.maketrans("“”", "”“")


def _open_quote(text: str) -> str | None:
    """The double quotation mark left open at the end of ``text`` ('"' or '“'), if one is."""
    opened = None
    for ch in text:
        if ch == "“" or (ch == '"' and not opened):
            opened = ch
        elif ch in "”\"":
            opened = None
    return opened


def blocks_of(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines."""
    out: list[list[str]] = [[]]
    for line in lines:
        if line:
            out[-1].append(line)
        elif out[-1]:
            out.append([])
    return [b for b in out if b]


# Upper-case words of signer titles, as printed. A word read with lost or wrong diacritics
# ('CHU TICH', 'BẠN') or one letter off ('GLIÁM') is put back in this spelling when only one
# word of the list fits it. Titles hold no place names, so this is safe there only.
TITLE_WORDS = (
    "ỦY BAN NHÂN DÂN HỘI ĐỒNG CHỦ TỊCH PHÓ GIÁM ĐỐC TRƯỞNG PHÒNG CHÁNH VĂN THANH TRA "
    "TỔNG CỤC THƯỜNG TRỰC KÝ THAY MẶT THỪA LỆNH QUYỀN THỦ HIỆU BỘ THỨ "
    "CHÍNH PHỦ TƯỚNG NHIỆM "  # TM. CHÍNH PHỦ, THỦ TƯỚNG (never CHÁNH: one letter off)
    "VỤ GIÁO DỤC"  # KT. VỤ TRƯỞNG VỤ GIÁO DỤC ... (never GIÁM: one letter off)
).split()
# Phrases of agency names: corrected only as a whole, so that a place name ('HÀ NỘI', 'HÀ
# TĨNH', 'ĐÔNG XÁ') is never taken for an administrative word that folds the same.
_LEVELS = ("TỈNH", "HUYỆN", "XÃ", "THÀNH PHỐ", "THỊ XÃ", "QUẬN", "PHƯỜNG", "THỊ TRẤN")
_HEADS = ("UBND", "HĐND", "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN")
ORGAN_PHRASES = (
    *(f"{head} {level}" for head in _HEADS for level in _LEVELS),
    "ỦY BAN NHÂN DÂN",
    "HỘI ĐỒNG NHÂN DÂN",
    "SỞ TƯ PHÁP",
    "TÀI CHÍNH",
    "NỘI VỤ",
    "XÂY DỰNG",
    "Y TẾ",
    "CÔNG THƯƠNG",
    "TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "KẾ HOẠCH VÀ ĐẦU TƯ",
    "GIÁO DỤC VÀ ĐÀO TẠO",
    "NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
    "GIAO THÔNG VẬN TẢI",
    "THÔNG TIN VÀ TRUYỀN THÔNG",
    "LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
    "VĂN HÓA, THỂ THAO VÀ DU LỊCH",
    "VĂN HÓA VÀ THÔNG TIN",
    "KINH TẾ VÀ HẠ TẦNG",
    "TÀI CHÍNH - KẾ HOẠCH",
    "VĂN PHÒNG",
    "THANH TRA",
    "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
)


def _words_key(words: list[str]) -> tuple[str, ...]:
    return tuple(k for k in (fold(w.strip(".,;:")) for w in words) if k)


_PHRASES = sorted(
    ((_words_key(p.split()), p.split()) for p in ORGAN_PHRASES), key=lambda kv: -len(kv[0])
)
_TITLE_BY_FOLD: dict[str, str | None] = {}
for _word in TITLE_WORDS:
    _TITLE_BY_FOLD[fold(_word)] = _word if _TITLE_BY_FOLD.get(fold(_word), _word) == _word else None


def correct_organ_phrases(line: str) -> str:
    """Known phrases of agency names in their printed spelling, where the folded words of the
    line are those of the phrase: 'UY BAN NHAN DAN TINH' -> 'ỦY BAN NHÂN DÂN TỈNH'."""
    words = line.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for key, phrase in _PHRASES:
            span = words[i : i + len(phrase)]
            if len(span) == len(phrase) and _words_key(span) == key:
                out.extend(phrase)
                i += len(phrase)
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def correct_title_words(line: str) -> str:
    """A signer title ('KT. GLIÁM ĐỐC', 'PHO CHU TICH') in its printed spelling; a lone
    letter the seal split off a title word put back on it ('GIÁM ĐỐI C' -> 'GIÁM ĐỐC')."""
    out = []
    for word in _lone_letters_joined(line.split(" ")):
        core = word.strip(".,;:")
        key = fold(core)
        fixed = _TITLE_BY_FOLD.get(key) if key in _TITLE_BY_FOLD else _one_letter_off(key)
        out.append(word.replace(core, fixed) if fixed and core else word)
    return " ".join(out)


def _lone_letters_joined(words: list[str]) -> list[str]:
    """A lone letter after a word that is no title word, joined to it where together they
    are one (or one letter off one): 'ĐỐI' + 'C' -> 'ĐỐIC' (ĐỐC, an I of seal marks)."""
    out: list[str] = []
    for word in words:
        if out and len(word) == 1 and word.isalpha() and out[-1].isalpha():
            alone, joined = fold(out[-1]), fold(out[-1] + word)
            if alone not in _TITLE_BY_FOLD and (
                joined in _TITLE_BY_FOLD or _one_letter_off(joined)
            ):
                out[-1] += word
                continue
        out.append(word)
    return out


def _one_letter_off(key: str) -> str | None:
    if len(key) < 4 or not key.isalpha():
        return None
    near = {
        word
        for k, word in _TITLE_BY_FOLD.items()
        if word and abs(len(k) - len(key)) <= 1 and Levenshtein.distance(k, key) == 1
    }
    return near.pop() if len(near) == 1 else None
