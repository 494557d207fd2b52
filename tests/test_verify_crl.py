"""Revocation offline: CRLs fetched by ``sohoa trust refresh`` (from the certomancer test PKI
on loopback) or passed with ``--crl``. A good signer passes, a revoked one fails, a CRL whose
validity does not cover the validation time leaves the verdict INDETERMINATE."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.signatures.signing import sign_pdf
from schemas.errors import ExitCode
from schemas.verification import VerifyOutput
from tests.cli_harness import cli
from tests.pki_support import Served, served_pki_fixture  # noqa: F401 - served_pki
from tests.test_signing import tiny_pdf
from workers.trust.crl_store import describe


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    return cli(monkeypatch)


@pytest.fixture(scope="module")
def signed(served_pki: Served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("crl")
    files = {}
    for label in ("signer", "signer-revoked"):
        files[label] = folder / ("%s.pdf" % label)
        files[label].write_bytes(sign_pdf(tiny_pdf(), served_pki.signer(label)))
    root = folder / "root.pem"
    root.write_bytes(served_pki.roots[0])
    files["root"] = root
    return files


def _verify(run, pdf: Path, root: Path, *extra: str | Path):
    result = run("verify", pdf, "--trust", root, "--json", *extra)
    (report,) = VerifyOutput.model_validate_json(result.stdout).reports
    return result.exit_code, report.signatures[0]


def test_refresh_then_a_good_signer_passes_offline(run, signed, tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, sig = _verify(run, signed["signer"], signed["root"], "--data", data)
    assert (code, sig.sub_indication) == (ExitCode.INDETERMINATE, "TRY_LATER")
    assert "sohoa trust refresh" in sig.summary
    result = run("trust", "refresh", "--from-pdf", signed["signer"], "--data", data)
    assert result.exit_code == ExitCode.OK, result.output
    # the signer's CA's CRL and the root's (for the CA), named in the embedded certificates
    assert "fresh" in result.output and len(list((data / "crls").glob("*.crl"))) == 2
    code, sig = _verify(run, signed["signer"], signed["root"], "--data", data)
    assert code == ExitCode.OK, sig.reasons
    assert sig.revocation is not None and sig.revocation.status == "good"


def test_a_revoked_signer_fails(run, signed, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert (
        run("trust", "refresh", "--from-pdf", signed["signer-revoked"], "--data", data).exit_code
        == 0
    )
    crl_dir = data / "crls"
    code, sig = _verify(run, signed["signer-revoked"], signed["root"], "--crl", crl_dir)
    assert code == ExitCode.FAILED, sig
    assert sig.sub_indication == "REVOKED" and sig.revocation.status == "revoked"


def test_a_stale_crl_is_indeterminate_never_a_pass(run, signed, tmp_path: Path) -> None:
    data = tmp_path / "data"
    run("trust", "refresh", "--from-pdf", signed["signer"], "--data", data)
    now = dt.datetime.now(dt.UTC)
    windows = [describe(c.read_bytes(), now) for c in (data / "crls").glob("*.crl")]
    assert windows and all(next_update and not stale for _i, next_update, stale in windows)
    later = max(next_update for _i, next_update, _s in windows) + dt.timedelta(days=1)
    code, sig = _verify(
        run, signed["signer"], signed["root"], "--crl", data / "crls", "--at", later.isoformat()
    )
    assert (code, sig.sub_indication) == (ExitCode.INDETERMINATE, "TRY_LATER"), sig


def test_a_junk_crl_is_a_config_error(run, signed, tmp_path: Path) -> None:
    junk = tmp_path / "junk.crl"
    junk.write_bytes(b"not a CRL")
    result = run("verify", signed["signer"], "--trust", signed["root"], "--crl", junk)
    assert result.exit_code == ExitCode.CONFIG and "CRL #1" in result.output
