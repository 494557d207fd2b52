"""One page, start to finish: decode, turn upright, deskew, OCR, lay the text over the image.

``process_page`` is the unit of work the process pool runs; its task and result are plain
frozen data so they cross process boundaries cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.intake import Kind, load_image_page, rasterise_pdf_page
from pipeline.layout import find_zones
from pipeline.normalise import at_resolution, for_ocr, make_upright, to_working_mode
from pipeline.ocr import ocr_page, scale_words
from pipeline.pdf import image_page
from schemas.errors import SohoaError
from schemas.results import PageText
from schemas.settings import InputLimits, OcrSettings


@dataclass(frozen=True)
class PageTask:
    file_name: str  # named in every error about this page
    data: bytes  # the whole input file (an image or a PDF)
    kind: Kind
    index: int  # page within that file
    number: int  # page within the document
    ocr: OcrSettings
    limits: InputLimits


@dataclass(frozen=True)
class PageResult:
    page: PageText
    pdf: bytes  # one searchable page


def process_page(task: PageTask) -> PageResult:
    try:
        return _process(task)
    except SohoaError as exc:
        exc.about(task.file_name)
        raise


def _process(task: PageTask) -> PageResult:
    if task.kind == "pdf":
        image, dpi = rasterise_pdf_page(task.data, task.index, task.ocr.raster_dpi, task.limits)
    else:
        image, dpi = load_image_page(task.data, task.index, task.limits)
    upright = make_upright(to_working_mode(image), dpi, task.ocr)
    gray, ocr_dpi = at_resolution(for_ocr(upright.image), dpi, task.ocr.read_dpi)
    out = ocr_page(gray, ocr_dpi, task.ocr, find_zones(gray, ocr_dpi))
    page = PageText(
        index=task.number,
        source="ocr",
        text=out.text,
        words=scale_words(out.words, dpi / ocr_dpi),
        mean_confidence=out.mean_confidence,
        rotation=upright.rotation,
        skew=upright.skew,
        width_px=upright.image.width,
        height_px=upright.image.height,
        dpi=dpi,
    )
    return PageResult(page=page, pdf=image_page(upright.image, dpi, out.text_pdf))
