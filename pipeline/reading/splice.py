"""One reading of a page with some of its lines replaced by another reading of the zones
they lie in: a page read whole, whose header or signer block was read again zone by zone.

    spliced(whole, replaced, part)   -> ``whole`` less the lines ``replaced``, ``part`` read
                                        in their place (where the first of them was): its
                                        words, text, confidence and text-only PDF layer

Both readings are Tesseract's, of the same image: the same page size, the same glyphless
font (``/f-0-0``), each block of text its own ``BT ... ET`` with an absolute position. The
layer keeps the reading order: ``part``'s blocks go in before the block where the first
replaced word was shown, the replaced words show nothing (``respelt_layer``).
"""

from __future__ import annotations

import io
import re

from pypdf import PdfReader, PdfWriter

from pipeline.reading.ocr import OcrOutput
from pipeline.reading.syllables import respelt_layer

_BLOCKS = re.compile(rb"BT\b.*ET", re.DOTALL)  # from the first block's start to the last's end
_SHOWN_NOTHING = b"[ <> ] TJ"


def spliced(whole: OcrOutput, replaced: set[int], part: OcrOutput) -> OcrOutput:
    """``whole`` with its lines ``replaced`` (line numbers of ``whole.lines``) taken out and
    ``part``'s words read in their place."""
    drop = {n for n, line in enumerate(whole.lines) if line in replaced}
    if not drop:
        return whole
    first = min(drop)
    at_line = whole.lines[first]
    order = [(w, ("whole", line)) for w, line in zip(whole.words[:first], whole.lines, strict=False)]
    order += [(w, ("part", line)) for w, line in zip(part.words, part.lines, strict=True)]
    order += [
        (w, ("whole", line))
        for n, (w, line) in enumerate(zip(whole.words, whole.lines, strict=True))
        if n > first and n not in drop
    ]
    numbers: dict[tuple[str, int], int] = {}
    for _w, key in order:
        numbers.setdefault(key, len(numbers))
    words = tuple(w for w, _key in order)
    mean = round(sum(w.confidence for w in words) / len(words), 2) if words else None
    return OcrOutput(
        text=_text(whole, replaced, at_line, part.text),
        words=words,
        mean_confidence=mean,
        text_pdf=_layer(respelt_layer(whole, dict.fromkeys(drop, "")), part.text_pdf),
        lines=tuple(numbers[key] for _w, key in order),
    )


def _text(whole: OcrOutput, replaced: set[int], at_line: int, inserted: str) -> str:
    """``whole.text`` less the ``replaced`` lines, ``inserted`` in place of the first of them
    as a block of its own. The n-th line of ``whole.text`` that is not blank is line n."""
    before: list[str] = []
    after: list[str] = []
    number = 0
    for text in whole.text.split("\n"):
        if not text:
            (before if number <= at_line else after).append("")
            continue
        if number not in replaced:
            (before if number < at_line else after).append(text)
        number += 1
    pieces = ["\n".join(before).strip("\n"), inserted.strip("\n"), "\n".join(after).strip("\n")]
    joined = "\n\n".join(p for p in pieces if p)
    return re.sub(r"\n{3,}", "\n\n", joined)


def _layer(base: bytes, part: bytes) -> bytes:
    """``base``'s text-only page with ``part``'s text blocks put in before the first block
    that shows nothing (a replaced word), or after the last."""
    if not part:
        return base
    blocks = _BLOCKS.search(PdfReader(io.BytesIO(part)).pages[0].get_contents().get_data())
    if not base or blocks is None:
        return base
    writer = PdfWriter(clone_from=io.BytesIO(base))
    contents = writer.pages[0]["/Contents"].get_object()
    data = contents.get_data()
    shown = data.find(_SHOWN_NOTHING)
    at = data.rfind(b"BT", 0, shown) if shown >= 0 else -1
    at = at if at >= 0 else len(data)
    contents.set_data(data[:at] + blocks.group(0) + b"\n" + data[at:])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
