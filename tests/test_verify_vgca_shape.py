"""Decree 49's chain shape with a test CA: "RootCA ... G2" -> "CA phục vụ các cơ quan Nhà nước
G2" -> "CHÍNH PHỦ", the signer naming only a CRL (as VGCA's do). Offline, hard-fail: without a
CRL INDETERMINATE/TRY_LATER (what decree 49 gets), with the CA's current CRL TOTAL_PASSED, with a
CRL listing the signer TOTAL_FAILED/REVOKED. The real decree cannot reach TOTAL_PASSED here:
its CRL is VGCA's to sign."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from pipeline.signatures.signing import load_signer, sign_pdf
from pipeline.signatures.verification import verify_pdf
from schemas.verification import Indication
from tests.test_signing import tiny_pdf

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
CRL_URL = "http://127.0.0.1:9/crl/cqnn-g2-test.crl"  # never reached: offline


def _name(common: str, **extra: str) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if "locality" in extra:
        parts.append(x509.NameAttribute(NameOID.LOCALITY_NAME, extra["locality"]))
    parts += [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, extra.get("org", "Ban Cơ yếu Chính phủ")),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ]
    return x509.Name(parts)


def _cert(subject, issuer, key, issuer_key, *, ca: bool, crl: bool = False):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=30))
        .not_valid_after(NOW + dt.timedelta(days=3650 if ca else 700))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if crl:
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(CRL_URL)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def vgca_shaped():
    root_key, ca_key, signer_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root_name = _name("RootCA chuyên dùng Chính phủ G2 (TEST)")
    ca_name = _name("CA phục vụ các cơ quan Nhà nước G2 (TEST)")
    root = _cert(root_name, root_name, root_key, root_key, ca=True)
    ca = _cert(ca_name, root_name, ca_key, root_key, ca=True)
    signer_name = _name("CHÍNH PHỦ (TEST)", org="CHÍNH PHỦ", locality="Hà Nội")
    signer = _cert(signer_name, ca_name, signer_key, ca_key, ca=False, crl=True)
    bundle = pkcs12.serialize_key_and_certificates(
        b"signer", signer_key, signer, [ca], serialization.BestAvailableEncryption(b"pw")
    )
    signed = sign_pdf(tiny_pdf(), load_signer(bundle, b"pw", now=NOW))

    def crl(revoked: bool) -> bytes:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_name)
            .last_update(NOW - dt.timedelta(hours=1))
            .next_update(NOW + dt.timedelta(days=7))
        )
        if revoked:
            entry = (
                x509.RevokedCertificateBuilder()
                .serial_number(signer.serial_number)
                .revocation_date(NOW - dt.timedelta(days=1))
                .build()
            )
            builder = builder.add_revoked_certificate(entry)
        return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    pem = serialization.Encoding.PEM
    return signed, root.public_bytes(pem), ca.public_bytes(pem), crl(False), crl(True)


def _verify(vgca_shaped, *crls: bytes):
    signed, root, ca, _good, _revoked = vgca_shaped
    report = verify_pdf(
        signed,
        name="decree.pdf",
        trust_roots=[root],
        other_certs=[ca],
        crls=crls,
        at=NOW + dt.timedelta(hours=1),
    )
    (sig,) = report.signatures
    return sig


def test_without_a_crl_it_is_what_decree_49_gets(vgca_shaped) -> None:
    sig = _verify(vgca_shaped)
    assert (sig.indication, sig.sub_indication) == (Indication.INDETERMINATE, "TRY_LATER")
    assert "revocation not checked" in sig.summary


def test_with_the_cas_current_crl_it_passes_offline(vgca_shaped) -> None:
    sig = _verify(vgca_shaped, vgca_shaped[3])
    assert sig.indication is Indication.TOTAL_PASSED, sig.reasons
    assert sig.revocation is not None and sig.revocation.status == "good"
    assert "RootCA chuyên dùng Chính phủ G2 (TEST)" in sig.trust_path[-1]


def test_with_a_crl_that_lists_the_signer_it_fails(vgca_shaped) -> None:
    sig = _verify(vgca_shaped, vgca_shaped[4])
    assert (sig.indication, sig.sub_indication) == (Indication.TOTAL_FAILED, "REVOKED")
