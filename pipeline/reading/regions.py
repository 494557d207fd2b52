"""Ink on a page that is not text: seals, handwritten signatures, "received" stamps and the
scanner's marks, found as boxes on a small copy of the page, upright and straight as it was read.

    look(image, dpi, rotation, skew, size)  -> Sight: the page at about WORK_DPI, with its ink
                                               and, on a colour scan, its red and blue ink
    find_frames / find_scanner_marks(sight, ...)  -> Found boxes
(seals: ``pipeline.reading.seals``; signatures: ``pipeline.reading.pen``; all of them in
turn: ``region_words.find_marks``)

Every cue is a shape or a colour in physical units (millimetres at the scan's dpi, or the
page's own line height), never a position on one page:
- a seal is a ring inked along most of its length (``pipeline.reading.seals``);
- a signature is pen strokes, each a connected mark taller than print, together at least two
  text lines high and a centimetre wide, leaving most of their box blank (``pen``);
- a received stamp is a closed rectangle of a few centimetres (its phrases confirm it, see
  ``pipeline.reading.region_words``);
- a scanner mark is solid ink by an edge: a round punch hole, a staple's short dark bar near
  a corner, or a long bar along an edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from schemas.results import RegionKind

WORK_DPI = 100  # regions are found on a copy at about this resolution
INK_CONTRAST = 48  # grey levels below the paper's that count as ink (a red seal in grey, dither)
FRAME_SHARE = 0.85  # a frame's sides are inked along this share of their length
STAMP_MM = ((25.0, 12.0), (100.0, 60.0))  # smallest and largest received stamp (w, h)
HOLE_MM = (4.0, 9.0)  # punch holes' diameters
EDGE_MM = 30.0  # scanner marks lie this near an edge
BAR_SHARE = 0.25  # an edge bar runs along at least this share of its edge
SOLID = 0.5  # a scanner mark inks at least this share of its box


@dataclass(frozen=True)
class Found:
    kind: RegionKind
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in work pixels
    confidence: float
    cue: str


@dataclass(frozen=True)
class Sight:
    grey: np.ndarray  # uint8
    ink: np.ndarray  # bool: darker than the paper by INK_CONTRAST
    red: np.ndarray | None  # bool, colour scans only: red or magenta ink
    blue: np.ndarray | None  # bool, colour scans only: blue or violet ink
    mm: float  # pixels per millimetre
    em: float  # the height of a line of text, in pixels (0: none found)

    @property
    def coloured(self) -> np.ndarray:
        if self.red is None or self.blue is None:
            return np.zeros(self.ink.shape, dtype=bool)
        return self.red | self.blue


def _upright(image: Image.Image, rotation: int, skew: float, fill: int | tuple[int, ...]):
    if rotation:
        image = image.rotate(-rotation, expand=True)
    if skew:
        image = image.rotate(
            skew, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=fill
        )
    return image


def look(
    image: Image.Image, dpi: int, rotation: int, skew: float, size: tuple[int, int]
) -> Sight:
    """The page (L or RGB, as scanned) at about WORK_DPI, turned ``rotation`` degrees clockwise
    and straightened by ``skew`` as it was read (``size``, the read page's size, is not
    needed: boxes are scaled to it along each axis on their own)."""
    factor = max(1, round(dpi / WORK_DPI))
    colour = image.mode == "RGB"
    small = image.convert("L") if colour else image
    small = _upright(small.reduce(factor) if factor > 1 else small, rotation, skew, 255)
    grey = np.asarray(small, dtype=np.uint8)
    # the paper's grey: the 90th percentile (most of a page is paper)
    paper = float(np.searchsorted(np.cumsum(np.bincount(grey.ravel(), minlength=256)),
                                  0.9 * grey.size))  # fmt: skip
    ink = grey < paper - INK_CONTRAST
    red = blue = None
    if colour:  # hue at the scan's own resolution: a pen's thin stroke keeps its colour there
        hsv = cv2.cvtColor(np.asarray(image, dtype=np.uint8), cv2.COLOR_RGB2HSV)
        top = min(255, int(paper) + 8)  # saturated, darker than the paper, not black

        def hues(low: int, high: int) -> np.ndarray:
            return cv2.inRange(hsv, (low, 70, 40), (high, 255, top))

        red = _small_mask(hues(0, 12) | hues(150, 180), factor, rotation, skew, grey.shape)
        blue = _small_mask(hues(90, 149), factor, rotation, skew, grey.shape)
        del hsv
        ink = ink & ~(red | blue) | red | blue
    return Sight(grey, ink, red, blue, dpi / factor / 25.4, _line_height(ink))


def _small_mask(
    mask: np.ndarray, factor: int, rotation: int, skew: float, shape: tuple[int, ...]
) -> np.ndarray:
    """A full-resolution mask (0/255) at 1/factor, a block set when a factor-th of it is (a
    stroke a few pixels wide crossing it), turned and straightened as the page was read, cut
    or padded to ``shape``."""
    if factor > 1:  # whole blocks: padded to a multiple of the factor, then each block's mean
        bottom, right = -mask.shape[0] % factor, -mask.shape[1] % factor
        mask = cv2.copyMakeBorder(mask, 0, bottom, 0, right, cv2.BORDER_CONSTANT, value=0)
        size = (mask.shape[1] // factor, mask.shape[0] // factor)
        mask = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
    small = Image.fromarray(((mask >= 255 / factor) * 255).astype(np.uint8), "L")
    if rotation:
        small = small.rotate(-rotation, expand=True)
    if skew:
        small = small.rotate(skew, expand=True, fillcolor=0)
    out = np.zeros(shape[:2], dtype=bool)
    found = np.asarray(small) > 127
    h, w = min(shape[0], found.shape[0]), min(shape[1], found.shape[1])
    out[:h, :w] = found[:h, :w]
    return out


def _line_height(ink: np.ndarray) -> float:
    """Median height of the ink's connected marks of a letter's size or more: about a line."""
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), None, 8)
    heights = stats[1:count, cv2.CC_STAT_HEIGHT]
    heights = heights[heights >= 4]
    return float(np.median(heights)) if heights.size else 0.0


def colour_of(s: Sight, box: tuple[int, int, int, int]) -> str:
    if s.red is None or s.blue is None:
        return ""
    x0, y0, x1, y1 = box
    ink = int(s.ink[y0:y1, x0:x1].sum()) or 1
    red, blue = int(s.red[y0:y1, x0:x1].sum()), int(s.blue[y0:y1, x0:x1].sum())
    if max(red, blue) < 0.3 * ink:
        return ""
    return "red ink, " if red >= blue else "blue ink, "


def clip(s: Sight, box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    height, width = s.ink.shape
    x0, y0, x1, y1 = box
    right, bottom = min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1)))
    return (max(0, int(x0)), max(0, int(y0)), right, bottom)


def framed(ink: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """True when the box's four sides are straight lines of ink (a frame, a table)."""
    x0, y0, x1, y1 = box
    block = ink[y0:y1, x0:x1]
    if block.shape[0] < 4 or block.shape[1] < 4:
        return False
    band = max(3, min(block.shape) // 8)  # a side a little inside the box (a stroke sticks out)
    sides = (
        block[:band].any(axis=0), block[-band:].any(axis=0),
        block[:, :band].any(axis=1), block[:, -band:].any(axis=1),
    )  # fmt: skip
    return all(side.mean() >= FRAME_SHARE for side in sides)


def _inside(box: tuple[int, int, int, int], others: list[Found]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(o.box[0] <= cx < o.box[2] and o.box[1] <= cy < o.box[3] for o in others)


def without(mask: np.ndarray, found: list[Found]) -> np.ndarray:
    mask = mask.copy()
    for f in found:
        x0, y0, x1, y1 = f.box
        mask[y0:y1, x0:x1] = False
    return mask


def find_frames(s: Sight, taken: list[Found]) -> list[Found]:
    """Closed rectangles of a received stamp's size (STAMP_MM), narrower than half the page:
    the holes that straight runs of ink enclose (runs as long as most of the smallest stamp's
    side: print is no part of them), each nearly a rectangle, whatever touches the frame
    outside (a rule, a line of print). A table's cell may be one too: its phrases decide,
    once the words are read."""
    (wmin, hmin), (wmax, hmax) = STAMP_MM
    ink = s.ink.astype(np.uint8)
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, round(0.6 * wmin * s.mm)), np.uint8))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((round(0.6 * hmin * s.mm), 1), np.uint8))
    lines = cv2.dilate(across | down, np.ones((3, 3), np.uint8))
    contours, hierarchy = cv2.findContours(lines, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0] if contours else (), strict=True):
        x, y, w, h = cv2.boundingRect(contour)
        if parent < 0 or not (wmin <= w / s.mm <= wmax and hmin <= h / s.mm <= hmax):
            continue  # not a hole, or not of a stamp's size
        if w > 0.5 * s.ink.shape[1] or cv2.contourArea(contour) < 0.85 * w * h:
            continue
        pad = round(s.mm)  # the frame's own line
        box = clip(s, (x - pad, y - pad, x + w + pad, y + h + pad))
        if not _inside(box, taken):
            cue = colour_of(s, box) + "rectangular frame"
            found.append(Found("received-stamp", box, 0.5, cue))
    return found


def find_scanner_marks(s: Sight, taken: list[Found]) -> list[Found]:
    """Solid dark marks by an edge (EDGE_MM): round punch holes (HOLE_MM), bars along an edge
    (BAR_SHARE of it or more), and a staple's short straight bar, at any angle, by a corner."""
    height, width = s.ink.shape
    near = EDGE_MM * s.mm
    dark = (s.ink & ~s.coloured).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, None, 8)
    found = []
    for n, (x, y, w, h, inked) in enumerate(stats[1:count].tolist(), start=1):
        box = (x, y, x + w, y + h)
        if min(x, y, width - x - w, height - y - h) > near or max(w, h) < 3 * s.mm:
            continue
        if _inside(box, taken):
            continue
        points = cv2.findNonZero((labels[y : y + h, x : x + w] == n).astype(np.uint8))
        (_, _), (long, thin), _ = cv2.minAreaRect(points)
        long, thin = max(long, thin, 1.0), max(min(long, thin), 1.0)
        solid = inked / (long * thin)
        cue = _scanner_cue(s, box, (long, thin), solid)
        if cue:
            found.append(Found("scanner-mark", box, round(min(1.0, solid), 2), cue))
    return found


def _scanner_cue(
    s: Sight, box: tuple[int, int, int, int], sides: tuple[float, float], solid: float
) -> str | None:
    height, width = s.ink.shape
    x0, y0, x1, y1 = box
    long, thin = sides
    if solid < SOLID:
        return None
    low, high = (d * s.mm for d in HOLE_MM)
    if low <= thin <= long <= high and long <= 1.33 * thin and solid >= 0.65:
        return "punch hole"
    at_edge = min(x0, y0, width - x1, height - y1) <= 5 * s.mm
    if at_edge and long >= BAR_SHARE * min(width, height) and thin <= EDGE_MM * s.mm:
        return "bar along an edge"
    corner = min(x0, width - x1) <= EDGE_MM * s.mm and min(y0, height - y1) <= EDGE_MM * s.mm
    if corner and 6 * s.mm <= long <= 25 * s.mm and thin <= 3 * s.mm and long >= 3 * thin:
        return "staple"
    return None
