"""Every file of tests/data/conformance (pyHanko's signed test files) through
``sohoa digitise``: each one is either processed or quarantined with a reason; none is lost,
none crashes the run, and no PDF that carries signatures is rewritten."""

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
    quarantined = _objects(data, "quarantine")
    for name, facts in EXPECTED.items():
        if facts.get("verdict") not in {"encrypted", "unreadable"}:
            continue
        path = next((CONFORMANCE / "pdf").rglob(name))
        kept = quarantined.get(hashlib.sha256(path.read_bytes()).hexdigest())
        assert kept, name
        report = json.loads(Path(str(kept[0]) + ".error.json").read_text())
        # pypdf finds a filled signature field in some that pyHanko cannot read: those are
        # signed inputs whose signature cannot be verified, quarantined as such
        assert report["reason"] in {"encrypted", "corrupt", "signature-failed"}, name
        assert Path(name).name in report["message"]
        if facts["verdict"] == "encrypted":
            assert report["reason"] == "encrypted", name


def test_signed_pdfs_are_stored_unchanged_or_quarantined_by_their_verdict(corpus_run):
    """Never rewritten: kept byte for byte, or (the signature fails) quarantined as
    ``signature-failed`` with the verifier's words."""
    data, _done = corpus_run
    results, quarantined = _objects(data, "results"), _objects(data, "quarantine")
    signed = [n for n, f in EXPECTED.items() if f.get("signatures")]
    assert len(signed) > 30
    outcomes = {"kept": 0, "signature-failed": 0}
    for name in signed:
        path = next((CONFORMANCE / "pdf").rglob(name))
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in results:  # byte for byte: the same hash
            outcomes["kept"] += 1
            continue
        (kept,) = quarantined[digest]
        report = json.loads(Path(str(kept) + ".error.json").read_text())
        assert report["reason"] == "signature-failed", name
        assert "TOTAL_FAILED" in report["message"] or "read" in report["message"], report
        outcomes["signature-failed"] += 1
    assert outcomes["kept"] and outcomes["signature-failed"], outcomes
