"""Input inspection: kinds are sniffed from bytes; every refusal is typed and says why."""

import pytest

from pipeline.inputs.files import inspect, load_image_page, sniff
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


def test_hex_strings_are_measured_across_chunks_before_parsing(tmp_path, monkeypatch):
    from pipeline.inputs import bounds
    from schemas.errors import InputTooLarge

    monkeypatch.setattr(bounds, "CHUNK", 64)  # the string spans many chunks of the file
    pdf = b"%PDF-1.7\n<< /Contents <" + b"3a 0F" * 40 + b"> >>\n"
    path = tmp_path / "sig.pdf"
    path.write_bytes(pdf)
    bounds.check_hex_strings(path, 200)  # 200 digits and spaces: within the limit
    with pytest.raises(InputTooLarge, match="hex string"):
        bounds.check_hex_strings(path, 199)
    with pytest.raises(InputTooLarge):
        bounds.check_hex_strings(pdf, 199)  # the same for bytes in memory
    bounds.check_hex_strings(b"<< /A <<" + b"a" * 500 + b">> >>", 10)  # dictionaries: no strings


def test_a_pdf_page_is_refused_by_its_area_at_the_raster_dpi_before_rendering():
    from tests.hostile import pdf_of_pages

    with pytest.raises(PermanentError, match="20833x20833") as caught:
        inspect(pdf_of_pages((595, 842), (5000, 5000)), LIMITS, raster_dpi=300)
    assert caught.value.reason == "too-large" and "page 2" in str(caught.value)
    assert inspect(pdf_of_pages((5000, 5000)), LIMITS, raster_dpi=72).page_count == 1
    for box, reason in [((1e8, 1e8), "too-large"), ((0, 842), "corrupt"), ((1, 1), "empty")]:
        with pytest.raises(PermanentError) as caught:
            inspect(pdf_of_pages(box), LIMITS)
        assert caught.value.reason == reason, box


def test_a_file_is_measured_from_stat_and_pages_too_small_to_be_scans_are_refused(tmp_path):
    from tests.hostile import big_sparse_file, tiny_page_tiff

    big = tmp_path / "big.pdf"
    big_sparse_file(big, 300 * 1024 * 1024)
    with pytest.raises(PermanentError, match="314572800 bytes is over the limit"):
        inspect(big, LIMITS)
    with pytest.raises(PermanentError, match="1x1 pixels") as caught:
        inspect(tiny_page_tiff(2000), LIMITS)
    assert caught.value.reason == "empty"


def test_a_page_tree_is_bounded_before_pypdf_flattens_it():
    from tests.hostile import long_kids_pdf, page_tree_bomb

    bomb = page_tree_bomb(300)  # 4 KB, 90,000 pages when flattened (took 8 s)
    with pytest.raises(PermanentError, match="more than 2000 pages") as caught:
        inspect(bomb, LIMITS)
    assert caught.value.reason == "too-large" and len(bomb) < 5000
    with pytest.raises(PermanentError, match=r"/Kids is over 64000 bytes"):
        inspect(long_kids_pdf(100_000), LIMITS)  # refused in the raw bytes: never parsed
    assert inspect(page_tree_bomb(40), LIMITS).page_count == 1600  # within the limit: read
