"""The verifier against pyHanko's own test files and verdicts, and ``sohoa verify`` exit codes.

Material: tests/data/conformance, a copy of pyHanko's signed test files (see its README):
every file under ``pdf/`` is verified with the testing CA as trust root, its intermediate as
extra certificate, at 2020-11-01T00:00:00Z, and must reach the facts recorded in ``expected.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.signatures.signing import load_signer, make_dev_pki, sign_pdf
from pipeline.signatures.verification import VerifyPolicy, signature_count, verify_pdf
from schemas.errors import CorruptInput, EncryptedInput, ExitCode
from schemas.results import FileStatus, Indication, VerificationReport
from schemas.settings import Settings
from schemas.verification import VerifyOutput
from tests.conftest import CONFORMANCE
from workers.cli import verify as cli_verify
from workers.signing.process_key import ensure_signing_key

PDF_DIR = CONFORMANCE / "pdf"
CA_DIR = CONFORMANCE / "crypto" / "testing-ca" / "root"
EXPECTED: dict[str, dict] = json.loads((CONFORMANCE / "expected.json").read_text())
FILES = sorted(str(p.relative_to(PDF_DIR)) for p in PDF_DIR.rglob("*") if p.is_file())
AT = dt.datetime(2020, 11, 1, tzinfo=dt.UTC)
VERDICT_STATUS = {
    "no-signature": FileStatus.NO_SIGNATURE,
    "encrypted": FileStatus.ENCRYPTED,
    "unreadable": FileStatus.UNREADABLE,
}
FACTS = ("intact", "valid", "trusted", "coverage", "modification_level", "docmdp_ok")


def conformance_report(rel: str) -> VerificationReport:
    return verify_pdf(
        (PDF_DIR / rel).read_bytes(),
        name=rel,
        trust_roots=[(CA_DIR / "root.cert.pem").read_bytes()],
        other_certs=[(CA_DIR / "interm.cert.pem").read_bytes()],
        at=AT,
        policy=VerifyPolicy(revocation="soft-fail"),  # as expected.json was recorded
    )


def expected_indication(expected: dict) -> Indication:
    """The README's mapping of pyHanko's bottom line onto our indications."""
    if expected["bottom_line"]:
        return Indication.TOTAL_PASSED
    broken = not (expected["intact"] and expected["valid"])
    bad_coverage = expected["coverage"] not in ("ENTIRE_FILE", "ENTIRE_REVISION")
    if broken or bad_coverage or expected["modification_level"] == "OTHER":
        return Indication.TOTAL_FAILED
    if not expected["docmdp_ok"]:
        return Indication.TOTAL_FAILED
    assert not expected["trusted"], "bottom line false for a reason this test does not know"
    return Indication.INDETERMINATE


def test_the_material_is_complete() -> None:
    assert len(FILES) >= 109
    assert set(EXPECTED) <= set(FILES), set(EXPECTED) - set(FILES)


@pytest.mark.parametrize("rel", FILES)
def test_conformance_file(rel: str) -> None:
    report = conformance_report(rel)  # must not raise, whatever the file holds
    assert report.file == rel
    expected = EXPECTED.get(rel)
    if expected is None:  # provenance notes (`source`, `SOURCE`), not PDFs
        assert not (PDF_DIR / rel).read_bytes().startswith(b"%PDF")
        assert report.status is FileStatus.UNREADABLE and report.detail
        return
    if "verdict" in expected:
        assert report.status is VERDICT_STATUS[expected["verdict"]], report.detail
        assert report.signatures == ()
        if report.status is not FileStatus.NO_SIGNATURE:
            assert report.detail
        return
    assert report.status is FileStatus.SIGNED
    assert [s.field_name for s in report.signatures] == [e["field"] for e in expected["signatures"]]
    for got, want in zip(report.signatures, expected["signatures"], strict=True):
        if "error" in want:  # pyHanko itself refused to validate it: malformed
            assert got.indication is Indication.TOTAL_FAILED and not got.valid, got
            assert got.reasons
            continue
        assert {f: getattr(got, f) for f in FACTS} == {f: want[f] for f in FACTS}, got.reasons
        assert got.indication is expected_indication(want), got.reasons
        assert bool(got.reasons) == (got.indication is not Indication.TOTAL_PASSED)
        assert got.signer and got.signer_certificate_sha256 and got.subfilter


@pytest.mark.parametrize("rel", FILES)
def test_signature_count_is_classified(rel: str) -> None:
    data = (PDF_DIR / rel).read_bytes()
    report = conformance_report(rel)
    try:
        count = signature_count(data)
    except EncryptedInput:
        assert report.status in (FileStatus.ENCRYPTED, FileStatus.UNREADABLE)
        return
    except CorruptInput:
        assert report.status is FileStatus.UNREADABLE
        return
    assert count >= len(report.signatures)
    if report.status is FileStatus.SIGNED:
        assert count > 0


# --- sohoa verify -----------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """sohoa (test harness: only the verify command)."""

    cli_verify.register(app)
    return app


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    for key in list(os.environ):
        if key.startswith("SOHOA_"):
            monkeypatch.delenv(key)
    runner = CliRunner()
    app = _app()

    def invoke(*args: str | Path):
        return runner.invoke(app, ["verify", *map(str, args)], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory):
    """A data directory with a development key, and a conformance PDF signed with it."""
    root = tmp_path_factory.mktemp("cli")
    settings = Settings(data=root / "data")
    material = ensure_signing_key(settings)
    signer = load_signer(material.pkcs12, material.password, now=dt.datetime.now(dt.UTC))
    signed = root / "signed.pdf"
    signed.write_bytes(sign_pdf((PDF_DIR / "minimal.pdf").read_bytes(), signer))
    ca = root / "dev-ca.pem"
    ca.write_bytes(material.trust_roots[0])
    garbage = root / "garbage.pdf"
    garbage.write_bytes(b"\x00\x01 certainly not a PDF \xff" * 10)
    tampered = root / "tampered.pdf"
    tampered.write_bytes(signed.read_bytes().replace(b"Hello", b"Jello", 1))
    assert tampered.read_bytes() != signed.read_bytes()
    return {
        "data": settings.data,
        "signed": signed,
        "ca": ca,
        "garbage": garbage,
        "tampered": tampered,
    }


def test_verify_help_documents_exit_codes(run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for code in (*cli_verify.SEVERITY, ExitCode.CONFIG, ExitCode.USAGE, ExitCode.INTERNAL):
        assert code.name in result.output, code.name  # every code verify can end with


def test_our_signed_file_passes(run, dev) -> None:
    assert run(dev["signed"], "--trust", dev["ca"]).exit_code == ExitCode.OK
    by_default = run(dev["signed"], "--data", dev["data"])  # the dev CA of that installation
    assert by_default.exit_code == ExitCode.OK, by_default.output
    assert "TOTAL_PASSED" in by_default.output


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("minimal.pdf", ExitCode.NO_SIGNATURE),
        ("minimal-aes256.pdf", ExitCode.ENCRYPTED),
        ("minimal-startxref-hopeless.pdf", ExitCode.UNREADABLE),
    ],
)
def test_exit_code_per_file_status(run, dev, name: str, code: ExitCode) -> None:
    assert run(PDF_DIR / name, "--trust", dev["ca"]).exit_code == code


def test_garbage_is_unreadable_and_tampering_fails(run, dev) -> None:
    assert run(dev["garbage"], "--trust", dev["ca"]).exit_code == ExitCode.UNREADABLE
    result = run(dev["tampered"], "--trust", dev["ca"])
    assert result.exit_code == ExitCode.FAILED
    assert "changed after it was signed" in result.output
    sneaky = PDF_DIR / "form-update-ap-indirect-sneaky-trailer.pdf"
    assert run(sneaky, "--trust", CA_DIR / "root.cert.pem").exit_code == ExitCode.FAILED


def test_a_wrong_trust_root_is_indeterminate(run, dev, tmp_path: Path) -> None:
    assert run(dev["signed"], "--trust", CA_DIR / "root.cert.pem").exit_code == (
        ExitCode.INDETERMINATE
    )
    empty = tmp_path / "empty-data"  # no dev key there, and verify must not create one
    result = run(dev["signed"], "--data", empty)
    assert result.exit_code == ExitCode.INDETERMINATE
    assert not empty.exists()


def test_json_output_and_the_worst_code_wins(run, dev) -> None:
    files = [dev["signed"], PDF_DIR / "minimal.pdf", dev["garbage"], dev["tampered"]]
    result = run(*files, "--trust", dev["ca"], "--json")
    assert result.exit_code == ExitCode.FAILED
    output = VerifyOutput.model_validate_json(result.stdout)
    reports = list(output.reports)
    assert output.summary.files == 4 and output.summary.exit_code == ExitCode.FAILED
    assert [r.exit_code for r in reports] == [
        ExitCode.OK,
        ExitCode.NO_SIGNATURE,
        ExitCode.UNREADABLE,
        ExitCode.FAILED,
    ]
    result = run(dev["signed"], dev["garbage"], "--trust", dev["ca"], "--json")
    assert result.exit_code == ExitCode.UNREADABLE


def test_bad_trust_file_is_a_config_error(run, dev, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_bytes(b"-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n")
    assert run(dev["signed"], "--trust", junk).exit_code == ExitCode.CONFIG
    assert run(dev["signed"], "--trust", tmp_path / "missing.pem").exit_code == ExitCode.CONFIG


def test_an_unexpected_crash_is_never_success(run, dev, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_verify, "verify_pdf", crash)
    assert run(dev["signed"], "--trust", dev["ca"]).exit_code == ExitCode.INTERNAL


def test_dev_pki_is_not_shared_between_installations(dev) -> None:
    other = make_dev_pki(dt.datetime.now(dt.UTC))
    report = verify_pdf(dev["signed"].read_bytes(), name="s", trust_roots=[other.ca_cert_pem])
    assert report.exit_code == ExitCode.INDETERMINATE


def test_a_form_field_filled_after_signing_fails_under_our_policy() -> None:
    """pyHanko calls this FORM_FILLING and its bottom line passes; our policy does not."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    now = dt.datetime.now(dt.UTC)
    pki = make_dev_pki(now)
    signer = load_signer(pki.pkcs12, pki.password, now=now)
    signed = sign_pdf((PDF_DIR / "minimal-with-simple-form.pdf").read_bytes(), signer)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/FT") == "/Tx":
            field["/V"] = generic.TextStringObject("changed after signing")
            writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)
    (sig,) = verify_pdf(out.getvalue(), name="f", trust_roots=[pki.ca_cert_pem]).signatures
    assert (sig.modification_level, sig.docmdp_ok, sig.trusted) == ("FORM_FILLING", True, True)
    assert sig.indication is Indication.TOTAL_FAILED
    assert "TextField1" in " ".join(sig.reasons)
