"""Reading real pages: `sohoa eval --from-pdf` on pages of a real decree (tests/data/README.md),
scanned as offices scan, scored against the PDF's own text layer beside plain Tesseract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from pipeline.reading.evaluate_real import load_folder, parse_styles
from samplegen.office_scans import STYLES, page_truth, scan_page

DATA = Path(__file__).parent / "data"
DECREE = DATA / "decree-49-2026-ND-CP.pdf"


def _sohoa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *args], capture_output=True, text=True, timeout=900
    )


def test_scan_styles_are_what_offices_store(tmp_path: Path) -> None:
    bw = tmp_path / "p.tif"
    bw.write_bytes(scan_page(DECREE, 1, STYLES["bw200"]))
    with Image.open(bw) as image:
        assert image.mode == "1" and image.info["compression"] == "group4"
        assert round(image.info["dpi"][0]) == 200 and image.size == (1654, 2339)
    grey = tmp_path / "p.jpg"
    grey.write_bytes(scan_page(DECREE, 1, STYLES["grey300"]))
    with Image.open(grey) as image:
        assert image.format == "JPEG" and image.mode == "L"
        assert image.width > 2480  # turned on the glass: the page grew a little
    assert scan_page(DECREE, 1, STYLES["grey300"]) == grey.read_bytes()  # seeded per page
    truth = page_truth(DECREE, 1)
    assert "Số: 49/2026/NĐ-CP" in truth and "NGHỊ ĐỊNH" in truth
    assert "____" not in truth  # the rules drawn with underscores are not words
    with pytest.raises(ValueError, match="colour600"):
        parse_styles("bw200,colour600")


@pytest.fixture(scope="module")
def decree_eval(tmp_path_factory) -> tuple[dict, str, Path]:
    root = tmp_path_factory.mktemp("decree")
    done = _sohoa(
        "eval", "--from-pdf", str(DECREE), "--pages", "1,29", "--styles", "bw200",
        "--keep", str(root / "scans"), "--json", str(root / "scores.json"), "--jobs", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((root / "scores.json").read_text()), done.stdout, root / "scans"


def test_eval_from_pdf_prints_sohoa_beside_plain_tesseract(decree_eval) -> None:
    scores, stdout, _ = decree_eval
    for word in ("bw200", "CER", "tess CER", "ratio", "number", "signer"):
        assert word in stdout
    split = {s["name"]: s for s in scores["splits"]}["bw200"]
    assert split["pages"] == 2 and split["rotation_known"] == 0
    assert 0 < split["plain_cer"] < 0.2  # plain Tesseract really read the pages
    assert split["ratio"] == pytest.approx(split["cer"] / split["plain_cer"])
    assert split["ratio"] <= 1.0  # never worse than plain Tesseract on the same real pages
    assert split["accuracy"]["number"] == 1.0 and split["accuracy"]["issued_date"] == 1.0


def test_a_folder_of_pages_is_a_truth_set(decree_eval) -> None:
    _, _, scans = decree_eval
    doc = load_folder(scans / "bw200")
    assert doc is not None and doc.condition == "bw200" and len(doc.pages) == 2
    assert doc.pages[0].file == "decree-49-2026-ND-CP-p001.tif"
    assert doc.fields["signer_name"] == "Trần Hồng Hà"
    assert "Trần Hồng Hà" in doc.pages[1].text
    empty = scans / "empty"
    empty.mkdir()
    (empty / "x.png").write_bytes(b"")  # an image without its truth is not a page of the set
    assert load_folder(empty) is None
