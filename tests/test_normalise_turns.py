"""The page's ink worked out once (pipeline.reading.normalise.page_ink), turned as points for
the lines' direction and the skew.
Each on a real page of decree 49 (tests/data/regions, 200 dpi bilevel, as the Government
portal publishes it) and on a generated page."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.reading.normalise import (
    estimate_skew,
    lines_run_sideways,
    page_ink,
    turn,
)
from tests.conftest import FONT

REAL = Path(__file__).parent / "data" / "regions" / "decree49-p05-bw200.tif"


@pytest.fixture(scope="module")
def real() -> Image.Image:
    with Image.open(REAL) as scan:
        return scan.convert("L")


@pytest.fixture(scope="module")
def generated() -> Image.Image:
    page = Image.new("L", (1240, 1754), 255)
    draw, font = ImageDraw.Draw(page), ImageFont.truetype(FONT, 30)
    line = "Căn cứ Luật Đất đai số {}/2024/QH15 được sửa đổi, bổ sung một số điều"
    for n in range(30):  # lines across the page's measure, as a body of text runs
        draw.text((120, 120 + 48 * n), line.format(n * 7), 0, font)
    return page


def _turned(page: Image.Image, angle: float) -> Image.Image:
    return page.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=255)


@pytest.mark.parametrize("angle", [-3.4, -0.8, 1.7, 6.2])
@pytest.mark.parametrize("which", ["real", "generated"])
def test_the_skew_found_straightens_the_page(which: str, angle: float, request) -> None:
    page = _turned(request.getfixturevalue(which), angle)
    assert estimate_skew(page_ink(page)) == pytest.approx(-angle, abs=0.15)
    assert estimate_skew(page) == estimate_skew(page_ink(page))  # an image or its ink


@pytest.mark.parametrize("which", ["real", "generated"])
def test_ink_turned_as_points_is_the_ink_of_the_page_turned(which: str, request) -> None:
    """A page scanned turned: its ink, turned upright as points, tells the skew of the
    page turned upright as an image."""
    upright = _turned(request.getfixturevalue(which), 2.0)
    assert not lines_run_sideways(page_ink(upright))
    for rotation in (90, 180, 270):
        scanned = turn(upright, 360 - rotation)  # turning it ``rotation`` sets it upright
        ink = page_ink(scanned)
        assert ink is not None
        assert lines_run_sideways(ink) == (rotation != 180)
        assert not lines_run_sideways(ink.turned(rotation))
        assert estimate_skew(ink.turned(rotation)) == pytest.approx(-2.0, abs=0.15)
        assert estimate_skew(turn(scanned, rotation)) == pytest.approx(-2.0, abs=0.15)


def test_a_blank_page_has_no_ink_and_no_skew() -> None:
    blank = Image.new("L", (800, 1100), 255)
    assert page_ink(blank) is None
    assert estimate_skew(blank) == 0.0 and not lines_run_sideways(blank)
