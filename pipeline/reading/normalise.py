"""Page normalisation, all on the small grey copy that Tesseract reads: whether the lines run
sideways (a projection profile), which way is up (Tesseract's OSD, only when needed), the skew
(a projection profile on a small binarised copy). The full-resolution scan is never
resampled: the PDF page draws it turned by the same angles."""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pytesseract
from PIL import Image, ImageChops, ImageFilter, ImageOps

WHITE = {"L": 255, "RGB": (255, 255, 255)}
MIN_SKEW = 0.2  # degrees; below this the page is left as it is
PAPER_PERCENTILE = 0.9  # the grey level of the paper: most of a page is paper
# A bilevel page is softened by a Gaussian of this radius (pixels at 200 dpi) before it is read.
BILEVEL_BLUR = 0.8
EXIF_ORIENTATION = 0x0112
_ROTATE = re.compile(r"Rotate:\s+(\d+)")
_OSD_CONFIDENCE = re.compile(r"Orientation confidence:\s+([\d.]+)")
_CLOCKWISE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def to_working_mode(image: Image.Image) -> Image.Image:
    """Grayscale stays grayscale, everything else becomes RGB on white (no alpha, no palette).
    A page already upright in L or RGB is returned as it is, not copied (a 300-dpi A4 page in
    RGB is 26 MB)."""
    if image.getexif().get(EXIF_ORIENTATION, 1) != 1:
        image = ImageOps.exif_transpose(image)
    if image.mode in {"L", "RGB"}:
        return image
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, WHITE["RGB"])
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if image.mode in {"1", "L", "I;16", "I;16B", "I;16L", "I", "F"}:
        if image.mode in {"I", "F"} or image.mode.startswith("I;16"):
            arr = np.asarray(image, dtype=np.float64)
            top = arr.max() or 1.0
            return Image.fromarray((arr * (255.0 / top)).astype(np.uint8), "L")
        return image.convert("L")
    return image.convert("RGB")


def _small_gray(image: Image.Image, longest: int) -> Image.Image:
    gray = image.convert("L")
    scale = longest / max(gray.size)
    if scale < 1:
        gray = gray.resize((max(1, int(gray.width * scale)), max(1, int(gray.height * scale))))
    return gray


def _osd(image: Image.Image, config: str) -> str | None:
    try:
        return pytesseract.image_to_osd(image, config=config)
    except (pytesseract.TesseractError, RuntimeError):
        return None


def detect_rotation(image: Image.Image, dpi: int) -> int:
    """Clockwise degrees (0, 90, 180, 270) that make the page upright; 0 when OSD is unsure."""
    scale = min(1.0, 200 / max(dpi, 1))  # OSD reads ~200-dpi text well; smaller is faster
    small = image.convert("L")
    if scale < 1:
        small = small.resize((max(1, int(small.width * scale)), max(1, int(small.height * scale))))
    if min(small.size) < 50:  # too small to hold text worth turning
        return 0
    # Tesseract's own default (50 characters) decides surely; 10 only for a page with little
    # text: on our test pages 10 left a 90-degree page unturned (confidence 0.43, not 7.8).
    osd = _osd(small, "--psm 0") or _osd(small, "--psm 0 -c min_characters_to_try=10")
    if osd is None:
        return 0  # too little text to decide: leave the page as scanned
    rotate = _ROTATE.search(osd)
    confidence = _OSD_CONFIDENCE.search(osd)
    if not rotate or not confidence or float(confidence.group(1)) < 1.0:
        return 0
    return int(rotate.group(1)) % 360


INK_LONGEST = 900  # pixels: the small copy whose ink tells the skew and the lines' direction


class Ink(NamedTuple):
    """The inked pixels of a small black-and-white copy of a page, from its centre (x right,
    y down), and half that copy's width and height. Worked out once per page (``page_ink``):
    the lines' direction and the skew are measured on these points, turned instead of the
    image."""

    x: np.ndarray
    y: np.ndarray
    half_w: float
    half_h: float

    def turned(self, rotation: int) -> Ink:
        """The ink of the page turned ``rotation`` degrees clockwise (0, 90, 180, 270)."""
        if rotation == 90:
            return Ink(-self.y, self.x, self.half_h, self.half_w)
        if rotation == 180:
            return Ink(-self.x, -self.y, self.half_w, self.half_h)
        if rotation == 270:
            return Ink(self.y, -self.x, self.half_h, self.half_w)
        return self


def page_ink(image: Image.Image, longest: int = INK_LONGEST) -> Ink | None:
    """The page's ink on a copy ``longest`` pixels long; None for a blank page."""
    small = _small_gray(image, longest)
    arr = np.asarray(small, dtype=np.uint8)
    ys, xs = np.nonzero(arr < min(160, int(arr.mean()) - 30))
    if len(xs) < 0.002 * arr.size:
        return None
    half_w, half_h = small.width / 2, small.height / 2
    return Ink(xs + 0.5 - half_w, ys + 0.5 - half_h, half_w, half_h)


def _banding(ink: Ink, angle: float) -> float:
    """How strongly the ink's row profile is banded (text lines) with the page turned by
    ``angle`` degrees counter-clockwise: the variance of the row sums over their squared
    mean. Each inked pixel is projected onto its row of the turned page: the profile of the
    image turned (nearest neighbour, its frame grown to hold it) without turning it, at a
    fraction of the cost (84 turns of a 900-pixel copy took ~0.1 s a page)."""
    sin, cos = np.sin(np.deg2rad(angle)), np.cos(np.deg2rad(angle))
    half = ink.half_w * abs(sin) + ink.half_h * abs(cos)  # half the turned frame's height
    rows = np.floor(ink.y * cos - ink.x * sin + half).astype(np.int64)
    height = max(1, int(np.ceil(2 * half)))
    profile = np.bincount(np.clip(rows, 0, height - 1), minlength=height)
    return float(np.var(profile) / (np.mean(profile) ** 2 or 1.0))


def _best_angle(ink: Ink, angles: np.ndarray) -> tuple[float, float]:
    return max(((float(a), _banding(ink, a)) for a in angles), key=lambda found: found[1])


def _ink_of(page: Image.Image | Ink | None) -> Ink | None:
    return page_ink(page) if isinstance(page, Image.Image) else page


def lines_run_sideways(page: Image.Image | Ink | None, max_angle: float = 10.0) -> bool:
    """True when the text lines run up and down the page (turned 90 or 270 degrees): the
    ink is banded more strongly across than along, at the best angle within ±max_angle.
    On our test pages along/across was 3-9 for upright pages and 0.1-0.3 for turned ones."""
    ink = _ink_of(page)
    if ink is None:
        return False
    angles = np.arange(-max_angle, max_angle + 0.01, 1.0)
    _, along = _best_angle(ink, angles)
    _, across = _best_angle(ink.turned(270), angles)
    return across > along


def estimate_skew(page: Image.Image | Ink | None, max_angle: float = 10.0) -> float:
    """Skew angle in degrees (counter-clockwise positive) by projection-profile variance:
    whole degrees first, then tenths around the best."""
    ink = _ink_of(page)
    if ink is None:
        return 0.0
    best, _ = _best_angle(ink, np.arange(-max_angle, max_angle + 0.01, 1.0))
    angle, _ = _best_angle(ink, np.arange(best - 1.0, best + 1.01, 0.1))
    # Finer than the 0.1-degree steps' noise: a 0.2-degree turn moves a line end 0.7 mm.
    return round(angle, 2) if abs(angle) >= MIN_SKEW else 0.0


def turn(image: Image.Image, rotation: int) -> Image.Image:
    """The image turned ``rotation`` degrees clockwise (0, 90, 180 or 270)."""
    return image.transpose(_CLOCKWISE[rotation]) if rotation else image


def straighten(grey: Image.Image, skew: float) -> Image.Image:
    """The grey page turned ``skew`` degrees counter-clockwise about its centre, on white.
    PIL's bicubic, ~0.1 s on a 200-dpi page: OpenCV's warp took a third of that, but its
    sharper bicubic (and its bilinear more so) read worse: on decree 49 grey300, CER 1.46%
    (bilinear 1.61%) against 1.39% with PIL's."""
    if not skew:
        return grey
    return grey.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def for_ocr(image: Image.Image) -> Image.Image:
    """The grey page Tesseract reads. From a colour scan: the red channel, where black print
    and blue ink stay dark, lightened by twice its redness (red minus the larger of green and
    blue) but no lighter than the paper, so that a red seal over or beside the text fades
    into the paper while black print under it stays black. A grey scan is read as it is."""
    if image.mode != "RGB":
        return image.convert("L")
    red, green, blue = image.split()
    bluegreen = ImageChops.lighter(green, blue)
    del green, blue  # each intermediate is a full page: keep as few as possible at once
    redness = ImageChops.subtract(red, bluegreen)
    del bluegreen
    lifted = ImageChops.add(ImageChops.add(red, redness), redness)
    del redness
    floor = ImageChops.lighter(red, Image.new("L", red.size, _percentile(red, PAPER_PERCENTILE)))
    del red
    return ImageChops.darker(lifted, floor)


def _percentile(grey: Image.Image, share: float) -> int:
    counts = grey.histogram()
    wanted, seen = share * sum(counts), 0
    for level, count in enumerate(counts):
        seen += count
        if seen >= wanted:
            return level
    return 255


def at_resolution(grey: Image.Image, dpi: int, most: int) -> tuple[Image.Image, int]:
    """The page at ``most`` dpi when scanned finer, else as it is. Tesseract read our 300-dpi
    test pages better at 200 dpi (italic digits above all), and in less time."""
    if dpi <= most:
        return grey, dpi
    scale = most / dpi
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    return grey.resize(size, Image.Resampling.LANCZOS), most


def softened(grey: Image.Image, dpi: int) -> Image.Image:
    """A bilevel page (every pixel black or white: a fax-style scan, CCITT G4) softened by a
    slight blur, so that Tesseract's line recogniser, trained on smooth grey text, sees
    smooth strokes instead of staircase edges. Any other page is returned as it is. On the
    decree 49 pages we tuned on (odd pages, 200 dpi bilevel), plain Tesseract's CER fell
    from 2.40% to 2.07% with a 0.8-pixel blur; the even pages only check it."""
    counts = grey.histogram()
    if grey.mode != "L" or counts[0] + counts[255] != grey.width * grey.height:
        return grey
    # PIL's blur (~40 ms): OpenCV's Gaussian is 10x faster and within half a grey level of
    # it, yet Tesseract read decree 49 p29's signer block otherwise (KT. THỦ TƯỚNG lost)
    return grey.filter(ImageFilter.GaussianBlur(BILEVEL_BLUR * dpi / 200))
