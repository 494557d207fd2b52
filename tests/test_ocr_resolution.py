"""Reading a 300-dpi scan at 200 dpi (OcrSettings.read_dpi): the stored page keeps its full
resolution, and the words, their boxes and the PDF text layer still sit on the scan."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from pipeline.reading.normalise import at_resolution
from pipeline.reading.ocr import scale_words
from pipeline.reading.page import PageTask, process_page
from samplegen.samples import generate_documents
from schemas.results import Word
from schemas.settings import InputLimits, OcrSettings
from tests.conftest import encode


@settings(deadline=None)  # a loaded machine is no failure: no test asserts on time
@given(st.integers(72, 1200), st.integers(100, 400))
def test_resolution_is_lowered_never_raised(dpi, most):
    grey = Image.new("L", (dpi, 2 * dpi), 255)  # one inch by two
    out, out_dpi = at_resolution(grey, dpi, most)
    assert out_dpi == min(dpi, most)
    assert abs(out.width - out_dpi) <= 1 and abs(out.height - 2 * out_dpi) <= 1


def test_word_boxes_scale_back():
    words = (Word(text="Số", confidence=90, box=(10, 20, 30, 40)),)
    assert scale_words(words, 1.5)[0].box == (15, 30, 45, 60)
    assert scale_words(words, 1) is words


@pytest.fixture(scope="module")
def read_300(tmp_path_factory):
    doc = next(generate_documents(1, seed=41, dpi=300, clean_ratio=1.0, turned_ratio=0.0))
    image = doc.pages[0].image
    image.info["dpi"] = (300, 300)
    task = PageTask("p.png", encode(image, "PNG"), "png", 0, 0, OcrSettings(), InputLimits())
    result = process_page(task)
    path = tmp_path_factory.mktemp("res") / "page.pdf"
    path.write_bytes(result.pdf)
    return image, result.page, path


def test_page_is_stored_at_its_own_resolution(read_300):
    image, page, path = read_300
    assert (page.width_px, page.height_px, page.dpi) == (image.width, image.height, 300)
    (pdf_page,) = PdfReader(path).pages
    assert float(pdf_page.mediabox.width) == pytest.approx(image.width * 72 / 300, abs=0.5)
    images = list(pdf_page.images)
    assert images and images[0].image.size == image.size


def test_word_boxes_and_text_layer_sit_on_the_scan(read_300):
    _image, page, path = read_300
    first = page.words[0]  # the agency's first word, top left
    assert 0 < first.box[0] < page.width_px / 2 and 0 < first.box[1] < page.height_px / 8
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, timeout=60
    ).stdout
    boxes = re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]+)<', html
    )
    x_min, y_min, text = boxes[0]
    assert text == first.text
    points = 72 / page.dpi  # the layer's box, in points, where the word's box is in pixels
    assert float(x_min) == pytest.approx(first.box[0] * points, abs=4)
    assert float(y_min) == pytest.approx(first.box[1] * points, abs=4)


def test_layer_text_is_the_page_text(read_300):
    _image, page, path = read_300
    layer = PdfReader(Path(path)).pages[0].extract_text()
    assert layer.split() == page.text.split()


@pytest.fixture(scope="module")
def turned_and_skewed(tmp_path_factory):
    doc = next(generate_documents(1, seed=43, dpi=300, clean_ratio=0.0, turned_ratio=1.0))
    sample = doc.pages[0]
    assert sample.rotation in (90, 180, 270) and abs(sample.skew) >= 0.5
    sample.image.info["dpi"] = (300, 300)
    task = PageTask("p.png", encode(sample.image, "PNG"), "png", 0, 0, OcrSettings(), InputLimits())
    result = process_page(task)
    folder = tmp_path_factory.mktemp("turned")
    (folder / "page.pdf").write_bytes(result.pdf)
    return sample, result.page, folder / "page.pdf"


def test_a_turned_skewed_scan_is_drawn_upright_without_resampling(turned_and_skewed):
    sample, page, path = turned_and_skewed
    # the generator records the turn and skew that undo its defects, in our conventions
    assert page.rotation == sample.rotation
    assert page.skew == pytest.approx(sample.skew, abs=0.3)
    truth = set(sample.text.split())
    assert len(truth & set(page.text.split())) >= 0.9 * len(truth)
    (pdf_page,) = PdfReader(path).pages
    (embedded,) = pdf_page.images  # the scan as scanned: turned by the page's matrix only
    assert embedded.image.size == sample.image.size


def test_every_word_of_the_layer_sits_on_ink_of_the_drawn_scan(turned_and_skewed, tmp_path):
    _sample, page, path = turned_and_skewed
    subprocess.run(
        ["pdftoppm", "-r", "72", "-gray", "-singlefile", str(path), str(tmp_path / "r")],
        check=True,
        timeout=60,
    )
    drawn = Image.open(tmp_path / "r.pgm")
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, timeout=60
    ).stdout
    boxes = [
        tuple(map(float, b))
        for b in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">[^<]{3,}<', html
        )
    ]
    assert len(boxes) > 50
    inked = sum(drawn.crop(tuple(round(v) for v in box)).getextrema()[0] < 110 for box in boxes)
    assert inked >= 0.97 * len(boxes)
