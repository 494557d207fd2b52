"""The synthetic sample generator: determinism, formats, truth consistent with the pages.

Pages are rendered at 100 dpi to stay fast; one slow test runs real Tesseract on a 200-dpi page.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from typer.testing import CliRunner

from samplegen.samples import SampleDocument, find_fonts, generate_documents, write_document
from samplegen.text import DOCUMENT_TYPES, break_balanced, format_date_line, grouped
from schemas.document import MetadataFields
from schemas.errors import ConfigurationError
from workers.cli import samples as cli_samples

DPI = 100
ABBREVIATION = {name: abbr for name, abbr, _ in DOCUMENT_TYPES if name}
VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
UPRIGHT = {
    0: None,
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}  # clockwise turns, as pipeline.reading.normalise makes them


@pytest.fixture(scope="module")
def six() -> list[SampleDocument]:
    return list(generate_documents(6, seed=3, dpi=DPI))


@pytest.fixture(scope="module")
def many() -> list[SampleDocument]:
    return list(generate_documents(18, seed=11, dpi=DPI))


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _write_all(docs, directory: Path) -> dict[str, bytes]:
    directory.mkdir()
    for doc in docs:
        write_document(doc, directory)
    return _files(directory)


def _red(image: Image.Image) -> np.ndarray:
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return (r - g > 45) & (r - b > 25)  # tinted paper stays under 25 in r - g


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = _write_all(generate_documents(3, seed=5, dpi=DPI), tmp_path / "a")
    second = _write_all(generate_documents(3, seed=5, dpi=DPI), tmp_path / "b")
    assert len(first) == 6
    assert first == second


def test_other_seed_gives_other_documents(six: list[SampleDocument]) -> None:
    other = list(generate_documents(6, seed=4, dpi=DPI))
    assert [d.truth()["pages"] for d in six] != [d.truth()["pages"] for d in other]
    assert six[0].pages[0].image.tobytes() != other[0].pages[0].image.tobytes()


def test_a_set_of_six_has_every_format_and_the_tiff_two_frames(
    six: list[SampleDocument], tmp_path: Path
) -> None:
    assert Counter(d.format for d in six) == {"png": 2, "jpeg": 2, "tiff": 2}
    for doc in six:
        paths = write_document(doc, tmp_path)
        assert [p.name for p in paths] == [doc.truth()["file"], f"{doc.name}.truth.json"]
        with Image.open(paths[0]) as image:
            assert image.format == {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF"}[doc.format]
            frames = getattr(image, "n_frames", 1)
            assert frames == len(doc.pages) == (2 if doc.format == "tiff" else 1)
            assert round(image.info["dpi"][0]) == DPI
            for index, page in enumerate(doc.pages):
                image.seek(index)
                assert image.size == page.image.size
        truth = json.loads(paths[1].read_text(encoding="utf-8"))
        assert truth == doc.truth()
        MetadataFields.model_validate(truth["fields"])


def test_conditions_come_in_the_asked_mix(six: list[SampleDocument]) -> None:
    assert Counter(d.condition for d in six) == {"clean": 2, "degraded": 3, "turned": 1}
    for doc in six:
        for page in doc.pages:
            assert page.defects.dpi == DPI
            if doc.condition == "clean":
                assert (page.degraded, page.rotation, page.skew) == (False, 0, 0.0)
            else:
                assert page.degraded and 0.5 <= abs(page.skew) <= 3.0
                assert page.rotation in ((90, 180, 270) if doc.condition == "turned" else (0,))
    clean = list(generate_documents(2, seed=1, dpi=DPI, clean_ratio=1.0, turned_ratio=0.0))
    assert {d.condition for d in clean} == {"clean"}
    with pytest.raises(ValueError):
        next(generate_documents(1, seed=1, dpi=DPI, clean_ratio=0.9, turned_ratio=0.2))


def test_the_page_is_A4_portrait_at_the_asked_dpi() -> None:
    (doc,) = generate_documents(1, seed=2, dpi=150, clean_ratio=1.0, turned_ratio=0.0)
    assert doc.pages[0].image.size == (1240, 1754)  # 210 x 297 mm


def test_truth_fields_agree_with_the_printed_text(many: list[SampleDocument]) -> None:
    seen_types = set()
    for doc in many:
        f = doc.fields
        first = doc.pages[0].text.split("\n")
        last = doc.pages[-1].text.split("\n")
        number_line = f"Số: {f.code_number}/{f.code_notation}"
        date_line = format_date_line(f.place, f.issued_date)
        assert re.fullmatch(r"\d{2,}", f.code_number)
        assert number_line in first and date_line in first
        # reading order: agency, motto, number, date, type, subject
        agency_end = first.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        assert " ".join(first[:agency_end]).endswith(f.organ_name)
        assert first[agency_end + 1] == "Độc lập - Tự do - Hạnh phúc"
        assert first[agency_end + 2 : agency_end + 4] == [number_line, date_line]
        after = first[agency_end + 4 :]
        if f.type_name == "CÔNG VĂN":  # công văn: V/v under the number, no ký hiệu of a type
            assert f.subject.startswith("V/v ")
            assert f.code_notation.count("-") == 1 and "/" not in f.code_notation
        else:
            seen_types.add(f.type_name)
            assert after[0] == f.type_name == f.type_name.upper()
            after = after[1:]
            abbr = ABBREVIATION[f.type_name]
            kind = f.code_notation.split("/")[-1].split("-")[0]
            assert kind == abbr if abbr else kind != ""
        assert " ".join(after).startswith(f.subject)
        # Nơi nhận, then the signer block, at the end of the last page
        received = last.index("Nơi nhận:")
        assert last[received + 1] == "- Như trên;"
        assert any(line.startswith("- Lưu: VT, ") for line in last[received:])
        assert re.fullmatch(r"(\w+ ){2,3}\w+", last[-1])  # the signer's name
        if len(doc.pages) == 2:
            assert doc.pages[1].text.startswith("2\n")
            assert "Nơi nhận:" not in doc.pages[0].text
    assert len(seen_types) >= 5


def test_text_is_nfc_vietnamese(many: list[SampleDocument]) -> None:
    for doc in many:
        for page in doc.pages:
            assert unicodedata.normalize("NFC", page.text) == page.text
            assert sum(ch in VIETNAMESE for ch in page.text.lower()) > 15
        text = "".join(page.text for page in doc.pages).lower()
        assert sum(ch in VIETNAMESE for ch in text) > 80
        for value in doc.fields.model_dump().values():
            if isinstance(value, str):
                assert unicodedata.normalize("NFC", value) == value


def test_recorded_rotation_matches_the_image() -> None:
    docs = list(generate_documents(6, seed=9, dpi=DPI, clean_ratio=0.0, turned_ratio=1.0))
    rotations = set()
    for doc in docs:
        for page in doc.pages:
            width, height = page.image.size
            rotations.add(page.rotation)
            assert (width > height) == (page.rotation in (90, 270))
            upright = page.image.transpose(UPRIGHT[page.rotation])
            red = _red(upright)
            if red.sum() < 100:  # the first page of a two-page document has no seal
                continue
            ys, xs = np.nonzero(red)
            assert xs.mean() > 0.55 * upright.width, "the seal sits on the right when upright"
    assert rotations == {90, 180, 270}


def test_recorded_skew_is_the_angle_that_straightens_the_page() -> None:
    def lines_score(image: Image.Image, angle: float) -> float:
        turned = image.convert("L").rotate(angle, Image.Resampling.BILINEAR, fillcolor=255)
        return float(np.var((np.asarray(turned) < 128).sum(axis=1)))  # sharp when level

    docs = generate_documents(3, seed=21, dpi=DPI, clean_ratio=0.0, turned_ratio=0.0)
    for page in (doc.pages[0] for doc in docs):
        assert lines_score(page.image, page.skew) > lines_score(page.image, -page.skew)
        assert lines_score(page.image, page.skew) > lines_score(page.image, 0)


def test_the_seal_is_red_and_on_the_signer_block(six: list[SampleDocument]) -> None:
    for doc in six:
        red = _red(doc.pages[-1].image)
        if doc.pages[-1].rotation:
            continue
        ys, xs = np.nonzero(red)
        diameter = 33 / 25.4 * DPI
        assert len(xs) > 0.05 * diameter * diameter, doc.name
        assert xs.max() - xs.min() == pytest.approx(diameter, rel=0.4)


def test_missing_fonts_name_the_package(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="fonts-liberation"):
        find_fonts([tmp_path])


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_date_line_pads_days_below_ten_and_months_one_and_two(date: dt.date) -> None:
    line = format_date_line("Biên Hòa", date)
    day, month, year = re.fullmatch(r"Biên Hòa, ngày (\d+) tháng (\d+) năm (\d{4})", line).groups()
    assert (int(day), int(month), int(year)) == (date.day, date.month, date.year)
    assert day == f"{date.day:02d}"
    assert month == (f"{date.month:02d}" if date.month <= 2 else str(date.month))


@given(st.integers(min_value=0, max_value=10**9))
def test_grouped_numbers_read_back(number: int) -> None:
    text = grouped(number)
    assert int(text.replace(".", "")) == number
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", text)


@given(
    st.lists(
        st.sampled_from(["SỞ", "TÀI", "NGUYÊN", "VÀ", "MÔI", "TRƯỜNG", "NÔNG"]),
        min_size=1,
        max_size=9,
    )
)
def test_header_lines_break_without_losing_words(words: list[str]) -> None:
    text = " ".join(words)
    parts = break_balanced(text, 20)
    assert " ".join(parts) == text and 1 <= len(parts) <= 2


def _substring_distance(needle: str, haystack: str) -> int:
    """Fewest edits turning needle into some substring of haystack (Sellers)."""
    previous = [0] * (len(haystack) + 1)
    for i, ch in enumerate(needle, 1):
        current = [i]
        for j, other in enumerate(haystack, 1):
            substitution = previous[j - 1] + (ch != other)
            current.append(min(previous[j] + 1, current[j - 1] + 1, substitution))
        previous = current
    return min(previous)


@pytest.mark.slow
def test_a_clean_page_is_readable_by_tesseract(tmp_path: Path) -> None:
    docs = generate_documents(6, seed=2, dpi=200, clean_ratio=1.0, turned_ratio=0.0)
    doc = next(d for d in docs if d.fields.type_name != "CÔNG VĂN" and d.format != "tiff")
    image = tmp_path / "page.png"
    doc.pages[0].image.save(image, dpi=(200, 200))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    result = subprocess.run(
        ["tesseract", str(image), "-", "-l", "vie+eng"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    read = unicodedata.normalize("NFC", result.stdout)
    number_line = f"Số: {doc.fields.code_number}/{doc.fields.code_notation}"
    for wanted in (doc.fields.type_name, number_line):
        cer = _substring_distance(wanted, read) / len(wanted)
        assert cer < 0.15, (wanted, cer, read[:400])


def test_the_command_writes_documents_and_truth(tmp_path: Path) -> None:
    app = typer.Typer()

    @app.callback()
    def sohoa() -> None:  # a group, as in workers.cli, so that "samples" is a subcommand
        pass

    cli_samples.register(app)
    out = tmp_path / "new" / "dir"
    result = CliRunner().invoke(app, ["samples", str(out), "--count", "3", "--dpi", "72"])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in (out / "scans").iterdir()) == [".jpg", ".png", ".tif"]
    assert sorted(p.name for p in (out / "truth").iterdir()) == sorted(
        p.stem + ".truth.json" for p in (out / "scans").iterdir()
    )
    bad = CliRunner().invoke(
        app, ["samples", str(out), "--clean-ratio", "0.9", "--turned-ratio", "0.5"]
    )
    assert bad.exit_code == 2
