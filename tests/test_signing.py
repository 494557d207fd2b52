# house: 442 lines: our own signing contract read as one story (sign, verify, pdfsig and openssl agree, tamper, keys); its kinds are listed by name in tests/kinds.py
"""Signing and verifying our own output: sign, verify, ask two other tools, tamper, verify again."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from pipeline.signatures.signing import (
    DEV_ORGANISATION,
    DevPki,
    load_signer,
    make_dev_pki,
    sign_file,
    sign_pdf,
)
from pipeline.signatures.verification import signature_count, verify_pdf
from schemas.errors import CorruptInput, SigningKeyError
from schemas.results import FileStatus, Indication
from schemas.settings import Settings
from schemas.signing import SignatureSpec
from workers.signing.process_key import ensure_signing_key, trust_roots

NOW = dt.datetime.now(dt.UTC)


def tiny_pdf(text: bytes = b"Hello sohoa") -> bytes:
    """A one-page PDF with an uncompressed text stream, xref offsets computed exactly."""
    content = b"BT /F1 18 Tf 20 60 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
        b" >> >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.fixture(scope="module")
def pki() -> DevPki:
    return make_dev_pki(NOW)


@pytest.fixture(scope="module")
def signed(pki: DevPki) -> bytes:
    signer = load_signer(pki.pkcs12, pki.password, now=NOW)
    return sign_pdf(tiny_pdf(), signer, spec=SignatureSpec(reason="số hoá thử", location="Hà Nội"))


def verify(data: bytes | Path, pki: DevPki, **kwargs: object):
    return verify_pdf(data, name="t.pdf", trust_roots=[pki.ca_cert_pem], **kwargs)


def byte_ranges(data: bytes) -> tuple[int, int, int, int]:
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert len(found) == 1
    a, b, c, d = (int(x) for x in found[0])
    return a, b, c, d


def extract_cms(data: bytes) -> tuple[bytes, bytes]:
    """(DER CMS, signed bytes): the DER length is parsed, padding zeros are never stripped."""
    a, b, c, d = byte_ranges(data)
    hex_contents = data[a + b : c]
    assert hex_contents[:1] == b"<" and hex_contents[-1:] == b">"
    raw = bytes.fromhex(hex_contents[1:-1].decode("ascii"))
    assert raw[0] == 0x30, "CMS must start with a SEQUENCE"
    if raw[1] < 0x80:
        length = 2 + raw[1]
    else:
        n = raw[1] & 0x7F
        length = 2 + n + int.from_bytes(raw[2 : 2 + n], "big")
    assert length <= len(raw)
    return raw[:length], data[a : a + b] + data[c : c + d]


def test_sign_then_verify_passes(pki: DevPki, signed: bytes) -> None:
    report = verify(signed, pki)
    assert report.status is FileStatus.SIGNED and report.ok
    (sig,) = report.signatures
    assert sig.indication is Indication.TOTAL_PASSED, sig.reasons
    assert (sig.intact, sig.valid, sig.trusted, sig.docmdp_ok) == (True, True, True, True)
    assert (sig.coverage, sig.modification_level) == ("ENTIRE_FILE", "NONE")
    assert sig.subfilter == "ETSI.CAdES.detached" and sig.field_name == "Signature1"
    assert DEV_ORGANISATION in (sig.signer or "")
    assert sig.reasons == ()
    # signed after this module was loaded and before now (the clock is not frozen here)
    assert sig.signing_time is not None
    assert NOW - dt.timedelta(seconds=1) <= sig.signing_time <= dt.datetime.now(dt.UTC)
    cert = pkcs12.load_key_and_certificates(pki.pkcs12, pki.password)[1]
    assert cert is not None
    der = cert.public_bytes(serialization.Encoding.DER)
    assert sig.signer_certificate_sha256 == hashlib.sha256(der).hexdigest()


def test_signing_is_an_incremental_update(signed: bytes) -> None:
    original = tiny_pdf()
    assert signed.startswith(original) and len(signed) > len(original)
    assert signature_count(signed) == 1 and signature_count(original) == 0


def test_file_to_file_signing_and_verification(pki: DevPki, tmp_path: Path) -> None:
    """What the job does with a large document: sign one file into another, verify the
    file (read as needed, never whole), and the same damage is caught as in memory."""
    source, target = tmp_path / "unsigned.pdf", tmp_path / "signed.pdf"
    source.write_bytes(tiny_pdf())
    signer = load_signer(pki.pkcs12, pki.password, now=NOW)
    sign_file(source, target, signer, spec=SignatureSpec(reason="số hoá thử"))
    data = target.read_bytes()
    assert data.startswith(tiny_pdf())
    report = verify(target, pki)
    assert report.ok and report.signatures[0].coverage == "ENTIRE_FILE"
    a, b, _c, _d = byte_ranges(data)
    flipped = bytearray(data)
    flipped[a + b // 2] ^= 0x01
    target.write_bytes(bytes(flipped))
    assert not verify(target, pki).ok
    target.write_bytes(b"")
    assert verify(target, pki).status is FileStatus.UNREADABLE


def test_cms_is_pades_baseline_b(signed: bytes) -> None:
    der, _ = extract_cms(signed)
    signed_data = cms.ContentInfo.load(der)["content"]
    assert signed_data["encap_content_info"]["content"].native is None  # detached
    (signer_info,) = signed_data["signer_infos"]
    assert signer_info["digest_algorithm"]["algorithm"].native == "sha256"
    attrs = {a["type"].native for a in signer_info["signed_attrs"]}
    assert {"content_type", "message_digest", "signing_certificate_v2"} <= attrs
    assert "signing_time" not in attrs  # PAdES: the claimed time is /M, not a CMS attribute
    assert b"/Filter /Adobe.PPKLite" in signed and b"/SubFilter /ETSI.CAdES.detached" in signed


def test_pdfsig_says_signature_is_valid(signed: bytes, tmp_path: Path) -> None:
    assert shutil.which("pdfsig"), "poppler-utils (pdfsig) must be installed"
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert "Signature Validation: Signature is Valid." in out.stdout, out.stdout + out.stderr
    assert "Total document signed" in out.stdout


def test_pdfsig_notices_a_broken_digest(signed: bytes, tmp_path: Path) -> None:
    path = tmp_path / "tampered.pdf"
    path.write_bytes(signed.replace(b"(Hello sohoa)", b"(Jello sohoa)", 1))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid." not in out.stdout, out.stdout


def _openssl_verify(der: bytes, content: bytes, ca_pem: bytes, tmp_path: Path):
    (tmp_path / "sig.der").write_bytes(der)
    (tmp_path / "content.bin").write_bytes(content)
    (tmp_path / "ca.pem").write_bytes(ca_pem)
    command = ["openssl", "cms", "-verify", "-inform", "DER", "-in", "sig.der", "-binary"]
    command += ["-content", "content.bin", "-CAfile", "ca.pem", "-out", os.devnull]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)


def test_openssl_cms_verifies_the_extracted_signature(
    pki: DevPki, signed: bytes, tmp_path: Path
) -> None:
    der, content = extract_cms(signed)
    result = _openssl_verify(der, content, pki.ca_cert_pem, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr
    tampered = content.replace(b"Hello", b"Jello", 1)
    assert _openssl_verify(der, tampered, pki.ca_cert_pem, tmp_path).returncode != 0
    other_ca = make_dev_pki(NOW).ca_cert_pem
    assert _openssl_verify(der, content, other_ca, tmp_path).returncode != 0


def test_one_flipped_byte_in_the_signed_range_fails(pki: DevPki, signed: bytes) -> None:
    position = signed.index(b"Hello sohoa")
    assert position < byte_ranges(signed)[1]  # inside the first signed range
    tampered = bytearray(signed)
    tampered[position] ^= 0x01
    report = verify(bytes(tampered), pki)
    (sig,) = report.signatures
    assert sig.indication is Indication.TOTAL_FAILED and not sig.intact
    assert any("changed after it was signed" in r for r in sig.reasons)
    assert report.exit_code.name == "FAILED"


def _append_update(signed: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_page(writer: IncrementalPdfFileWriter) -> None:
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 300, 144)]
            ),
            generic.pdf_name("/Resources"): generic.DictionaryObject(),
        }
    )
    writer.insert_page(page)


def _change_content(writer: IncrementalPdfFileWriter) -> None:
    stream = generic.StreamObject(stream_data=b"BT /F1 18 Tf 20 100 Td (PAID IN FULL) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))


@pytest.mark.parametrize("change", [_add_page, _change_content], ids=["add-page", "new-content"])
def test_an_incremental_update_after_signing_fails(pki: DevPki, signed: bytes, change) -> None:
    updated = _append_update(signed, change)
    assert updated.startswith(signed)
    (sig,) = verify(updated, pki).signatures
    assert sig.intact and sig.valid and sig.trusted  # what pdfsig and openssl would look at
    assert sig.coverage == "ENTIRE_REVISION" and sig.modification_level == "OTHER"
    assert sig.indication is Indication.TOTAL_FAILED
    assert any("changed after it was signed" in r for r in sig.reasons)


def test_a_second_signature_keeps_the_first_valid(pki: DevPki, signed: bytes) -> None:
    signer = load_signer(pki.pkcs12, pki.password, now=NOW)
    twice = sign_pdf(signed, signer, spec=SignatureSpec(field_name="Signature2"))
    first, second = verify(twice, pki).signatures
    assert (first.field_name, first.modification_level) == ("Signature1", "FORM_FILLING")
    assert first.indication is second.indication is Indication.TOTAL_PASSED
    with pytest.raises(CorruptInput):
        sign_pdf(twice, signer, spec=SignatureSpec(field_name="Signature2"))


def test_untrusted_root_is_indeterminate(pki: DevPki, signed: bytes) -> None:
    for roots in ([make_dev_pki(NOW).ca_cert_pem], []):
        report = verify_pdf(signed, name="t.pdf", trust_roots=roots)
        (sig,) = report.signatures
        assert sig.indication is Indication.INDETERMINATE and sig.intact and not sig.trusted
        assert "not issued by a trusted authority" in " ".join(sig.reasons)
        assert report.exit_code.name == "INDETERMINATE"


def test_verification_after_the_certificate_expired_is_indeterminate(
    pki: DevPki, signed: bytes
) -> None:
    report = verify(signed, pki, at=NOW + dt.timedelta(days=800))
    (sig,) = report.signatures
    assert sig.intact and sig.indication is Indication.INDETERMINATE


@pytest.mark.parametrize("shift", [-3 * 365, +30], ids=["expired", "not-yet-valid"])
def test_a_signer_outside_its_validity_is_refused(shift: int) -> None:
    pki = make_dev_pki(NOW + dt.timedelta(days=shift))
    with pytest.raises(SigningKeyError, match="expired|not valid yet"):
        load_signer(pki.pkcs12, pki.password, now=NOW)


def test_wrong_password_is_refused(pki: DevPki) -> None:
    with pytest.raises(SigningKeyError, match="wrong password"):
        load_signer(pki.pkcs12, pki.password + b"x", now=NOW)
    with pytest.raises(SigningKeyError):
        load_signer(b"not a pkcs12 file", pki.password, now=NOW)


def test_a_pkcs12_without_key_is_refused(pki: DevPki) -> None:
    ca = x509.load_pem_x509_certificate(pki.ca_cert_pem)
    bundle = pkcs12.serialize_key_and_certificates(
        b"ca only", None, None, [ca], serialization.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(SigningKeyError, match="no private key"):
        load_signer(bundle, b"pw", now=NOW)


def test_dev_certificates_are_labelled(pki: DevPki) -> None:
    key, cert, chain = pkcs12.load_key_and_certificates(pki.pkcs12, pki.password)
    assert key is not None and cert is not None and len(chain) == 1
    for c in (cert, chain[0]):
        assert "DEVELOPMENT ONLY" in c.subject.rfc4514_string()
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(days=730)
    assert "DevPki(" in repr(pki) and pki.password.decode() not in repr(pki)


def test_signing_garbage_is_corrupt_input(pki: DevPki) -> None:
    signer = load_signer(pki.pkcs12, pki.password, now=NOW)
    with pytest.raises(CorruptInput):
        sign_pdf(b"%PDF-1.7\nthis is not a pdf", signer)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_verify_never_raises_on_damaged_input(pki: DevPki, signed: bytes, data) -> None:
    """Truncated, flipped or random bytes: a report, never an exception, never a pass."""
    a, b, c, _d = byte_ranges(signed)
    choice = data.draw(st.sampled_from(["truncate", "flip", "random"]))
    if choice == "truncate":
        damaged = signed[: data.draw(st.integers(0, len(signed) - 1))]
    elif choice == "flip":
        position = data.draw(st.integers(0, len(signed) - 1).filter(lambda i: not a + b <= i < c))
        flipped = bytearray(signed)
        flipped[position] ^= data.draw(st.integers(1, 255))
        damaged = bytes(flipped)
    else:
        damaged = b"%PDF-1.7\n" + data.draw(st.binary(max_size=400))
    report = verify(damaged, pki)
    assert report.status is not FileStatus.SIGNED or report.signatures
    assert not report.ok, report  # every damaged byte is inside the signed ranges


# --- workers/signing/process_key.py -------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_dev_key_is_created_once_with_private_permissions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data=tmp_path / "data")
    assert trust_roots(settings) == () and not settings.keys_dir.exists()
    with caplog.at_level(logging.DEBUG):
        material = ensure_signing_key(settings)
    keys_dir = settings.keys_dir
    assert material.development and _mode(keys_dir) == 0o700
    assert _mode(keys_dir / "dev-signer.p12") == 0o600
    assert _mode(keys_dir / "dev-signer.password") == 0o600
    assert material.trust_roots == ((keys_dir / "dev-ca.cert.pem").read_bytes(),)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("DEVELOPMENT" in message for message in warnings)
    password = material.password.decode()
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert password not in logged and password not in repr(material)
    again = ensure_signing_key(settings)
    assert (again.pkcs12, again.password) == (material.pkcs12, material.password)
    # the key was made just now (backdated 5 min), not when this module was imported
    signer = load_signer(again.pkcs12, again.password, now=dt.datetime.now(dt.UTC))
    report = verify_pdf(sign_pdf(tiny_pdf(), signer), name="x", trust_roots=trust_roots(settings))
    assert report.ok


def test_agency_pkcs12_is_read_from_settings(tmp_path: Path, pki: DevPki) -> None:
    (tmp_path / "agency.p12").write_bytes(pki.pkcs12)
    (tmp_path / "password").write_bytes(pki.password + b"\n")
    settings = Settings(
        data=tmp_path / "data",
        signing_pkcs12=tmp_path / "agency.p12",
        signing_password_file=tmp_path / "password",
    )
    material = ensure_signing_key(settings)
    assert not material.development and material.password == pki.password
    assert [x509.load_pem_x509_certificate(r) for r in material.trust_roots] == [
        x509.load_pem_x509_certificate(pki.ca_cert_pem)
    ]
    assert not settings.keys_dir.exists()
    (tmp_path / "password").write_bytes(b"wrong")
    with pytest.raises(SigningKeyError):
        ensure_signing_key(settings)
    with pytest.raises(SigningKeyError, match="cannot read"):
        ensure_signing_key(settings.model_copy(update={"signing_pkcs12": tmp_path / "none.p12"}))


def test_concurrent_first_runs_share_one_dev_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    settings = Settings(data=tmp_path / "data")
    with ThreadPoolExecutor(max_workers=4) as pool:
        materials = list(pool.map(lambda _: ensure_signing_key(settings), range(4)))
    assert len({m.pkcs12 for m in materials}) == 1
    assert len({m.trust_roots for m in materials}) == 1


def test_an_incomplete_dev_key_is_not_silently_replaced(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data")
    ensure_signing_key(settings)
    (settings.keys_dir / "dev-signer.password").unlink()
    with pytest.raises(SigningKeyError, match="incomplete"):
        ensure_signing_key(settings)
    assert (settings.keys_dir / "dev-signer.p12").exists()


# --- signing settings -------------------------------------------------------------------------


def test_signing_profiles_per_agency_from_the_environment() -> None:
    from schemas.settings import load_settings
    from schemas.signing import SigningLevel
    from workers.signing.process_key import signing_profile

    env = {
        "SOHOA_SIGNING__PROFILE": "B-T",
        "SOHOA_SIGNING__TSA_URL": "http://127.0.0.1:9/tsa",
        "SOHOA_SIGNING__AGENCIES": '{"000.17.22.h56": {"profile": "B-LTA", "visible": true}}',
    }
    settings = load_settings(env)
    special = settings.signing.for_agency("000.17.22.H56")
    assert (special.profile, special.visible, special.agency_name) == (
        SigningLevel.B_LTA,
        True,
        "000.17.22.H56",
    )
    assert settings.signing.for_agency("000.00.00.H00").profile is SigningLevel.B_T
    profile = signing_profile(settings, "000.17.22.H56", ())
    assert profile.level is SigningLevel.B_LTA and profile.stamp is not None
    assert profile.timestamper is not None
    no_tsa = load_settings({"SOHOA_SIGNING__PROFILE": "B-LT"})
    with pytest.raises(Exception, match="TSA_URL"):
        signing_profile(no_tsa, "000.00.00.H00", ())
    for bad in ({"SOHOA_SIGNING__PROFILE": "B-X"}, {"SOHOA_SIGNING__AGENCIES": "{not json"}):
        with pytest.raises(Exception, match="SOHOA_SIGNING"):
            load_settings(bad)
