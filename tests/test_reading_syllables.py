"""Reading rules that need no layout: a tone that a Vietnamese syllable cannot carry is set right
(pipeline.reading.syllables), and a bilevel scan is softened before Tesseract reads it
(pipeline.reading.normalise.softened). Each on generated input and on a real page of decree 49."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from pipeline.reading.normalise import softened
from pipeline.reading.ocr import OcrOutput, ocr_page
from pipeline.reading.syllables import stop_tone, with_tones
from samplegen.office_scans import STYLES, scan_page
from schemas.results import Word
from schemas.settings import OcrSettings

DECREE = Path(__file__).parent / "data" / "decree-49-2026-ND-CP.pdf"


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("đât", "đất"),  # the tone over the circumflex lost
        ("Đât,", "Đất,"),  # punctuation and case kept
        ("ĐÂT", "ĐẤT"),
        ("câp", "cấp"),
        ("quyêt", "quyết"),  # qu-: the tone on the last vowel
        ("nươc", "nước"),
        ("đầt", "đất"),  # a grave on a stop-final syllable: no word
        ("sach", "sach"),  # no Vietnamese mark at all: perhaps not Vietnamese, left alone
        ("QUYET", "QUYET"),
        ("đất", "đất"),  # already right
        ("được", "được"),
        ("chuyên", "chuyên"),  # not a stop: every tone is possible
        ("2025/QH15", "2025/QH15"),
        ("đâtđât", "đâtđât"),  # not one syllable
        ("", ""),
    ],
)
def test_a_stop_final_syllable_takes_the_sac_tone(read: str, meant: str) -> None:
    assert stop_tone(read) == meant


def _layer(words: list[str]) -> bytes:
    """A text-only page as Tesseract's renderer writes it: one ``[ <hex> ] TJ`` per word."""
    writer = PdfWriter()
    page = writer.add_blank_page(200, 100)
    shown = " ".join(f"[ <{(w + ' ').encode('utf-16-be').hex().upper()}> ] TJ" for w in words)
    stream = DecodedStreamObject()
    stream.set_data(f"BT 3 Tr {shown} ET".encode("ascii"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _reading(lines: list[list[str]]) -> OcrOutput:
    flat = [w for line in lines for w in line]
    words = tuple(Word(text=w, confidence=90.0, box=(0, 0, 10, 10)) for w in flat)
    numbers = tuple(n for n, line in enumerate(lines) for _ in line)
    text = "\n".join(" ".join(line) for line in lines[:1]) + "\n\n"
    text += "\n".join(" ".join(line) for line in lines[1:])
    return OcrOutput(text, words, 90.0, _layer(flat), numbers)


def test_a_respelt_word_changes_in_the_words_the_text_and_the_layer() -> None:
    out = with_tones(_reading([["loại", "đât", "thu"], ["câp", "tỉnh;", "QUYET"]]))
    assert [w.text for w in out.words] == ["loại", "đất", "thu", "cấp", "tỉnh;", "QUYET"]
    # the sidecar keeps each respelt word as Tesseract read it, and only those
    assert [w.read_as for w in out.words] == [None, "đât", None, "câp", None, None]
    assert out.text == "loại đất thu\n\ncấp tỉnh; QUYET"
    assert out.lines == (0, 0, 0, 1, 1, 1) and out.mean_confidence == 90.0
    shown = PdfReader(io.BytesIO(out.text_pdf)).pages[0].get_contents().get_data()
    for word in ("đất", "cấp", "loại", "QUYET"):
        assert (word + " ").encode("utf-16-be").hex().upper().encode() in shown
    assert "đât".encode("utf-16-be").hex().upper().encode() not in shown


def test_a_reading_with_nothing_to_set_right_is_kept_as_it_is() -> None:
    reading = _reading([["loại", "đất"], ["cấp", "tỉnh"]])
    assert with_tones(reading) is reading


def _generated_bilevel() -> Image.Image:
    page = Image.new("1", (400, 80), 1)
    ImageDraw.Draw(page).text((10, 20), "Cong van so 12", fill=0)
    return page.convert("L")


def test_a_bilevel_page_is_softened_and_a_grey_one_is_not() -> None:
    bilevel = _generated_bilevel()
    soft = softened(bilevel, 200)
    levels = {v for v, n in enumerate(soft.histogram()) if n}
    assert soft.size == bilevel.size and len(levels) > 2  # grey edges now
    grey = bilevel.point(lambda v: 128 if v == 0 else 250)
    assert softened(grey, 200) is grey


@pytest.fixture(scope="module")
def real_lines() -> Image.Image:
    """Three lines of decree 49's page 4 as the Government portal scans (200 dpi, bilevel)."""
    with Image.open(io.BytesIO(scan_page(DECREE, 4, STYLES["bw200"]))) as page:
        return page.convert("L").crop((0, 365, page.width, 530))


@pytest.mark.contract
def test_a_real_line_read_without_a_tone_is_set_right(real_lines: Image.Image) -> None:
    read = ocr_page(real_lines, 200, OcrSettings())
    assert "loại đât thu" in read.text  # what Tesseract's vie model reads there
    out = with_tones(read)
    assert "loại đất thu" in out.text and "đất" in [w.text for w in out.words]
    layer = subprocess.run(
        ["pdftotext", "-", "-"], input=out.text_pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "đất thu" in layer and "đât" not in layer


@pytest.mark.contract
def test_a_real_bilevel_line_softened_reads_better(real_lines: Image.Image) -> None:
    assert "quyền sử đụng" in ocr_page(real_lines, 200, OcrSettings()).text
    assert "quyền sử dụng" in ocr_page(softened(real_lines, 200), 200, OcrSettings()).text
