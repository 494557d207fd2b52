"""Input inspection: kinds are sniffed from bytes; every refusal is typed and says why."""

import pytest

from pipeline.intake import inspect, load_image_page, sniff
from schemas.errors import PermanentError, UnsupportedInput
from schemas.settings import InputLimits
from tests.conftest import blank_pdf, encode, text_image

LIMITS = InputLimits(max_pixels=100_000_000)


def test_kinds_are_sniffed_from_bytes_not_names():
    image = text_image(["x"])
    assert sniff(encode(image, "PNG")) == "png"
    assert sniff(encode(image, "JPEG")) == "jpeg"
    assert sniff(encode(image, "TIFF")) == "tiff"
    assert sniff(blank_pdf()) == "pdf"
    with pytest.raises(UnsupportedInput):
        sniff(b"GIF89a....")


def test_multi_page_tiff_counts_its_frames():
    pages = [text_image([f"trang {i}"]) for i in range(3)]
    import io

    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    found = inspect(buffer.getvalue(), LIMITS)
    assert (found.kind, found.page_count, found.extension) == ("tiff", 3, "tif")
    image, dpi = load_image_page(buffer.getvalue(), 2, LIMITS)
    assert image.size == pages[2].size and dpi == 150


def test_unsigned_pdf_without_text():
    found = inspect(blank_pdf(2), LIMITS)
    assert (found.kind, found.page_count, found.signed, found.text_pages) == (
        "pdf",
        2,
        False,
        frozenset(),
    )


def test_every_bad_input_is_refused_with_its_reason(bad_inputs):
    for name, (data, reason) in bad_inputs.items():
        with pytest.raises(PermanentError) as caught:
            found = inspect(data, LIMITS)
            load_image_page(data, 0, LIMITS) if found.kind != "pdf" else None
        assert caught.value.reason == reason, name


def test_pixel_and_byte_limits():
    png = encode(text_image(["x"], size=(400, 400)), "PNG")
    with pytest.raises(PermanentError, match="over the limit") as caught:
        inspect(png, InputLimits(max_pixels=1000))
    assert caught.value.reason == "too-large"
    with pytest.raises(PermanentError, match="bytes"):
        inspect(png, InputLimits(max_bytes=100))
