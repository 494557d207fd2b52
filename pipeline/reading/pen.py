"""Handwritten signatures: pen strokes found by their shape, with or without a colour cue.

    find_signatures(sight, seals, frames)  -> the signatures on a page (regions' Sight)

A pen stroke is a connected mark at least STROKE_EM text lines high: print never is (a letter
with its accents is under 1.8 lines, two lines touching in a bilevel scan 2.7 at most,
measured on decree 49's 29 pages at 100 dpi, and those are narrow). Where a stroke crosses a
line of print it joins that line's letters; those letters are taken off again by the print
around them (the marks under PRINT_EM lines within PRINT_REACH of the stroke's pixels). The
strokes left that lie near each other make one signature, when together they are
SIGNATURE_EM lines high and SIGNATURE_MM wide, leave most of their box blank, and are no
frame or rule (straight level or upright runs) and no ring round a seal. A seal's disc is
taken out first (and any ring round it); where a stroke meets the disc's edge, the seal's ink
that runs straight on in the stroke's direction is the stroke's (``_through``). On a colour
scan the blue ink's marks come first, and red ink is no pen's.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from pipeline.reading.regions import Found, Sight, framed, without
from pipeline.reading.seals import RING_SHARE, _shares

STROKE_EM = 2.0  # a pen stroke is one connected mark at least this many text lines high
PRINT_EM = 1.8  # a mark lower than this many lines is print (a letter, a word)
PRINT_REACH = 0.5  # print's neighbourhood, in lines along a line (half that across it)
SIGNATURE_EM = 2.0  # a signature is at least this many text lines high ...
SIGNATURE_MM = 12.0  # ... and this wide ...
SIGNATURE_COVER = 0.3  # ... inking less than this share of its box ...
STRAIGHT_MM = 5.0  # ... with less than STRAIGHT_SHARE of its ink in level or upright runs
STRAIGHT_SHARE = 0.5  # this long (a frame, a table's rules, an underline) ...
RIM = 1.12  # ... and less than RIM_SHARE of it within this many times a seal's radius of
RIM_SHARE = 0.7  # its centre and more than 2 - RIM times (an outer ring the seal's box left out)
OUTER = 1.3  # a ring round a seal out to this many times its radius is the seal's
LINE_EM = 2.0  # inside a seal, a stroke goes on straight for this many text lines ...
TURN = 15.0  # ... in the direction it came in at, give or take this many degrees, ...
INTO = 0.9  # ... on a line that passes this share of the seal's radius from its centre ...
THIN = 0.3  # ... inking less than this share of its box; where nothing runs on so,
MEND = 7  # gaps this many pixels long (at WORK_DPI) along its way are mended (dashes)
ARC_EM = 2.0  # inside a seal, ink running round its centre this many lines long is a ring;
PAPER_SHARE = 0.05  # strokes are followed in only where a circle inside it (between PAPER
PAPER = (0.3, 0.95)  # times its radius) is paper but for this share (the strokes crossing it)


def find_signatures(
    s: Sight, seals: list[Found], frames: Sequence[Found] = ()
) -> list[Found]:
    """Pen strokes (see the module's docstring) outside the ``frames`` found, the blue ink's
    first on a colour scan; strokes near each other make one signature."""
    if not s.em:
        return []
    found: list[Found] = []
    masks = [] if s.blue is None else [(s.blue, "blue ink, pen strokes")]
    masks.append((s.ink if s.red is None else s.ink & ~s.red, "pen strokes"))  # no pen is red
    for mask, cue in masks:
        # a red seal keeps the blue strokes over it; a blue or grey one is taken out first
        inked = mask is not s.blue
        taken = [f for f in seals if inked or not f.cue.startswith("red")]
        for box, cover in _signatures(s, mask, taken, [*frames, *found], inked):
            sure = round(min(1.0, 0.5 + (SIGNATURE_COVER - cover) / SIGNATURE_COVER), 2)
            found.append(Found("signature", box, sure, cue))
    return found


def _signatures(
    s: Sight, mask: np.ndarray, seals: list[Found], found: list[Found], has_print: bool
) -> list[tuple[tuple[int, int, int, int], float]]:
    """Boxes of the mask's signatures outside ``found`` and the share of ink in each, their
    strokes followed into the ``seals`` they cross (``has_print``: the mask holds print too,
    whose letters are taken off the strokes that cross it)."""
    pen = _strokes(s, _without_discs(without(mask, found), seals), has_print)
    for seal in seals:
        pen |= _through(s, without(mask, found), pen, seal) | _within(s, mask, pen, seal)
    if not pen.any():
        return []
    gap = max(3, round(s.em))
    near = cv2.dilate(pen.astype(np.uint8), np.ones((gap, gap), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(near, None, 8)
    found = []
    for group in _overlapping(stats[1:count].tolist()):
        x0, y0 = min(stats[n, 0] for n in group), min(stats[n, 1] for n in group)
        x1 = max(stats[n, 0] + stats[n, 2] for n in group)
        y1 = max(stats[n, 1] + stats[n, 3] for n in group)
        mine = pen[y0:y1, x0:x1] & np.isin(labels[y0:y1, x0:x1], group)
        ys, xs = np.nonzero(mine)
        mine = mine[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        x0, y0 = x0 + int(xs.min()), y0 + int(ys.min())
        h, w = mine.shape
        if h < SIGNATURE_EM * s.em or w < SIGNATURE_MM * s.mm or w > 0.5 * mask.shape[1]:
            continue
        box = (int(x0), int(y0), int(x0 + w), int(y0 + h))
        cover = float(mine.sum()) / (w * h)
        if cover >= SIGNATURE_COVER or framed(s.ink, box) or _straight(s, mine):
            continue
        if _rim(mine, (x0, y0), seals) >= RIM_SHARE:
            continue
        found.append((box, cover))
    return found


def _rim(mine: np.ndarray, at: tuple[int, int], seals: list[Found]) -> float:
    """The share of the pixels ``mine`` (their box's corner ``at``) that lie about a seal's
    rim (RIM times its radius from its centre, in or out): a ring the seal's box left out."""
    ys, xs = np.nonzero(mine)
    near = np.zeros(xs.size, dtype=bool)
    for x0, y0, x1, y1 in (f.box for f in seals):
        radius = (x1 - x0) / 2
        far = np.hypot(xs + at[0] - (x0 + x1) / 2, ys + at[1] - (y0 + y1) / 2) / radius
        near |= (far > 2 - RIM) & (far < RIM)
    return float(near.mean()) if xs.size else 0.0


def _overlapping(stats: list[list[int]]) -> list[list[int]]:
    """The labels (from 1) of marks whose boxes (x, y, w, h, _) overlap, in groups."""
    groups: list[tuple[list[int], list[int]]] = []  # labels, box
    for n, (x, y, w, h, _) in enumerate(stats, start=1):
        box, members = [x, y, x + w, y + h], [n]
        for other in [g for g in groups if _meet(g[1], box)]:
            groups.remove(other)
            members += other[0]
            box = [min(box[0], other[1][0]), min(box[1], other[1][1]),
                   max(box[2], other[1][2]), max(box[3], other[1][3])]  # fmt: skip
        groups.append((members, box))
    return [members for members, _ in groups]


def _meet(a: list[int], b: list[int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _without_discs(mask: np.ndarray, seals: list[Found]) -> np.ndarray:
    """The mask less the round seals' discs (a stroke outside one is kept up to its edge)
    and less any ring round one out to OUTER times its radius (an outer ring the seal's
    box left out: inked along RING_SHARE of its circle)."""
    mask = mask.copy()
    height, width = mask.shape
    for x0, y0, x1, y1 in (f.box for f in seals):
        radius, cx, cy = (x1 - x0) / 2, (x0 + x1) / 2, (y0 + y1) / 2
        reach = OUTER * radius
        bx0, by0 = max(0, int(cx - reach)), max(0, int(cy - reach))
        bx1, by1 = min(width, int(cx + reach) + 1), min(height, int(cy + reach) + 1)
        ys, xs = np.ogrid[by0:by1, bx0:bx1]
        far = np.hypot(xs - cx, ys - cy)
        gone = far < radius
        radii = np.arange(radius, reach, 1.0)
        shares = _shares(mask[by0:by1, bx0:bx1], cx - bx0, cy - by0, radii)
        for r in radii[shares >= RING_SHARE]:
            gone |= np.abs(far - r) <= 1.5
        mask[by0:by1, bx0:bx1] &= ~gone
    return mask


def _strokes(s: Sight, mask: np.ndarray, has_print: bool) -> np.ndarray:
    """The pixels of the mask's pen strokes: its marks STROKE_EM lines high or more (all of
    it, when it holds no print), less the print near them (marks under PRINT_EM lines,
    widened by PRINT_REACH)."""
    if not has_print:
        return mask.astype(bool)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), None, 8)
    heights = stats[:, cv2.CC_STAT_HEIGHT]
    tall = heights >= STROKE_EM * s.em
    tall[0] = False
    if not tall[1:].any():
        return np.zeros(mask.shape, dtype=bool)
    small = heights < PRINT_EM * s.em
    small[0] = False
    reach = max(1, round(PRINT_REACH * s.em))
    near = np.ones((reach // 2 * 2 + 1, 2 * reach + 1), np.uint8)
    return tall[labels] & (cv2.dilate(small[labels].astype(np.uint8), near) == 0)


def _straight(s: Sight, mine: np.ndarray) -> bool:
    """True when STRAIGHT_SHARE of the ink lies in level or upright runs STRAIGHT_MM long."""
    run = max(3, round(STRAIGHT_MM * s.mm))
    ink = mine.astype(np.uint8)
    level = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
    upright = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8))
    return int((level | upright).sum()) >= STRAIGHT_SHARE * int(ink.sum())


def _through(s: Sight, mask: np.ndarray, pen: np.ndarray, seal: Found) -> np.ndarray:
    """The pen strokes inside a seal that go on from the strokes ``pen`` found outside it:
    where a stroke meets the seal's edge, its direction there (the stroke's last line's
    worth), and the seal's ink that runs straight on in that direction (within TURN
    degrees) for LINE_EM lines or more from where the stroke came in. A ring, its lettering
    and emblem, and print under the seal run that straight for a short way at most."""
    x0, y0, x1, y1 = seal.box
    out = np.zeros(mask.shape, dtype=bool)
    radius = (x1 - x0) / 2
    reach = round(s.em)
    ax0, ay0 = max(0, x0 - reach), max(0, y0 - reach)
    ax1, ay1 = min(mask.shape[1], x1 + reach), min(mask.shape[0], y1 + reach)
    ys, xs = np.mgrid[ay0:ay1, ax0:ax1]
    far = np.hypot(xs - (x0 + x1) / 2, ys - (y0 + y1) / 2)
    edge = pen[ay0:ay1, ax0:ax1] & (far < radius + reach)
    if not edge.any():
        return out
    block = mask[ay0:ay1, ax0:ax1].astype(np.uint8)
    inside = far < radius
    count, labels = cv2.connectedComponents(edge.astype(np.uint8), None, 8)
    length = max(5, round(LINE_EM * s.em))
    for n in range(1, count):
        py, px = np.nonzero(labels == n)
        if px.size < 3:
            continue
        vx, vy = cv2.fitLine(np.column_stack([px, py]).astype(np.float32),
                             cv2.DIST_L2, 0, 0.01, 0.01)[:2, 0]  # fmt: skip
        # the line it runs on, as (px, py) + t (vx, vy): across the seal, not along its rim
        px, py = float(px.mean()), float(py.mean())
        cx, cy = (x0 + x1) / 2 - ax0, (y0 + y1) / 2 - ay0
        if abs((cx - px) * vy - (cy - py) * vx) > INTO * radius:
            continue
        angle = float(np.degrees(np.arctan2(vy, vx)))
        seed = cv2.dilate((labels == n).astype(np.uint8), np.ones((5, 5), np.uint8))
        along = np.abs((xs - ax0 - px) * vy - (ys - ay0 - py) * vx) <= 2 * s.em
        within = (inside & along).astype(np.uint8)
        went = _onward(block, within, seed, length, angle, 1)
        if not went.any():  # a thin stroke the scan broke in dashes: mended along its way
            went = _onward(block, within, seed, length, angle, MEND)
        out[ay0:ay1, ax0:ax1] |= went
    return out


def _onward(
    block: np.ndarray, within: np.ndarray, seed: np.ndarray, length: int, angle: float,
    mend: int,
) -> np.ndarray:  # fmt: skip
    """The ink of ``block`` (``within`` it) that runs straight for ``length`` pixels at
    ``angle`` (give or take TURN degrees) from the ``seed``, gaps of ``mend`` pixels along
    the way mended first; a run that inks THIN or more of its box is no stroke (ink mended
    into a blob)."""
    went = np.zeros(block.shape, dtype=bool)
    for turn in (-TURN, 0, TURN):
        ink = block
        if mend > 1:
            ink = cv2.morphologyEx(block, cv2.MORPH_CLOSE, _line(mend, angle + turn))
        straight = cv2.morphologyEx(ink, cv2.MORPH_OPEN, _line(length, angle + turn)) & within
        count, labels, stats, _ = cv2.connectedComponentsWithStats(straight, None, 8)
        for part in np.unique(labels[(seed > 0) & (labels > 0)]):
            x, y, w, h, inked = stats[part]
            if inked < THIN * w * h:
                went |= labels == part
    return went


def _line(length: int, angle: float) -> np.ndarray:
    """A structuring element: a line ``length`` pixels long at ``angle`` degrees."""
    kernel = np.zeros((length, length), np.uint8)
    half, rad = (length - 1) / 2, np.radians(angle)
    dx, dy = half * np.cos(rad), half * np.sin(rad)
    start = (round(half - dx), round(half - dy))
    cv2.line(kernel, start, (round(half + dx), round(half + dy)), 1, 1)
    return kernel


def _within(s: Sight, mask: np.ndarray, pen: np.ndarray, seal: Found) -> np.ndarray:
    """The pen strokes inside a seal that join the strokes ``pen`` found at its edge. About
    the seal's centre in polar coordinates all that is concentric runs straight along the
    angle: its rings are the ink that runs so for ARC_EM lines or more; they are taken out,
    and mended again where ink goes on across them at both sides (a stroke crossing a ring,
    the ring's width and a pixel). The ink then joined to the pen's strokes at the rim is
    theirs (with the letters of the seal's lettering or emblem they touch). Only in a seal
    whose marks stand apart on paper (PAPER_SHARE): in a dense one (an emblem of fine lines,
    print under it) everything is joined to everything, and ``_through`` alone goes in."""
    x0, y0, x1, y1 = seal.box
    radius = (x1 - x0) / 2
    reach = radius + s.em
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    bx0, by0 = max(0, int(cx - reach)), max(0, int(cy - reach))
    bx1, by1 = min(mask.shape[1], int(cx + reach) + 2), min(mask.shape[0], int(cy + reach) + 2)
    turn = int(np.ceil(2 * np.pi * reach))  # rows round the circle: a pixel each at the rim
    centre, size = (cx - bx0, cy - by0), (int(np.ceil(reach)), turn)
    flags = cv2.INTER_NEAREST + cv2.WARP_POLAR_LINEAR

    def polar(image: np.ndarray) -> np.ndarray:  # [angle, radius], twice round the circle
        ring = cv2.warpPolar(image[by0:by1, bx0:bx1].astype(np.uint8), size, centre, reach, flags)
        return np.vstack([ring, ring])  # a mark across the angle's origin is whole once

    ink, seed = polar(mask), polar(pen)
    inside = int(radius)
    between = ink[:turn, round(PAPER[0] * radius) : round(PAPER[1] * radius)].mean(axis=0)
    if not between.size or between.min() >= PAPER_SHARE:
        return np.zeros(mask.shape, dtype=bool)  # its marks do not stand apart: no way in
    arcs = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((round(ARC_EM * s.em), 1), np.uint8))
    rings = np.flatnonzero(arcs[:turn].mean(axis=0) >= 0.5)  # radii inked most of the way
    if rings.size:
        ink &= ~arcs
        across = _widest(rings) + 2  # the thickest ring, and a pixel each side
        ink |= cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, across), np.uint8)) & arcs
    ink[:, inside:] |= seed[:, inside:]
    count, labels = cv2.connectedComponents(ink, None, 8)
    joined = np.unique(labels[:, inside:][seed[:, inside:] > 0])
    twice = np.isin(labels, joined[joined > 0])
    strokes = (twice[:turn] | twice[turn:]).astype(np.uint8) * 255
    strokes[:, inside:] = 0
    back = cv2.warpPolar(strokes, (bx1 - bx0, by1 - by0), centre, reach,
                         flags + cv2.WARP_INVERSE_MAP)  # fmt: skip
    ys, xs = np.ogrid[by0:by1, bx0:bx1]
    disc = np.hypot(xs - cx, ys - cy) < radius
    out = np.zeros(mask.shape, dtype=bool)
    out[by0:by1, bx0:bx1] = (cv2.dilate(back, np.ones((3, 3), np.uint8)) > 0) & disc
    return out & mask


def _widest(rings: np.ndarray) -> int:
    """The longest run of consecutive radii in ``rings`` (sorted)."""
    breaks = np.flatnonzero(np.diff(rings) > 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [rings.size - 1]])
    return int((ends - starts).max() + 1)
