"""Shared fixtures. Everything here is real: Pillow, pypdf, Tesseract, poppler."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfWriter

from storage import migrations
from storage.database import engine_for
from storage.warehouse import Warehouse
from tests.kinds import (  # noqa: F401 - unit, contract and e2e markers, and the unit guard
    pytest_collection_modifyitems,
    pytest_ignore_collect,
    pytest_runtest_call,
    pytest_runtest_makereport,
    pytest_runtest_setup,
)
from tests.services import *  # noqa: F403  - Redis, PostgreSQL and S3 fixtures

# Hypothesis's default 200 ms deadline per example is an assertion on wall-clock time: off.
settings.register_profile("sohoa", deadline=None)
settings.load_profile("sohoa")

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
CONFORMANCE = DATA / "conformance"  # a copy of pyHanko's signed test files, see its README
FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def text_image(lines: list[str], size=(1240, 1754), dpi=150, font_size=34) -> Image.Image:
    """A clean page with the given lines, for tests that need a known text."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, font_size)
    y = 120
    for line in lines:
        draw.text((110, y), line, font=font, fill="black")
        y += int(font_size * 1.6)
    image.info["dpi"] = (dpi, dpi)
    return image


def encode(image: Image.Image, fmt: str, **kw) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, dpi=image.info.get("dpi", (150, 150)), **kw)
    return buffer.getvalue()


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("user-secret", "owner-secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ZERO_PAGE_PDF = blank_pdf(0)


@pytest.fixture(scope="session")
def bad_inputs() -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, expected quarantine reason)."""
    png = encode(text_image(["Số: 01/QĐ-UBND"]), "PNG")
    return {
        "empty.png": (b"", "empty"),
        "notes.txt": ("Đây không phải là ảnh".encode(), "unsupported"),
        "truncated.png": (png[: len(png) // 2], "corrupt"),
        "garbage.jpg": (b"\xff\xd8\xff" + b"\x00garbage" * 50, "corrupt"),
        "broken.pdf": (b"%PDF-1.7\n" + b"\x00" * 300, "corrupt"),
        "zero-pages.pdf": (ZERO_PAGE_PDF, "empty"),
        "locked.pdf": (encrypted_pdf(), "encrypted"),
        "huge.png": (encode(Image.new("1", (12000, 12000)), "PNG"), "too-large"),
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request, tmp_path) -> str:
    """A warehouse's address on SQLite and on the test PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def warehouse(warehouse_url) -> Iterator[Warehouse]:
    """The warehouse at ``warehouse_url``, its schema at the newest migration (a test module
    that needs another kind defines its own ``warehouse``)."""
    engine = engine_for(warehouse_url)
    migrations.upgrade(engine)
    engine.dispose()
    w = Warehouse.open(warehouse_url)
    yield w
    w.engine.dispose()
