"""What an input file is, whether we accept it, and how to get its pages out.

The kind is sniffed from the bytes, never from the name. Every refusal is a PermanentError
subclass naming the reason; parser failures of any sort become CorruptInput here.
"""

from __future__ import annotations

import io
import math
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, UnidentifiedImageError
from pypdf import PageObject, PdfReader

from pipeline.inputs.bounds import check_pdf_bytes, head, size_of
from pipeline.inputs.source import no_space_left, openable, read_source
from schemas.errors import (
    CorruptInput,
    EmptyInput,
    EncryptedInput,
    InputTooLarge,
    PermanentError,
    UnsupportedInput,
)
from schemas.settings import InputLimits

Kind = Literal["png", "jpeg", "tiff", "pdf"]
_IMAGE_FORMATS: dict[str, Kind] = {"PNG": "png", "JPEG": "jpeg", "MPO": "jpeg", "TIFF": "tiff"}
EXTENSIONS: dict[Kind, str] = {"png": "png", "jpeg": "jpg", "tiff": "tif", "pdf": "pdf"}
MIN_TEXT_CHARS = 20  # a page with fewer extractable characters is treated as a scan
MAX_PAGE_POINTS = 14_400  # ISO 32000: a page is at most 14,400 units (200 in) a side


@dataclass(frozen=True)
class Inspection:
    kind: Kind
    page_count: int
    signed: bool = False  # a PDF carrying signatures: never rewritten
    text_pages: frozenset[int] = frozenset()  # PDF pages that already have a text layer

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]


def sniff(data: bytes) -> Kind:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    raise UnsupportedInput("not a PNG, JPEG, TIFF or PDF file")


def inspect(source: bytes | Path, limits: InputLimits, raster_dpi: int = 300) -> Inspection:
    """Accept or refuse one input file (its bytes, or the file that holds them), cheaply:
    headers, not pixels. Its size comes from stat and a PDF's hex strings are measured
    before anything parses it; a PDF page is refused when its area at ``raster_dpi`` (the
    dpi it would be rendered at) is over the pixel limit."""
    size = size_of(source)
    if not size:
        raise EmptyInput("the file is empty (0 bytes)")
    if size > limits.max_bytes:
        raise InputTooLarge(f"{size} bytes is over the limit of {limits.max_bytes}")
    kind = sniff(head(source))
    if kind != "pdf":
        return _inspect_image(source, kind, limits)
    check_pdf_bytes(source, limits.max_hex_string, limits.max_pages)
    return _inspect_pdf(read_source(source), limits, raster_dpi)


def _said(exc: BaseException, source: bytes | Path) -> str:
    """What a parser said, without the spool path it read from (a clerk never sees one)."""
    said = str(exc)
    if isinstance(source, Path):
        said = said.replace(f" {str(source)!r}", "").replace(str(source), "the file")
    return said


def _open_image(data: bytes | Path, limits: InputLimits) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(openable(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputTooLarge(f"decompression bomb guard: {exc}") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise CorruptInput(f"cannot read the image: {_said(exc, data)}", page=1) from exc
    return image


def _check_pixels(image: Image.Image, limits: InputLimits, page: int) -> None:
    _check_size(image.size, limits, page)


def _check_size(size: tuple[int, int], limits: InputLimits, page: int, how: str = "") -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptInput(
            f"page {page + 1} has no pixels ({width}x{height}{how})", page=page + 1
        )
    if min(width, height) < limits.min_page_px:
        raise EmptyInput(
            f"page {page + 1} is {width}x{height} pixels{how}: under {limits.min_page_px}"
            " pixels on a side, not a scanned page",
            page=page + 1,
        )
    if width * height > limits.max_pixels:
        raise InputTooLarge(
            f"page {page + 1} is {width}x{height} = {width * height} pixels{how}, "
            f"over the limit of {limits.max_pixels}",
            page=page + 1,
        )


def _inspect_image(data: bytes | Path, kind: Kind, limits: InputLimits) -> Inspection:
    image = _open_image(data, limits)
    if _IMAGE_FORMATS.get(image.format or "") != kind:
        raise UnsupportedInput(f"looks like {kind} but Pillow reads it as {image.format}")
    frames = getattr(image, "n_frames", 1)
    if frames < 1:
        raise EmptyInput("the image has no frames")
    if frames > limits.max_pages:
        raise InputTooLarge(f"{frames} pages is over the limit of {limits.max_pages}")
    for frame in range(frames):
        try:
            image.seek(frame)
        except (EOFError, OSError, ValueError) as exc:
            raise CorruptInput(
                f"cannot read page {frame + 1}: {_said(exc, data)}", page=frame + 1
            ) from exc
        _check_pixels(image, limits, frame)
    return Inspection(kind=kind, page_count=frames)


def _inspect_pdf(data: bytes, limits: InputLimits, raster_dpi: int) -> Inspection:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise EncryptedInput("the PDF is encrypted")
        _bound_page_tree(reader, limits.max_pages)  # before pypdf flattens it
        count = len(reader.pages)
        if count == 0:
            raise EmptyInput("the PDF has no pages")
        if count > limits.max_pages:
            raise InputTooLarge(f"{count} pages is over the limit of {limits.max_pages}")
        text_pages = frozenset(
            i
            for i, page in enumerate(reader.pages)
            if len(page.extract_text().strip()) >= MIN_TEXT_CHARS
        )
        # pyHanko only here: a page process (which never inspects) starts without it, ~0.6 s
        # of CPU and ~50 MB less
        from pipeline.signatures.verification import signature_count

        signed = signature_count(data) > 0
        for i, page in enumerate(reader.pages):
            if not signed and i not in text_pages:  # it will be rendered and read
                _check_size(raster_size(page, raster_dpi, i), limits, i, f" at {raster_dpi} dpi")
    except (EncryptedInput, EmptyInput, InputTooLarge, CorruptInput):
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on hostile files
        if b"/Encrypt" in data:  # e.g. public-key security handlers pypdf cannot open
            raise EncryptedInput(f"the PDF is encrypted and cannot be opened: {exc}") from exc
        raise CorruptInput(f"cannot parse the PDF: {exc.__class__.__name__}: {exc}") from exc
    return Inspection(kind="pdf", page_count=count, signed=signed, text_pages=text_pages)


def _bound_page_tree(reader: PdfReader, limit: int) -> None:
    """Walk the page tree as pypdf would flatten it, without flattening it, and raise
    InputTooLarge past ``limit`` pages: a 4 KB file whose two levels of /Kids name the same
    objects over and over made pypdf build 90,000 pages (5-8 s; pypdf itself stops at 100,000
    entries, after about 6 s)."""
    stack, pages, nodes = [reader.trailer["/Root"]["/Pages"]], 0, 0
    while stack:
        node = stack.pop().get_object()
        nodes += 1
        kids = node.get("/Kids") if isinstance(node, dict) else None
        if kids is None:
            pages += 1
        else:
            stack.extend(kids.get_object())
        if pages > limit or nodes > 2 * limit + 100:
            raise InputTooLarge(f"the page tree holds more than {limit} pages, over the limit")


def load_image_page(data: bytes | Path, index: int, limits: InputLimits) -> tuple[Image.Image, int]:
    """Decode one frame of an image file (its bytes, or where it is spooled); returns it with
    its resolution in dpi."""
    image = _open_image(data, limits)
    try:
        image.seek(index)
        _check_pixels(image, limits, index)
        image.load()
    except (OSError, EOFError, ValueError, SyntaxError) as exc:
        raise CorruptInput(
            f"cannot decode page {index + 1}: {_said(exc, data)}", page=index + 1
        ) from exc
    return image, _dpi(image)


def _dpi(image: Image.Image) -> int:
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    if 100 <= value <= 1200:
        return value
    # No usable resolution: assume the longer side is an A4 page's (11.69 in).
    return max(100, min(600, round(max(image.size) / 11.69)))


def raster_size(page: PageObject, dpi: int, index: int = 0) -> tuple[int, int]:
    """The page's size in pixels when rendered at ``dpi``, from its MediaBox (and UserUnit);
    CorruptInput for a box that is not a finite rectangle."""
    box, unit = page.mediabox, float(page.user_unit or 1)
    width, height = abs(float(box.width)) * unit, abs(float(box.height)) * unit
    if not (math.isfinite(width) and math.isfinite(height)) or width * height <= 0:
        raise CorruptInput(
            f"page {index + 1}: MediaBox {list(box)} is not a rectangle with an area"
        )
    if max(width, height) > MAX_PAGE_POINTS * unit:
        raise InputTooLarge(
            f"page {index + 1} is {width:.0f}x{height:.0f} pt,"
            f" over PDF's {MAX_PAGE_POINTS} pt a side"
        )
    return round(width * dpi / 72), round(height * dpi / 72)


def rasterise_pdf_page(
    data: bytes | Path, index: int, dpi: int, limits: InputLimits
) -> tuple[Image.Image, int]:
    """Render one PDF page (of its bytes, or of the file where it is spooled) with poppler's
    pdftoppm, lowering dpi if the page would be huge. A scanned page (one upright image that
    covers it, no finer than ``dpi``: what a scanner or the Government portal hands over) is
    not rendered: its image is taken out as it is, at its own resolution, so that its pixels
    are the scan's own, not resampled and greyed (decree 49's 200-dpi bilevel pages 1-9 odd,
    in a PDF: CER 2.07% rendered at 300 dpi, 2.54% rendered at 200, 1.74% taken out)."""
    try:
        page = PdfReader(openable(data), strict=False).pages[index]
        width, height = raster_size(page, 72, index)
        upright = not page.rotation
    except PermanentError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a corrupt input here
        raise CorruptInput(
            f"cannot read page {index + 1}: {_said(exc, data)}", page=index + 1
        ) from exc
    dpi = max(1, min(dpi, int(72 * math.sqrt(limits.max_pixels / max(1, width * height)))))
    with tempfile.TemporaryDirectory(prefix="sohoa-raster-") as tmp:
        if isinstance(data, Path):
            source = data
        else:
            source = Path(tmp, "in.pdf")
            source.write_bytes(data)
        pages = ["-f", str(index + 1), "-l", str(index + 1)]
        ppi = scan_resolution(source, index, (width, height)) if upright else None
        if ppi is not None and ppi <= dpi:
            # a JPEG as it is stored, else PBM/PGM/PPM: -png cost 2.2 s of CPU a grey page
            command = ["pdfimages", *pages, "-j", str(source), str(Path(tmp, "scan"))]
            dpi = ppi
        else:
            command = ["pdftoppm", "-r", str(dpi), *pages, "-singlefile", str(source)]
            command.append(str(Path(tmp, "page")))
        try:
            done = subprocess.run(command, capture_output=True, timeout=300)
        except subprocess.TimeoutExpired as exc:
            raise CorruptInput(
                f"page {index + 1} took over 300 s to render", page=index + 1
            ) from exc
        found = sorted(Path(tmp).glob("page.ppm")) + sorted(Path(tmp).glob("scan-*"))
        if done.returncode != 0 or len(found) != 1:
            no_space_left(tmp, f"render page {index + 1}")
            message = done.stderr.decode("utf-8", "replace").strip()[-200:]
            message = message.replace(str(source), "the file")
            raise CorruptInput(f"cannot render page {index + 1}: {message}", page=index + 1)
        image = Image.open(found[0])
        try:
            image.load()
        except OSError:  # a file poppler wrote cut short: its disk, or the page's image
            no_space_left(tmp, f"render page {index + 1}")
            raise
    return image, dpi


def scan_resolution(source: Path, index: int, size_pt: tuple[float, float]) -> int | None:
    """The resolution (ppi) of the page's scan when the page is one image covering it, upright
    (poppler's ``pdfimages -list``, which works out each image's resolution as drawn), else
    None: a born-digital page, a page of several images, an image turned on the page, or an
    image resolution that is not a scanner's (under 100 ppi)."""
    command = ["pdfimages", "-list", "-f", str(index + 1), "-l", str(index + 1), str(source)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    rows = [line.split() for line in done.stdout.decode("ascii", "replace").splitlines()[2:]]
    images = [r for r in rows if len(r) >= 14 and r[2] == "image"]
    if done.returncode != 0 or len(images) != 1:
        return None
    _p, _n, _t, width, height, *_rest, xppi, yppi = images[0][:14]
    try:
        ppi = round(float(xppi))
        drawn = (int(width) * 72 / float(xppi), int(height) * 72 / float(yppi))
    except (ValueError, ZeroDivisionError):
        return None
    # upright: the image's width runs along the page's width (not turned a quarter)
    covers = all(d >= 0.9 * s for d, s in zip(drawn, size_pt, strict=True))
    if not covers or abs(float(xppi) - float(yppi)) > 1 or ppi < 100:
        return None
    return ppi
