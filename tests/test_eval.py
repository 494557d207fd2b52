"""`sohoa eval`: CER, WER and field accuracy against the ground truth of `sohoa samples`.

The scoring is tested on its own (pure), then the whole command runs on a small generated set
(six documents, eight pages at 200 dpi) and the issue's floors are asserted on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.reading.evaluate import (
    FLOOR_FIELDS,
    TruthDocument,
    TruthPage,
    edits,
    load_truth,
    normalise_for_cer,
    score_document,
    summarise,
)
from pipeline.reading.page import PageResult
from schemas.results import PageText

FLOORS_CER = {"clean": 0.03, "degraded": 0.03, "turned": 0.04}
FLOORS_FIELDS = {"clean": 0.97, "degraded": 0.92, "turned": 0.92}


def test_cer_counts_reading_order_but_not_line_breaks() -> None:
    assert edits("a b\nc", "a  b c") == (0, 5, 0, 3)
    assert edits("Số: 05", "Sô: 05")[0] == 1
    assert edits("x y", "y x")[2] == 2  # two words out of place
    assert normalise_for_cer("A\u0301  \n b") == "Á b"  # NFC, one space


def _truth(condition: str, text: str, **fields) -> TruthDocument:
    return TruthDocument("d", "d.png", condition, fields, (TruthPage(0, text, 0, 0.0),))


def _read(text: str, rotation: int = 0) -> PageResult:
    return PageResult(PageText(index=0, source="ocr", text=text, rotation=rotation), b"")


def test_fields_and_splits_are_scored() -> None:
    text = "Số: 05/QĐ-UBND\nHà Nội, ngày 05 tháng 02 năm 2024\nQUYẾT ĐỊNH\nVề việc x"
    truth = _truth(
        "clean",
        text,
        code_number="05",
        code_notation="QĐ-UBND",
        issued_date="2024-02-05",
        type_name="QUYẾT ĐỊNH",
        place="Hà Nội",
    )
    right = score_document(truth, [_read(text)])
    wrong = score_document(
        _truth("degraded", text, code_number="06", code_notation="QĐ-UBND"),
        [_read(text.replace("QĐ", "QD"), rotation=90)],
    )
    assert right.fields == {
        "number": True, "issued_date": True, "type_name": True, "place": True
    }  # fmt: skip
    assert wrong.fields == {"number": False} and wrong.misread["number"][0] == "06/QĐ-UBND"
    report = summarise([right, wrong])
    clean, degraded, both = report.split("clean"), report.split("degraded"), report.split("all")
    assert clean.cer == 0 and clean.accuracy("number") == 1 and clean.rotation_ok == 1
    assert degraded.cer == pytest.approx(1 / len(normalise_for_cer(text)))  # QĐ read QD
    assert degraded.rotation_ok == 0 and report.split("turned") is None
    assert both.pages == 2 and both.accuracy("number") == 0.5
    assert clean.floor_accuracy() == 1.0 and degraded.floor_accuracy() == 0.0


def test_page_count_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="2 pages read"):
        score_document(_truth("clean", "x"), [_read("x"), _read("y")])


def _sohoa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *args], capture_output=True, text=True, timeout=1200
    )


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> tuple[dict, str]:
    root = tmp_path_factory.mktemp("eval")
    made = _sohoa("samples", str(root / "set"), "--count", "6", "--seed", "31", "--dpi", "200")
    assert made.returncode == 0, made.stderr
    done = _sohoa(
        "eval", str(root / "set"), "--jobs", "2", "--json", str(root / "scores.json"), "--no-plain"
    )  # plain Tesseract beside sohoa: tests/test_reading_real.py
    assert done.returncode == 0, done.stderr
    return json.loads((root / "scores.json").read_text()), done.stdout


def test_eval_prints_every_split(scored) -> None:
    _scores, stdout = scored
    for word in ("clean", "degraded", "turned", "all", "CER", "WER", "number", "issued date"):
        assert word in stdout


def test_floors_on_a_small_generated_set(scored) -> None:
    scores, _stdout = scored
    splits = {s["name"]: s for s in scores["splits"]}
    assert set(splits) == {"clean", "degraded", "turned", "all"}
    for name, most in FLOORS_CER.items():
        assert splits[name]["cer"] <= most, (name, splits[name]["cer"])
    for name, least in FLOORS_FIELDS.items():
        for field in FLOOR_FIELDS:
            assert splits[name]["accuracy"][field] >= least, (name, field, scores["documents"])
    assert splits["all"]["rotation_ok"] == splits["all"]["pages"]


def test_truth_of_the_set_loads(tmp_path: Path) -> None:
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "x.truth.json").write_text('{"name": "x"}')
    with pytest.raises(ValueError, match="x.truth.json"):
        load_truth(tmp_path)
    done = _sohoa("eval", str(tmp_path))
    assert done.returncode == 2 and "x.truth.json" in done.stderr
