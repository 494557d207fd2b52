"""Signing with a key that never leaves a PKCS#11 token: SoftHSM2 from Debian, for real."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from typer.testing import CliRunner

from pipeline.signatures.signers import open_pkcs11_signer
from pipeline.signatures.signing import sign_pdf
from pipeline.signatures.verification import verify_pdf
from schemas.errors import ExitCode, SigningKeyError
from schemas.results import Indication
from schemas.settings import load_settings
from schemas.signing import SigningLevel
from tests.pki_support import Served, served_pki_fixture  # noqa: F401 - served_pki
from tests.test_signing import tiny_pdf
from workers.signing.process_key import open_signing_key

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN, PIN, SO_PIN = "sohoa-test", "246810", "13579"


@pytest.fixture(scope="module")
def token(served_pki: Served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A fresh SoftHSM2 token holding signer's key, its certificate and the chain."""
    assert MODULE.is_file(), "softhsm2 (Debian) must be installed: scripts/install.sh"
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text("directories.tokendir = %s\nobjectstore.backend = file\n" % (home / "tokens"))
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read once, when the library is initialised
    util = ["softhsm2-util"]
    subprocess.run(
        [*util, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN],
        check=True,
        capture_output=True,
    )
    key = home / "signer.key.pem"
    key.write_bytes(served_pki.pki.key_pem("signer"))
    subprocess.run(
        [*util, "--import", str(key), "--token", TOKEN, "--label", "signer", "--id", "01"]
        + ["--pin", PIN],
        check=True,
        capture_output=True,
    )
    key.unlink()
    library = pkcs11.lib(str(MODULE))
    with library.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        for number, label in enumerate(("signer", "interm", "root"), 1):
            cert = x509.load_pem_x509_certificate(served_pki.pki.cert_pem(label))
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: label,
                    Attribute.ID: bytes([number]),
                    Attribute.SUBJECT: cert.subject.public_bytes(),
                    Attribute.VALUE: cert.public_bytes(encoding=_der()),
                }
            )
    pin_file = home / "pin"
    pin_file.write_text(PIN + "\n")
    return {
        "SOHOA_SIGNING__PKCS11_MODULE": str(MODULE),
        "SOHOA_SIGNING__PKCS11_TOKEN_LABEL": TOKEN,
        "SOHOA_SIGNING__PKCS11_KEY_LABEL": "signer",
        "SOHOA_SIGNING__PKCS11_PIN_FILE": str(pin_file),
        "SOHOA_DATA": str(home / "data"),
    }


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def test_a_token_key_signs_b_lt_and_it_verifies(served_pki: Served, token) -> None:
    now = dt.datetime.now(dt.UTC)
    key = open_pkcs11_signer(MODULE, token_label=TOKEN, pin=PIN, key_label="signer", now=now)
    try:
        data = sign_pdf(tiny_pdf(), key.signer, profile=served_pki.profile(SigningLevel.B_LT))
    finally:
        key.close()
    report = verify_pdf(data, name="token.pdf", trust_roots=served_pki.roots)
    (sig,) = report.signatures
    assert sig.indication is Indication.TOTAL_PASSED, sig.reasons
    assert sig.level == "B-LT" and "Thử Nghiệm" in (sig.signer or "")


def test_the_configured_token_is_the_process_signing_key(served_pki: Served, token) -> None:
    settings = load_settings(token)
    key = open_signing_key(settings)
    try:
        assert not key.development and key.token is not None
        assert key.trust_roots == (served_pki.pki.cert_pem("root"),)  # the token's own root
        data = sign_pdf(tiny_pdf(), key.signer)
    finally:
        key.close()
    report = verify_pdf(
        data, name="t.pdf", trust_roots=key.trust_roots, fetchers=served_pki.fetchers
    )
    assert report.ok, report
    assert not settings.keys_dir.exists(), "no development key is created beside a token"


@pytest.mark.parametrize(
    ("pin", "label", "message"),
    [("000000", "signer", "refused the PIN"), (PIN, "nobody", "no usable key|no key")],
)
def test_a_wrong_pin_or_label_is_a_signing_key_error(token, pin, label, message) -> None:
    with pytest.raises(SigningKeyError, match=message):
        open_pkcs11_signer(
            MODULE, token_label=TOKEN, pin=pin, key_label=label, now=dt.datetime.now(dt.UTC)
        )


def test_keys_inspect_reads_the_token(token, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_pki import keys_app

    for name, value in token.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(keys_app(), ["keys", "inspect"], catch_exceptions=False)
    assert result.exit_code == ExitCode.OK, result.output
    assert "PKCS#11 token sohoa-test" in result.output
    assert "revocation" in result.output and "good" in result.output
    assert PIN not in result.output
