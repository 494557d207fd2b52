"""Tesseract kept loaded (pipeline.reading.reader): it reads a real page exactly as the
``tesseract`` command does, and a child that dies or hangs fails the page with a typed error
naming the file, the next page being read by a new child (a fake engine, as OCRmyPDF's tests)."""

from __future__ import annotations

import collections
import io
import os
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from pipeline.reading import reader
from pipeline.reading.layout import Zone, uzn
from pipeline.reading.normalise import softened
from pipeline.reading.ocr import ocr_page, parse_tsv, tesseract
from pipeline.reading.page import PageTask, process_page
from samplegen.office_scans import STYLES, scan_page
from schemas.errors import OcrFailed, OcrTimeout
from schemas.settings import InputLimits, OcrSettings

pytestmark = pytest.mark.contract  # Tesseract and fake engines as processes

DECREE = Path(__file__).parent / "data" / "decree-49-2026-ND-CP.pdf"

# A fake engine: answers "ok" to nothing; it dies (or hangs) on its first request. Given a
# marker file as its language, it works normally once that file exists (then it writes empty
# readings), so that a second child can be told apart from the first.
FAKE = """
import os, sys, time, pathlib
marker = pathlib.Path(sys.argv[1])
for line in sys.stdin:
    if marker.exists():
        import json
        request = json.loads(line)
        pathlib.Path(request["base"] + ".tsv").write_text("level\\ttext\\n")
        pathlib.Path(request["base"] + ".pdf").write_bytes(b"")
        print("ok", flush=True)
        continue
    marker.touch()
    print("about to fail", file=sys.stderr, flush=True)
    if "{how}" == "hang":
        time.sleep(600)
    os.kill(os.getpid(), 9)
"""


def fake(tmp_path: Path, how: str) -> tuple[reader.TesseractReader, Path]:
    server = tmp_path / f"fake-{how}.py"
    server.write_text(FAKE.replace("{how}", how))
    marker = tmp_path / f"{how}-started"
    return reader.TesseractReader(str(marker), 1, server=server), marker


def read(engine: reader.TesseractReader, tmp_path: Path, timeout_s: float = 30) -> None:
    image = tmp_path / "page.pnm"
    Image.new("L", (40, 20), 255).save(image)
    engine.read(image, tmp_path / "out", 3, 200, {}, timeout_s)


@pytest.fixture(scope="module")
def real_page() -> Image.Image:
    """The top third of decree 49's page 4 as the Government portal scans it, softened as sohoa
    reads a bilevel scan."""
    with Image.open(io.BytesIO(scan_page(DECREE, 4, STYLES["bw200"]))) as page:
        return softened(page.convert("L").crop((0, 0, page.width, page.height // 3)), 200)


def command_reading(image: Image.Image, tmp_path: Path, zones: tuple[Zone, ...] = ()) -> str:
    """The TSV of the ``tesseract`` command, as sohoa ran it before it kept Tesseract loaded."""
    source = tmp_path / "page.pnm"
    image.save(source)
    if zones:
        (tmp_path / "page.uzn").write_text(uzn(zones), encoding="ascii")
    config = f"--psm {4 if zones else 3} --dpi 200 -c tessedit_create_tsv=1 -c textonly_pdf=1"
    command = tesseract(OcrSettings(), str(source), str(tmp_path / "out"), "-l", "vie")
    subprocess.run([*command, *config.split(), "-c", "tessedit_do_invert=0", "pdf"], check=True)
    return (tmp_path / "out.tsv").read_text(encoding="utf-8")


def test_a_real_page_reads_as_the_tesseract_command_reads_it(real_page, tmp_path) -> None:
    words, text, lines = parse_tsv(command_reading(real_page, tmp_path))
    kept = ocr_page(real_page, 200, OcrSettings())
    assert len(words) > 40
    assert (kept.words, kept.text, kept.lines) == (words, text, lines)
    assert kept.text_pdf.startswith(b"%PDF")


def test_real_zones_read_as_the_tesseract_command_reads_them(real_page, tmp_path) -> None:
    width, height = real_page.size
    zones = (Zone(0, 0, width // 2, height), Zone(width // 2, 0, width - width // 2, height))
    words, text, _lines = parse_tsv(command_reading(real_page, tmp_path, zones))
    kept = ocr_page(real_page, 200, OcrSettings(), zones)
    assert len(words) > 20
    assert (kept.words, kept.text) == (words, text)


def test_a_child_that_dies_mid_page_fails_it_and_the_next_page_has_a_new_one(tmp_path) -> None:
    engine, marker = fake(tmp_path, "die")
    with pytest.raises(OcrFailed, match="exited with -9: about to fail"):
        read(engine, tmp_path)
    assert marker.exists()
    read(engine, tmp_path)  # a new child: it finds the marker and reads
    engine.close()


def test_a_child_that_hangs_is_killed_and_the_page_times_out(tmp_path) -> None:
    engine, marker = fake(tmp_path, "hang")
    with pytest.raises(OcrTimeout, match="longer than 2 s"):
        read(engine, tmp_path, timeout_s=2)
    assert marker.exists()
    read(engine, tmp_path)  # a new child: it finds the marker and reads
    engine.close()


def test_a_page_whose_tesseract_dies_fails_naming_its_file(tmp_path, monkeypatch) -> None:
    server = tmp_path / "fake.py"
    server.write_text(FAKE.replace("{how}", "die"))
    monkeypatch.setattr(reader, "SERVER", server)
    monkeypatch.setattr(reader, "_idle", collections.defaultdict(list))
    buffer = io.BytesIO()
    Image.new("L", (400, 200), 255).save(buffer, "PNG", dpi=(200, 200))
    settings = OcrSettings(languages=str(tmp_path / "marker"), detect_orientation=False)
    task = PageTask("letter.png", buffer.getvalue(), "png", 0, 0, settings, InputLimits())
    with pytest.raises(OcrFailed, match=r"^letter\.png: Tesseract exited with -9"):
        process_page(task)
    assert os.path.exists(tmp_path / "marker")


STARTS = """
import json, os, pathlib, sys
with open(sys.argv[1], "a") as starts:
    print(os.getpid(), file=starts)
for line in sys.stdin:
    request = json.loads(line)
    pathlib.Path(request["base"] + ".tsv").write_text("level\\ttext\\n")
    pathlib.Path(request["base"] + ".pdf").write_bytes(b"")
    print("ok", flush=True)
"""


def test_a_warmed_reader_is_the_one_lent_next(tmp_path, monkeypatch) -> None:
    server = tmp_path / "starts.py"
    server.write_text(STARTS)
    monkeypatch.setattr(reader, "SERVER", server)
    monkeypatch.setattr(reader, "_idle", collections.defaultdict(list))
    starts = tmp_path / "starts"
    settings = OcrSettings(languages=str(starts))
    reader.warm(settings)
    for _ in range(100):  # the child starts on its own, before any page is asked for
        if starts.exists():
            break
        time.sleep(0.1)
    assert starts.exists()
    with reader.lent(settings) as engine:
        read(engine, tmp_path)
        read(engine, tmp_path)
        engine.close()
    assert len(starts.read_text().split()) == 1  # the warm child read both pages
