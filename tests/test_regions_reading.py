"""Seals, signatures, stamps and scanner marks kept out of the text, its PDF layer and the fields:
whole pages read by Tesseract (process_page), set apart and not. A real page with its own seal
and signature (decree 49, page 29, bw200), a real page with real and drawn marks laid over it
(tests/regions_material.py), and a page of sohoa's generator."""

from __future__ import annotations

import io
import subprocess
from collections import Counter

import pytest
from PIL import Image

from pipeline.metadata.extract import extract
from pipeline.reading.page import PageTask, process_page
from samplegen.samples import generate_documents
from schemas.results import PageText
from schemas.settings import InputLimits, OcrSettings
from tests.regions_material import DATA, decree_page, iou, overlay, own_regions

pytestmark = pytest.mark.e2e


def _read(data: bytes, set_apart: bool = True) -> tuple[PageText, bytes]:
    task = PageTask("page", data, "image", 0, 0, OcrSettings(set_apart=set_apart), InputLimits())
    result = process_page(task)
    return result.page, result.pdf


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(200, 200))
    return out.getvalue()


def _tokens(text: str) -> Counter:
    return Counter(t.strip(".,;:()\"'“”").casefold() for t in text.split() if t.strip(".,;:()"))


def _layer(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def page29() -> tuple[PageText, bytes, PageText]:
    data = (DATA / "decree49-p29-bw200.tif").read_bytes()
    apart, pdf = _read(data)
    plain, _ = _read(data, set_apart=False)
    return apart, pdf, plain


def test_the_decrees_seal_and_signature_are_regions_of_its_page(page29) -> None:
    apart, _, _ = page29
    found = [(r.kind, r.box) for r in apart.regions]
    for kind, box in own_regions(29):
        assert any(k == kind and iou(b, box) > 0 for k, b in found), (kind, found)
    (seal,) = [r for r in apart.regions if r.kind == "seal"]
    assert iou(seal.box, own_regions(29)[0][1]) >= 0.5 and seal.words


def test_their_noise_leaves_the_text_and_its_layer_and_no_word_of_the_page_goes(page29) -> None:
    apart, pdf, plain = page29
    truth = _tokens(DATA.joinpath("decree49-p29.gt.txt").read_text(encoding="utf-8"))
    noise_before = _tokens(plain.text) - truth
    noise_after = _tokens(apart.text) - truth
    assert sum(noise_after.values()) < sum(noise_before.values()) / 2
    lost = (truth - _tokens(apart.text)) - (truth - _tokens(plain.text))
    assert not lost  # what the page says and was read, stays
    assert _tokens(_layer(pdf)) == _tokens(apart.text)  # the layer lost what the text lost
    assert sum(_tokens(" ".join(w for r in apart.regions for w in r.words)).values()) >= 10


def test_a_stamp_seal_signature_and_marks_laid_over_a_real_page_stay_out_of_the_fields() -> None:
    kinds = ("received-stamp", "seal", "signature", "punch-holes", "staple")
    page, laid = overlay(decree_page(5), kinds, 200, 4)
    apart, pdf = _read(_png(page))
    plain, _ = _read(_png(page), set_apart=False)
    found = [(r.kind, r.box) for r in apart.regions]
    for kind, box in laid:
        assert any(k == kind and iou(b, box) > 0 for k, b in found), (kind, found)
    truth = _tokens(DATA.joinpath("decree49-p05.gt.txt").read_text(encoding="utf-8"))
    noise_before = _tokens(plain.text) - truth
    noise_after = _tokens(apart.text) - truth
    assert sum(noise_after.values()) < sum(noise_before.values())
    assert not (truth - _tokens(apart.text)) - (truth - _tokens(plain.text))
    assert _tokens(_layer(pdf)) == _tokens(apart.text)  # the layer lost what the text lost
    swallowed = {w.casefold() for r in apart.regions for w in r.words} - set(truth)
    meta = extract(apart.text).model_dump(exclude={"confidence", "sources", "disagreements"})
    values = " ".join(str(v) for v in meta.values() if v)
    assert not [t for t in values.split() if t.casefold() in swallowed]


def test_the_generators_seal_and_signature_stay_out_of_its_text() -> None:
    doc = next(generate_documents(1, 11, dpi=200, clean_ratio=1.0, turned_ratio=0.0))
    last = doc.pages[-1]
    apart, _ = _read(_png(last.image))
    plain, _ = _read(_png(last.image), set_apart=False)
    assert "seal" in {r.kind for r in apart.regions}
    truth = _tokens(last.text)
    noise_after = sum((_tokens(apart.text) - truth).values())
    assert noise_after <= sum((_tokens(plain.text) - truth).values())
    assert not (truth - _tokens(apart.text)) - (truth - _tokens(plain.text))
