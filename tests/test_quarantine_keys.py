"""Issue 13, finding 1: quarantine never overwrites a rejected file, and fixity checks every
key the warehouse names. Through the real ``sohoa`` CLI, a real file store and SQLite."""

from __future__ import annotations

import hashlib
import json
import unicodedata

from tests.test_digitise_e2e import sohoa, warehouse


def _quarantined(data):
    root = data / "objects" / "quarantine"
    files = [p for p in root.rglob("*") if p.is_file() and ".error" not in p.name]
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in files}


def test_two_lone_files_of_one_name_dropped_on_two_days_keep_both(tmp_path):
    first, second = b"%PDF-1.7 first scan, broken", b"%PDF-1.7 second scan, also broken"
    data, inbox = tmp_path / "data", tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "scan.pdf").write_bytes(first)
    assert sohoa("digitise", str(inbox / "scan.pdf"), data=data).returncode == 7
    (inbox / "scan.pdf").write_bytes(second)  # the next day, another lone scan.pdf
    assert sohoa("digitise", str(inbox / "scan.pdf"), data=data).returncode == 7
    (inbox / "scan.pdf").write_bytes(first)  # and the first again: nothing new to keep
    assert sohoa("digitise", str(inbox / "scan.pdf"), data=data).returncode == 7

    kept = _quarantined(data)
    assert {k: p.read_bytes() for k, p in kept.items()} == {
        hashlib.sha256(first).hexdigest(): first,
        hashlib.sha256(second).hexdigest(): second,
    }
    for digest, path in kept.items():
        assert digest in path.parts  # the key holds the content hash
    reports = sorted(p.name for p in (data / "objects" / "quarantine").rglob("*.json"))
    assert reports == ["scan.pdf.error.2.json", "scan.pdf.error.json", "scan.pdf.error.json"]

    rows = warehouse(data).execute("SELECT inputs FROM documents").fetchall()
    named = {(i["quarantine_key"], i["sha256"]) for r in rows for i in json.loads(r["inputs"])}
    assert len({key for key, _ in named}) == len(named) == 2  # one hash per key
    fixity = sohoa("fixity", data=data)
    assert fixity.returncode == 0, fixity.stdout
    assert "objects checked, 0 problems" in fixity.stdout
    assert not fixity.stdout.startswith("0 objects")

    next(iter(kept.values())).write_bytes(b"changed in quarantine")
    assert sohoa("fixity", data=data).returncode == 9  # quarantined bytes are checked too


def test_names_that_make_one_segment_do_not_collapse(tmp_path):
    """A control character, a trailing space, NFC and NFD: four files, four keys."""
    data, folder = tmp_path / "data", tmp_path / "ho-so-ten-la"
    folder.mkdir()
    names = [
        unicodedata.normalize("NFC", "hồ sơ.pdf"),
        unicodedata.normalize("NFD", "hồ sơ.pdf"),
        "hồ sơ\x07.pdf",
        "hồ sơ.pdf ",
    ]
    for i, name in enumerate(names):
        (folder / name).write_bytes(b"%%PDF-1.7 broken copy %d" % i)
    if len(list(folder.iterdir())) < len(names):  # a file system that normalises names
        names = [p.name for p in folder.iterdir()]
    done = sohoa("digitise", str(folder), data=data)
    assert done.returncode == 7, done.stdout + done.stderr
    kept = _quarantined(data)
    assert len(kept) == len(names)
    assert {p.read_bytes() for p in kept.values()} == {p.read_bytes() for p in folder.iterdir()}
    assert (
        sohoa("fixity", data=data)
        .stdout.strip()
        .endswith(f"{len(names)} objects checked, 0 problems")
    )
