"""`sohoa samples` then `sohoa digitise`, as the demo does: the pipeline turns generated scans
upright, straightens them and reads the fields the ground truth says are printed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from schemas.results import Sidecar
from tests.test_digitise_e2e import sohoa


@pytest.fixture(scope="module")
def digitised(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "workers.cli",
            "samples",
            str(root / "set"),
            "--count",
            "3",
            "--seed",
            "11",
            "--dpi",
            "200",
            "--clean-ratio",
            "0.34",
            "--turned-ratio",
            "0.34",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    done = sohoa("digitise", str(root / "set" / "scans"), "--jobs", "2", data=root / "data")
    assert done.returncode == 0, done.stdout + done.stderr
    cars = {}
    for path in (root / "data" / "objects" / "results").rglob("*.json"):
        car = Sidecar.model_validate_json(path.read_text())
        truth = json.loads((root / "set" / "truth" / f"{car.document}.truth.json").read_text())
        cars[car.document] = (car, truth)
    return cars


def test_every_sample_is_digitised(digitised):
    assert len(digitised) == 3
    conditions = {truth["condition"] for _car, truth in digitised.values()}
    assert conditions == {"clean", "degraded", "turned"}


def test_pages_are_turned_upright_and_straightened(digitised):
    for car, truth in digitised.values():
        for page, expected in zip(car.pages, truth["pages"], strict=True):
            assert page.rotation == expected["defects"]["rotation"], car.document
            assert abs(page.skew - expected["defects"]["skew"]) <= 0.3, car.document


def test_key_fields_match_the_ground_truth(digitised):
    for car, truth in digitised.values():
        fields = truth["fields"]
        found = car.metadata.model_dump(mode="json")
        for name in ("code_number", "code_notation", "issued_date", "type_name"):
            assert found[name] == fields[name], (car.document, name)
