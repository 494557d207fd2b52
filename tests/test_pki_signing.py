"""B-B, B-T, B-LT and B-LTA against the certomancer test PKI served on loopback: our verifier,
pyHanko, pdfsig and openssl all agree; bad signers and silent TSAs are refused."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
import time_machine
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from pipeline.signatures.signing import CopyStamp, SigningProfile, sign_pdf
from pipeline.signatures.verification import verify_pdf
from schemas.errors import (
    ConfigurationError,
    RevocationUnavailable,
    SigningKeyError,
    TimestampUnavailable,
)
from schemas.results import Indication
from schemas.signing import SignatureSpec, SigningLevel
from tests.pki_support import (
    FONT,
    Served,
    byte_ranges,
    closed_port_url,
    extract_cms,
    openssl_cms_verify,
    pdfsig,
    served_pki_fixture,  # noqa: F401 - the served_pki fixture
    silent_tsa,
)
from tests.test_signing import tiny_pdf

LEVELS = list(SigningLevel)


@pytest.fixture(scope="module")
def signed(served_pki: Served) -> dict[SigningLevel, bytes]:
    signer = served_pki.signer()
    return {
        level: sign_pdf(
            tiny_pdf(), signer, profile=served_pki.profile(level), spec=SignatureSpec(reason="thử")
        )
        for level in LEVELS
    }


def verify(served: Served, data: bytes, **kwargs: object):
    return verify_pdf(data, name="t.pdf", trust_roots=served.roots, **kwargs)


@pytest.mark.parametrize("level", LEVELS, ids=[lv.value for lv in LEVELS])
def test_each_level_verifies_and_reaches_its_level(served_pki: Served, signed, level) -> None:
    data = signed[level]
    # B-B and B-T carry no revocation data: offline, the signer's status is unknown
    offline = verify(served_pki, data)
    fetched = verify(served_pki, data, fetchers=served_pki.fetchers)
    for report in (offline, fetched) if level.needs_revocation_data else (fetched,):
        (sig,) = report.signatures
        assert sig.indication is Indication.TOTAL_PASSED, sig.reasons
        assert sig.level == level.value
        assert sig.revocation is not None and sig.revocation.status == "good"
        assert sig.trust_path[-1].startswith("Common Name: sohoa TEST root CA")
    if not level.needs_revocation_data:
        (sig,) = offline.signatures
        assert (sig.indication, sig.sub_indication) == (Indication.INDETERMINATE, "TRY_LATER")
        assert "--allow-fetch" in " ".join(sig.reasons)
    kinds = [t.kind for t in fetched.signatures[0].timestamps]
    expected = {
        SigningLevel.B_B: [],
        SigningLevel.B_T: ["signature"],
        SigningLevel.B_LT: ["signature"],
        SigningLevel.B_LTA: ["signature", "document"],
    }
    assert kinds == expected[level]


@pytest.mark.parametrize("level", LEVELS, ids=[lv.value for lv in LEVELS])
def test_pyhanko_agrees(served_pki: Served, signed, level) -> None:
    reader = PdfFileReader(io.BytesIO(signed[level]))
    sig = next(s for s in reader.embedded_signatures if s.sig_object_type == "/Sig")
    context = ValidationContext(
        trust_roots=[served_pki.pki.arch.get_cert("root")], allow_fetching=True
    )
    status = validate_pdf_signature(sig, signer_validation_context=context)
    assert status.bottom_line, status.pretty_print_details()
    assert status.intact and status.valid and status.trusted


@pytest.mark.parametrize("level", LEVELS, ids=[lv.value for lv in LEVELS])
def test_pdfsig_and_openssl_accept_every_cades_signature(
    served_pki: Served, signed, level, tmp_path: Path
) -> None:
    data = signed[level]
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    text = pdfsig(path)
    blocks = text.split("Signature #")[1:]
    cades = [b for b in blocks if "ETSI.CAdES.detached" in b]
    assert len(cades) == 1, text
    assert all("Signature Validation: Signature is Valid." in b for b in cades), text
    ranges = byte_ranges(data)
    assert len(ranges) == (2 if level is SigningLevel.B_LTA else 1)
    der, content = extract_cms(data, ranges[0])
    ca = served_pki.pki.cert_pem("root") + served_pki.pki.cert_pem("interm")
    result = openssl_cms_verify(der, content, ca, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def test_long_term_levels_survive_the_signer_certificate(served_pki: Served, signed) -> None:
    """Three years on the signer's certificate has expired and its OCSP answer is stale:
    B-LT and B-LTA still pass offline on their own data; B-B cannot."""
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3 * 365)
    for level in (SigningLevel.B_LT, SigningLevel.B_LTA):
        (sig,) = verify(served_pki, signed[level], at=later).signatures
        assert sig.indication is Indication.TOTAL_PASSED, (level, sig.reasons)
        assert sig.signing_time_source == "timestamp" and sig.level == level.value
    (sig,) = verify(served_pki, signed[SigningLevel.B_B], at=later).signatures
    assert (sig.indication, sig.sub_indication) == (
        Indication.INDETERMINATE,
        "OUT_OF_BOUNDS_NO_POE",
    )


def test_an_expired_or_revoked_signer_is_refused(served_pki: Served) -> None:
    with pytest.raises(SigningKeyError, match="expired"):
        served_pki.signer("signer-expired")
    revoked = served_pki.signer("signer-revoked")  # the PKCS#12 alone cannot know
    for level in (SigningLevel.B_B, SigningLevel.B_LT):
        with pytest.raises(SigningKeyError, match="revoked"):
            sign_pdf(tiny_pdf(), revoked, profile=served_pki.profile(level))


def test_an_unreachable_revocation_source_is_retryable(served_pki: Served) -> None:
    from workers.signing.process_key import validation_context_factory

    # trust roots that cannot build the chain: the OCSP answer cannot be checked
    profile = SigningProfile(
        validation_context=validation_context_factory([served_pki.pki.cert_pem("tsa")], _s())
    )
    with pytest.raises(RevocationUnavailable):
        sign_pdf(tiny_pdf(), served_pki.signer(), profile=profile)


def _s():
    from schemas.settings import Settings

    return Settings()


@pytest.mark.parametrize("kind", ["silent", "refused"])
def test_a_tsa_that_does_not_answer_is_retryable_never_b_b(served_pki: Served, kind) -> None:
    from pyhanko.sign.timestamps import HTTPTimeStamper

    signer = served_pki.signer()
    if kind == "refused":
        url = closed_port_url()
        profile = SigningProfile(level=SigningLevel.B_T, timestamper=HTTPTimeStamper(url))
        with pytest.raises(TimestampUnavailable):
            sign_pdf(tiny_pdf(), signer, profile=profile)
        return
    with silent_tsa() as url:
        profile = SigningProfile(
            level=SigningLevel.B_T, timestamper=HTTPTimeStamper(url, timeout=1)
        )
        with pytest.raises(TimestampUnavailable):
            sign_pdf(tiny_pdf(), signer, profile=profile)


def test_a_level_without_its_tsa_is_a_configuration_error(served_pki: Served) -> None:
    with pytest.raises(ConfigurationError, match="TSA_URL"):
        sign_pdf(tiny_pdf(), served_pki.signer(), profile=SigningProfile(level=SigningLevel.B_T))


def test_revocation_after_the_proven_signing_time_still_passes(served_pki: Served) -> None:
    """signer-revoked was revoked a day before the PKI was made; signed (and timestamped)
    two days before that, with time frozen there, the B-LTA signature stays valid."""
    before = served_pki.created - dt.timedelta(days=2)
    with time_machine.travel(before, tick=True):
        signer = served_pki.signer("signer-revoked", now=before)
        data = sign_pdf(tiny_pdf(), signer, profile=served_pki.profile(SigningLevel.B_LTA))
    (sig,) = verify(served_pki, data, fetchers=served_pki.fetchers).signatures
    assert sig.indication is Indication.TOTAL_PASSED, sig.reasons
    assert sig.revocation is not None and sig.revocation.status == "revoked"
    assert sig.signing_time is not None and sig.signing_time < sig.revocation.revoked_at


def test_signatures_made_after_revocation_fail_or_stay_indeterminate(served_pki: Served) -> None:
    signer = served_pki.signer("signer-revoked")
    unchecked = {"check_revocation": False}
    b_b = sign_pdf(tiny_pdf(), signer, profile=served_pki.profile(SigningLevel.B_B, **unchecked))
    (sig,) = verify(served_pki, b_b, fetchers=served_pki.fetchers).signatures
    # the signer's own claimed time is after the revocation: no earlier signing can be proven
    assert (sig.indication, sig.sub_indication) == (Indication.TOTAL_FAILED, "REVOKED")
    two_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)  # revoked since now-1d
    backdated = sign_pdf(
        tiny_pdf(),
        signer,
        profile=served_pki.profile(SigningLevel.B_B, **unchecked),
        spec=SignatureSpec(signing_time=two_days_ago),
    )
    (sig,) = verify(served_pki, backdated, fetchers=served_pki.fetchers).signatures
    assert (sig.indication, sig.sub_indication) == (Indication.INDETERMINATE, "REVOKED_NO_POE")
    b_t = sign_pdf(tiny_pdf(), signer, profile=served_pki.profile(SigningLevel.B_T, **unchecked))
    (sig,) = verify(served_pki, b_t, fetchers=served_pki.fetchers).signatures
    assert (sig.indication, sig.sub_indication) == (Indication.TOTAL_FAILED, "REVOKED")
    assert "revoked before the signature was made" in " ".join(sig.reasons)


def test_the_copy_stamp_of_decree_30(served_pki: Served, tmp_path: Path) -> None:
    stamp = CopyStamp(copy_form="SAO Y", agency_name="UBND xã Thử Nghiệm", font=FONT)
    when = served_pki.created.replace(microsecond=0) + dt.timedelta(minutes=1)
    profile = served_pki.profile(SigningLevel.B_B, stamp=stamp)
    data = sign_pdf(
        tiny_pdf(), served_pki.signer(), profile=profile, spec=SignatureSpec(signing_time=when)
    )
    path = tmp_path / "stamped.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "SAO Y" in text and "UBND xã Thử Nghiệm" in text
    vietnam = dt.timezone(dt.timedelta(hours=7))
    iso = when.astimezone(vietnam).isoformat()  # e.g. 2024-03-15T09:30:05+07:00
    assert iso.endswith("+07:00") and iso in text
    reader = PdfFileReader(io.BytesIO(data))
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    (annot,) = [a.get_object() for a in page["/Annots"]]
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    box = page["/MediaBox"]
    width, height = float(box[2]), float(box[3])
    assert x2 > width * 0.6 and y2 > height * 0.6, "top right of page 1"
    assert "/Image" not in data.decode("latin-1")
    assert "Signature is Valid." in pdfsig(path)


def test_digitise_signs_an_agency_at_its_own_level(served_pki: Served, tmp_path: Path) -> None:
    """The job, through the CLI: one agency at B-LTA with the copy stamp, the rest at B-B."""
    import json
    import sys

    from schemas.results import Sidecar

    directory = served_pki.pki.directory
    agencies = {"000.17.22.H56": {"profile": "B-LTA", "visible": True, "agency_name": "Sở Tư pháp"}}
    env = {
        "PATH": "/usr/bin:/bin",
        "SOHOA_SIGNING_PKCS12": str(directory / "signer.p12"),
        "SOHOA_SIGNING_PASSWORD_FILE": str(directory / "signers.password"),
        "SOHOA_TRUST_PEM": str(directory / "root.cert.pem"),
        "SOHOA_SIGNING__TSA_URL": served_pki.pki.tsa_url,
        "SOHOA_SIGNING__AGENCIES": json.dumps(agencies),
    }
    data = tmp_path / "data"
    for agency, level in (("000.17.22.H56", "B-LTA"), ("000.00.00.H00", "B-B")):
        inbox = tmp_path / agency
        inbox.mkdir()
        (inbox / "ban-sao.pdf").write_bytes(tiny_pdf(b"Ban sao dien tu " + agency.encode()))
        command = [sys.executable, "-m", "workers.cli", "digitise", str(inbox)]
        command += ["--data", str(data), "--agency", agency]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        (sidecar,) = (data / "objects" / "results" / agency).rglob("*.json")
        car = Sidecar.model_validate_json(sidecar.read_text())
        (sig,) = car.verification.signatures
        assert (sig.indication, sig.level) == (Indication.TOTAL_PASSED, level)
        pdf = sidecar.with_suffix(".pdf").read_bytes()
        assert (b"/Subtype /Widget" in pdf and b"/AP" in pdf) or level == "B-B"
        report = verify_pdf(pdf, name=agency, trust_roots=served_pki.roots)
        assert report.ok or level == "B-B"  # B-B has no revocation data offline
