"""Conservative correction of the fixed phrases of Vietnamese administrative documents.

    correct_text(text)   -> (corrected text, corrections: (line, original, corrected) each)
    correct_page(page)   -> the PageText with its text corrected and the corrections recorded

The phrases are those every document prints the same way (Decree 30/2020, Appendix I): the
motto (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM, Độc lập - Tự do - Hạnh phúc), ỦY BAN NHÂN DÂN,
HỘI ĐỒNG NHÂN DÂN, CHỦ TỊCH, "Nơi nhận:", "Lưu: VT", Cổng thông tin điện tử and Cổng TTĐT (a
recipient), the signing-authority marks (TM., KT.,
TL., TUQ., Q.) and the document type names; and a few frequent formulas that Tesseract's
``vie`` model misreads the same way on real pages ("quy định chỉ tiết", "Luật Đắt đai").

A word is changed only when the context is certain and the edit small:
- every word of the phrase is there, in order, each equal to the phrase's word once diacritics
  are set aside, or one letter off it (words of 4 letters or more); at most one word of a
  phrase may be a letter off, and at least one must already be right letter for letter;
- a type name counts only as a line of its own in upper case; "Nơi nhận" only at the start of
  a line; "Lưu" only before ": VT"; an authority mark only before an upper-case title;
  HỘI ĐỒNG NHÂN DÂN only in capitals;
- a word already in an accepted spelling (ỦY/UỶ, HÒA/HOÀ, THỎA/THOẢ) is left as it is, and a
  word that two accepted spellings fit equally well is left as it is too.
The word keeps its case pattern (upper, capitalised or lower) and its punctuation.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from pipeline.metadata.extract_header import DOCUMENT_TYPES
from pipeline.metadata.extract_text import fold, is_upper
from schemas.results import Correction, PageText

# Spellings that are both right (DOMAIN.md: accept HOÀ/HÒA, ỦY/UỶ, THỎA/THOẢ).
_VARIANTS = {"HÒA": ("HÒA", "HOÀ"), "ỦY": ("ỦY", "UỶ"), "THỎA": ("THỎA", "THOẢ")}


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]  # as printed, upper case
    where: str = "any"  # any | line (a line of its own, upper case) | start (begins a line)
    upper: bool = False  # only where printed in capitals (the header or the signer block)
    marks_only: bool = False  # only diacritics may differ (no letter off): for prose


def _phrase(text: str, where: str = "any", upper: bool = False, marks: bool = False) -> Phrase:
    return Phrase(tuple(text.split()), where, upper, marks)


PHRASES = (
    _phrase("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    _phrase("ĐỘC LẬP - TỰ DO - HẠNH PHÚC"),
    _phrase("ỦY BAN NHÂN DÂN"),
    # in capitals only: decree 49 itself prints "Hội dồng nhân dân" once in its prose (p. 3),
    # and a transcription keeps the document's own slips (measured: the one character broken)
    _phrase("HỘI ĐỒNG NHÂN DÂN", upper=True),
    _phrase("CHỦ TỊCH"),
    _phrase("NƠI NHẬN", "start"),
    _phrase("CỔNG THÔNG TIN ĐIỆN TỬ"),
    _phrase("CỔNG TTĐT"),  # the same, as Nơi nhận lists abbreviate it
    _phrase("QUY ĐỊNH CHI TIẾT"),
    _phrase("LUẬT ĐẤT ĐAI"),
    _phrase("CHÍNH PHỦ", marks=True),
    # type names as a line of their own; in prose ('Nghị định số ...') those of two words or
    # more, their diacritics only ('hợp đang' is no 'hợp đồng', 'PHÒNG TƯ' no 'THÔNG TƯ')
    *(_phrase(name, "line") for name in DOCUMENT_TYPES if len(fold(name)) >= 6),
    *(_phrase(name, marks=True) for name in DOCUMENT_TYPES if " " in name),
)
_STRIP = ".,;:!?()\"'`‘’“”"
# 'Luru: VT' -> 'Lưu: VT' (the storage line of Nơi nhận); 'KT:' -> 'KT.' before a title.
_LUU = re.compile(r"^([-–+•*]?\s*)(\S{2,5})(\s*:\s*VT\b)")
# 'Lưu: VI KGVX', 'Lưu: VŨ VP', 'Lưu: VTj NC', 'Lưu: VT; TCCB' -> 'Lưu: VT, ...' before the drafting unit's abbreviation
_LUU_VT = re.compile(r"^([-–+•*]?\s*Lưu\s*:\s*)(V[TIl1|UŨ])([;,j]?)\s+(?=[A-ZĐ][A-ZĐa-z]*[A-ZĐ])")
# 'TT Tỉnh ủy, T HĐND tỉnh' -> 'TT. Tỉnh ủy, TT. HĐND tỉnh' (thường trực, in Nơi nhận items)
_TT = re.compile(r"(?<![\w.])(?:TT|T)(?![\w.])\s*(?=(?:HĐND|Tỉnh ủy|Huyện ủy|Thành ủy|Đảng ủy)\b)")
# 'TGĐ Cống TTĐTCP' -> 'Cổng': the portal (Cổng thông tin điện tử), whatever follows TTĐT
_CONG = re.compile(r"(?<!\w)C(?:ống|ồng|ông|ỗng|ộng|óng)(?=\s+TTĐT)")
# 'TGĐĐ Cổng TTĐT' -> 'TGĐ' (Tổng Giám đốc of the portal, in the Government's lists): Đ read twice
_TGD = re.compile(r"(?<!\w)TGĐ[ĐÐ](?=\s+Cổng\b)")
_MARK = re.compile(r"^(TM|KT|TL|TUQ)\s*[,:;]\s*(?=\S)")


@functools.lru_cache(maxsize=1 << 16)
def _key(token: str) -> str:
    """A token folded, its punctuation stripped; cached: every phrase tries every token of a
    line (0.10 s a page of decree 49 uncached, in the job's own process, after the pool)."""
    return fold(token.strip(_STRIP))


_folded = functools.lru_cache(maxsize=1 << 12)(fold)  # the phrases' own words


def _respell(token: str, word: str) -> str:
    """``token`` spelled as ``word`` (an upper-case phrase word), in the token's case pattern,
    its punctuation kept; unchanged where it is already an accepted spelling."""
    core = token.strip(_STRIP)
    if not core:
        return token
    spellings = _VARIANTS.get(word, (word,))
    if core.upper() in spellings:
        return token
    if len(spellings) > 1:
        distances = sorted((Levenshtein.distance(core.upper(), s), s) for s in spellings)
        if distances[0][0] == distances[1][0]:
            return token  # both spellings fit equally well: not certain
        word = distances[0][1]
    if core.isupper() or (len(core) == 1 and is_upper(token, 0.5)):
        fixed = word
    elif core[:1].isupper():
        fixed = word[:1] + word[1:].lower()
    else:
        fixed = word.lower()
    return token.replace(core, fixed, 1)


def _matches(tokens: list[str], phrase: Phrase) -> bool:
    """Every word there in order, no punctuation between; at most one a letter off; at least
    one right as printed."""
    off = exact = 0
    for token, word in zip(tokens, phrase.words, strict=True):
        key, want = _key(token), _folded(word)
        if key == want:
            exact += token.strip(_STRIP).upper() in _VARIANTS.get(word, (word,))
            continue
        if phrase.marks_only or len(want) < 4 or Levenshtein.distance(key, want) != 1:
            return False
        if not key.isalpha():
            return False
        off += 1
    if off > 1 or not (exact > 0 or len(phrase.words) == 1 and off == 0):
        return False
    if any(t[-1:] in ",;.:!?)" for t in tokens[:-1]):
        return False  # 'liên thông, bảo' is no THÔNG BÁO: a phrase runs on without a stop
    # the words first (most spans fail at the first), the case of the whole span last
    return not phrase.upper or is_upper(" ".join(tokens))


def _correct_line(line: str) -> str:
    tokens = line.split(" ")
    for phrase in PHRASES:
        size = len(phrase.words)
        if phrase.where == "line":
            words = [t for t in tokens if t.strip(_STRIP)]
            if len(words) == size and is_upper(line) and _matches(words, phrase):
                tokens = [_respell(t, w) for t, w in zip(words, phrase.words, strict=True)]
            continue
        starts = [0] if phrase.where == "start" else range(len(tokens) - size + 1)
        for i in starts:
            span = tokens[i : i + size]
            if len(span) == size and _matches(span, phrase):
                tokens[i : i + size] = [
                    _respell(t, w) for t, w in zip(span, phrase.words, strict=True)
                ]
    line = " ".join(tokens)
    if (m := _LUU.match(line)) and m.group(2).upper() != "LƯU" and _near(m.group(2), "LƯU"):
        line = m.group(1) + _respell(m.group(2), "LƯU") + line[m.end(2) :]
    if (m := _LUU_VT.match(line)) and (m.group(2) != "VT" or m.group(3) != ","):
        line = m.group(1) + "VT, " + line[m.end() :]
    if line.lstrip()[:1] in "-–+•*":
        line = _TT.sub("TT. ", line)
    line = _TGD.sub("TGĐ", _CONG.sub("Cổng", line))
    if (m := _MARK.match(line)) and is_upper(line[m.end() :].split("  ")[0]):
        line = m.group(1) + ". " + line[m.end() :]
    return line


def _near(token: str, word: str) -> bool:
    return Levenshtein.distance(fold(token), fold(word)) <= 1 and token[:1].upper() == "L"


def correct_text(text: str) -> tuple[str, tuple[Correction, ...]]:
    """The text with its fixed phrases corrected, and each changed line as it was read."""
    out, changed = [], []
    for number, line in enumerate(unicodedata.normalize("NFC", text).split("\n")):
        fixed = _correct_line(line) if line.strip() else line
        if fixed != line:
            changed.append(Correction(line=number, original=line, corrected=fixed))
        out.append(fixed)
    return "\n".join(out), tuple(changed)


def correct_page(page: PageText) -> PageText:
    """An OCR page with its fixed phrases corrected, the original lines kept beside them; a
    page from a text layer is left as it is (its text is what the file says)."""
    if page.source != "ocr":
        return page
    text, corrections = correct_text(page.text)
    if not corrections:
        return page
    return page.model_copy(update={"text": text, "corrections": corrections})
