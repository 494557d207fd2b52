"""The certomancer test PKI (served on loopback) and ``sohoa keys``."""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.request
from pathlib import Path

import pytest
import typer
from asn1crypto import crl as asn1_crl
from typer.testing import CliRunner

from pipeline.signatures.signers import check_revocation
from schemas.errors import ConfigurationError, ExitCode
from schemas.settings import Settings
from tests.pki_support import Served, served_pki_fixture  # noqa: F401 - served_pki
from workers.cli import keys as cli_keys
from workers.signing.dev_pki import SIGNERS, write_test_pki
from workers.signing.process_key import validation_context_factory


def keys_app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """sohoa (test harness: only the keys commands)."""

    cli_keys.register(app)
    return app


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    for key in list(os.environ):
        if key.startswith("SOHOA_"):
            monkeypatch.delenv(key)
    runner = CliRunner()
    app = keys_app()

    def invoke(*args: str | Path):
        return runner.invoke(app, ["keys", *map(str, args)], catch_exceptions=False)

    return invoke


def test_the_pki_has_what_the_tests_need(served_pki: Served) -> None:
    arch, now = served_pki.pki.arch, dt.datetime.now(dt.UTC)
    assert arch.get_cert("signer-expired").not_valid_after < now
    assert arch.get_cert("signer-expiring").not_valid_after < now + dt.timedelta(days=11)
    for label in SIGNERS:
        cert = arch.get_cert(label)
        assert cert.ocsp_urls and cert.crl_distribution_points, label
        assert cert.ocsp_urls[0].startswith(served_pki.pki.url_prefix + "/")
        assert "TEST" in cert.subject.human_friendly
    directory = served_pki.pki.directory
    for name in ("root.cert.pem", "chain.pem", "signers.password", "certomancer.yml"):
        assert (directory / name).is_file(), name
    assert (directory / "signers.password").stat().st_mode & 0o077 == 0


def test_crls_and_ocsp_are_served_and_say_who_is_revoked(served_pki: Served) -> None:
    import asyncio

    url = served_pki.pki.arch.get_cert("signer").crl_distribution_points[0].url
    with urllib.request.urlopen(url, timeout=10) as response:
        crl = asn1_crl.CertificateList.load(response.read())
    revoked = {r["user_certificate"].native for r in crl["tbs_cert_list"]["revoked_certificates"]}
    assert revoked == {served_pki.pki.arch.get_cert("signer-revoked").serial_number}
    new_context = validation_context_factory(served_pki.roots, Settings())

    async def status(label: str) -> str:
        context = new_context()
        try:
            cert = served_pki.pki.arch.get_cert(label)
            chain = [served_pki.pki.arch.get_cert("interm")]
            return (await check_revocation(cert, chain, context)).status
        finally:
            await context.aclose()

    assert asyncio.run(status("signer")) == "good"
    assert asyncio.run(status("signer-revoked")) == "revoked"


def test_a_test_pki_is_never_overwritten(tmp_path: Path) -> None:
    write_test_pki(tmp_path, now=dt.datetime.now(dt.UTC))
    with pytest.raises(ConfigurationError, match="already"):
        write_test_pki(tmp_path, now=dt.datetime.now(dt.UTC))


def test_keys_test_pki_command_writes_one(run, tmp_path: Path) -> None:
    result = run("test-pki", tmp_path / "pki")
    assert result.exit_code == 0, result.output
    assert "TEST ONLY" in result.output and "signer.p12" in result.output
    assert (tmp_path / "pki" / "signer-revoked.p12").is_file()


def _inspect(run, served: Served, label: str, *extra: str):
    secret = served.pki.directory / "signers.password"
    p12 = served.pki.directory / ("%s.p12" % label)
    return run("inspect", "--pkcs12", p12, "--password-file", secret, *extra)


def test_inspect_a_good_key(run, served_pki: Served) -> None:
    result = _inspect(run, served_pki, "signer")
    assert result.exit_code == ExitCode.OK, result.output
    for text in ("Thử Nghiệm", "sohoa TEST issuing CA", "non_repudiation", "good"):
        assert text in result.output, text
    assert served_pki.password.decode() not in result.output
    data = json.loads(_inspect(run, served_pki, "signer", "--json").stdout)
    assert data["revocation"]["status"] == "good" and data["problems"] == []
    assert data["days_left"] > 600 and len(data["chain"]) == 2


@pytest.mark.parametrize(
    ("label", "text"),
    [("signer-expired", "expired"), ("signer-revoked", "revoked")],
)
def test_inspect_says_a_key_cannot_sign(run, served_pki: Served, label: str, text: str) -> None:
    result = _inspect(run, served_pki, label)
    assert result.exit_code == ExitCode.CONFIG, result.output
    assert "cannot sign" in result.output and text in result.output


def test_inspect_warns_ahead_of_expiry(run, served_pki: Served) -> None:
    result = _inspect(run, served_pki, "signer-expiring")
    assert result.exit_code == ExitCode.OK, result.output
    assert "expires in" in result.output and "renew" in result.output


def test_inspect_without_revocation_check_and_a_wrong_password(
    run, served_pki: Served, tmp_path: Path
) -> None:
    result = _inspect(run, served_pki, "signer", "--no-revocation")
    assert result.exit_code == ExitCode.OK and "revocation" not in result.output
    wrong = tmp_path / "wrong"
    wrong.write_text("nope")
    p12 = served_pki.pki.directory / "signer.p12"
    result = run("inspect", "--pkcs12", p12, "--password-file", wrong)
    assert result.exit_code == ExitCode.CONFIG and "wrong password" in result.output
