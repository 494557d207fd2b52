"""Hostile inputs through the real ``sohoa`` CLI (issue 13): every limit is checked before the
thing it bounds is read, each dossier's failure stays its own, intake reads regular files
inside the dossier folder only. Each case is built here; each run has a timeout, and where
memory is the point the peak of the whole process tree is compared with a plain run's."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests import hostile
from tests.distributed import page
from tests.hostile import Run, sohoa

AGENCY = "000.17.22.H56"
MEMORY_HEADROOM_MB = 300  # above the plain run's peak


def digitise(inbox: Path, data: Path, **kw) -> Run:
    return sohoa(
        "digitise", str(inbox), "--jobs", "1", "--agency", AGENCY, "--data", str(data), **kw
    )


def rows(data: Path) -> dict[str, list[sqlite3.Row]]:
    """Documents by dossier code."""
    db = sqlite3.connect(data / "warehouse.sqlite")
    db.row_factory = sqlite3.Row
    found: dict[str, list[sqlite3.Row]] = {}
    query = (
        "SELECT d.code, d.status AS dossier_status, d.source, doc.* FROM documents doc"
        " JOIN dossiers d ON d.id = doc.dossier_id"
    )
    for row in db.execute(query):
        found.setdefault(row["code"], []).append(row)
    return found


def outcome(found: dict[str, list[sqlite3.Row]], code: str) -> tuple[str, str | None]:
    (row,) = found[code]
    return row["status"], row["error_reason"]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> float:
    """Peak memory of a run that has nothing to do: the pool, the key, the warehouse."""
    root = tmp_path_factory.mktemp("plain")
    (root / "empty").mkdir()
    run = digitise(root / "empty", root / "data", timeout=120)
    assert run.exit_code == 0, run.stderr
    return run.peak_mb


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, Path, Run]:
    """One batch: two good pages and every hostile input, each in a dossier of its own."""
    root = tmp_path_factory.mktemp("hostile")
    inbox = root / "inbox"
    good, build = hostile.good_page(), hostile.folder
    build(inbox, "tot", {"trang.png": good})
    big = build(inbox, "lon", {})
    hostile.big_sparse_file(big / "lon.pdf", 300 * 1024 * 1024)  # over the 256 MB limit
    build(inbox, "chu-ky", {"ky.pdf": hostile.signed_looking_pdf(4_000_000)})
    build(inbox, "trang-to", {"to.pdf": hostile.pdf_of_pages((5000, 5000), (5000, 5000))})
    build(inbox, "hop-lon", {"a.pdf": hostile.pdf_of_pages((1e8, 1e8))})
    build(inbox, "hop-am", {"a.pdf": hostile.pdf_of_pages((-5000, -5000))})
    build(inbox, "hop-0", {"a.pdf": hostile.pdf_of_pages((0, 842))})
    build(inbox, "tiff", {"nho.tif": hostile.tiny_page_tiff(2000)})
    deep = {"manifest.json": hostile.deep_json(100_000), "p.png": b"\x89PNG sau"}
    build(inbox, "json-sau", deep)
    digits = b'{"documents": [{"files": ["p.png"], "page": ' + b"9" * 5000 + b"}]}"
    build(inbox, "so-dai", {"manifest.json": digits, "p.png": b"\x89PNG so"})
    hidden = {"manifest.json": hostile.manifest(documents=[{"files": [".an.png"]}])}
    build(inbox, "tep-an", {**hidden, ".an.png": good, "p.png": b"\x89PNG an"})
    build(inbox, "tai-dung", {"manifest.json": hostile.reused_documents(200_000)})
    build(inbox, "nhieu", {"manifest.json": hostile.reused_documents(2_000)})
    links = build(inbox, "lien-ket", {})
    (links / "passwd.png").symlink_to("/etc/passwd")
    (links / "ngoai").symlink_to("/etc")
    os.mkfifo(links / "ong.pdf")
    build(inbox, "ten-dai", {"x" * 247 + ".png": b"not a scan, a long name"})
    weird = build(inbox, "ten-la", {})
    (weird / os.fsdecode(b"gi\xe1y m\xf5i.png")).write_bytes(page("Giấy mời họp"))
    top = hostile.nested_folders(inbox, 1200)
    data = root / "data"
    try:
        run = digitise(inbox, data, timeout=300)
    finally:
        hostile.remove_nested(top)
    return inbox, data, run


def test_the_batch_ends_with_a_summary_and_memory_bounded(batch, baseline) -> None:
    _inbox, data, run = batch
    assert run.exit_code is not None, "killed at the timeout"
    assert "sohoa digitise" in run.stdout and "digitised" in run.stdout, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    found = rows(data)
    failed = any(r["status"] == "failed" for docs in found.values() for r in docs)
    assert run.exit_code == (1 if failed else 7)
    assert outcome(found, "tot") == ("digitised", None)
    assert run.peak_mb - baseline <= MEMORY_HEADROOM_MB, (run.peak_mb, baseline)


@pytest.mark.parametrize(
    ("code", "reason", "words"),
    [
        ("lon", "too-large", "314572800 bytes is over the limit"),
        ("chu-ky", "too-large", "hex string"),
        ("trang-to", "too-large", "at 300 dpi, over the limit"),
        ("hop-lon", "too-large", "over PDF's 14400 pt a side"),
        ("hop-am", "too-large", "at 300 dpi, over the limit"),
        ("hop-0", "corrupt", "not a rectangle with an area"),
        ("tiff", "empty", "1x1 pixels"),
        ("json-sau", "invalid-manifest", "nested"),
        ("so-dai", "invalid-manifest", "not valid JSON"),
        ("tep-an", "invalid-manifest", "hidden files are not read"),
        ("tai-dung", "too-large", "over the manifest limit"),
        ("nhieu", "invalid-manifest", "2000 entries, over the limit of 1000"),
        ("a", "unsupported", None),  # the bottom of 1,200 nested folders
    ],
)
def test_each_hostile_input_is_quarantined_with_its_reason(batch, code, reason, words) -> None:
    _inbox, data, _run = batch
    found = rows(data)
    statuses = {(r["status"], r["error_reason"]) for r in found[code]}
    assert statuses == {("quarantined", reason)}
    if words:
        assert all(words in r["error"] for r in found[code]), [r["error"] for r in found[code]]
    for row in found[code]:  # every byte kept, and the reason beside it
        for entry in json.loads(row["inputs"]):
            assert (data / "objects" / entry["quarantine_key"]).is_file()


def test_links_leaving_the_folder_and_fifos_are_never_read(batch) -> None:
    _inbox, data, _run = batch
    found = {r["name"]: r for r in rows(data)["lien-ket"]}
    assert (found["passwd"]["status"], found["passwd"]["error_reason"]) == (
        "quarantined",
        "link-outside",
    )
    assert "/etc/passwd" in found["passwd"]["error"]
    assert found["ngoai"]["error_reason"] == "link-outside"
    assert (found["ong"]["status"], found["ong"]["error_reason"]) == ("quarantined", "not-a-file")
    secret = Path("/etc/passwd").read_bytes()
    for stored in (data / "objects").rglob("*"):
        assert not stored.is_file() or secret not in stored.read_bytes(), stored


def test_a_name_too_long_for_a_report_key_stays_within_its_dossier(batch) -> None:
    _inbox, data, _run = batch
    (row,) = rows(data)["ten-dai"]
    assert row["status"] in {"quarantined", "failed"} and row["error_reason"], dict(row)
    assert row["dossier_status"] in {"quarantined", "failed"}


def test_a_file_name_that_is_not_utf8_is_digitised_and_recorded(batch) -> None:
    _inbox, data, _run = batch
    (row,) = rows(data)["ten-la"]
    assert row["status"] == "digitised", dict(row)
    assert '"gi\\\\xe1y m\\\\xf5i.png"' in row["inputs"]  # the bytes, written \xNN
    sidecar = data / "objects" / row["result_key"].removesuffix(".pdf")
    assert Path(f"{sidecar}.json").is_file()


def test_a_store_that_refuses_quarantine_fails_the_document_not_the_batch(tmp_path) -> None:
    inbox = tmp_path / "inbox"
    hostile.folder(inbox, "loi", {"rong.png": b""})
    hostile.folder(inbox, "tot", {"trang.png": hostile.good_page()})
    data = tmp_path / "data"
    (data / "objects").mkdir(parents=True)
    (data / "objects" / "quarantine").write_bytes(b"a file where a folder should be")
    run = digitise(inbox, data, timeout=300)
    assert run.exit_code == 1, run.stderr[-2000:]
    assert "sohoa digitise" in run.stdout and "Traceback" not in run.stderr
    found = rows(data)
    assert outcome(found, "tot") == ("digitised", None)
    status, reason = outcome(found, "loi")
    assert (status, reason) == ("failed", "storage-unavailable")
    assert "empty" in found["loi"][0]["error"]  # why it was to be quarantined is kept


def test_the_data_folder_inside_the_input_is_refused(tmp_path) -> None:
    scans = tmp_path / "scans"
    hostile.folder(scans, "ho-so", {"trang.png": b"\x89PNG"})
    run = sohoa("digitise", ".", cwd=scans, timeout=120)  # the default data: ./sohoa-data
    assert run.exit_code == 8, run.stderr
    assert "is inside the input folder" in run.stderr and "--data" in run.stderr
    assert not (scans / "sohoa-data").exists()


def test_too_many_ocr_processes_are_refused() -> None:
    run = sohoa("digitise", ".", env={"SOHOA_JOBS": "100000"}, timeout=120)
    assert run.exit_code == 8 and "SOHOA_JOBS" in run.stderr, run.stderr


def test_verify_never_opens_a_fifo_nor_parses_a_giant_signature(tmp_path, baseline) -> None:
    os.mkfifo(tmp_path / "ong.pdf")
    (tmp_path / "ky.pdf").write_bytes(hostile.signed_looking_pdf(4_000_000))
    top = hostile.nested_folders(tmp_path / "sau", 1200)
    (top.parent / "sau" / "x.pdf").write_bytes(b"")
    try:
        run = sohoa(
            "verify", str(tmp_path), "--json", "--data", str(tmp_path / "data"), timeout=120
        )
    finally:
        hostile.remove_nested(top)
    assert run.exit_code == 5, run.stderr  # UNREADABLE, never INTERNAL (70)
    reports = {Path(r["file"]).name: r for r in json.loads(run.stdout)["reports"]}
    assert "not a regular file" in reports["ong.pdf"]["detail"]
    assert "hex string" in reports["ky.pdf"]["detail"]
    assert reports["x.pdf"]["status"] == "unreadable"
    assert run.peak_mb - baseline <= MEMORY_HEADROOM_MB
