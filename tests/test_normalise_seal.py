"""The grey page Tesseract reads: a red seal fades into the paper, black and blue ink stay."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from pipeline.reading.normalise import for_ocr


def _page() -> Image.Image:
    image = Image.new("RGB", (400, 300), (240, 236, 225))  # tinted paper
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 360, 60), fill=(20, 20, 24))  # a line of black print
    draw.rectangle((40, 200, 360, 215), fill=(28, 40, 120))  # blue signature ink
    seal = Image.new("RGB", image.size, (255, 255, 255))
    ImageDraw.Draw(seal).ellipse((100, 20, 300, 220), fill=(205, 35, 45))
    return Image.fromarray(
        (np.asarray(image, float) * np.asarray(seal, float) / 255).astype("uint8")
    )


def test_red_seal_is_as_light_as_the_paper_and_print_stays_dark() -> None:
    grey = np.asarray(for_ocr(_page()))
    paper, seal_only = grey[280, 380], grey[120, 200]
    assert abs(int(seal_only) - int(paper)) <= 3
    assert grey[50, 60] < 60 and grey[50, 200] < 60  # black print, also under the seal
    assert grey[207, 60] < 60  # blue ink stays dark in the red channel


def test_plain_luminance_would_keep_the_seal() -> None:
    grey = np.asarray(_page().convert("L"))
    assert grey[120, 200] < 120  # what Tesseract would otherwise see: a dark disc


def test_grey_scans_are_read_as_they_are() -> None:
    grey = Image.new("L", (10, 10), 77)
    assert np.array_equal(np.asarray(for_ocr(grey)), np.asarray(grey))
