"""One page, start to finish: decode, find which way is up and the skew, OCR, lay the text
over the scan.

Everything is worked out on the small grey copy Tesseract reads; the scan itself is never
resampled: the PDF page draws it turned by the angles found, under the text layer.
``process_page`` is the unit of work the process pool runs; its task and result are plain
frozen data so they cross process boundaries cheaply.
"""

from __future__ import annotations

import os
import socket
import statistics
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pipeline.inputs.files import Kind, load_image_page, rasterise_pdf_page
from pipeline.inputs.source import read_source
from pipeline.reading.layout import (
    find_zones,
    split_at_gaps,
    to_read_again,
    zones_left_out,
    zones_read_across,
)
from pipeline.reading.normalise import (
    EXIF_ORIENTATION,
    Ink,
    at_resolution,
    detect_rotation,
    estimate_skew,
    for_ocr,
    lines_run_sideways,
    page_ink,
    softened,
    straighten,
    to_working_mode,
    turn,
)
from pipeline.reading.ocr import OcrOutput, net_confidence, ocr_page, scale_words, words_net
from pipeline.reading.region_words import read_apart, scale_regions
from pipeline.reading.searchable_pdf import scan_page
from pipeline.reading.splice import spliced
from pipeline.reading.syllables import with_tones
from schemas.errors import SohoaError
from schemas.results import PageText
from schemas.settings import InputLimits, OcrSettings

# Below this mean word confidence a page that looked upright is asked which way is up. On our
# test pages upright ones read at 95-97, pages turned 90/180/270 degrees at 27-45.
DOUBTFUL_CONFIDENCE = 70.0


@dataclass(frozen=True)
class PageTask:
    file_name: str  # named in every error about this page
    source: bytes | Path  # the whole input file (an image or a PDF), or where it is spooled
    kind: Kind
    index: int  # page within that file
    number: int  # page within the document
    ocr: OcrSettings
    limits: InputLimits
    origin: str | None = None  # the stored original's object key: where helpers fetch it
    spool: Path | None = None  # a folder to write the page's PDF to (else it is returned)

    def data(self) -> bytes:
        return read_source(self.source)


@dataclass(frozen=True)
class PageResult:
    page: PageText
    pdf: bytes | Path  # one searchable page, or the file it was written to (task.spool)


@dataclass(frozen=True)
class Reading:
    out: OcrOutput
    rotation: int  # degrees turned clockwise
    skew: float  # degrees turned counter-clockwise after that
    size: tuple[int, int]  # the upright, straightened page as read, in pixels at the read dpi


def process_page(task: PageTask) -> PageResult:
    try:
        return _process(task)
    except SohoaError as exc:
        exc.about(task.file_name)
        raise


def _process(task: PageTask) -> PageResult:
    jpeg = None
    if task.kind == "pdf":
        image, dpi = rasterise_pdf_page(task.source, task.index, task.ocr.raster_dpi, task.limits)
    else:
        image, dpi = load_image_page(task.source, task.index, task.limits)
        jpeg = task.data() if _embeddable_jpeg(image) else None
    image = to_working_mode(image)
    grey, read_dpi = at_resolution(for_ocr(image), dpi, task.ocr.read_dpi)
    grey = softened(grey, read_dpi)
    reading = read_upright(grey, read_dpi, task.ocr)
    out, regions = reading.out, ()
    if task.ocr.set_apart:
        out, regions = read_apart(image, dpi, out, reading.rotation, reading.skew, reading.size)
    scale = dpi / read_dpi
    page = PageText(
        index=task.number,
        source="ocr",
        text=out.text,
        words=scale_words(out.words, scale),
        mean_confidence=out.mean_confidence,
        rotation=reading.rotation,
        skew=reading.skew,
        width_px=round(reading.size[0] * scale),
        height_px=round(reading.size[1] * scale),
        dpi=dpi,
        read_by=f"{socket.gethostname()}:{os.getpid()}",
        regions=scale_regions(regions, scale),
    )
    frame = (reading.size[0] * 72 / read_dpi, reading.size[1] * 72 / read_dpi)
    angle = reading.skew - reading.rotation
    pdf = scan_page(image, dpi, frame, angle, out.text_pdf, jpeg=jpeg)
    return PageResult(page=page, pdf=spooled(task, pdf))


def spooled(task: PageTask, pdf: bytes) -> bytes | Path:
    """The page's PDF written to the task's spool folder (when it has one), so that a large
    document's pages wait on disk, not in the memory of the process that puts them together."""
    if task.spool is None:
        return pdf
    path = task.spool / f"page-{task.number:05d}.pdf"
    path.write_bytes(pdf)
    return path


def _embeddable_jpeg(decoded: Image.Image) -> bool:
    """A JPEG file the PDF can carry byte for byte: grey or RGB, not turned by its EXIF tag."""
    return (
        decoded.format == "JPEG"
        and decoded.mode in {"L", "RGB"}
        and decoded.getexif().get(EXIF_ORIENTATION, 1) == 1
    )


def read_upright(grey: Image.Image, dpi: int, settings: OcrSettings) -> Reading:
    """OCR of the page turned upright. Tesseract's orientation detection costs more than
    reading a page, so it runs only for a page whose lines run sideways, or one read with
    doubtful confidence; then the better of the two readings is kept."""
    rotation, asked = 0, False
    ink = page_ink(grey)  # once: the lines' direction and the skew, at any rotation
    if settings.detect_orientation and lines_run_sideways(ink):
        rotation, asked = detect_rotation(grey, dpi), True
    reading = _read(grey, dpi, rotation, settings, ink)
    if settings.detect_orientation and not asked and _doubtful(reading.out):
        rotation = detect_rotation(grey, dpi)
        if rotation:
            other = _read(grey, dpi, rotation, settings, ink)
            if (other.out.mean_confidence or 0) > (reading.out.mean_confidence or 0):
                reading = other
    return reading


def _doubtful(out: OcrOutput) -> bool:
    return out.mean_confidence is None or out.mean_confidence < DOUBTFUL_CONFIDENCE


def _read(
    grey: Image.Image, dpi: int, rotation: int, settings: OcrSettings, ink: Ink | None
) -> Reading:
    turned = turn(grey, rotation)
    skew = estimate_skew(ink.turned(rotation) if ink else None) if settings.deskew else 0.0
    straight = straighten(turned, skew)
    out = with_tones(read_layout(straight, dpi, settings))
    return Reading(out=out, rotation=rotation, skew=skew, size=straight.size)


def read_layout(page: Image.Image, dpi: int, settings: OcrSettings) -> OcrOutput:
    """Tesseract's own reading of the whole page, as plain Tesseract reads it. Where it read
    one line across two blocks that stand side by side (the agency and the motto, Nơi nhận
    and the signer), or left a zone's first or last line out (a seal crowding the signing
    authority: ``zones_left_out``), those blocks are read again as zones, in the XY cut's
    order, and their reading takes the place of the lines read there (``to_read_again``:
    every line touching them), unless Tesseract vouches for less of it than of the lines it
    replaces by more than a line's worth (``net_confidence``; never the truth): zones that
    left text out or cut through lines. Confidence cannot see reading order, which is what zones are for, so an
    even score keeps them. Only the blocks read wrong pay a second reading (the whole page
    was read again until 7ed3712: +17% of Tesseract's time on decree 49 bw200)."""
    whole = ocr_page(page, dpi, settings)
    boxes = [w.box for w in whole.words]
    zones = find_zones(page, dpi)
    start = zones_read_across(zones, boxes, whole.lines)
    if not start:
        split = split_at_gaps(zones, [(w.text, w.box) for w in whole.words], whole.lines)
        zones, start = split, {n for n, z in enumerate(split) if z not in zones}
    start |= zones_left_out(zones, boxes)
    if not start:
        return whole
    again, replaced = to_read_again(zones, boxes, whole.lines, start)
    zoned = ocr_page(page, dpi, settings, tuple(zones[n] for n in again))
    line = statistics.median(len(t) for t in whole.text.split("\n") if t) if whole.text else 0
    before = [w for w, n in zip(whole.words, whole.lines, strict=True) if n in replaced]
    if net_confidence(zoned) < words_net(before) - line:
        return whole
    return spliced(whole, replaced, zoned)
