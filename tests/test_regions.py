"""Seals, signatures, received stamps and scanner marks found on a page (pipeline.reading.regions),
on real pages of decree 49 (its own seal and signature, and real ones laid over another page)
and on pages of sohoa's generator. Pure: images in, boxes out; no Tesseract."""

from __future__ import annotations

import pytest
from PIL import Image

from pipeline.reading.region_words import find_marks
from pipeline.reading.regions import Found, Sight, look
from samplegen.samples import generate_documents
from tests.regions_material import (
    DATA,
    as_scanned,
    blue_ink_box,
    decree_colour_page,
    decree_page,
    iou,
    overlay,
    own_regions,
)

DPI = 200


def _found(image: Image.Image, dpi: int = DPI, skew: float = 0.0) -> list[tuple[str, tuple, str]]:
    """(kind, box in page pixels, cue) of every region found on the page."""
    if image.mode == "1":
        image = image.convert("L")
    sight: Sight = look(image, dpi, 0, skew, image.size)
    fx, fy = image.width / sight.ink.shape[1], image.height / sight.ink.shape[0]

    def page_box(f: Found) -> tuple[int, int, int, int]:
        x0, y0, x1, y1 = f.box
        return (round(x0 * fx), round(y0 * fy), round((x1 - x0) * fx), round((y1 - y0) * fy))

    return [(f.kind, page_box(f), f.cue) for f in find_marks(sight)]


def _best(found: list[tuple[str, tuple, str]], kind: str, box: tuple) -> float:
    return max((iou(box, b) for k, b, _ in found if k == kind), default=0.0)


@pytest.mark.parametrize("style", ["colour", "grey", "bilevel"])
def test_the_decrees_own_seal_is_found_on_its_last_page(style: str) -> None:
    page = decree_colour_page() if style == "colour" else decree_page(29).convert("RGB")
    found = _found(as_scanned(page, style))
    (seal,) = [box for kind, box in own_regions(29) if kind == "seal"]
    assert _best(found, "seal", seal) >= 0.5
    (signature,) = [box for kind, box in own_regions(29) if kind == "signature"]
    assert _best(found, "signature", signature) >= 0.5
    assert [k for k, _, _ in found].count("signature") == 1, found


@pytest.mark.parametrize("style", ["grey", "bilevel"])
def test_the_decrees_own_signature_is_found_by_its_strokes_without_colour(style: str) -> None:
    """The signer's real signature, its left third under the seal and its tail across the
    seal's ring, on the colour page scanned grey or bilevel: no colour tells it from the
    seal or the print, its strokes do (followed into the seal where they cross it)."""
    found = _found(as_scanned(decree_colour_page(), style))
    (signature,) = [box for kind, box in own_regions(29) if kind == "signature"]
    assert _best(found, "signature", signature) >= 0.5, found
    assert [k for k, _, _ in found].count("signature") == 1, found
    assert [cue for k, _, cue in found if k == "signature"] == ["pen strokes"]


@pytest.mark.parametrize("seed", [0, 1, 4])
@pytest.mark.parametrize("style", ["grey", "bilevel"])
def test_a_real_signature_over_a_seal_and_print_is_found_without_colour(style, seed) -> None:
    """Decree 49's signature laid across a seal and lines of print on page 5 (they touch
    the print, and the seal's ring): the signature, and no other, in grey and bilevel."""
    page, truth = overlay(decree_page(5), ("seal", "signature"), DPI, seed)
    found = _found(as_scanned(page, style))
    assert _best(found, "signature", truth[1][1]) >= 0.5, found
    assert sorted(k for k, _, _ in found) == ["seal", "signature"], found


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("style", ["colour", "grey", "bilevel"])
def test_a_real_seal_laid_over_a_page_of_text_is_found(style: str, seed: int) -> None:
    page, truth = overlay(decree_page(5), ("seal",), DPI, seed)
    found = _found(as_scanned(page, style))
    assert _best(found, "seal", truth[0][1]) >= 0.5
    assert [k for k, _, _ in found].count("seal") == 1


def test_a_blue_seal_is_named_by_its_ink() -> None:
    page, truth = overlay(decree_page(5), ("blue-seal",), DPI, 3)
    found = _found(page)
    assert _best(found, "seal", truth[0][1]) >= 0.5
    assert [cue for kind, _, cue in found if kind == "seal"] == ["blue ink, round ring"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_real_signature_in_blue_ink_on_a_colour_scan_is_found(seed: int) -> None:
    page, truth = overlay(decree_page(5), ("signature",), DPI, seed)
    found = _found(page)
    assert _best(found, "signature", truth[0][1]) >= 0.5


@pytest.mark.parametrize("style", ["colour", "grey", "bilevel"])
def test_a_received_stamp_frame_and_scanner_marks_are_found(style: str) -> None:
    kinds = ("received-stamp", "punch-holes", "staple", "edge-bar")
    page, truth = overlay(decree_page(5), kinds, DPI, 0)
    found = _found(as_scanned(page, style))
    for kind, box in truth:
        assert _best(found, kind, box) >= 0.5, (kind, box, found)
    cues = sorted(cue for kind, _, cue in found if kind == "scanner-mark")
    assert cues == ["bar along an edge", "punch hole", "punch hole", "staple"]


@pytest.mark.parametrize("number", [5, 29])
def test_print_alone_is_no_region(number: int) -> None:
    """Page 5 (articles, clauses, bold headings) has nothing but print; page 29 has its seal
    and signature, and nothing else is found there."""
    found = _found(decree_page(number))
    truth = own_regions(number)
    assert all(any(iou(box, b) > 0 for _, b in truth) for _, box, _ in found), found


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_generators_seal_and_signature_are_found(index: int) -> None:
    """sohoa's own pages (generated: a seal drawn from a font, a pen scrawl), clean and
    degraded: one seal and one signature at the signer block, bottom right of the last page."""
    for clean in (1.0, 0.0):
        doc = list(generate_documents(3, 7, dpi=DPI, clean_ratio=clean, turned_ratio=0.0))[index]
        last = doc.pages[-1]
        found = _found(last.image, skew=last.defects.skew)
        kinds = sorted(k for k, _, _ in found)
        assert kinds.count("seal") == 1 and kinds.count("signature") <= 1, found
        (seal,) = [box for kind, box, _ in found if kind == "seal"]
        assert seal[0] > last.image.width // 4 and seal[1] > last.image.height // 6
        # its diameter in mm: 33-38 drawn; on a degraded copy the outer ring may fade, and its
        # box is then the ring inside it (the agency's name runs between the two)
        assert 25 <= seal[2] * 25.4 / DPI <= 45


def test_the_generators_signature_is_found_on_its_clean_pages() -> None:
    for doc in generate_documents(3, 7, dpi=DPI, clean_ratio=1.0, turned_ratio=0.0):
        found = _found(doc.pages[-1].image)
        assert [k for k, _, _ in found].count("signature") == 1, (doc.name, found)


@pytest.mark.parametrize("style", ["grey", "bilevel"])
def test_the_generators_signature_is_found_on_its_pages_scanned_without_colour(style) -> None:
    """The generator's pen scrawl beside its seal, scanned grey or bilevel (clean and
    degraded): one signature, right of the seal's centre, no larger than a signer block."""
    docs = [*generate_documents(2, 7, dpi=DPI, clean_ratio=1.0, turned_ratio=0.0),
            *generate_documents(2, 7, dpi=DPI, clean_ratio=0.0, turned_ratio=0.0)]  # fmt: skip
    for doc in docs:
        last = doc.pages[-1]
        found = _found(as_scanned(last.image.convert("RGB"), style), skew=last.defects.skew)
        signatures = [box for kind, box, _ in found if kind == "signature"]
        (seal,) = [box for kind, box, _ in found if kind == "seal"]
        assert len(signatures) == 1, (doc.name, found)
        (x, y, w, h), middle = signatures[0], seal[0] + seal[2] / 2
        assert x + w > middle + seal[2] / 2 and w * 25.4 / DPI <= 60, (doc.name, found)


@pytest.mark.parametrize("style", ["grey", "bilevel"])
def test_a_signature_mostly_inside_a_seal_is_followed_into_it_without_colour(style) -> None:
    """QĐ 1680's signer block (real text laid out in tests/data/real-layouts, its seal and
    signature drawn by samplegen.ink) at 200 dpi: the seal covers the signature's left half,
    as Decree 30/2020 art. 33 places it. Scanned grey or bilevel, the strokes are followed
    through the seal's rings into it (the rings run round its centre, the strokes across
    them), and the box is the whole signature's (the blue ink's on the colour crop); the seal
    is where the colour scan finds it (its outer ring about the centre of its inner one)."""
    page = Image.open(DATA / "qd1680-signer-colour200.png").convert("RGB")
    found = _found(as_scanned(page, style))
    assert _best(found, "signature", blue_ink_box(page)) >= 0.5, found
    assert sorted(k for k, _, _ in found) == ["seal", "signature"], found
    (seal,) = [box for kind, box, _ in _found(page) if kind == "seal"]
    assert _best(found, "seal", seal) >= 0.8, found


@pytest.mark.parametrize("style", ["grey", "bilevel"])
def test_the_generators_signature_over_its_seal_is_followed_into_it(style) -> None:
    """A generated signer block whose scrawl runs mostly over the seal (seed 11, its first
    document, degraded), scanned grey or bilevel: the signature's box is the blue ink's, and
    the seal's the colour scan's."""
    doc = next(generate_documents(1, 11, dpi=DPI, turned_ratio=0.0))
    last = doc.pages[-1]
    rgb = last.image.convert("RGB")
    found = _found(as_scanned(rgb, style), skew=last.defects.skew)
    assert _best(found, "signature", blue_ink_box(rgb)) >= 0.5, found
    assert [k for k, _, _ in found].count("signature") == 1, found
    (seal,) = [box for kind, box, _ in _found(rgb, skew=last.defects.skew) if kind == "seal"]
    assert _best(found, "seal", seal) >= 0.8, found


def test_a_stamp_and_scanner_marks_on_a_generated_page_are_found() -> None:
    doc = next(generate_documents(1, 5, dpi=DPI, clean_ratio=1.0, turned_ratio=0.0))
    kinds = ("received-stamp", "punch-holes", "staple", "edge-bar")
    page, truth = overlay(doc.pages[0].image.convert("L"), kinds, DPI, 1)
    found = _found(page)
    for kind, box in truth:
        assert _best(found, kind, box) >= 0.5, (kind, box, found)


def test_a_blank_page_has_no_region() -> None:
    assert _found(Image.new("L", (1654, 2339), 250)) == []


def test_a_page_read_turned_finds_its_seal_where_the_upright_page_has_it() -> None:
    page, truth = overlay(decree_page(5), ("seal",), DPI, 2)
    sideways = page.transpose(Image.Transpose.ROTATE_90)  # scanned a quarter turn off
    sight = look(sideways, DPI, 90, 0.0, page.size)  # read turned 90 degrees clockwise
    (seal,) = [f for f in find_marks(sight) if f.kind == "seal"]
    fx, fy = page.width / sight.ink.shape[1], page.height / sight.ink.shape[0]
    x0, y0, x1, y1 = seal.box
    box = (round(x0 * fx), round(y0 * fy), round((x1 - x0) * fx), round((y1 - y0) * fy))
    assert iou(box, truth[0][1]) >= 0.5


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (3000, 1), (1, 3000), (7, 40)])
@pytest.mark.parametrize("dpi", [72, 200, 600])
def test_a_page_too_small_for_any_mark_has_none_and_does_not_fail(size, dpi) -> None:
    # a conformance PDF's page rendered a few pixels on a side made cv2.resize fail inside
    # the seal search, and the document ended as an internal error
    assert _found(Image.new("L", size, 0), dpi) == []
