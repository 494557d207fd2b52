"""Seals, signatures, received stamps and scanner marks laid over real pages, with their boxes.

Material (tests/data/regions/README.md):
- REAL: the Government's seal and the signer's signature that decree 49 carries on its page 29
  (the PDF's own images, as published), and pages 5 and 29 of that decree scanned bw200;
- GENERATED here: the received stamp (a frame, its printed phrases in DejaVu fonts, its
  handwritten entries in an oblique font), the scanner marks (discs, bars), the blue seal
  (the real seal's colours turned to blue ink).

    overlay(page, marks, dpi, seed)  -> (RGB page, [(kind, box)]): each mark at a seeded place
    as_scanned(rgb, style)           -> the page as a colour, grey or bilevel scanner stores it
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

DATA = Path(__file__).parent / "data" / "regions"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
SEAL_MM = 42.0  # the seal's diameter on decree 49's page 29
SIGNATURE_MM = (53.0, 26.5)  # the signature image's frame on that page
Box = tuple[int, int, int, int]  # left, top, width, height in page pixels


def _mm(dpi: int, value: float) -> int:
    return round(value * dpi / 25.4)


def real_seal(dpi: int, blue: bool = False) -> Image.Image:
    seal = Image.open(DATA / "decree49-seal.png").convert("RGBA")
    if blue:  # the same seal in blue ink: red and blue channels swapped
        r, g, b, a = seal.split()
        seal = Image.merge("RGBA", (b, g, r, a))
    side = _mm(dpi, SEAL_MM)
    return seal.resize((side, side), Image.Resampling.BICUBIC)


def real_signature(dpi: int) -> Image.Image:
    sig = Image.open(DATA / "decree49-signature.png").convert("RGBA")
    size = (_mm(dpi, SIGNATURE_MM[0]), _mm(dpi, SIGNATURE_MM[1]))
    return sig.resize(size, Image.Resampling.BICUBIC)


def received_stamp(dpi: int, rng: random.Random) -> Image.Image:
    """A generated "received" stamp: CÔNG VĂN ĐẾN over Số / Ngày / Giờ, or Decree 30's
    form (agency, ĐẾN with Số and Ngày, Chuyển), in red or violet, its blanks filled in blue."""
    w, h = _mm(dpi, rng.uniform(50, 62)), _mm(dpi, rng.uniform(26, 32))
    ink = (rng.randint(170, 210), 20, 40) if rng.random() < 0.5 else (90, 40, 150)
    image = Image.new("RGBA", (w, h), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    line = max(2, _mm(dpi, 0.6))
    draw.rectangle((line, line, w - line - 1, h - line - 1), outline=ink + (255,), width=line)
    bold = ImageFont.truetype(str(FONTS / "DejaVuSerif-Bold.ttf"), _mm(dpi, 3.6))
    plain = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), _mm(dpi, 3.0))
    hand = ImageFont.truetype(str(FONTS / "DejaVuSans-Oblique.ttf"), _mm(dpi, 3.4))
    x, step = _mm(dpi, 3), _mm(dpi, 5.6)
    if rng.random() < 0.5:
        rows = [("CÔNG VĂN ĐẾN", bold, None), ("Số: ", plain, str(rng.randint(100, 2999))),
                ("Ngày: ", plain, f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2026"),
                ("Giờ: ", plain, f"{rng.randint(7, 16)}h{rng.randint(0, 59):02d}")]  # fmt: skip
    else:
        rows = [("ỦY BAN NHÂN DÂN XÃ", plain, None),
                ("ĐẾN  Số: ", bold, str(rng.randint(100, 2999))),
                ("Ngày: ", plain, f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2026"),
                ("Chuyển: ", plain, "VP")]  # fmt: skip
    y = _mm(dpi, 2.5)
    for text, font, filled in rows:
        draw.text((x, y), text, font=font, fill=ink + (255,))
        if filled:
            at = x + draw.textlength(text, font=font) + _mm(dpi, 2)
            draw.text((at, y), filled, font=hand, fill=(30, 45, 140, 255))
        y += step
    return image


def punch_hole(dpi: int) -> Image.Image:
    side = _mm(dpi, 6.0)
    hole = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    ImageDraw.Draw(hole).ellipse((0, 0, side - 1, side - 1), fill=(25, 25, 25, 255))
    return hole


def staple(dpi: int, rng: random.Random) -> Image.Image:
    length, thick = _mm(dpi, rng.uniform(10, 14)), _mm(dpi, 1.0)
    bar = Image.new("RGBA", (length, thick), (40, 40, 40, 255))
    return bar.rotate(rng.uniform(-50, 50), expand=True, resample=Image.Resampling.BILINEAR)


def edge_bar(dpi: int, height: int, rng: random.Random) -> Image.Image:
    return Image.new("RGBA", (_mm(dpi, rng.uniform(3, 6)), int(height * rng.uniform(0.4, 0.9))),
                     (15, 15, 15, 255))  # fmt: skip


def _ink_box(mark: Image.Image, at: tuple[int, int]) -> Box:
    x0, y0, x1, y1 = mark.getchannel("A").point(lambda v: 255 if v > 60 else 0).getbbox()
    return (at[0] + x0, at[1] + y0, x1 - x0, y1 - y0)


def _multiply(page: Image.Image, mark: Image.Image, at: tuple[int, int]) -> None:
    """Ink over paper: each channel of the page times the mark's colour, by its alpha."""
    region = (at[0], at[1], at[0] + mark.width, at[1] + mark.height)
    under = np.asarray(page.crop(region), np.float32)
    rgba = np.asarray(mark, np.float32) / 255
    cover = rgba[..., 3:4]
    mixed = under * (1 - cover + cover * rgba[..., :3])
    page.paste(Image.fromarray(mixed.round().astype(np.uint8), "RGB"), region[:2])


def overlay(
    page: Image.Image, kinds: tuple[str, ...], dpi: int, seed: int
) -> tuple[Image.Image, list[tuple[str, Box]]]:
    """The page in RGB with a mark of each of ``kinds`` (seal, blue-seal, signature,
    received-stamp, punch-holes, staple, edge-bar) at a place drawn from ``seed``; a signature
    after a seal lies across the seal's right side, as signers sign. Returns their ink boxes."""
    rng = random.Random(f"regions:{seed}")
    page = page.convert("RGB")
    w, h = page.size
    truth: list[tuple[str, Box]] = []
    seal_at: tuple[int, int, int] | None = None
    for kind in kinds:
        marks: list[tuple[Image.Image, tuple[int, int]]] = []
        if kind in ("seal", "blue-seal"):
            mark = real_seal(dpi, blue=kind == "blue-seal")
            at = (rng.randint(w // 5, 3 * w // 5), rng.randint(h // 8, 5 * h // 8))
            seal_at = (at[0], at[1], mark.width)
            marks.append((mark, at))
        elif kind == "signature":
            mark = real_signature(dpi)
            if seal_at:
                x, y, side = seal_at
                dx, dy = rng.randint(-side // 8, side // 4), rng.randint(side // 6, side // 2)
                at = (x + side // 2 + dx, y + dy)
            else:
                at = (rng.randint(w // 6, w // 2), rng.randint(h // 3, 3 * h // 4))
            marks.append((mark, at))
        elif kind == "received-stamp":
            mark = received_stamp(dpi, rng)
            at = (rng.randint(_mm(dpi, 12), w // 2), rng.randint(_mm(dpi, 8), h // 4))
            marks.append((mark, at))
        elif kind == "punch-holes":
            hole, x = punch_hole(dpi), _mm(dpi, rng.uniform(8, 14))
            for dy in (-40, 40):
                marks.append((hole, (x, h // 2 + _mm(dpi, dy) - hole.height // 2)))
        elif kind == "staple":
            mark = staple(dpi, rng)
            marks.append((mark, (_mm(dpi, rng.uniform(5, 12)), _mm(dpi, rng.uniform(5, 12)))))
        elif kind == "edge-bar":
            mark = edge_bar(dpi, h, rng)
            left = rng.random() < 0.5
            marks.append((mark, (0 if left else w - mark.width, rng.randint(0, h - mark.height))))
        for mark, at in marks:
            at = (min(max(0, at[0]), w - mark.width), min(max(0, at[1]), h - mark.height))
            _multiply(page, mark, at)
            truth.append((_truth_kind(kind), _ink_box(mark, at)))
    return page, truth


def _truth_kind(kind: str) -> str:
    if kind in ("punch-holes", "staple", "edge-bar"):
        return "scanner-mark"
    return "seal" if kind == "blue-seal" else kind


def as_scanned(rgb: Image.Image, style: str) -> Image.Image:
    """colour: as it is; grey: luminance; bilevel: luminance at a fixed threshold, as an office
    scanner's black-and-white mode stores it (no dither)."""
    if style == "colour":
        return rgb
    grey = rgb.convert("L")
    return grey if style == "grey" else grey.point(lambda v: 255 if v > 140 else 0).convert("1")


def own_regions(number: int) -> list[tuple[str, Box]]:
    """The seal and signature a decree page carries itself (page 29), else none."""
    if number != 29:
        return []
    known = json.loads((DATA / "decree49-p29.regions.json").read_text(encoding="utf-8"))
    return [(r["kind"], tuple(r["box"])) for r in known["regions"]]


def decree_page(number: int) -> Image.Image:
    """Page 5 or 29 of decree 49 as the bw200 style stores it (200 dpi, bilevel)."""
    return Image.open(DATA / f"decree49-p{number:02d}-bw200.tif").convert("L")


def decree_colour_page() -> Image.Image:
    """Page 29 of decree 49 in colour at 200 dpi (pdftoppm, JPEG): its red seal, blue signature."""
    return Image.open(DATA / "decree49-p29-colour200.jpg").convert("RGB")


def iou(a: Box, b: Box) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    across = max(0, min(ax1, bx1) - max(a[0], b[0]))
    down = max(0, min(ay1, by1) - max(a[1], b[1]))
    both = across * down
    return both / (a[2] * a[3] + b[2] * b[3] - both) if both else 0.0


def decree_page_at(number: int, dpi: int, colour: bool = False) -> Image.Image:
    """Any page of decree 49 rendered in grey (or colour: page 29's seal red, its signature
    blue) at ``dpi`` (pdftoppm; a process: benchmarks and end-to-end tests only)."""
    import subprocess

    pdf = Path(__file__).parent / "data" / "decree-49-2026-ND-CP.pdf"
    args = ["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number)]
    args += [str(pdf)] if colour else ["-gray", str(pdf)]
    done = subprocess.run(args, capture_output=True, check=True)
    return Image.open(io.BytesIO(done.stdout)).convert("RGB" if colour else "L")


def blue_ink_box(rgb: Image.Image) -> Box:
    """The box of a colour page's blue ink (a signature drawn in samplegen.ink's PEN colour)."""
    a = np.asarray(rgb.convert("RGB"), dtype=np.int16)
    ys, xs = np.nonzero((a[..., 2] - a[..., 0] > 40) & (a[..., 2] - a[..., 1] > 30))
    x0, y0 = int(xs.min()), int(ys.min())
    return (x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1)
