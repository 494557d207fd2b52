"""``sohoa verify``: --at, --trust-dir, --allow-fetch, --json against its schema, batches over a
folder and an object-store prefix, exit codes that fail closed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.signatures.signing import load_signer, make_dev_pki, sign_pdf
from schemas.errors import ExitCode
from schemas.signing import SigningLevel
from schemas.verification import VerifyOutput, output_json_schema
from storage.places import open_store
from tests.cli_harness import cli
from tests.conftest import REPO
from tests.pki_support import Served, served_pki_fixture  # noqa: F401 - served_pki
from tests.test_signing import tiny_pdf

NOW = dt.datetime.now(dt.UTC)
SCHEMA_FILE = REPO / "schemas" / "verify-output.schema.json"


def test_the_json_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == output_json_schema(), (
        "regenerate: python -m schemas.verification > schemas/verify-output.schema.json"
    )


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    return cli(monkeypatch, "verify")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, served_pki: Served) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("verify")
    dev = make_dev_pki(NOW)
    (root / "trust").mkdir()
    (root / "trust" / "dev-ca.pem").write_bytes(dev.ca_cert_pem)
    (root / "trust" / "README.txt").write_text("not a certificate, ignored")
    batch = root / "batch"
    (batch / "sub").mkdir(parents=True)
    signed = sign_pdf(tiny_pdf(), load_signer(dev.pkcs12, dev.password, now=NOW))
    (batch / "signed.pdf").write_bytes(signed)
    (batch / "sub" / "unsigned.pdf").write_bytes(tiny_pdf())
    (batch / "notes.txt").write_text("skipped: not a PDF")
    b_t = sign_pdf(tiny_pdf(), served_pki.signer(), profile=served_pki.profile(SigningLevel.B_T))
    (root / "b-t.pdf").write_bytes(b_t)
    (root / "test-root.pem").write_bytes(served_pki.pki.cert_pem("root"))
    return {
        "root": root,
        "trust_dir": root / "trust",
        "batch": batch,
        "signed": batch / "signed.pdf",
        "b_t": root / "b-t.pdf",
        "test_root": root / "test-root.pem",
    }


def test_trust_dir_and_json_output(run, files) -> None:
    result = run(files["signed"], "--trust-dir", files["trust_dir"], "--json")
    assert result.exit_code == ExitCode.OK, result.output
    output = VerifyOutput.model_validate_json(result.stdout)
    (report,) = output.reports
    (sig,) = report.signatures
    assert (sig.indication.value, sig.level, sig.changes) == ("TOTAL_PASSED", "B-B", "none")
    assert sig.revocation is not None and sig.revocation.status == "not-declared"
    assert output.summary.by_outcome == {"OK": 1} and output.allow_fetch is False
    schema = json.loads(SCHEMA_FILE.read_text())
    assert set(schema["required"]) <= set(json.loads(result.stdout))


def test_the_verdict_is_said_in_sohoa_lang_and_the_json_stays_english(run, files) -> None:
    trust = ("--trust-dir", files["trust_dir"])
    vi = run(files["signed"], *trust, env={"SOHOA_LANG": "vi"})
    en = run(files["signed"], *trust, env={"SOHOA_LANG": "en"})
    assert vi.exit_code == en.exit_code == ExitCode.OK
    for words in ("Hợp lệ: mọi chữ ký đều nguyên vẹn", "Không bị thay đổi kể từ khi ký", "toàn vẹn"):
        assert words in " ".join(vi.output.split()), vi.output
    assert "Valid: every signature is intact and trusted." in " ".join(en.output.split())
    assert "TOTAL_PASSED" in vi.output and "Unchanged since" not in vi.output  # codes stay
    as_json = [
        VerifyOutput.model_validate_json(run(files["signed"], *trust, "--json", env=e).stdout)
        for e in ({"SOHOA_LANG": "vi"}, {"SOHOA_LANG": "en"})
    ]
    (vi_sig,), (en_sig,) = (o.reports[0].signatures for o in as_json)
    assert vi_sig == en_sig and en_sig.summary.startswith("Unchanged since it was signed")


def test_at_moves_the_validation_time(run, files) -> None:
    trust = ("--trust-dir", files["trust_dir"])
    before = (NOW - dt.timedelta(days=30)).isoformat()
    result = run(files["signed"], *trust, "--at", before)
    assert result.exit_code == ExitCode.INDETERMINATE, result.output
    later = (NOW + dt.timedelta(days=800)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = run(files["signed"], *trust, "--at", later, "--json")
    assert result.exit_code == ExitCode.INDETERMINATE
    (report,) = VerifyOutput.model_validate_json(result.stdout).reports
    assert report.signatures[0].sub_indication == "OUT_OF_BOUNDS_NO_POE"
    assert (
        report.validation_time is not None
        and report.validation_time.year == (NOW + dt.timedelta(days=800)).year
    )
    for junk in ("yesterday", "2024-01-01T00:00:00"):  # not ISO; no time zone
        assert run(files["signed"], *trust, "--at", junk).exit_code == ExitCode.CONFIG


def test_allow_fetch_asks_the_revocation_sources(run, files) -> None:
    offline = run(files["b_t"], "--trust", files["test_root"])
    assert offline.exit_code == ExitCode.INDETERMINATE
    assert "TRY_LATER" in offline.output and "--allow-fetch" in offline.output
    fetched = run(files["b_t"], "--trust", files["test_root"], "--allow-fetch")
    assert fetched.exit_code == ExitCode.OK, fetched.output
    for text in ("B-T", "signature timestamp", "good (fetched)", "sohoa TEST root CA"):
        assert text in fetched.output, text


def test_a_folder_is_a_batch_with_a_summary(run, files) -> None:
    result = run(files["batch"], "--trust-dir", files["trust_dir"])
    assert result.exit_code == ExitCode.NO_SIGNATURE, result.output
    assert "sohoa verify: 2 files" in result.output
    assert "unsigned.pdf" in result.output and "NO_SIGNATURE" in result.output


def test_a_store_prefix_is_a_batch(run, files, tmp_path: Path) -> None:
    url = "file://%s" % (tmp_path / "objects")
    store = open_store(url)
    store.put("results/A/2024/D1/doc.v1.pdf", files["signed"].read_bytes())
    store.put("results/A/2024/D1/doc.v1.json", b"{}")
    store.put("results/A/2024/D2/bad.v1.pdf", files["signed"].read_bytes()[:500])
    result = run(
        "--prefix",
        "results/A/",
        "--trust-dir",
        files["trust_dir"],
        "--json",
        env={"SOHOA_STORE_URL": url},
    )
    output = VerifyOutput.model_validate_json(result.stdout)
    assert [r.file for r in output.reports] == [
        "results/A/2024/D1/doc.v1.pdf",
        "results/A/2024/D2/bad.v1.pdf",
    ]
    assert result.exit_code == ExitCode.UNREADABLE
    assert output.summary.by_outcome == {"OK": 1, "UNREADABLE": 1}


def test_nothing_to_check_and_bad_trust_are_errors(run, files, tmp_path: Path) -> None:
    assert run().exit_code == ExitCode.USAGE
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(files["signed"], "--trust-dir", empty).exit_code == ExitCode.CONFIG
    assert run(files["signed"], "--trust-dir", tmp_path / "none").exit_code == ExitCode.CONFIG


def test_soft_revocation_is_pyhankos_default_and_weaker(run, files) -> None:
    result = run(files["b_t"], "--trust", files["test_root"], "--soft-revocation")
    assert result.exit_code == ExitCode.OK, result.output
    assert "not-checked" in result.output
