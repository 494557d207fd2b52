"""OCR of one upright page with Tesseract: the words with their boxes and confidences, and a
text-only PDF page (invisible text, Tesseract's own glyphless font) aligned to those words.

One Tesseract reading produces both (the words and the text-only page of the same call), so
the text layer and the recorded text never disagree. sohoa's readings go to a Tesseract kept
loaded (``reader``); the baseline, ``plain_tesseract``, runs the command as a user would.
Tesseract failures become typed errors.
"""

from __future__ import annotations

import csv
import io
import subprocess
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytesseract
from PIL import Image

from pipeline.reading.layout import Zone, uzn
from pipeline.reading.reader import lent
from schemas.errors import OcrFailed, OcrTimeout
from schemas.results import Word
from schemas.settings import OcrSettings


@dataclass(frozen=True)
class OcrOutput:
    text: str
    words: tuple[Word, ...]
    mean_confidence: float | None
    text_pdf: bytes  # one page, invisible text only, same size as the image at ``dpi``
    lines: tuple[int, ...] = ()  # the text line of each word (0, 1, ...), in reading order


def tesseract(settings: OcrSettings, *arguments: str) -> list[str]:
    """The command running Tesseract with ``settings.threads`` OpenMP threads (env(1) sets its
    OMP_THREAD_LIMIT; the rest of its environment is this process's, inherited). Pages run
    side by side, one per core; on this 2-core machine a page left to OpenMP's threads took
    3.4-6.2 s instead of 1.3-1.9 s."""
    limit = f"OMP_THREAD_LIMIT={settings.threads}"
    return ["env", limit, pytesseract.pytesseract.tesseract_cmd, *arguments]


def ocr_page(
    image: Image.Image, dpi: int, settings: OcrSettings, zones: tuple[Zone, ...] = ()
) -> OcrOutput:
    """Read the page; with ``zones``, only those, in that order (each a block of one column)."""
    # Tesseract 5 tries every line inverted too, by default
    variables = {"tessedit_do_invert": "1" if settings.read_inverted else "0"}
    with tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as tmp:
        source = Path(tmp, "page.pnm")  # uncompressed: no time spent encoding
        image.save(source)
        if zones:  # Tesseract reads <image name>.uzn when the psm does its own layout no more
            Path(tmp, "page.uzn").write_text(uzn(zones), encoding="ascii")
        base = Path(tmp, "out")
        with lent(settings) as reader:
            reader.read(source, base, 4 if zones else 3, dpi, variables, settings.timeout_s)
        tsv = base.with_suffix(".tsv").read_text(encoding="utf-8")
        text_pdf = base.with_suffix(".pdf").read_bytes()
    words, text, lines = parse_tsv(tsv)
    confidences = [w.confidence for w in words]
    mean = round(sum(confidences) / len(confidences), 2) if confidences else None
    return OcrOutput(text, words, mean, text_pdf, lines)


def net_confidence(out: OcrOutput) -> float:
    """How much of a reading Tesseract vouches for: each word's characters weighted by its
    confidence taken as a probability, right minus wrong (len * (2p - 1)). A reading that
    leaves text out loses what it left out; one that reads a seal or a pen stroke as words
    loses what it made up, as such words come with low confidence."""
    return words_net(out.words)


def words_net(words: Sequence[Word]) -> float:
    """``net_confidence`` of some words of a reading."""
    return sum(len(w.text) * (2 * w.confidence / 100 - 1) for w in words)


def plain_tesseract(image: Image.Image, dpi: int, settings: OcrSettings) -> str:
    """The baseline sohoa is measured against: ``tesseract PAGE - -l vie`` on the page as
    decoded, with Tesseract's default page segmentation, at the image's own dpi."""
    with tempfile.TemporaryDirectory(prefix="sohoa-plain-") as tmp:
        source = Path(tmp, "page.png")
        image.save(source, dpi=(dpi, dpi))
        command = tesseract(settings, str(source), "-", "-l", "vie", "--dpi", str(dpi))
        try:
            done = subprocess.run(command, capture_output=True, timeout=settings.timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise OcrTimeout(f"Tesseract took longer than {settings.timeout_s:g} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise OcrFailed(f"Tesseract exited with {done.returncode}: {message}")
    return unicodedata.normalize("NFC", done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> tuple[tuple[Word, ...], str, tuple[int, ...]]:
    """Words (level 5 rows), the text in Tesseract's reading order (one line per text line,
    a blank line between blocks, everything NFC-normalised) and the text line of each word."""
    words: list[Word] = []
    line_of: list[int] = []
    line_number = -1
    lines: list[str] = []
    current_line: tuple[str, ...] | None = None
    current_block: str | None = None
    line_words: list[str] = []
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = unicodedata.normalize("NFC", (row.get("text") or "").strip())
        conf = float(row.get("conf") or -1)
        if not text or conf < 0:
            continue
        line_id = (row["block_num"], row["par_num"], row["line_num"])
        if line_id != current_line:
            if line_words:
                lines.append(" ".join(line_words))
            if current_block is not None and row["block_num"] != current_block:
                lines.append("")
            current_line, current_block, line_words = line_id, row["block_num"], []
            line_number += 1
        line_words.append(text)
        line_of.append(line_number)
        box = (int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"]))
        words.append(Word(text=text, confidence=min(conf, 100.0), box=box))
    if line_words:
        lines.append(" ".join(line_words))
    return tuple(words), "\n".join(lines), tuple(line_of)


def scale_words(words: tuple[Word, ...], factor: float) -> tuple[Word, ...]:
    """Word boxes read on a resized page, in the pixels of the page as it was."""
    if factor == 1:
        return words
    return tuple(
        w.model_copy(update={"box": tuple(round(v * factor) for v in w.box)}) for w in words
    )
