"""Searchable text: the invisible text layer of the result PDF says what the OCR read, in the
same order, and a Vietnamese phrase with diacritics is found in it (pypdf and pdftotext)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.metadata.extract import extract
from pipeline.reading.page import PageTask, process_page
from pipeline.reading.searchable_pdf import assemble
from samplegen.samples import generate_documents
from schemas.settings import InputLimits, OcrSettings, load_settings
from tests.conftest import encode

DPI = 150


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> tuple[str, str, Path]:
    """(truth, OCR text, result PDF) of a degraded generated page, as the job assembles it."""
    doc = next(generate_documents(1, seed=37, dpi=DPI, clean_ratio=0.0, turned_ratio=0.0))
    image = doc.pages[0].image
    image.info["dpi"] = (DPI, DPI)
    spool = tmp_path_factory.mktemp("layer")
    task = PageTask(
        "p.jpg", encode(image, "JPEG"), "jpeg", 0, 0, OcrSettings(), InputLimits(), spool=spool
    )
    page = process_page(task)
    assert isinstance(page.pdf, Path) and page.pdf.parent == spool  # spooled, not returned
    path = spool / "result.pdf"
    assemble([(page.pdf, 0)], extract(page.page.text), now=dt.datetime.now(dt.UTC), out=path)
    return doc.pages[0].text, page.page.text, path


def _pdftotext(path: Path, *flags: str) -> str:
    done = subprocess.run(["pdftotext", *flags, str(path), "-"], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


def test_pypdf_reads_the_ocr_text_in_its_order(result) -> None:
    _truth, text, path = result
    layer = PdfReader(path).pages[0].extract_text()
    assert normalise(layer) == normalise(text)


def test_pdftotext_raw_reads_the_ocr_text_in_its_order(result) -> None:
    _truth, text, path = result
    assert normalise(_pdftotext(path, "-raw")) == normalise(text)


def test_pdftotext_layout_mode_has_every_word(result) -> None:
    _truth, text, path = result  # poppler's own reading order may differ; the words may not
    assert Counter(normalise(_pdftotext(path)).split()) == Counter(normalise(text).split())


def test_a_phrase_with_diacritics_is_found(result) -> None:
    truth, _text, path = result
    phrase = "Độc lập - Tự do - Hạnh phúc"
    assert phrase in truth
    for layer in (_pdftotext(path), PdfReader(path).pages[0].extract_text()):
        assert phrase in normalise(layer)
        assert unicodedata.normalize("NFD", phrase) not in layer  # stored composed (NFC)


def test_the_number_line_is_found_as_printed(result) -> None:
    truth, _text, path = result
    number = next(line for line in truth.split("\n") if line.startswith("Số: "))
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert number in normalise(reader.pages[0].extract_text())


def test_tesseract_gets_the_threads_of_the_settings_whatever_the_environment(
    monkeypatch,
) -> None:
    """pipeline/ reads no environment: the thread count comes in OcrSettings (SOHOA_OCR__THREADS)."""
    from pipeline.reading.ocr import tesseract

    monkeypatch.setenv("OMP_THREAD_LIMIT", "4")  # not read by the pipeline
    assert tesseract(OcrSettings(), "page.pnm")[:2] == ["env", "OMP_THREAD_LIMIT=1"]
    assert "OMP_THREAD_LIMIT=3" in tesseract(OcrSettings(threads=3), "page.pnm")
    assert load_settings({"SOHOA_OCR__THREADS": "2"}).ocr.threads == 2
