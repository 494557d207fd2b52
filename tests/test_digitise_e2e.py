"""End to end through the real ``sohoa`` CLI: real Tesseract, real signatures checked by
poppler's pdfsig, a real SQLite warehouse and file store. Small pages, few of them."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from schemas.results import Sidecar
from storage.indicator_facts import load_facts
from storage.warehouse import Warehouse
from tests.conftest import encode, text_image

HEADER = [
    "UBND TỈNH ĐỒNG NAI",
    "SỞ TƯ PHÁP",
    "",
    "Số: 05/2024/QĐ-UBND",
    "Biên Hòa, ngày 05 tháng 02 năm 2024",
    "",
    "QUYẾT ĐỊNH",
    "Về việc ban hành quy chế làm việc",
    "",
    "Căn cứ Luật Tổ chức chính quyền địa phương;",
    "Xét đề nghị của Giám đốc Sở Tư pháp về việc tập trung số hóa hồ sơ.",
]
AGENCY = "000.17.22.H56"


def sohoa(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "workers.cli", *args, "--data", str(data)]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "SOHOA_LANG": "en"},  # read in English
    )


def warehouse(data: Path) -> sqlite3.Connection:
    db = sqlite3.connect(data / "warehouse.sqlite")
    db.row_factory = sqlite3.Row
    return db


@pytest.fixture(scope="module")
def run(tmp_path_factory, bad_inputs):
    """One digitise run over a dossier with a manifest, loose files and every bad input."""
    root = tmp_path_factory.mktemp("e2e")
    dossier = root / "inbox" / "ho-so-1"
    dossier.mkdir(parents=True)
    upright = text_image(HEADER)
    encode(upright, "PNG") and (dossier / "trang-1.png").write_bytes(encode(upright, "PNG"))
    skewed = upright.rotate(-2.0, expand=True, fillcolor="white", resample=Image.BICUBIC)
    skewed.info["dpi"] = (150, 150)
    (dossier / "nghieng.jpg").write_bytes(encode(skewed, "JPEG", quality=80))
    turned = upright.transpose(Image.Transpose.ROTATE_90)
    turned.info["dpi"] = (150, 150)
    (dossier / "xoay.png").write_bytes(encode(turned, "PNG"))
    manifest = {
        "dossier_code": "000.17.22.H56-240315-0001",
        "agency": AGENCY,
        "received_date": "2024-03-15",
        "documents": [
            {
                "name": "quyet-dinh",
                "role": "result",
                "files": ["trang-1.png"],
                "metadata": {"subject": "Về việc ban hành quy chế làm việc của Sở"},
            },
            {"name": "cccd", "reused": True, "reused_from": "000.17.22.H56-230101-0009/cccd"},
        ],
    }
    (dossier / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    bad = root / "inbox" / "loi"
    bad.mkdir()
    for name, (data, _reason) in bad_inputs.items():
        (bad / name).write_bytes(data)
    data = root / "data"
    _earlier_result(data, "000.17.22.H56-230101-0009", "cccd")  # what "cccd" was reused from
    first = sohoa("digitise", str(root / "inbox"), "--jobs", "2", "--agency", AGENCY, data=data)
    second = sohoa("digitise", str(root / "inbox"), "--jobs", "2", "--agency", AGENCY, data=data)
    return root, data, first, second


def _earlier_result(data: Path, code: str, name: str) -> None:
    """A document digitised before (by an earlier version): reuse must name one that exists."""
    earlier = Warehouse.open(f"sqlite:///{data / 'warehouse.sqlite'}")
    dossier_id = earlier.ensure_dossier(AGENCY, code, source="earlier")
    earlier.record_document(
        dossier_id,
        name=name,
        input_sha256="e" * 64,
        pipeline_version="0.0-earlier",
        inputs=[],
        status="digitised",
        result_key=f"results/{AGENCY}/2023/{code}/{name}.v1.pdf",
        result_version=1,
    )
    earlier.engine.dispose()


def results(data: Path) -> list[Path]:
    return sorted((data / "objects" / "results").rglob("*.pdf"))


def test_exit_code_says_inputs_were_rejected(run):
    _root, _data, first, _second = run
    assert first.returncode == 7, first.stdout + first.stderr
    assert "Traceback" not in first.stderr


def test_every_good_document_has_a_signed_searchable_result(run):
    _root, data, _first, _second = run
    pdfs = results(data)
    assert [p.name for p in pdfs] == ["nghieng.v1.pdf", "quyet-dinh.v1.pdf", "xoay.v1.pdf"]
    for pdf in pdfs:
        assert "/2024/000.17.22.H56-240315-0001/" in pdf.as_posix()
        sig = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
        assert "Signature is Valid." in sig and "ETSI.CAdES.detached" in sig
        assert "Total document signed" in sig
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Biên Hòa" in text and "QUYẾT ĐỊNH" in text, (pdf.name, text)
        assert "tập trung số hóa hồ sơ" in text


def test_sidecars_validate_and_tell_what_happened(run):
    _root, data, _first, _second = run
    sidecars = {
        p.stem: Sidecar.model_validate_json(p.read_text())
        for p in (data / "objects" / "results").rglob("*.json")
    }
    assert set(sidecars) == {"nghieng.v1", "quyet-dinh.v1", "xoay.v1"}
    turned, skewed, manifest = (
        sidecars["xoay.v1"],
        sidecars["nghieng.v1"],
        sidecars["quyet-dinh.v1"],
    )
    assert turned.pages[0].rotation == 90
    assert 1.5 <= abs(skewed.pages[0].skew) <= 2.5
    for car in sidecars.values():
        assert car.verification.ok and car.result_was_rewritten
        assert car.metadata.code_notation == "2024/QĐ-UBND"
        assert str(car.metadata.issued_date) == "2024-02-05"
        assert car.metadata.type_name == "QUYẾT ĐỊNH"
        assert car.mean_confidence and car.mean_confidence > 70
        assert set(car.stage_seconds) >= {"inspect", "ocr", "extract", "assemble", "sign", "verify"}
        record = car.archival.model_dump(mode="json")  # under Circular 02/2019's names
        assert record["FileCode"] == "000.17.22.H56-240315-0001" and record["PageAmount"] == 1
        assert (record["CodeNumber"], record["TypeName"]) == ("05", "QUYẾT ĐỊNH")
    ordinals = sorted(car.archival.doc_ordinal for car in sidecars.values())
    assert len(set(ordinals)) == 3 and ordinals[0] >= 1  # each document its place in the dossier
    written = (data / "objects" / manifest.result_key).with_suffix(".json").read_text()
    assert '"DocOrdinal"' in written and '"doc_ordinal"' not in written
    assert manifest.metadata.subject == "Về việc ban hành quy chế làm việc của Sở"
    assert manifest.metadata.sources["subject"] == "manifest"
    reader = PdfReader(data / "objects" / manifest.result_key)
    assert reader.metadata.title == "QUYẾT ĐỊNH 05/2024/QĐ-UBND"
    assert reader.xmp_metadata.dc_identifier == "05/2024/QĐ-UBND"


def test_originals_are_stored_byte_for_byte(run):
    root, data, _first, _second = run
    for source in (root / "inbox" / "ho-so-1").glob("*.*"):
        if source.name == "manifest.json":
            continue
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        stored = list((data / "objects" / "originals").rglob(f"{digest}.*"))
        assert len(stored) == 1 and stored[0].read_bytes() == source.read_bytes()


def test_a_jpeg_scan_is_embedded_as_scanned_and_turned_by_the_page(run):
    root, data, _first, _second = run
    jpeg = (root / "inbox" / "ho-so-1" / "nghieng.jpg").read_bytes()
    (result,) = [p for p in results(data) if p.name == "nghieng.v1.pdf"]
    (page,) = PdfReader(result).pages
    (image,) = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert image["/Filter"] == "/DCTDecode" and image.get_data() == jpeg  # no re-encoding
    png = (root / "inbox" / "ho-so-1" / "xoay.png").read_bytes()
    (result,) = [p for p in results(data) if p.name == "xoay.v1.pdf"]
    (page,) = PdfReader(result).pages
    (image,) = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert image["/Filter"] == "/DCTDecode"  # a PNG is encoded once, never resampled
    assert (image["/Width"], image["/Height"]) == Image.open(io.BytesIO(png)).size


def test_every_bad_input_is_quarantined_with_its_reason(run, bad_inputs):
    _root, data, first, _second = run
    quarantine = data / "objects" / "quarantine"
    for name, (payload, reason) in bad_inputs.items():
        digest = hashlib.sha256(payload).hexdigest()
        kept = list(quarantine.glob(f"{reason}/{AGENCY}/loi/{digest}/{name}"))
        assert len(kept) == 1 and kept[0].read_bytes() == payload, name
        report = json.loads(Path(str(kept[0]) + ".error.json").read_text())
        assert report["reason"] == reason and report["file"] == name
        assert name in report["message"]
        assert name in first.stdout


def test_warehouse_rows_per_dossier_document_and_stage(run, bad_inputs):
    _root, data, _first, _second = run
    db = warehouse(data)
    dossiers = {
        r["code"]: r["status"]
        for r in db.execute("select * from dossiers where source != 'earlier'")
    }
    assert dossiers == {"000.17.22.H56-240315-0001": "digitised", "loi": "quarantined"}
    docs = db.execute("select * from documents where pipeline_version != '0.0-earlier'").fetchall()
    by_status = {}
    for doc in docs:
        by_status.setdefault(doc["status"], []).append(doc)
    assert len(by_status["digitised"]) == 3 and len(by_status["quarantined"]) == len(bad_inputs)
    for doc in by_status["digitised"]:
        assert doc["page_count"] == 1 and doc["mean_confidence"] > 70
        assert json.loads(doc["signature"])["signatures"][0]["indication"] == "TOTAL_PASSED"
        assert len(doc["result_sha256"]) == 64
        stored = data / "objects" / doc["result_key"]
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == doc["result_sha256"]
        stages = {
            e["stage"]
            for e in db.execute("select stage from events where document_id=?", (doc["id"],))
        }
        assert stages >= {
            "inspect",
            "store-originals",
            "ocr",
            "extract",
            "assemble",
            "sign",
            "verify",
            "store-result",
        }


def test_manifest_roles_and_reuse_are_recorded_for_the_indicators(run):
    _root, data, first, second = run
    db = warehouse(data)
    rows = db.execute(
        "select d.name, d.role, d.status, d.reused_from, d.result_key from documents d"
        " join dossiers s on s.id = d.dossier_id where s.code = '000.17.22.H56-240315-0001'"
    ).fetchall()
    by_name = {r["name"]: tuple(r)[1:] for r in rows}
    assert len(rows) == len(by_name) == 4  # the second run added no row
    assert by_name["quyet-dinh"][:3] == ("result", "digitised", None)
    assert by_name["cccd"] == ("component", "reused", "000.17.22.H56-230101-0009/cccd", None)
    assert by_name["xoay"][:3] == ("component", "digitised", None)
    assert "recorded as reused" in first.stdout and "recorded as reused" in second.stdout
    facts = {
        f.code: f for f in load_facts(Warehouse.open(f"sqlite:///{data / 'warehouse.sqlite'}"))
    }
    dossier = facts["000.17.22.H56-240315-0001"]
    # three scanned components and one reused one, all digitised; the result was signed
    assert (dossier.components, dossier.components_digitised, dossier.components_reused) == (
        3,
        3,
        1,
    )
    assert dossier.electronic_result


def test_second_run_digitises_nothing_again(run):
    _root, data, first, second = run
    assert second.returncode == 7
    table, totals = second.stdout.rstrip().rsplit("\n", 1)  # the rows, then the counts
    assert table.count("already digitised") == 3 and totals.startswith("3 already digitised")
    assert len(results(data)) == 3
    db = warehouse(data)
    digitised = "select count(*) from documents where status='digitised' and pipeline_version != ?"
    assert db.execute(digitised, ("0.0-earlier",)).fetchone()[0] == 3


def test_a_signed_pdf_is_kept_unchanged_and_verified(run, tmp_path):
    _root, data, _first, _second = run
    signed = results(data)[0]
    inbox = tmp_path / "ky-so"
    inbox.mkdir()
    copy = inbox / "da-ky.pdf"
    copy.write_bytes(signed.read_bytes() + b"")
    # Different bytes (one trailing newline) so it is not a duplicate of our own result.
    copy.write_bytes(signed.read_bytes() + b"\n")
    done = sohoa("digitise", str(inbox), data=data)
    assert done.returncode == 0, done.stdout + done.stderr
    kept = [p for p in results(data) if "/ky-so/" in p.as_posix()]
    assert len(kept) == 1 and kept[0].read_bytes() == copy.read_bytes()
    car = Sidecar.model_validate_json(kept[0].with_suffix(".json").read_text())
    assert not car.result_was_rewritten and car.verification.signatures
    assert "Biên Hòa" in car.pages[0].text


def test_pdf_pages_with_a_text_layer_are_kept_and_the_others_ocred(run, tmp_path):
    _root, data, _first, _second = run
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(results(data)[0]).pages[0])  # has Tesseract's text layer
    scan = io.BytesIO()
    text_image(["GIẤY MỜI", "Kính mời đồng chí dự họp về chuyển đổi số"]).save(
        scan, "PDF", resolution=150.0
    )
    writer.append(PdfReader(io.BytesIO(scan.getvalue())))
    inbox = tmp_path / "hon-hop"
    inbox.mkdir()
    with open(inbox / "hai-trang.pdf", "wb") as handle:
        writer.write(handle)
    done = sohoa("digitise", str(inbox), data=data)
    assert done.returncode == 0, done.stdout + done.stderr
    result = next(p for p in results(data) if "/hon-hop/" in p.as_posix())
    car = Sidecar.model_validate_json(result.with_suffix(".json").read_text())
    assert [p.source for p in car.pages] == ["text-layer", "ocr"]
    assert "Biên Hòa" in car.pages[0].text and "chuyển đổi số" in car.pages[1].text
    assert len(PdfReader(result).pages) == 2 and car.verification.ok


def test_the_same_scan_in_another_dossier_is_that_dossiers_own_document(run, tmp_path):
    root, data, _first, _second = run
    inbox = tmp_path / "ban-sao"
    inbox.mkdir()
    scan = (root / "inbox" / "ho-so-1" / "trang-1.png").read_bytes()
    (inbox / "trang-1.png").write_bytes(scan)
    done = sohoa("digitise", str(inbox), data=data)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "already digitised" not in done.stdout
    db = warehouse(data)
    sha = hashlib.sha256(scan).hexdigest()
    rows = db.execute(
        "select d.id, d.status, d.duplicate_of, d.result_key, s.code, s.status as dossier"
        " from documents d join dossiers s on s.id = d.dossier_id"
        " where d.input_sha256 = ? order by d.id",
        (sha,),
    ).fetchall()
    assert [(r["code"], r["status"], r["dossier"]) for r in rows] == [
        ("000.17.22.H56-240315-0001", "digitised", "digitised"),
        ("ban-sao", "digitised", "digitised"),
    ]
    assert rows[1]["duplicate_of"] == rows[0]["id"] and "/ban-sao/" in rows[1]["result_key"]
    check = sohoa("audit", "--check", data=data)
    assert check.returncode == 0 and "0 problems" in check.stdout, check.stdout
