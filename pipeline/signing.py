"""Signing: a development PKI, loading a PKCS#12 signer, and PAdES B-B signatures.

Pure: bytes in, bytes out, no file writes (``workers/keys.py`` stores the development PKI).

    make_dev_pki(now)                 -> DevPki   a local CA + signer, labelled DEVELOPMENT ONLY
    load_signer(pkcs12, password, now=) -> Signer  raises SigningKeyError
    sign_pdf(pdf, signer, ...)        -> bytes    an incremental update carrying one signature

Errors: SigningKeyError for a key or certificate that cannot be used; CorruptInput for a PDF
that cannot be parsed or signed.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError

from schemas.errors import CorruptInput, SigningKeyError

log = logging.getLogger(__name__)

DEV_ORGANISATION = "sohoa DEVELOPMENT ONLY - not a legal signature"
DEV_CA_NAME = "sohoa development CA"
DEV_SIGNER_NAME = "sohoa development signer"
CA_LIFETIME = dt.timedelta(days=3652)  # 10 years
SIGNER_LIFETIME = dt.timedelta(days=730)  # 2 years
BACKDATE = dt.timedelta(minutes=5)  # tolerate small clock differences between machines
# RFC 9336 id-kp-documentSigning; emailProtection too, which NSS (pdfsig) and OpenSSL's CMS
# verification expect on a CMS signer whose certificate carries an extendedKeyUsage at all.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
DIGEST = "sha256"


@dataclass(frozen=True, repr=False)
class DevPki:
    """A development CA and signer. ``repr`` never shows the password or the key."""

    ca_cert_pem: bytes
    """The development CA certificate, the trust root for verifying our own output."""
    pkcs12: bytes
    """Signer key + signer certificate + CA certificate, encrypted with ``password``."""
    password: bytes
    """Random password of ``pkcs12``."""

    def __repr__(self) -> str:
        return "DevPki(ca_cert_pem=..., pkcs12=<%d bytes>, password=***)" % len(self.pkcs12)


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(dt.UTC)


def _dev_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEV_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_dev_pki(now: dt.datetime) -> DevPki:
    """Create a development CA (P-256, 10 years) and a signer certificate (2 years) from ``now``.

    Both subjects say ``DEVELOPMENT ONLY - not a legal signature``. The signer has keyUsage
    digitalSignature + nonRepudiation and extendedKeyUsage documentSigning + emailProtection.
    """
    start = _utc(now) - BACKDATE
    ca_key = ec.generate_private_key(ec.SECP256R1())
    # a random suffix: two installations' development CAs never share a name
    ca_name = _dev_name("%s %s" % (DEV_CA_NAME, secrets.token_hex(4)))
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(_dev_name(DEV_SIGNER_NAME))
        .issuer_name(ca_name)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + SIGNER_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )

    password = secrets.token_urlsafe(32).encode("ascii")
    bundle = pkcs12.serialize_key_and_certificates(
        name=DEV_SIGNER_NAME.encode(),
        key=signer_key,
        cert=signer_cert,
        cas=[ca_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )
    return DevPki(
        ca_cert_pem=ca_cert.public_bytes(serialization.Encoding.PEM),
        pkcs12=bundle,
        password=password,
    )


def _check_certificate(cert: x509.Certificate, now: dt.datetime) -> None:
    subject = cert.subject.rfc4514_string()
    if now < cert.not_valid_before_utc:
        raise SigningKeyError(
            "the signing certificate is not valid yet (valid from %s)"
            % cert.not_valid_before_utc.isoformat(),
            subject=subject,
        )
    if now > cert.not_valid_after_utc:
        raise SigningKeyError(
            "the signing certificate expired on %s" % cert.not_valid_after_utc.isoformat(),
            subject=subject,
        )
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SigningKeyError(
            "the signing certificate may not be used for signatures "
            "(keyUsage has neither digitalSignature nor nonRepudiation)",
            subject=subject,
        )


def load_signer(pkcs12_data: bytes, password: bytes, *, now: dt.datetime) -> signers.Signer:
    """A pyHanko signer from a PKCS#12 bundle, checked to be usable at ``now``.

    Raises SigningKeyError on a wrong password or damaged bundle, a bundle without a private
    key or certificate, a key that does not match the certificate, or a certificate that is
    expired, not yet valid or not meant for signing.
    """
    moment = _utc(now)
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(pkcs12_data, password or None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            "cannot open the PKCS#12 signing key: wrong password or damaged file"
        ) from exc
    if key is None:
        raise SigningKeyError("the PKCS#12 file holds no private key")
    if cert is None:
        raise SigningKeyError("the PKCS#12 file holds no certificate for its private key")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ) != cert.public_key().public_bytes(serialization.Encoding.DER, public):
        raise SigningKeyError("the PKCS#12 private key does not match its certificate")
    _check_certificate(cert, moment)
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            pkcs12_data, other_certs=(), passphrase=password or None
        )
    except ValueError as exc:  # pragma: no cover - cryptography already opened it above
        raise SigningKeyError("pyHanko cannot use the PKCS#12 signing key") from exc
    log.debug(
        "signing key loaded: %s (valid until %s, %d chain certificates)",
        cert.subject.rfc4514_string(),
        cert.not_valid_after_utc.isoformat(),
        len(extra),
    )
    return signer


def sign_pdf(
    pdf: bytes,
    signer: signers.Signer,
    *,
    field_name: str = "Signature1",
    reason: str | None = None,
    location: str | None = None,
) -> bytes:
    """Sign ``pdf`` with a PAdES B-B signature in an incremental update; return the new file.

    SubFilter ETSI.CAdES.detached, SHA-256, signing-certificate-v2 attribute, an invisible
    signature field ``field_name`` (created on the first page if the document lacks it). The
    input bytes are kept unchanged as the file's prefix.

    Raises CorruptInput when the PDF cannot be parsed or already has ``field_name`` signed,
    SigningKeyError when pyHanko refuses the signer.
    """
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=DIGEST,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    pdf_signer = signers.PdfSigner(
        meta, signer, new_field_spec=fields.SigFieldSpec(sig_field_name=field_name)
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        if writer.prev.encrypted:
            raise CorruptInput("cannot sign an encrypted PDF")
        if any(fields.enumerate_sig_fields(writer.prev, filled_status=True, with_name=field_name)):
            raise CorruptInput("cannot sign: the field %r is already signed" % field_name)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise CorruptInput("cannot sign: the PDF cannot be parsed (%s)" % exc) from exc
    try:
        out = pdf_signer.sign_pdf(writer, output=io.BytesIO())
    except SigningError as exc:
        raise SigningKeyError("pyHanko refused to sign: %s" % exc) from exc
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise CorruptInput("cannot sign: the PDF cannot be parsed (%s)" % exc) from exc
    return out.getvalue()
