"""Round seals: a circle whose ring is inked along most of its length at one radius.

    find_seals(sight)  -> the seals on a page (pipeline.reading.regions' Sight), outer ring's box

Circles are proposed by a Hough transform on a half-size copy of the ink, then each is measured
on the full copy: the share of the circle inked at its best radius. Printed text, even dense,
inks at most half of any circle (0.43-0.53 measured on decree 49's pages, ink a pixel off the
circle counted), its seal and seals laid over its pages 0.84-1.0. On a colour scan only red
and blue ink is looked at (a black copy of a seal is print there), so that print under and
around a seal adds nothing to its ring.
"""

from __future__ import annotations

import cv2
import numpy as np

from pipeline.reading.regions import Found, Sight, clip, colour_of

SEAL_MM = (20.0, 60.0)  # diameters of round seals (agencies' are 3.5-4.2 cm)
REFINED = 12  # circles with the best rings that are measured again about a nearby centre
RING_SHARE = 0.75  # a seal's ring is inked along at least this share of its circle
BATCH = 32  # circles measured at once (~10 MB of indexes)


def _shares(ink: np.ndarray, cx: float, cy: float, radii: np.ndarray) -> np.ndarray:
    """For each radius, the share of the circle about (cx, cy) that is inked (ink a pixel in
    or out counts: a ring a pixel off round, or broken by a threshold)."""
    return _shares_about(ink, np.array([cx]), np.array([cy]), radii)[0]


def _shares_about(
    ink: np.ndarray, cxs: np.ndarray, cys: np.ndarray, radii: np.ndarray
) -> np.ndarray:
    """``_shares`` about each of the centres (cxs[i], cys[i]) at once: [centre, radius]."""
    angles = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    xs = np.rint(cxs[:, None, None] + np.outer(radii, np.cos(angles))[None])
    ys = np.rint(cys[:, None, None] + np.outer(radii, np.sin(angles))[None])
    xs = np.clip(xs, 0, ink.shape[1] - 1).astype(int)
    ys = np.clip(ys, 0, ink.shape[0] - 1).astype(int)
    hits = ink[ys, xs]
    hits[:, 1:-1] |= hits[:, :-2] | hits[:, 2:]
    return hits.mean(axis=2)


def _best_shares(ink: np.ndarray, circles: np.ndarray) -> list[float]:
    """For each circle (cx, cy, r), the largest share of its length that a circle about the
    same centre is inked along, at a radius between 0.6 r and 1.3 r (``_shares``: the radii
    ``np.arange(0.6 r, 1.3 r, 1.0)``, a radius's neighbours counted, not the first's and the
    last's). The circles are measured BATCH at a time, each padded to the most radii of its
    batch: the same sums as one at a time (Hough proposes ~250 circles on a page of print;
    measuring each on its own was ~60 ms a page, most of it numpy's calls)."""
    angles = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    cos, sin = np.cos(angles), np.sin(angles)
    best: list[float] = []
    for start in range(0, len(circles), BATCH):
        cxs, cys, rs = (np.asarray(c, dtype=float) for c in np.transpose(circles[start:start + BATCH]))
        radii = [np.arange(0.6 * r, 1.3 * r, 1.0) for r in rs]
        counts = np.array([len(r) for r in radii])
        padded = np.zeros((len(radii), max(counts)))
        for n, r in enumerate(radii):
            padded[n, : len(r)] = r
        xs = np.rint(cxs[:, None, None] + padded[:, :, None] * cos[None, None])
        ys = np.rint(cys[:, None, None] + padded[:, :, None] * sin[None, None])
        xs = np.clip(xs, 0, ink.shape[1] - 1).astype(int)
        ys = np.clip(ys, 0, ink.shape[0] - 1).astype(int)
        hits = ink[ys, xs]
        valid = np.arange(padded.shape[1])[None] < counts[:, None]
        hits &= valid[:, :, None]
        last = hits[np.arange(len(radii)), counts - 1].copy()
        hits[:, 1:-1] |= hits[:, :-2] | hits[:, 2:]
        hits[np.arange(len(radii)), counts - 1] = last  # the last radius: its own ink only
        shares = np.where(valid, hits.mean(axis=2), -1.0)
        best += [float(v) for v in shares.max(axis=1)]
    return best


def _outermost(ink: np.ndarray, cx: float, cy: float, radius: float, high: float) -> float:
    """The largest radius up to ``high`` at which a ring about the same centre is inked along
    RING_SHARE of its length: a seal's outer ring, around its inner ring and emblem."""
    radii = np.arange(radius, high * 1.1, 1.0)
    rings = np.flatnonzero(_shares(ink, cx, cy, radii) >= RING_SHARE)
    return float(radii[rings[-1]]) if rings.size else radius


def find_seals(s: Sight) -> list[Found]:
    """Round seals: circles of SEAL_MM whose ring is inked along RING_SHARE of its length. On
    a colour scan only red and blue ink is looked at (a black copy of a seal is print there),
    so that print under and around a seal adds nothing to its ring."""
    low, high = (round(d / 2 * s.mm) for d in SEAL_MM)
    ink = s.ink if s.red is None else s.coloured
    if min(ink.shape[:2]) < max(2 * low, 2):
        return []  # no seal fits on the page (and half of it would be no image at all)
    # circles are proposed on a copy at half the size (a seal is 2 cm or more), then each is
    # measured on the full copy: Hough's vote is cheap there, and the ring test decides
    half = cv2.resize(np.where(ink, 0, 255).astype(np.uint8), None, fx=0.5, fy=0.5,
                      interpolation=cv2.INTER_AREA)  # fmt: skip
    circles = cv2.HoughCircles(
        cv2.GaussianBlur(half, (0, 0), 1.5), cv2.HOUGH_GRADIENT, dp=1, minDist=4,
        param1=80, param2=25, minRadius=low // 2, maxRadius=high // 2 + 1,
    )  # fmt: skip
    circles = [] if circles is None else circles[0] * 2
    # best rings first, and of rings inked alike (to a twentieth) the larger: a seal's outer
    # ring before the rings and the emblem inside it
    shares = _best_shares(ink, np.asarray(circles).reshape(-1, 3))
    measured = sorted(
        ((round(20 * share) / 20, r, cx, cy) for share, (cx, cy, r) in zip(shares, circles)),
        reverse=True,
    )
    kept: list[tuple[float, float, float, float]] = []
    tries = 0
    for first_share, r, cx, cy in measured:
        if first_share < RING_SHARE - 0.2 or tries == REFINED:
            break
        if any(np.hypot(k[1] - cx, k[2] - cy) < k[3] and r < 1.1 * k[3] for k in kept):
            continue  # inside a seal already found, and no larger ring of it
        tries += 1
        share, cx, cy, radius = _centred(ink, cx, cy, r)  # Hough's centre may be a little off
        if share < RING_SHARE or not low * 0.9 <= radius <= high * 1.1:
            continue
        # the same seal: a ring overlapping a seal found (two seals never overlap); a ring
        # round the one found (a circle through its emblem or lettering) is its outer ring
        same = [k for k in kept if _apart(k, cx, cy) < k[3] + radius]
        if not same:
            kept.append((share, cx, cy, radius))
        elif all(radius > k[3] and _apart(k, cx, cy) + k[3] < 1.1 * radius for k in same):
            # its outer ring; a seal's rings are concentric, so the better inked one tells
            # the centre (a circle through the lettering is inked less, and a little off)
            best = max([*same, (share, cx, cy, radius)])
            kept = [k for k in kept if k not in same] + [(share, best[1], best[2], radius)]
    found = []
    for share, cx, cy, radius in kept:
        pad = _outermost(ink, cx, cy, radius, high) * 1.04 + 1
        box = clip(s, (cx - pad, cy - pad, cx + pad, cy + pad))
        cue = colour_of(s, box) + "round ring"
        found.append(Found("seal", box, round(min(1.0, share), 2), cue))
    return found


def _centred(ink: np.ndarray, cx: float, cy: float, r: float) -> tuple[float, float, float, float]:
    """(share, cx, cy, radius) of the best ring whose centre lies within a tenth of ``r`` of
    (cx, cy) (of rings inked alike, the first: nearest the left, then the top)."""
    step = max(1.0, r / 20)
    offsets = np.arange(-2, 3) * step
    cxs = np.repeat(cx + offsets, offsets.size)
    cys = np.tile(cy + offsets, offsets.size)
    radii = np.arange(0.6 * r, 1.3 * r, 1.0)
    shares = _shares_about(ink, cxs, cys, radii)
    best = np.argmax(shares, axis=1)
    peak = shares[np.arange(cxs.size), best]
    n = int(np.argmax(peak))
    return float(peak[n]), float(cxs[n]), float(cys[n]), float(radii[best[n]])


def _apart(ring: tuple[float, float, float, float], cx: float, cy: float) -> float:
    return float(np.hypot(ring[1] - cx, ring[2] - cy))
