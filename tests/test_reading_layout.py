"""Reading order: text zones found by the XY cut, and what Tesseract reads through them."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.reading.evaluate import edits
from pipeline.reading.layout import (
    Zone,
    find_zones,
    read_across,
    side_by_side,
    split_at_gaps,
    to_read_again,
    uzn,
    zones_left_out,
    zones_read_across,
)
from pipeline.reading.ocr import ocr_page
from pipeline.reading.page import PageTask, process_page, read_layout
from pipeline.reading.splice import spliced
from samplegen.samples import generate_documents
from schemas.settings import InputLimits, OcrSettings
from tests.conftest import FONT, encode

DPI = 150


def _page(draw_on) -> Image.Image:
    image = Image.new("L", (1240, 1754), 255)
    draw_on(ImageDraw.Draw(image), ImageFont.truetype(FONT, 28))
    return image


def _inside(zone: Zone, x: int, y: int) -> bool:
    return zone.left <= x < zone.right and zone.top <= y < zone.bottom


def test_two_header_blocks_are_two_zones_left_first() -> None:
    def draw(d, font):
        for i, (left, right) in enumerate(
            [("UBND TỈNH A", "CỘNG HÒA XÃ HỘI"), ("SỞ B", "Độc lập")]
        ):
            d.text((100, 100 + 40 * i), left, font=font, fill=0)
            d.text((700, 100 + 40 * i), right, font=font, fill=0)
        d.text((100, 400), "Một đoạn văn bản dài chạy hết bề ngang của trang giấy này.", font=font)

    zones = find_zones(_page(draw), DPI)

    def order(x: int, y: int) -> int:
        (index,) = [i for i, z in enumerate(zones) if _inside(z, x, y)]
        return index

    assert order(110, 110) == order(110, 150) == 0  # the agency block is one zone, read first
    assert order(110, 150) < order(710, 110) <= order(710, 150) < order(110, 410)


def test_number_and_date_are_read_across_before_the_subject_below_the_number() -> None:
    def draw(d, font):
        d.text((100, 100), "Số: 12/UBND-VP", font=font, fill=0)
        d.text((700, 100), "Hà Nội, ngày 5 tháng 3 năm 2024", font=font, fill=0)
        d.text((100, 140), "V/v góp ý dự thảo", font=font, fill=0)
        d.text((100, 178), "kế hoạch năm 2024", font=font, fill=0)

    zones = find_zones(_page(draw), DPI)
    assert [(_inside(z, 110, 115), _inside(z, 710, 115), _inside(z, 110, 155)) for z in zones] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]


def test_a_signature_stroke_and_a_rule_are_not_zones() -> None:
    def draw(d, font):
        d.text((700, 100), "GIÁM ĐỐC", font=font, fill=0)
        points = [(650 + t, 230 + 30 * math.sin(t / 9)) for t in range(0, 260, 2)]
        d.line(points, fill=0, width=3)
        d.line((200, 400, 500, 400), fill=0, width=2)
        d.text((680, 330), "Nguyễn Văn An", font=font, fill=0)

    zones = find_zones(_page(draw), DPI)
    assert len(zones) == 2
    assert _inside(zones[0], 710, 110) and _inside(zones[1], 700, 345)


def test_blank_and_dark_pages_have_no_zones() -> None:
    assert find_zones(Image.new("L", (800, 1100), 255), DPI) == ()
    assert find_zones(Image.new("L", (800, 1100), 20), DPI) == ()


def test_zone_file_format() -> None:
    assert uzn((Zone(1, 2, 3, 4), Zone(5, 6, 7, 8))) == "1 2 3 4 Text\n5 6 7 8 Text\n"


@pytest.fixture(scope="module")
def read_sample():
    """A clean generated page with a two-line signer block, read by the page stage."""
    docs = generate_documents(12, seed=29, dpi=DPI, clean_ratio=1.0, turned_ratio=0.0)
    doc = next(d for d in docs if d.format == "png" and len(d.pages[0].text.split("\n")) > 20)
    page = doc.pages[0]
    page.image.info["dpi"] = (DPI, DPI)
    task = PageTask("p.png", encode(page.image, "PNG"), "png", 0, 0, OcrSettings(), InputLimits())
    return page.text, process_page(task).page


def test_header_blocks_and_signer_block_stay_whole(read_sample) -> None:
    truth, page = read_sample
    lines = [line for line in page.text.split("\n") if line]
    truth_lines = truth.split("\n")
    motto = lines.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert lines[:motto] == truth_lines[:motto]  # the agency block, before the motto
    assert lines[motto + 1] == "Độc lập - Tự do - Hạnh phúc"
    noi_nhan = lines.index("Nơi nhận:")
    assert lines[-1] == truth_lines[-1]  # the signer's name last
    assert truth_lines[-2] in lines[noi_nhan:]  # the signer's title after Nơi nhận


def test_page_text_is_nfc_with_a_confidence_per_word(read_sample) -> None:
    import unicodedata

    _truth, page = read_sample
    assert page.text == unicodedata.normalize("NFC", page.text)
    assert page.words and all(0 <= w.confidence <= 100 for w in page.words)
    assert [w.text for w in page.words] == page.text.split()
    assert page.mean_confidence == pytest.approx(
        float(np.mean([w.confidence for w in page.words])), abs=0.01
    )


def test_blocks_beside_each_other_are_told_from_blocks_under_each_other() -> None:
    agency, motto, body = (
        Zone(100, 100, 300, 80),
        Zone(600, 100, 500, 80),
        Zone(100, 300, 1000, 400),
    )
    assert side_by_side((agency, motto, body))
    assert not side_by_side((agency, body))
    assert not side_by_side((Zone(100, 100, 300, 80), Zone(600, 170, 300, 80)))  # barely share


def test_a_paragraph_whose_lines_touch_is_text_not_a_pen_stroke() -> None:
    """Set solid, the lines of a paragraph touch at the layout's 100 dpi, so that it has as few
    separate marks per em as a signature; it spans the measure, which a signature never does."""

    def draw(d, font):
        for i in range(4):
            d.text((100, 300 + 31 * i), "Điều ỷ ậ ộ ắ ẫ ợ ữ ừ ỵ Ấ Ệ Ổ " * 3, font=font, fill=0)

    page = _page(draw)
    zones = find_zones(page, DPI)
    ink_rows = np.flatnonzero((np.asarray(page) < 128).any(axis=1))
    assert ink_rows.size and all(any(z.top <= y < z.bottom for z in zones) for y in ink_rows)


def test_a_real_paragraph_is_never_left_out() -> None:
    """Page 2 of the real decree, scanned bilevel at 200 dpi: every inked row is in a zone
    (the pen-stroke rule once dropped two of its justified paragraphs)."""
    from samplegen.office_scans import STYLES, scan_page
    from tests.test_reading_real import DECREE

    with Image.open(io.BytesIO(scan_page(DECREE, 2, STYLES["bw200"]))) as scan:
        page = scan.convert("L")
    zones = find_zones(page, 200)
    inked = np.asarray(page) < 128
    covered = np.zeros_like(inked)
    for z in zones:
        covered[z.top : z.bottom, z.left : z.right] = True
    assert (inked & ~covered).sum() < 0.001 * inked.sum()


def test_a_page_read_across_its_blocks_is_read_again_by_zones() -> None:
    """Generated first pages: where Tesseract's own layout reads the agency and the motto as
    one line, the band of zones they lie in is read again, and that reading takes the place
    of those lines unless Tesseract is less sure of it (the truth is not looked at); the
    rest of the page is the whole reading's, word for word."""
    docs = generate_documents(3, seed=7, dpi=DPI, clean_ratio=1.0, turned_ratio=0.0)
    settings, checked = OcrSettings(), 0
    for doc in docs:
        sample = doc.pages[0]
        image = sample.image.convert("L")
        whole, zones = ocr_page(image, DPI, settings), find_zones(image, DPI)
        boxes = [w.box for w in whole.words]
        start = zones_read_across(zones, boxes, whole.lines)
        if not start:
            continue
        again, replaced = to_read_again(zones, boxes, whole.lines, start)
        part = ocr_page(image, DPI, settings, tuple(zones[n] for n in again))
        chosen = read_layout(image, DPI, settings)
        assert chosen.text in (whole.text, spliced(whole, replaced, part).text)
        kept = [w for w, line in zip(whole.words, whole.lines, strict=True) if line not in replaced]
        rest = iter(chosen.words)
        assert all(any(w == other for other in rest) for w in kept)  # in order, box and all
        assert edits(sample.text, chosen.text)[0] <= edits(sample.text, whole.text)[0]
        checked += 1
    assert checked  # the rule was exercised


def test_a_page_of_one_column_is_read_as_plain_tesseract_reads_it() -> None:
    """Page 2 of the real decree has no blocks side by side, and Tesseract reads no line
    across a wide blank: one reading, Tesseract's own layout, no zones (which once cut it
    into pieces and lost two paragraphs)."""
    from samplegen.office_scans import STYLES, scan_page
    from tests.test_reading_real import DECREE

    with Image.open(io.BytesIO(scan_page(DECREE, 2, STYLES["bw200"]))) as scan:
        page = scan.convert("L")
    assert not side_by_side(find_zones(page, 200))
    assert read_layout(page, 200, OcrSettings()).text == ocr_page(page, 200, OcrSettings()).text


def test_a_zone_holding_two_columns_is_cut_where_lines_have_a_wide_blank() -> None:
    """Nơi nhận beside the signer block, bridged by a seal so that the XY cut saw one zone:
    Tesseract's words show the blank on two lines or more, and the zone is cut there."""
    zone = Zone(100, 1000, 1400, 600)
    words = [
        ("Một", (100, 900, 60, 30)), ("dòng", (170, 900, 60, 30)),  # above: not in the zone
        ("Nơi", (110, 1010, 60, 30)), ("nhận:", (180, 1010, 80, 30)), ("TM.", (900, 1010, 50, 30)),
        ("CHÍNH", (960, 1010, 90, 30)), ("-", (110, 1060, 10, 30)), ("Như", (130, 1060, 50, 30)),
        ("trên;", (190, 1060, 60, 30)), ("KT.", (880, 1060, 50, 30)), ("GIÁM", (940, 1060, 80, 30)),
        ("-", (110, 1110, 10, 30)), ("Lưu:", (130, 1110, 60, 30)), ("VT.", (200, 1110, 50, 30)),
    ]  # fmt: skip
    lines = [0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3]
    assert split_at_gaps((zone,), words, lines) == (
        Zone(100, 1000, 1400, 10),
        Zone(100, 1010, 780, 590),
        Zone(880, 1010, 620, 590),
    )
    keep = [n for n in range(len(words)) if n not in (9, 10)]  # KT. GIÁM gone: one line
    one_line = [words[n] for n in keep]
    assert split_at_gaps((zone,), one_line, [lines[n] for n in keep]) == (zone,)
    dashes = [("-", box) if text in ("TM.", "KT.") else (text, box) for text, box in words]
    assert split_at_gaps((zone,), dashes, lines) != (zone,)  # CHÍNH and GIÁM still stand apart
    specks = [(t, b) for t, b in words if b[0] < 800] + [("-", (900, 1010, 10, 30))]
    assert split_at_gaps((zone,), specks, [0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 1]) == (zone,)


def test_the_real_signer_block_is_read_after_the_recipients() -> None:
    """The last page of the real decree, scanned bilevel at 200 dpi: its seal bridges Nơi nhận
    and the signer block; read whole, Tesseract runs them together line by line. The page
    stage cuts them apart: the recipient list first, then the signer's block and name."""
    from samplegen.office_scans import STYLES, scan_page
    from tests.test_reading_real import DECREE

    data = scan_page(DECREE, 29, STYLES["bw200"])
    task = PageTask("p29.tif", data, "tiff", 0, 0, OcrSettings(), InputLimits())
    text = process_page(task).page.text
    assert "Nơi nhận:\n" in text or text.split("Nơi nhận:")[1].lstrip().startswith("-")
    assert text.index("Lưu: VT") < text.index("THỦ TƯ") and "Trần H" in text.split("Lưu: VT")[1]


def test_a_zone_whose_first_or_last_line_has_no_word_was_left_out() -> None:
    """Made-up zones and word boxes: a block is left out when no word reaches into its first
    line or its last one (the median word height), whatever lies between; a zone under two
    lines high is no block."""
    zones = (
        Zone(100, 100, 400, 300),
        Zone(600, 100, 400, 300),
        Zone(100, 500, 900, 70),
        Zone(500, 20, 20, 30),  # a page number: one line, no block
    )
    boxes = [
        (110, 100, 80, 30), (110, 370, 80, 30),  # zone 0: first and last line read
        (610, 250, 80, 30), (610, 370, 80, 30),  # zone 1: its first line not read
        (110, 505, 80, 30), (110, 540, 80, 30),  # zone 2: two lines, read
    ]
    assert zones_left_out(zones, boxes) == {1}
    assert zones_left_out(zones, boxes[:5]) == {1, 2}  # zone 2's last line not read
    assert zones_left_out(zones, []) == set()


def test_a_signing_authority_crowded_by_the_seal_is_read_by_its_zone() -> None:
    """QĐ 729/QĐ-TTg (real text, layout re-made: tests/data/real-layouts), scanned bilevel at
    200 dpi: the seal under "KT. THỦ TƯỚNG" makes Tesseract's own layout leave that line out
    (its whole reading has only the signer's name in the signer block); the block's zone,
    whose first line no word reaches, is read again and the line is in the page's text, in
    its place above the name."""
    from samplegen.office_scans import STYLES, scan_page

    pdf = Path(__file__).parent / "data/real-layouts/qd-729-2026-ttg.pdf"
    data = scan_page(pdf, 1, STYLES["bw200"])
    with Image.open(io.BytesIO(data)) as scan:
        page = scan.convert("L")
    whole = ocr_page(page, 200, OcrSettings())
    assert zones_left_out(find_zones(page, 200), [w.box for w in whole.words])
    task = PageTask("qd-729.tif", data, "tiff", 0, 0, OcrSettings(), InputLimits())
    text = process_page(task).page.text
    assert "KT. THỦ TƯỚNG" in text and text.index("KT. THỦ TƯỚNG") < text.index("Lê Minh Hưng")


def test_the_zones_read_again_are_a_band_that_no_line_crosses() -> None:
    """Agency and motto read as one line: both zones, the motto's second line in the rows
    they span, and a zone a replaced line runs into are read again; the body is not."""
    agency, motto = Zone(100, 100, 400, 90), Zone(700, 100, 500, 40)
    motto_2, body = Zone(700, 150, 500, 40), Zone(100, 300, 1100, 900)
    zones = (agency, motto, motto_2, body)
    boxes = [(120, 110, 100, 30), (720, 110, 100, 30), (720, 155, 100, 30), (120, 320, 100, 30)]
    lines = [0, 0, 1, 2]  # agency + motto as one line, the motto's second line, the body
    start = zones_read_across(zones, boxes, lines)
    assert start == {0, 1}
    assert to_read_again(zones, boxes, lines, start) == ((0, 1, 2), {0, 1})
    # a line from the motto's second line into the body pulls the body in
    crossing = [*boxes, (720, 320, 50, 30)]
    assert to_read_again(zones, crossing, [0, 0, 1, 2, 1], start) == ((0, 1, 2, 3), {0, 1, 2})


def test_a_reading_spliced_in_takes_the_place_of_the_lines_it_replaces() -> None:
    from pipeline.reading.ocr import OcrOutput
    from schemas.results import Word

    def word(text: str, confidence: float = 90.0) -> Word:
        return Word(text=text, confidence=confidence, box=(0, 0, 10, 10))

    whole = OcrOutput(
        "CHÍNH PHỦ CỘNG HÒA\n\nĐộc lập\n\nĐiều 1. Phạm vi",
        tuple(word(t) for t in "CHÍNH PHỦ CỘNG HÒA Độc lập Điều 1. Phạm vi".split()),
        90.0,
        b"",
        (0, 0, 0, 0, 1, 1, 2, 2, 2, 2),
    )
    part = OcrOutput(
        "CHÍNH PHỦ\n\nCỘNG HÒA\nĐộc lập",
        tuple(word(t, 80.0) for t in "CHÍNH PHỦ CỘNG HÒA Độc lập".split()),
        80.0,
        b"",
        (0, 0, 1, 1, 2, 2),
    )
    out = spliced(whole, {0, 1}, part)
    assert out.text == "CHÍNH PHỦ\n\nCỘNG HÒA\nĐộc lập\n\nĐiều 1. Phạm vi"
    assert [w.text for w in out.words] == [w.text for w in whole.words]
    assert [w.confidence for w in out.words] == [80.0] * 6 + [90.0] * 4  # the part's, then the rest
    assert out.lines == (0, 0, 1, 1, 2, 2, 3, 3, 3, 3)
    assert out.mean_confidence == 84.0  # six words at 80, four at 90
    assert spliced(whole, set(), part) is whole


@pytest.mark.e2e
def test_the_real_header_alone_is_read_again_and_in_its_order() -> None:
    """Page 1 of the real decree (bw200): Tesseract reads the agency and the motto, the
    number and the date, across. Only the header's band is read again, in the XY cut's
    order (the motto's two lines together, then the number, then the date); the body stays
    the whole reading's. The text layer shows the header once, in that order."""
    from pypdf import PdfReader

    from pipeline.reading.normalise import softened
    from samplegen.office_scans import STYLES, scan_page
    from tests.test_reading_real import DECREE

    with Image.open(io.BytesIO(scan_page(DECREE, 1, STYLES["bw200"]))) as scan:
        page = softened(scan.convert("L"), 200)
    settings = OcrSettings()
    whole, zones = ocr_page(page, 200, settings), find_zones(page, 200)
    boxes = [w.box for w in whole.words]
    start = zones_read_across(zones, boxes, whole.lines)
    again, replaced = to_read_again(zones, boxes, whole.lines, start)
    assert 2 <= len(again) <= len(zones) // 2
    assert max(zones[n].bottom for n in again) < page.height // 4  # the header's band
    out = read_layout(page, 200, settings)
    text = out.text
    order = [text.index(p) for p in ("CHÍNH PHỦ", "Độc lập", "Số: 49", "Hà Nội")]
    assert order == sorted(order)
    assert text.index("Hà Nội") < text.index("NGHỊ ĐỊNH")
    body = [w for w, line in zip(whole.words, whole.lines, strict=True) if line not in replaced]
    assert body and body == [w for w in out.words if w in body]  # the rest: the whole reading
    layer = PdfReader(io.BytesIO(out.text_pdf)).pages[0].extract_text()
    assert layer.count("PHỦ") == text.count("PHỦ")  # replaced words show nothing
    assert layer.index("Độc lập") < layer.index("Hà Nội") < layer.index("NGHỊ ĐỊNH")


@pytest.mark.parametrize("factor", [1, 2, 3])
def test_each_pixel_shrunk_is_the_darkest_of_its_block(factor: int) -> None:
    """On a real page (decree 49 p5, bilevel 200 dpi, softened) and a generated one: the
    same as the minimum over each block, a diacritic's dot kept."""
    from pipeline.reading.layout import darkest_of_blocks
    from pipeline.reading.normalise import softened

    real = Image.open(Path(__file__).parent / "data" / "regions" / "decree49-p05-bw200.tif")
    generated = _page(lambda d, f: d.text((100, 100), "Độc lập - Tự do - Hạnh phúc", 0, f))
    for page in (softened(real.convert("L"), 200), generated):
        arr = np.asarray(page)
        h, w = arr.shape[0] // factor * factor, arr.shape[1] // factor * factor
        blocks = arr[:h, :w].reshape(h // factor, factor, w // factor, factor)
        assert (np.asarray(darkest_of_blocks(page, factor)) == blocks.min(axis=(1, 3))).all()
