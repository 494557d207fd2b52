"""Every file of ../shared/conformance/pyhanko through ``sohoa digitise``: each one is either
processed or quarantined with a reason; none is lost, none crashes the run, and no PDF that
carries signatures is rewritten."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CONFORMANCE
from tests.test_digitise_e2e import sohoa

EXPECTED = json.loads((CONFORMANCE / "expected.json").read_text())


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("conformance") / "data"
    done = sohoa("digitise", str(CONFORMANCE / "pdf"), "--jobs", "2", data=data)
    return data, done


def _objects(data: Path, prefix: str) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in (data / "objects" / prefix).rglob("*"):
        if path.is_file() and not path.name.endswith(".json"):
            found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), []).append(path)
    return found


def test_the_run_completes_without_failures(corpus_run):
    _data, done = corpus_run
    assert done.returncode == 7, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr and " failed" not in done.stdout


def test_no_file_is_lost(corpus_run):
    data, _done = corpus_run
    originals, quarantined = _objects(data, "originals"), _objects(data, "quarantine")
    files = [p for p in (CONFORMANCE / "pdf").rglob("*") if p.is_file()]
    assert len(files) >= 100
    db = sqlite3.connect(data / "warehouse.sqlite")
    statuses = dict(db.execute("select input_sha256, status from documents"))
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest in originals or digest in quarantined, path.name
        assert statuses.get(digest) in {"digitised", "quarantined"}, path.name


def test_unreadable_and_encrypted_files_are_quarantined(corpus_run):
    data, _done = corpus_run
    quarantined, results = _objects(data, "quarantine"), _objects(data, "results")
    for name, facts in EXPECTED.items():
        if facts.get("verdict") not in {"encrypted", "unreadable"}:
            continue
        path = next((CONFORMANCE / "pdf").rglob(name))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        kept = quarantined.get(digest)
        if not kept and facts["verdict"] == "unreadable":
            # pypdf reads what pyHanko could not: then it must be a signed file kept unchanged
            assert digest in results, name
            car = json.loads(results[digest][0].with_suffix(".json").read_text())
            assert not car["result_was_rewritten"] and car["verification"]["status"] == "unreadable"
            continue
        assert kept, name
        report = json.loads(Path(str(kept[0]) + ".error.json").read_text())
        assert report["reason"] in {"encrypted", "corrupt"} and name in report["message"]
        if facts["verdict"] == "encrypted":
            assert report["reason"] == "encrypted", name


def test_signed_pdfs_are_stored_unchanged(corpus_run):
    data, _done = corpus_run
    results = _objects(data, "results")
    signed = [n for n, f in EXPECTED.items() if f.get("signatures")]
    assert len(signed) > 30
    for name in signed:
        path = next((CONFORMANCE / "pdf").rglob(name))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest in results, name  # byte for byte: the same hash
