"""Ink and scanner for the synthetic documents: signature, red seal, and scan defects.

Pure functions of their inputs and a seeded ``random.Random``; ``samplegen.samples`` calls them.
Conventions of ``Defects`` are those of ``schemas.results.PageText``.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

PEN = (28, 40, 120)  # signature ink
_TURN = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}  # counter-clockwise: undone by a clockwise turn


@dataclass(frozen=True)
class Defects:
    """What the imitation scanner did to one page."""

    degraded: bool
    rotation: int = 0  # clockwise degrees that make the page upright: 0, 90, 180, 270
    skew: float = 0.0  # degrees, counter-clockwise positive, that straighten the upright page
    dpi: int = 300
    blur_scale: float = 1.0  # optics: sampled at this fraction of the resolution, scaled back up
    noise: float = 0.0  # standard deviation of the grey noise, 0..255 scale
    jpeg_quality: int | None = None  # re-encoding quality of the artefact pass


def signature(
    draw: ImageDraw.ImageDraw, rng: random.Random, cx: float, cy: float, dpi: int
) -> None:
    """A pen scrawl: a few random harmonics along a rising stroke, then a flourish."""

    def mm(v: float) -> int:
        return round(v * dpi / 25.4)

    length, height = mm(rng.uniform(28, 40)), mm(rng.uniform(6, 10))
    t = np.linspace(0, 1, 160)
    xs, ys = length * (t - 0.5), -height * 0.3 * t
    for k in range(1, 5):
        freq, phase = rng.uniform(1.5, 7.0) * k, rng.uniform(0, 6.3)
        xs = xs + np.sin(2 * np.pi * freq * t + phase) * length * rng.uniform(0.01, 0.04) / k
        ys = ys + np.cos(2 * np.pi * freq * t + phase) * height * rng.uniform(0.2, 0.5) / k
    points = list(zip((cx + xs).tolist(), (cy + ys).tolist(), strict=True))
    width = round(1.2 * dpi / 72)
    draw.line(points, fill=PEN, width=width, joint="curve")
    tail = (cx + length * rng.uniform(-0.45, -0.2), cy + height * rng.uniform(0.5, 0.8))
    draw.line([points[-1], tail], fill=PEN, width=max(1, width * 2 // 3))


def seal_ink(text: str, size: int, font_path: Path, rng: random.Random) -> Image.Image:
    """Ink coverage (L, 0..255) of a round seal: two rings, the agency around, a star inside."""
    ink = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(ink)
    c, ring = size / 2, max(2, round(size * 0.035))
    d.ellipse((ring, ring, size - ring, size - ring), outline=255, width=ring)
    inner = size * 0.31
    d.ellipse((c - inner, c - inner, c + inner, c + inner), outline=255, width=max(1, ring // 2))
    star = [
        (
            c + (size * (0.13 if k % 2 == 0 else 0.052)) * np.sin(k * np.pi / 5),
            c - (size * (0.13 if k % 2 == 0 else 0.052)) * np.cos(k * np.pi / 5),
        )
        for k in range(10)
    ]
    d.polygon(star, fill=255)
    radius = size / 2 - ring * 2 - size * 0.06
    pixels = max(8, round(size * 0.085))
    natural = ImageFont.truetype(str(font_path), pixels).getlength(text) * 1.15
    if np.degrees(natural / radius) > 310:  # a long name: smaller letters, not crowded ones
        pixels = max(8, round(pixels * np.radians(310) * radius / natural))
    font = ImageFont.truetype(str(font_path), pixels)
    widths = [font.getlength(ch) + size * 0.006 for ch in text]
    span = min(320.0, np.degrees(sum(widths) / radius) * 1.1)
    start, scale = rng.uniform(-8, 8) - span / 2, span / sum(widths)
    box = round(size * 0.14)
    angle = start
    for ch, width in zip(text, widths, strict=True):
        theta = angle + width * scale / 2
        angle += width * scale
        if ch == " ":
            continue
        glyph = Image.new("L", (box, box), 0)
        ImageDraw.Draw(glyph).text((box / 2, box / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-theta, resample=Image.Resampling.BICUBIC)
        x = c + radius * np.sin(np.radians(theta)) - box / 2
        y = c - radius * np.cos(np.radians(theta)) - box / 2
        ink.paste(255, (round(x), round(y)), glyph)
    return ink


def stamp(
    page: Image.Image, ink: Image.Image, centre: tuple[float, float], rng: random.Random
) -> None:
    """Multiply red ink into the page: paper turns red, black text stays black."""
    x0, y0 = round(centre[0] - ink.width / 2), round(centre[1] - ink.height / 2)
    mottle = Image.fromarray(
        np.array([[rng.randint(180, 255) for _ in range(6)] for _ in range(6)], dtype=np.uint8)
    ).resize(ink.size, Image.Resampling.BILINEAR)
    cover = np.asarray(ink, np.float32) / 255 * np.asarray(mottle, np.float32) / 255
    cover *= rng.uniform(0.75, 0.92)
    red = np.array([rng.randint(190, 225), rng.randint(20, 45), rng.randint(30, 55)]) / 255
    region = (x0, y0, x0 + ink.width, y0 + ink.height)
    under = np.asarray(page.crop(region), np.float32)
    mixed = under * (1 - cover[..., None] * (1 - red.astype(np.float32)))
    page.paste(Image.fromarray(mixed.round().astype(np.uint8), "RGB"), region[:2])


def degrade(
    image: Image.Image, rng: random.Random, dpi: int, turned: bool
) -> tuple[Image.Image, Defects]:
    """Imitate a cheap scanner: skew, soft optics, tinted uneven paper, grain, JPEG, maybe a turn.

    Skew and blur are one affine resampling down to ``blur_scale`` of the size and back up,
    and the paper is done at the reduced size, so a 300-dpi page takes a fraction of a second.
    """
    skew = round(rng.uniform(0.5, 3.0) * rng.choice((-1, 1)), 2)
    rotation = rng.choice((90, 180, 270)) if turned else 0
    scale = round(rng.uniform(0.6, 0.85), 2)
    noise = round(rng.uniform(3.0, 8.0), 1)
    quality = rng.randint(40, 75)
    paper = (rng.uniform(0.93, 0.99), rng.uniform(0.91, 0.97), rng.uniform(0.84, 0.93))
    slope_x, slope_y = rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.05)
    vignette = rng.uniform(0, 0.06)
    noise_rng = np.random.default_rng(rng.getrandbits(64))
    w, h = image.size
    sw, sh = round(w * scale), round(h * scale)
    a = np.radians(skew)  # output -> input: scale up, then turn the content by -skew
    cos, sin = np.cos(a) / scale, np.sin(a) / scale
    matrix = (
        cos,
        sin,
        w / 2 - cos * sw / 2 - sin * sh / 2,
        -sin,
        cos,
        h / 2 + sin * sw / 2 - cos * sh / 2,
    )
    small = image.transform(
        (sw, sh), Image.Transform.AFFINE, matrix, Image.Resampling.BILINEAR, fillcolor="white"
    )
    gy = np.linspace(-1, 1, sh, dtype=np.float32)[:, None]
    gx = np.linspace(-1, 1, sw, dtype=np.float32)[None, :]
    shade = 0.985 + slope_x * gx + slope_y * gy - vignette * (gx * gx + gy * gy) / 2
    shade = shade + noise_rng.standard_normal((sh, sw), dtype=np.float32) * (noise / 255)
    light = Image.fromarray(np.clip(shade * 255, 0, 255).astype(np.uint8), "L")
    tint = Image.merge("RGB", [light.point(lambda v, k=k: round(v * k)) for k in paper])
    out = ImageChops.multiply(small, tint).resize((w, h), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    out.save(buffer, "JPEG", quality=quality)
    out = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    if rotation:
        out = out.transpose(_TURN[rotation])
    return out, Defects(True, rotation, skew, dpi, scale, noise, quality)
