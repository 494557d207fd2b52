"""Pages of a born-digital PDF scanned the way offices scan, with the PDF's own text as truth.

    STYLES                          -> the scan styles by name ("bw200", "grey300")
    pdf_page_count(path)            -> pages in the PDF
    page_truth(path, number)        -> the text layer of page ``number`` (1-based), by pdftotext
    scan_page(path, number, style)  -> the page as that style's scanner would have stored it

bw200 is what the Government portal publishes for scanned decrees: 200 dpi, one bit per pixel,
CCITT Group 4 in a TIFF. grey300 is an office scanner's greyscale page: 300 dpi, turned a little
on the glass, soft optics, sensor noise, saved as JPEG. Each page's defects come from a random
generator seeded by the page number, so a run can be repeated exactly.
"""

from __future__ import annotations

import io
import random
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class ScanStyle:
    name: str
    dpi: int
    bilevel: bool  # one bit per pixel, stored as CCITT G4 TIFF; else grey JPEG
    max_skew: float = 0.0  # degrees, either way
    blur: float = 0.0  # Gaussian radius in pixels at ``dpi``
    noise: float = 0.0  # standard deviation of the grey noise, 0..255
    jpeg_quality: int = 75

    @property
    def suffix(self) -> str:
        return ".tif" if self.bilevel else ".jpg"


STYLES = {
    "bw200": ScanStyle("bw200", 200, bilevel=True),
    "grey300": ScanStyle("grey300", 300, bilevel=False, max_skew=1.5, blur=0.8, noise=8.0),
}


def _run(command: list[str]) -> bytes:
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise ValueError(f"{command[0]} failed on {command[-1]}: {reason}")
    return done.stdout


def pdf_page_count(path: Path) -> int:
    for line in _run(["pdfinfo", str(path)]).decode("utf-8", "replace").splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise ValueError(f"{path}: pdfinfo names no page count")


def page_truth(path: Path, number: int) -> str:
    """The text layer of page ``number`` (1-based) in pdftotext's reading order, without the
    lines made only of underscores: a Word document draws the rule under the agency's name
    and the motto with them, and on paper they are a rule, not words."""
    args = ["pdftotext", "-enc", "UTF-8", "-f", str(number), "-l", str(number), str(path), "-"]
    lines = _run(args).decode("utf-8").splitlines()
    return "\n".join(line for line in lines if line.strip().strip("_")) + "\n"


def _render(path: Path, number: int, dpi: int, mono: bool) -> Image.Image:
    args = ["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number)]
    args += ["-mono" if mono else "-gray", str(path)]
    image = Image.open(io.BytesIO(_run(args)))
    image.load()
    return image


def scan_page(path: Path, number: int, style: ScanStyle) -> bytes:
    """Page ``number`` (1-based) of the PDF, scanned in ``style``: the bytes of the image file."""
    out = io.BytesIO()
    if style.bilevel:
        page = _render(path, number, style.dpi, mono=True).convert("1")
        page.save(out, "TIFF", compression="group4", dpi=(style.dpi, style.dpi))
        return out.getvalue()
    rng = random.Random(number)
    page = _render(path, number, style.dpi, mono=False).convert("L")
    if style.max_skew:
        angle = rng.uniform(0.3, style.max_skew) * rng.choice((-1, 1))
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if style.blur:
        page = page.filter(ImageFilter.GaussianBlur(style.blur))
    if style.noise:
        noise = np.random.default_rng(number).normal(0.0, style.noise, (page.height, page.width))
        page = Image.fromarray(np.clip(np.asarray(page) + noise, 0, 255).astype(np.uint8), "L")
    page.save(out, "JPEG", quality=style.jpeg_quality, dpi=(style.dpi, style.dpi))
    return out.getvalue()
