"""The words read inside seals, signatures, stamps and scanner marks, set apart from the text.

    is_word(token)                        -> a Vietnamese syllable, a number or code, an
                                             abbreviation, or a list's punctuation
    stamp_phrases(words, lines, em)       -> received stamps found by their printed phrases
                                             (ĐẾN / CÔNG VĂN ĐẾN over Số, Ngày, Giờ, Chuyển)
    set_apart(out, found, factor)         -> the reading without those words, and the regions
    without_words(out, drop)              -> a reading less some words (text, PDF layer)
    read_apart(image, dpi, out, ...)      -> the same for a page as scanned and as it was read
    find_marks(sight)                     -> every region the image alone shows

A word inside a region (half its box or more) is taken out when it is noise: not a word
(``is_word``), one Tesseract is less sure of than not (confidence under 50), one much taller
than the page's words (a stroke and a letter read as one), and every word of a line that lies
wholly inside the region once one of them is noise (the ring text of a seal read as a line).
In a received stamp its printed words (CÔNG VĂN ĐẾN, Số, Ngày, Giờ, Chuyển) are noise too.
Print under a seal or a stamp (the Nơi nhận list, the signer's title, a paragraph) stays
when it is a sure word of a line that runs on outside the region; under a signature,
whenever it is a sure word, or a word that makes a compound with the word beside it (the
lexicon's word list: a stroke read as text makes none). A stamp's frame counts
when its words say ĐẾN (or two of Số, Ngày, Giờ), when it is red or blue (print is black),
or when most words read in it are noise; a black frame around clean words ("Mẫu số 01", a
table's cell) is no stamp.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from PIL import Image

from pipeline.metadata.extract_text import fold
from pipeline.reading.layout import word_em
from pipeline.reading.lexicon import lexicon
from pipeline.reading.ocr import OcrOutput
from pipeline.reading.regions import (
    Found,
    Sight,
    find_frames,
    find_scanner_marks,
    look,
)
from pipeline.reading.pen import find_signatures
from pipeline.reading.seals import find_seals
from pipeline.reading.syllables import respelt_layer
from schemas.results import Region, Word

SURE = 50.0  # Tesseract's confidence as a probability: below this a word is more likely wrong
LINE_INSIDE = 1.0  # a line with this share of its words in a region is the region's own
OVERLAID = 2  # a frame with this many words running across its sides is laid over print
TALL = 1.6  # a word this many times the page's median word height is no word of a line
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
_SYLLABLE = re.compile(_ONSET + "[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_CODE = re.compile(r"\d+[a-z]?|[\dA-ZĐ]+(?:[./\-][\dA-ZĐa-zđ]+)+")
_ABBREVIATION = re.compile(r"[A-ZĐ]{1,6}[a-z]?")
_PUNCT = "-–+.,;:/()\"'“”‘’!?%"
STAMP_HEAD = ("DEN", "CONG VAN DEN")  # folded (upper case, no diacritics)
STAMP_LINES = {"SO", "NGAY", "GIO", "CHUYEN"}  # the first word of a stamp's other lines
STAMP_WORDS = STAMP_LINES | {"CONG", "VAN", "DEN"}  # printed on a received stamp


def _syllable(word: str) -> bool:
    marks = unicodedata.normalize("NFD", word.lower())
    if sum(ch in _TONES for ch in marks) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in marks if ch not in _TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def is_word(token: str) -> bool:
    """A Vietnamese syllable in one case shape (lower, Capitalised or UPPER), a number or a
    code (49/2026/NĐ-CP), an upper-case abbreviation (HĐND, TTg), a clause's letter (b)), or
    a list's punctuation."""
    core = token.strip(_PUNCT)
    if not core:
        return len(token) <= 2 and all(ch in _PUNCT for ch in token)
    if any(ch.isdigit() for ch in core):
        return _CODE.fullmatch(core) is not None
    if len(core) == 1 and token.endswith(")"):
        return core.isalpha()  # a clause's letter: a), b), đ)
    if _ABBREVIATION.fullmatch(core):
        return True
    parts = core.split("-")
    return all(
        p and (p.islower() or p.isupper() or (p[0].isupper() and p[1:].islower()))
        and _syllable(p)
        for p in parts
    )


def _share_inside(box: tuple[int, int, int, int], region: tuple[int, int, int, int]) -> float:
    left, top, width, height = box
    x0, y0, x1, y1 = region
    across = max(0, min(left + width, x1) - max(left, x0))
    down = max(0, min(top + height, y1) - max(top, y0))
    return across * down / max(1, width * height)


def _scaled(found: Found, factor: tuple[float, float]) -> tuple[int, int, int, int]:
    fx, fy = factor
    x0, y0, x1, y1 = found.box
    return (round(x0 * fx), round(y0 * fy), round(x1 * fx), round(y1 * fy))


def stamp_phrases(words: Sequence[Word], lines: Sequence[int], em: float) -> list[Found]:
    """Received stamps by their phrases, in read pixels: a line that is, or begins with, ĐẾN
    or CÔNG VĂN ĐẾN in capitals, with one line or more under it (within four lines) that
    begins with Số, Ngày, Giờ or Chuyển at the same left edge. The box holds those lines'
    words within a stamp's width of that edge (twice the head's, or twelve word heights)."""
    by_line: dict[int, list[Word]] = {}
    for word, line in zip(words, lines, strict=True):
        by_line.setdefault(line, []).append(word)
    found = []
    for line, items in by_line.items():
        head = items[0]
        text = " ".join(w.text for w in items[:3])
        if not (head.text.strip(":.").isupper() and fold(text).startswith(STAMP_HEAD)):
            continue
        den = [w for w in items[:3] if fold(w.text).strip(":.") == "DEN"]
        if not den:
            continue
        left, top = head.box[0], head.box[1]
        # a stamp is a few centimetres wide: twice its head, or twelve word heights
        reach = max(2 * (den[0].box[0] + den[0].box[2] - left), 12 * em)
        stamp = [w for w in items if w.box[0] - left < reach]
        for below in range(line + 1, line + 5):
            rest = by_line.get(below, [])
            under = bool(rest) and rest[0].box[1] - top < 8 * em
            if under and -2 * em <= rest[0].box[0] - left <= 6 * em:
                if fold(rest[0].text).strip(":.") in STAMP_LINES:
                    stamp += [w for w in rest if w.box[0] - left < reach]
        if len(stamp) > len(items[:3]):
            x0 = min(w.box[0] for w in stamp)
            y0 = min(w.box[1] for w in stamp)
            x1 = max(w.box[0] + w.box[2] for w in stamp)
            y1 = max(w.box[1] + w.box[3] for w in stamp)
            found.append(Found("received-stamp", (x0, y0, x1, y1), 0.8, "ĐẾN, Số/Ngày/Giờ"))
    return found


def _confirmed(frame: tuple[int, int, int, int], words: Sequence[Word]) -> bool:
    """A frame is a received stamp when its words say so (ĐẾN, or two of Số/Ngày/Giờ)."""
    inside = [fold(w.text).strip(":.,") for w in words if _share_inside(w.box, frame) >= 0.5]
    return "DEN" in inside or len({t for t in inside if t in STAMP_LINES}) >= 2


def _garbled(region: tuple[int, int, int, int], out: OcrOutput, em: float) -> bool:
    """True when most words read inside a frame are noise: ink over ink, not a framed text."""
    inside = [w for w in out.words if _share_inside(w.box, region) >= 0.5]
    return bool(inside) and sum(_noisy(w, em) for w in inside) >= len(inside) / 2


def _overlaid(region: tuple[int, int, int, int], words: Sequence[Word], em: float) -> bool:
    """True when OVERLAID words or more run across the frame's left or right side, half a
    word's height or more on each side of it: a stamp laid over the print (a printed frame's
    or a table's words stay inside their cells)."""
    x0, _, x1, _ = region
    margin = em / 2
    crossing = 0
    for w in words:
        left, right = w.box[0], w.box[0] + w.box[2]
        inside = _share_inside(w.box, (left, region[1], right, region[3])) >= 0.5
        if inside and any(left < x - margin and right > x + margin for x in (x0, x1)):
            crossing += 1
    return crossing >= OVERLAID


def _line_shares(out: OcrOutput, region: tuple[int, int, int, int]) -> dict[int, float]:
    """For each text line, the share of its words inside the region."""
    counts: dict[int, int] = {}
    inside: dict[int, int] = {}
    for word, line in zip(out.words, out.lines, strict=True):
        counts[line] = counts.get(line, 0) + 1
        if _share_inside(word.box, region) >= 0.5:
            inside[line] = inside.get(line, 0) + 1
    return {line: inside.get(line, 0) / count for line, count in counts.items()}


def _noisy(word: Word, em: float) -> bool:
    return word.confidence < SURE or not is_word(word.text) or word.box[3] > TALL * em


def _in_compound(out: OcrOutput, n: int, em: float) -> bool:
    """True when word n, a syllable of a line's height read with little confidence, makes a
    compound word (the lexicon's) with the word before or after it on its line, as read: a
    pen stroke read as text does not."""
    word = out.words[n]
    if not is_word(word.text) or word.box[3] > TALL * em:
        return False
    pairs = lexicon().pairs
    me = _bare(word.text)
    before = n > 0 and out.lines[n - 1] == out.lines[n] and (_bare(out.words[n - 1].text), me)
    after = n + 1 < len(out.words) and out.lines[n + 1] == out.lines[n] and (
        me, _bare(out.words[n + 1].text))  # fmt: skip
    return before in pairs or after in pairs


def _bare(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip(_PUNCT)).lower()


def _stamp_word(text: str) -> bool:
    """A received stamp's printed word, capitalised as a stamp prints it ("Số:", "ĐẾN"; the
    print under a stamp says "số", "ngày" inside its sentences)."""
    return text[:1].isupper() and fold(text).strip(":.,") in STAMP_WORDS


def _swallowed(
    out: OcrOutput, region: tuple[int, int, int, int], kind: str, em: float
) -> list[int]:
    """The words the region swallows (see the module's docstring): noise (in a stamp, its
    printed words too), and in a line of a seal's or stamp's own, every word once one is
    noise (its ring text or printed phrases read as a line)."""
    inside = [n for n, w in enumerate(out.words) if _share_inside(w.box, region) >= 0.5]
    noisy = {n for n in inside if _noisy(out.words[n], em)}
    if kind == "received-stamp":
        noisy |= {n for n in inside if _stamp_word(out.words[n].text)}
    if kind == "signature":  # print under pen strokes: sure words, and words of a compound
        return sorted(n for n in noisy if not _in_compound(out, n, em))
    shares = _line_shares(out, region)
    own = {out.lines[n] for n in noisy if shares[out.lines[n]] >= LINE_INSIDE}
    return [n for n in inside if n in noisy or out.lines[n] in own]


def set_apart(
    out: OcrOutput, found: Sequence[Found], factor: tuple[float, float]
) -> tuple[OcrOutput, tuple[Region, ...]]:
    """The reading without the words that the regions ``found`` (in work pixels, ``factor``
    read pixels each) swallow, and the regions as the sidecar records them (read pixels). A
    frame no phrase confirms is no stamp (a framed "Mẫu số" or a table's cell)."""
    em = word_em([w.box for w in out.words])
    placed: list[tuple[Found, tuple[int, int, int, int]]] = []
    for f in found:
        box = _scaled(f, factor)
        if f.kind == "received-stamp":
            if _confirmed(box, out.words):
                f = Found(f.kind, f.box, 0.9, f.cue + " with ĐẾN, Số/Ngày/Giờ")
            elif _overlaid(box, out.words, em):
                f = Found(f.kind, f.box, 0.7, f.cue + " laid over print")
            elif not f.cue.endswith("ink, rectangular frame") and not _garbled(box, out, em):
                continue
        placed.append((f, box))
    for f in stamp_phrases(out.words, out.lines, em) if em else ():
        if not any(_share_inside(_as_xywh(f.box), box) >= 0.5 for _, box in placed):
            placed.append((f, f.box))
    drop: set[int] = set()
    regions = []
    for f, box in placed:
        mine = [n for n in _swallowed(out, box, f.kind, em) if n not in drop]
        drop.update(mine)
        regions.append(
            Region(
                kind=f.kind, box=_as_xywh(box), confidence=f.confidence, cue=f.cue,
                words=tuple(out.words[n].text for n in mine),
            )  # fmt: skip
        )
    return without_words(out, drop), tuple(regions)


def _as_xywh(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (box[0], box[1], box[2] - box[0], box[3] - box[1])


def read_apart(
    image: Image.Image, dpi: int, out: OcrOutput, rotation: int, skew: float,
    size: tuple[int, int],
) -> tuple[OcrOutput, tuple[Region, ...]]:  # fmt: skip
    """``set_apart`` for a page as scanned (``image`` at ``dpi``, L or RGB) that was read
    turned by ``rotation`` and ``skew`` at ``size`` pixels: the regions in read pixels."""
    sight = look(image, dpi, rotation, skew, size)
    height, width = sight.ink.shape
    return set_apart(out, find_marks(sight), (size[0] / width, size[1] / height))


def scale_regions(regions: tuple[Region, ...], factor: float) -> tuple[Region, ...]:
    """Region boxes read on a resized page, in the pixels of the page as it was."""
    if factor == 1:
        return regions
    return tuple(
        r.model_copy(update={"box": tuple(round(v * factor) for v in r.box)}) for r in regions
    )


def without_words(out: OcrOutput, drop: set[int]) -> OcrOutput:
    """The reading less the words at the indexes ``drop``: out of its words, its text (a line
    left empty goes, the blank between blocks stays) and its PDF text layer, where a dropped
    word shows nothing and the words after it keep their places (``respelt_layer``)."""
    if not drop:
        return out
    kept = tuple(w for n, w in enumerate(out.words) if n not in drop)
    lines = tuple(line for n, line in enumerate(out.lines) if n not in drop)
    mean = round(sum(w.confidence for w in kept) / len(kept), 2) if kept else None
    layer = respelt_layer(out, dict.fromkeys(drop, ""))
    return OcrOutput(_text_without(out, drop), kept, mean, layer, lines)


def _text_without(out: OcrOutput, drop: set[int]) -> str:
    """The text rebuilt line by line: the n-th line that is not blank holds line n's words."""
    by_line: dict[int, list[str]] = {}
    for n, (word, line) in enumerate(zip(out.words, out.lines, strict=True)):
        if n not in drop:
            by_line.setdefault(line, []).append(word.text)
    rebuilt: list[str] = []
    number = 0
    for text in out.text.split("\n"):
        if not text:
            if rebuilt and rebuilt[-1]:
                rebuilt.append("")
            continue
        if by_line.get(number):
            rebuilt.append(" ".join(by_line[number]))
        number += 1
    while rebuilt and not rebuilt[-1]:
        rebuilt.pop()
    return "\n".join(rebuilt)


def find_marks(s: Sight) -> list[Found]:
    """Every region the image alone shows: seals, then stamp frames, signatures and scanner
    marks outside them."""
    seals = find_seals(s)
    frames = find_frames(s, seals)
    signatures = find_signatures(s, seals, frames)
    return seals + signatures + frames + find_scanner_marks(s, seals + signatures + frames)
