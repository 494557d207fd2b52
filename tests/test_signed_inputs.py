"""Issue 13, finding 3: a signed input is verified before anything is decided. Through the
real ``sohoa`` CLI, real pyHanko signatures (the data folder's own development key, and a
stranger's), a real SQLite warehouse; poppler's pdfsig as a second opinion on the tampering."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from pipeline.signatures.signing import load_signer, make_dev_pki, sign_pdf
from schemas.settings import load_settings
from storage.indicator_facts import load_facts
from storage.warehouse import Warehouse
from tests.pki_support import pdfsig
from tests.test_digitise_e2e import AGENCY, sohoa, warehouse
from tests.test_signing import tiny_pdf
from workers.signing.process_key import ensure_signing_key

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.astimezone(dt.timezone(dt.timedelta(hours=7))).date().isoformat()  # in Vietnam


def _tampered(signed: bytes) -> bytes:
    data = bytearray(signed)
    data[signed.index(b"Hello sohoa")] ^= 0x20  # inside the signed byte range
    return bytes(data)


def _garbled(signed: bytes) -> bytes:
    """The CMS in /Contents replaced by junk of the same length: unparsable."""
    found = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", signed)
    assert found
    junk = (b"0badc0de" * len(found.group(1)))[: len(found.group(1))]
    return signed[: found.start(1)] + junk + signed[found.end(1) :]


def _dossier(inbox: Path, number: int, pdf: bytes) -> Path:
    folder = inbox / f"ho-so-{number}"
    folder.mkdir(parents=True)
    (folder / "ket-qua.pdf").write_bytes(pdf)
    manifest = {
        "dossier_code": f"{AGENCY}-240315-{number:04d}",
        "agency": AGENCY,
        "received_date": TODAY,  # the report's default period: this year
        "documents": [{"name": "ket-qua", "role": "result", "files": ["ket-qua.pdf"]}],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """case -> (exit code, stdout) of one `sohoa digitise` per dossier, in one data folder."""
    root = tmp_path_factory.mktemp("signed")
    data = root / "data"
    ours = ensure_signing_key(load_settings({}, data=data), now=NOW)  # this installation's key
    trusted = sign_pdf(tiny_pdf(), load_signer(ours.pkcs12, ours.password, now=NOW))
    stranger = make_dev_pki(NOW)
    untrusted = sign_pdf(
        tiny_pdf(b"Hello stranger"), load_signer(stranger.pkcs12, stranger.password, now=NOW)
    )
    made = {
        "trusted": trusted,
        "tampered": _tampered(trusted),
        "untrusted": untrusted,
        "garbled": _garbled(trusted),
    }
    runs = {}
    for number, (case, pdf) in enumerate(made.items(), 1):
        folder = _dossier(root / "inbox", number, pdf)
        done = sohoa("digitise", str(folder), data=data)
        runs[case] = (done.returncode, done.stdout + done.stderr, f"{AGENCY}-240315-{number:04d}")
    return data, made, runs


def _document(data: Path, code: str):
    return (
        warehouse(data)
        .execute(
            "SELECT d.* FROM documents d JOIN dossiers s ON s.id = d.dossier_id WHERE s.code = ?",
            (code,),
        )
        .fetchone()
    )


def _electronic(data: Path) -> dict[str, bool]:
    facts = load_facts(Warehouse.open(f"sqlite:///{data / 'warehouse.sqlite'}"))
    return {f.code: f.electronic_result for f in facts}


def _awaiting(data: Path) -> int:
    done = sohoa("report", "--format", "json", data=data)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)["operational"]["signatures_awaiting_acceptance"]


def test_a_trusted_signed_result_is_kept_as_it_is_and_counts(cases):
    data, made, runs = cases
    code, out, dossier = runs["trusted"]
    assert code == 0, out
    row = _document(data, dossier)
    assert row["status"] == "digitised" and row["error_reason"] is None
    assert (data / "objects" / row["result_key"]).read_bytes() == made["trusted"]
    assert _electronic(data)[dossier] is True


@pytest.mark.parametrize("case", ["tampered", "garbled"])
def test_a_failing_signature_is_quarantined_with_the_verifiers_words(cases, case, tmp_path):
    data, made, runs = cases
    code, out, dossier = runs[case]
    assert code == 7, out
    row = _document(data, dossier)
    assert (row["status"], row["error_reason"]) == ("quarantined", "signature-failed")
    assert "TOTAL_FAILED" in row["error"] or "cannot" in row["error"], row["error"]
    if case == "tampered":
        assert "HASH_FAILURE" in row["error"]
        (tmp_path / "t.pdf").write_bytes(made[case])  # poppler agrees that it was changed
        assert "Digest Mismatch" in pdfsig(tmp_path / "t.pdf")
    (key,) = [i["quarantine_key"] for i in json.loads(row["inputs"])]
    assert key.startswith(f"quarantine/signature-failed/{AGENCY}/{dossier}/")
    assert (data / "objects" / key).read_bytes() == made[case]
    report = json.loads((data / "objects" / (key + ".error.json")).read_text())
    assert report["reason"] == "signature-failed" and report["message"] == row["error"]
    assert not list((data / "objects").glob(f"results/*/*/{dossier}/*"))
    assert _electronic(data)[dossier] is False


def test_an_untrusted_signature_is_kept_flagged_and_counts_only_once_accepted(cases):
    data, made, runs = cases
    code, out, dossier = runs["untrusted"]
    assert code == 0, out
    assert "signature-unconfirmed" in out and "INDETERMINATE" in out
    row = _document(data, dossier)
    assert (row["status"], row["error_reason"]) == ("digitised", "signature-unconfirmed")
    assert "INDETERMINATE" in row["error"]
    assert (data / "objects" / row["result_key"]).read_bytes() == made["untrusted"]
    assert _electronic(data)[dossier] is False
    assert _awaiting(data) == 1

    listed = sohoa("accept", "--list", data=data)
    assert listed.returncode == 0 and dossier in listed.stdout
    assert sohoa("accept", dossier, "ket-qua", data=data).returncode == 2  # nobody named
    accepted = sohoa(
        "accept",
        dossier,
        "ket-qua",
        "--by",
        "Nguyễn Văn A, văn thư",
        "--note",
        "gọi xác minh",
        data=data,
    )
    assert accepted.returncode == 0, accepted.stdout
    assert _electronic(data)[dossier] is True
    assert _awaiting(data) == 0
    history = sohoa("audit", dossier, data=data).stdout
    assert "accepted" in history and "Nguyễn Văn A" in history
    assert sohoa("accept", dossier, "ket-qua", "--by", "x", data=data).returncode == 1
