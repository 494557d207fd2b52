"""Vietnamese syllables that cannot be: a tone the syllable's ending forbids, set right.

    stop_tone(word)     -> the word with its tone set right, or the word as it was
    with_tones(out)     -> the reading with every such word respelt, and then every word the
                           lexicon sets right by its neighbours (``pipeline.reading.lexicon``:
                           d read for đ or đ for d, a tone over â ê ô ă lost or misread), and
                           every list marker (c) read e), d) read đ)) its list's order sets
                           right (``pipeline.reading.markers``): its words, its text and its
                           PDF text layer alike; each respelt word keeps what Tesseract read
                           as ``read_as``, so the sidecar shows it

A syllable that ends in p, t, c or ch (a stop) carries the sắc or the nặng tone, never another
one and never none: "câp", "đât", "quyêt" are no words; "cấp", "đất", "quyết" are. Tesseract's
``vie`` model loses the tone mark stacked over a circumflex or a breve (ấ read â) far more
often than a mark of its own, and it never loses the nặng dot below that way, so such a
syllable is given the sắc tone on the vowel that carries tones before a final consonant (the
last of its vowels). Conservative: only a word of one syllable in letters alone, which
already shows a Vietnamese mark (ă â ê ô ơ ư đ or a tone), so that a code or a foreign word
("GIP", "CAT") is never changed.
"""

from __future__ import annotations

import io
import re
import unicodedata

from pypdf import PdfWriter

from pipeline.reading.lexicon import respell
from pipeline.reading.markers import relettered
from pipeline.reading.ocr import OcrOutput
from schemas.results import Word

_TONES = {"\u0300", "\u0309", "\u0303", "\u0301", "\u0323"}  # huyền, hỏi, ngã, sắc, nặng
_ALLOWED = {"\u0301", "\u0323"}  # what a stop-final syllable may carry
_SACK = "\u0301"
_VOWELS = "aăâeêioôơuưy"
_MARKS = set("ăâêôơưđ")
_SYLLABLE = re.compile(
    rf"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?([{_VOWELS}]{{1,3}})(?:ch|c|p|t)"
)
_CORE = re.compile(r"^(\W*)(\w+)(\W*)$")


def _strip_tones(text: str) -> tuple[str, list[str]]:
    """The text (NFC) without its tone marks, and the tone marks it had."""
    decomposed = unicodedata.normalize("NFD", text)
    tones = [c for c in decomposed if c in _TONES]
    bare = "".join(c for c in decomposed if c not in _TONES)
    return unicodedata.normalize("NFC", bare), tones


def stop_tone(word: str) -> str:
    """``word`` with the sắc tone where it is one stop-final syllable that carries no tone or
    one it cannot carry (see the module's docstring); else ``word`` unchanged."""
    found = _CORE.match(unicodedata.normalize("NFC", word))
    if found is None:
        return word
    lead, core, trail = found.groups()
    if any(ch.isdigit() or ch == "_" for ch in core):
        return word
    bare, tones = _strip_tones(core)
    syllable = _SYLLABLE.fullmatch(bare.lower())
    if syllable is None or len(tones) > 1 or (tones and tones[0] in _ALLOWED):
        return word
    if not tones and not _MARKS & set(bare.lower()):
        return word  # no Vietnamese mark at all: perhaps no Vietnamese word
    at = syllable.end(1) - 1  # the last vowel: where the tone goes before a final consonant
    toned = unicodedata.normalize("NFC", bare[at] + _SACK)
    return lead + bare[:at] + toned + bare[at + 1 :] + trail


def with_tones(out: OcrOutput) -> OcrOutput:
    """The reading with every stop-final syllable's tone set right (``stop_tone``), then every
    word the lexicon sets right among its neighbours so toned (``lexicon.respell``), and the
    list markers their order sets right (``markers.relettered``)."""
    toned = [stop_tone(w.text) for w in out.words]
    for n, text in respell(toned).items():
        toned[n] = text
    if len(out.lines) == len(out.words):
        starts = [n == 0 or line != out.lines[n - 1] for n, line in enumerate(out.lines)]
        for n, text in relettered(toned, starts).items():
            toned[n] = text
    new = {n: text for n, text in enumerate(toned) if text != out.words[n].text}
    if not new or len(out.lines) != len(out.words):
        return out
    words = tuple(
        w.model_copy(update={"text": new[n], "read_as": w.text}) if n in new else w
        for n, w in enumerate(out.words)
    )
    return OcrOutput(
        _text(out, words), words, out.mean_confidence, respelt_layer(out, new), out.lines
    )


def _text(out: OcrOutput, words: tuple[Word, ...]) -> str:
    """The reading's text with ``words`` in place of its own: line n (the n-th line that is
    not blank) holds the words of line n, blank lines stay where they were."""
    by_line: dict[int, list[str]] = {}
    for word, line in zip(words, out.lines, strict=True):
        by_line.setdefault(line, []).append(word.text)
    rebuilt, number = [], 0
    for text in out.text.split("\n"):
        if text:
            text = " ".join(by_line.get(number, [text]))
            number += 1
        rebuilt.append(text)
    return "\n".join(rebuilt)


_SHOWN = re.compile(rb"\[ <([0-9A-Fa-f]*)> \] TJ")


def respelt_layer(out: OcrOutput, new: dict[int, str]) -> bytes:
    """The reading's text-only PDF page with word n shown as ``new[n]`` (nothing for "").
    Tesseract's renderer shows each word as one ``[ <hex> ] TJ`` (UTF-16BE, a space after
    it), in the order of the words; each shown string is matched to the next word whose text
    it spells, so a string the TSV does not list cannot shift the words after it."""
    if not out.text_pdf or not new:
        return out.text_pdf
    writer = PdfWriter(clone_from=io.BytesIO(out.text_pdf))
    contents = writer.pages[0]["/Contents"].get_object()
    words = [unicodedata.normalize("NFC", w.text) for w in out.words]
    at = 0

    def shown(match: re.Match[bytes]) -> bytes:
        nonlocal at
        spelt = bytes.fromhex(match.group(1).decode("ascii")).decode("utf-16-be", "replace")
        spelt = unicodedata.normalize("NFC", spelt.strip())
        for n in range(at, len(words)):
            if words[n] == spelt:
                at = n + 1
                if n not in new:
                    return match.group(0)
                if not new[n]:
                    return b"[ <> ] TJ"  # a word taken out: nothing shown, the rest in place
                text = (new[n] + " ").encode("utf-16-be").hex().upper()
                return f"[ <{text}> ] TJ".encode("ascii")
        return match.group(0)

    contents.set_data(_SHOWN.sub(shown, contents.get_data()))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
