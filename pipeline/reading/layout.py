"""Reading order of an upright page: text zones found by a recursive XY cut.

Tesseract's own page layout reads the agency block and the national motto beside it as one
line, and the Nơi nhận list beside the signer block likewise. Here the page is cut where it
is blank, across first (blocks read top to bottom), then down (columns read left to right),
recursively, so that each header block, the number and the date, and the signer block each
become a zone of their own. Tesseract then reads the zones, in this order, in one run
(a UNLV zone file beside the image), so its text and its PDF text layer keep this order.

Cuts are measured in "em", the median height of a text line found on the page, so the same
rules hold at any resolution: a blank band at least ``ROW_GAP_EM`` high separates blocks, a
blank column at least ``COLUMN_GAP_EM`` wide separates columns. One exception to reading
column by column: when one column is a single line beside the first line of a longer one
(the number beside the date, with "V/v ..." under the number), those first lines are read
across first. Left out, so that Tesseract never reads them as letters: a zone too small to
hold a letter, a thin horizontal rule, and a pen stroke (few separate marks, little ink: the
signature). The ink is found on a copy shrunk to about ``WORK_DPI``, each pixel the darkest of
its block, so that a diacritic is not lost and no zone cuts one off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

WORK_DPI = 100  # layout is found on a copy at this resolution: fast, fine enough
ROW_GAP_EM = 0.5  # blank rows that end a block
COLUMN_GAP_EM = 1.2  # blank columns that separate two columns of a block
RULE_HEIGHT_EM = 0.35  # a zone no higher than this (and wide) is a ruled line, not text
MIN_INK_EM2 = 0.05  # a zone with less ink than this (in em²) is a speck ...
MIN_HEIGHT_EM = 0.4  # ... and so is one lower than this: no letter or digit is that small
DRAWING_DENSITY = 0.3  # fewer separate marks per em of line: a pen stroke (signature) ...
DRAWING_COVER = 0.24  # ... when, as well, it inks less than this share of its lines' area
SPLIT_GAP_EM = 2.4  # a blank this wide (in word heights, ~1 cm at 13 pt) inside a line: columns
PAD_EM = 0.2  # zone margin: no diacritic or descender is cut off (row gaps are wider)


@dataclass(frozen=True)
class Zone:
    """A text zone in page pixels; zones are returned in reading order."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height


def ink_mask(gray: Image.Image) -> np.ndarray:
    """Dark pixels by Otsu's threshold on the grey levels (True = ink)."""
    arr = np.asarray(gray.convert("L"), dtype=np.uint8)
    hist = np.bincount(arr.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return np.zeros(arr.shape, dtype=bool)
    levels = np.arange(256, dtype=np.float64)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1)
    threshold = int(np.argmax(between))
    if hist[: threshold + 1].sum() > 0.5 * total:  # mostly dark: not a page of text on paper
        return np.zeros(arr.shape, dtype=bool)
    return arr <= threshold


def _runs(filled: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of every run of True."""
    padded = np.concatenate(([False], filled, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _split(filled: np.ndarray, min_gap: float) -> list[tuple[int, int]]:
    """Runs of True, merged across gaps narrower than ``min_gap``."""
    pieces: list[list[int]] = []
    for start, end in _runs(filled):
        if pieces and start - pieces[-1][1] < min_gap:
            pieces[-1][1] = end
        else:
            pieces.append([start, end])
    return [(a, b) for a, b in pieces]


def line_height(ink: np.ndarray) -> float:
    """Median height of the runs of inked rows: about one text line (1 em)."""
    heights = [b - a for a, b in _runs(ink.any(axis=1)) if b - a >= 3]
    return float(np.median(heights)) if heights else 0.0


def xy_cut(ink: np.ndarray, em: float) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the ink in reading order."""
    boxes: list[tuple[int, int, int, int]] = []

    def cut(x0: int, y0: int, x1: int, y1: int, across: bool) -> None:
        block = ink[y0:y1, x0:x1]
        rows = _split(block.any(axis=1), ROW_GAP_EM * em)
        cols = _split(block.any(axis=0), COLUMN_GAP_EM * em)
        if not rows or not cols:
            return
        top, bottom = rows[0][0], rows[-1][1]
        left, right = cols[0][0], cols[-1][1]
        if across and len(rows) > 1:
            for a, b in rows:
                cut(x0, y0 + a, x1, y0 + b, across=False)
        elif len(cols) > 1:
            first = _first_line_across(block[top:bottom], cols, em)
            if first is not None:  # "Số: 12/UBND-VP" beside the date, "V/v ..." below the number
                cut(x0, y0 + top, x1, y0 + top + first, across=False)
                cut(x0, y0 + top + first, x1, y0 + bottom, across=True)
                return
            for a, b in cols:
                cut(x0 + a, y0 + top, x0 + b, y0 + bottom, across=True)
        else:
            boxes.append((x0 + left, y0 + top, x0 + right, y0 + bottom))

    cut(0, 0, ink.shape[1], ink.shape[0], across=True)
    return boxes


def _text_lines(column: np.ndarray, em: float) -> list[tuple[int, int]]:
    """Rows of the column's lines of text; thin runs (rules, underlines) are not lines."""
    return [(a, b) for a, b in _runs(column.any(axis=1)) if b - a > RULE_HEIGHT_EM * em]


def _first_line_across(block: np.ndarray, cols: list[tuple[int, int]], em: float) -> int | None:
    """Where to cut a block of columns below their first lines, when one column is a single
    line beside the first line of a longer one: a line and its neighbour are read together
    (number, then date) before the rest of the longer column. None: read column by column."""
    lines = [_text_lines(block[:, a:b], em) for a, b in cols]
    if any(not found for found in lines):
        return None
    counts = [len(found) for found in lines]
    if min(counts) != 1 or max(counts) == 1:
        return None
    cut = max(found[0][1] for found in lines)
    below = min((found[1][0] for found in lines if len(found) > 1), default=cut)
    if cut > below or any(found[0][0] >= cut for found in lines):
        return None
    return cut


def _is_text(ink: np.ndarray, box: tuple[int, int, int, int], em: float, measure: int) -> bool:
    """Whether a box of ink is text. ``measure``: the width of the page's text; a pen stroke
    is one signer's signature, never as wide as half of it (a paragraph whose lines touch
    looks like one at 100 dpi, but spans the measure)."""
    x0, y0, x1, y1 = box
    height, width = y1 - y0, x1 - x0
    if height <= RULE_HEIGHT_EM * em and width >= 2 * em:
        return False  # a rule under a heading or the motto
    if height < MIN_HEIGHT_EM * em or int(ink[y0:y1, x0:x1].sum()) < MIN_INK_EM2 * em * em:
        return False
    return not (
        width < 0.5 * measure
        and glyph_density(ink, box, em) < DRAWING_DENSITY
        and coverage(ink, box) < DRAWING_COVER
    )


def find_zones(gray: Image.Image, dpi: int) -> tuple[Zone, ...]:
    """Text zones of an upright page in reading order; () when no text is found."""
    factor = max(1, round(dpi / WORK_DPI))
    ink = ink_mask(darkest_of_blocks(gray.convert("L"), factor))
    em = line_height(ink)
    if em < 4:  # no line of text at a readable size
        return ()
    pad = PAD_EM * em
    zones = []
    boxes = xy_cut(ink, em)
    measure = max((b[2] for b in boxes), default=0) - min((b[0] for b in boxes), default=0)
    for box in boxes:
        if not _is_text(ink, box, em, measure):
            continue
        x0, y0, x1, y1 = box
        left = max(0, round((x0 - pad) * factor))
        top = max(0, round((y0 - pad) * factor))
        right = min(gray.width, round((x1 + pad) * factor))
        bottom = min(gray.height, round((y1 + pad) * factor))
        zones.append(Zone(left, top, right - left, bottom - top))
    return tuple(zones)


def _beside(a: Zone, b: Zone) -> bool:
    rows = min(a.bottom, b.bottom) - max(a.top, b.top)
    return rows > 0.5 * min(a.height, b.height) and (a.right <= b.left or b.right <= a.left)


def side_by_side(zones: tuple[Zone, ...]) -> bool:
    """True when two zones stand beside each other (they share rows, not columns): a layout
    that Tesseract's own page segmentation may read across, line by line."""
    return any(_beside(a, b) for n, a in enumerate(zones) for b in zones[n + 1 :])


def _zones_of_lines(
    zones: tuple[Zone, ...], boxes: Sequence[tuple[int, int, int, int]], lines: Sequence[int]
) -> dict[int, set[int]]:
    """The zones (their indexes) that each text line of a reading has a word in (the word's
    centre)."""
    zone_of: dict[int, set[int]] = {}
    for (left, top, width, height), line in zip(boxes, lines, strict=True):
        x, y = left + width // 2, top + height // 2
        for n, z in enumerate(zones):
            if z.left <= x < z.right and z.top <= y < z.bottom:
                zone_of.setdefault(line, set()).add(n)
    return zone_of


def read_across(
    zones: tuple[Zone, ...], boxes: Sequence[tuple[int, int, int, int]], lines: Sequence[int]
) -> bool:
    """True when one text line of a reading (word ``boxes`` as left, top, width, height, with
    the line of each) has words in two zones that stand beside each other: the agency and the
    motto, or Nơi nhận and the signer, read as one line."""
    return bool(zones_read_across(zones, boxes, lines))


def zones_read_across(
    zones: tuple[Zone, ...], boxes: Sequence[tuple[int, int, int, int]], lines: Sequence[int]
) -> set[int]:
    """The zones holding words of a line read across two zones beside each other."""
    found: set[int] = set()
    for held in _zones_of_lines(zones, boxes, lines).values():
        for a in held:
            for b in held:
                if a < b and _beside(zones[a], zones[b]):
                    found |= {a, b}
    return found


def word_em(boxes: Sequence[tuple[int, int, int, int]]) -> int:
    """The reading's median word height (the upper median; 0 for no word), in pixels."""
    heights = sorted(box[3] for box in boxes)
    return heights[len(heights) // 2] if heights else 0


def zones_left_out(zones: tuple[Zone, ...], boxes: Sequence[tuple[int, int, int, int]]) -> set[int]:
    """The zones whose first or last line holds no word of the reading: a zone begins and ends
    with ink (the XY cut trims it so), and Tesseract's own layout may leave a whole line out
    where a seal or a signature crowds it (the "KT. THỦ TƯỚNG" above a seal). Only a block
    (two lines high or more) counts: not a page number or a mark. A line is a band
    of the reading's median word height at the zone's top or bottom; a word covers it when
    its centre lies in the zone's width and its box reaches into the band."""
    if not boxes:
        return set()
    em = word_em(boxes)
    found: set[int] = set()
    for n, z in enumerate(zones):
        if z.height < 2 * em:  # a page number, a mark: one line at most, no block
            continue
        inside = [(t, t + h) for x, t, w, h in boxes if z.left <= x + w // 2 < z.right]
        top = any(a < z.top + em and b > z.top for a, b in inside)
        bottom = any(a < z.bottom and b > z.bottom - em for a, b in inside)
        if not (top and bottom):
            found.add(n)
    return found


def to_read_again(
    zones: tuple[Zone, ...],
    boxes: Sequence[tuple[int, int, int, int]],
    lines: Sequence[int],
    start: set[int],
) -> tuple[tuple[int, ...], set[int]]:
    """The zones to read again, from ``start`` (read across, or cut apart): every zone in
    the band of rows they span, and every zone that a line of the reading runs into from
    one of them, until both hold, so that the zones read again are a band across the page
    (the header, the signer's block beside Nơi nhận: read again in the XY cut's order, their
    reading takes the place of Tesseract's between what it read above and below) and each
    line of the reading lies wholly in them or wholly out of them. Returned with the lines
    that the zones' reading replaces: every line with a word in one of them."""
    zone_of = _zones_of_lines(zones, boxes, lines)
    chosen, grown = set(start), True
    while grown:
        size = len(chosen)
        for held in zone_of.values():
            if held & chosen:
                chosen |= held
        top = min(zones[n].top for n in chosen)
        bottom = max(zones[n].bottom for n in chosen)
        chosen |= {n for n, z in enumerate(zones) if z.top < bottom and z.bottom > top}
        grown = len(chosen) > size
    replaced = {line for line, held in zone_of.items() if held & chosen}
    return tuple(sorted(chosen)), replaced


def split_at_gaps(
    zones: tuple[Zone, ...],
    words: Sequence[tuple[str, tuple[int, int, int, int]]],
    lines: Sequence[int],
) -> tuple[Zone, ...]:
    """The zones, each cut in two where a reading (each word's text and box, and its line)
    found two lines or more with a blank of ``SPLIT_GAP_EM`` between two words: blocks side
    by side that the XY cut saw as one, as when a seal or a signature bridges the blank
    between Nơi nhận and the signer (a justified line's widest space is far narrower). Words
    without a letter or digit do not count (a dash or a speck read as a word is no column,
    and bridges none). The cut runs from the first such line down, at the left edge of
    the right-hand words; above it the zone stays whole."""
    by_line: dict[int, list[tuple[str, tuple[int, int, int, int]]]] = {}
    for word, line in zip(words, lines, strict=True):
        if any(ch.isalnum() for ch in word[0]):
            by_line.setdefault(line, []).append(word)
    if not words:
        return zones
    gap = SPLIT_GAP_EM * word_em([box for _text, box in words])
    out: list[Zone] = []
    for z in zones:
        tops, cuts = [], []
        for found in by_line.values():
            inside = sorted(box for _text, box in found if _centre_in(z, box))
            gaps = [(a, b) for a, b in zip(inside, inside[1:], strict=False)
                    if b[0] - (a[0] + a[2]) >= gap]  # fmt: skip
            if gaps:
                tops.append(min(a[1] for a, _ in gaps))
                cuts.append(min(b[0] for _, b in gaps))
        if len(tops) < 2:
            out.append(z)
            continue
        top, cut = min(tops), min(cuts)
        if top > z.top:
            out.append(Zone(z.left, z.top, z.width, top - z.top))
        out.append(Zone(z.left, top, cut - z.left, z.bottom - top))
        out.append(Zone(cut, top, z.right - cut, z.bottom - top))
    return tuple(out)


def _centre_in(z: Zone, box: tuple[int, int, int, int]) -> bool:
    left, top, width, height = box
    return z.left <= left + width // 2 < z.right and z.top <= top + height // 2 < z.bottom


def darkest_of_blocks(gray: Image.Image, factor: int) -> Image.Image:
    """Shrink by ``factor``, each pixel the darkest of its block: thin marks (a diacritic, a
    dot below) survive, where averaging would fade them into the paper. The block's pixels
    are taken one offset at a time (a strided view each): numpy's min over a block's axes
    took 44 ms on a 200-dpi page, this takes 2."""
    if factor == 1:
        return gray
    arr = np.asarray(gray, dtype=np.uint8)
    h, w = arr.shape[0] // factor * factor, arr.shape[1] // factor * factor
    darkest = arr[0:h:factor, 0:w:factor].copy()
    for dy in range(factor):
        for dx in range(factor):
            np.minimum(darkest, arr[dy:h:factor, dx:w:factor], out=darkest)
    return Image.fromarray(darkest, "L")


def uzn(zones: tuple[Zone, ...]) -> str:
    """The zones as a UNLV zone file, which Tesseract reads beside the image (psm 4 to 13)."""
    return "".join(f"{z.left} {z.top} {z.width} {z.height} Text\n" for z in zones)


def glyph_density(ink: np.ndarray, box: tuple[int, int, int, int], em: float) -> float:
    """Separate marks per em of line length: printed text breaks between letters and words
    (more than one a em), a signature's stroke runs on (fewer)."""
    x0, y0, x1, y1 = box
    block = ink[y0:y1, x0:x1]
    marks, length = 0, 0.0
    for a, b in _runs(block.any(axis=1)):
        line = block[a:b].any(axis=0)
        runs = _runs(line)
        if not runs:
            continue
        marks += len(runs)
        length += (runs[-1][1] - runs[0][0]) / em
    return marks / length if length else 0.0


def coverage(ink: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Share of inked pixels in the box's lines (the blank between lines not counted)."""
    x0, y0, x1, y1 = box
    block = ink[y0:y1, x0:x1]
    inked, area = 0, 0
    for a, b in _runs(block.any(axis=1)):
        line = block[a:b]
        runs = _runs(line.any(axis=0))
        area += (b - a) * (runs[-1][1] - runs[0][0])
        inked += int(line.sum())
    return inked / area if area else 0.0
