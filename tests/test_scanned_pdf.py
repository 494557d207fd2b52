"""A scanned PDF page (one image covering the page) is read from its own pixels, at its own
resolution: not rendered at 300 dpi and greyed (pipeline.inputs.files.rasterise_pdf_page)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter

from pipeline.inputs.files import rasterise_pdf_page, scan_resolution
from samplegen.office_scans import STYLES, scan_page
from schemas.settings import InputLimits

pytestmark = pytest.mark.contract  # pdfimages, pdftoppm

DECREE = Path(__file__).parent / "data" / "decree-49-2026-ND-CP.pdf"
LIMITS = InputLimits()


def _pdf_of(image: Image.Image, dpi: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "PDF", resolution=dpi)
    return out.getvalue()


def _same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and np.array_equal(
        np.asarray(a.convert("L")), np.asarray(b.convert("L"))
    )


def test_a_real_portal_scan_in_a_pdf_is_read_from_its_own_pixels() -> None:
    with Image.open(io.BytesIO(scan_page(DECREE, 5, STYLES["bw200"]))) as scan:
        scan.load()
    image, dpi = rasterise_pdf_page(_pdf_of(scan, 200), 0, 300, LIMITS)
    assert dpi == 200 and image.mode == "1" and _same_pixels(image, scan)


def test_a_generated_grey_scan_keeps_its_resolution() -> None:
    scan = Image.new("L", (1240, 1754), 250)  # A4 at 150 dpi
    ImageDraw.Draw(scan).text((100, 100), "Cong van so 12/UBND", fill=20)
    image, dpi = rasterise_pdf_page(_pdf_of(scan, 150), 0, 300, LIMITS)
    assert dpi == 150 and image.size == scan.size and image.mode == "L"


def test_a_born_digital_page_is_rendered_at_the_raster_dpi() -> None:
    image, dpi = rasterise_pdf_page(DECREE, 0, 300, LIMITS)
    assert dpi == 300 and image.mode == "RGB" and image.width == round(595.44 * 300 / 72)
    assert scan_resolution(DECREE, 0, (595.44, 841.68)) is None


def test_a_scan_finer_than_the_raster_dpi_or_turned_on_the_page_is_rendered(
    tmp_path: Path,
) -> None:
    fine = Image.new("1", (3307, 4677), 1)  # A4 at 400 dpi
    image, dpi = rasterise_pdf_page(_pdf_of(fine, 400), 0, 300, LIMITS)
    assert dpi == 300 and image.mode == "RGB"
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_of(fine.resize((1654, 2339)), 200))))
    writer.pages[0].rotate(90)
    turned = tmp_path / "turned.pdf"
    writer.write(turned)
    image, dpi = rasterise_pdf_page(turned, 0, 300, LIMITS)
    assert dpi == 300 and image.mode == "RGB" and image.width > image.height  # rendered turned
