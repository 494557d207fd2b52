"""PAdES signatures at four levels: B-B, B-T, B-LT and B-LTA, invisible or as a copy stamp.

Pure with respect to storage: bytes in, bytes out. What a level needs from outside comes in
the SigningProfile, built by ``pipeline/signatures/online.py``: a pyHanko TimeStamper (B-T
and up) and a factory of ValidationContexts that may fetch OCSP responses and CRLs
(revocation check, B-LT).

    sign_pdf(pdf, signer, profile=SigningProfile(...), spec=SignatureSpec(...)) -> bytes

The profile is the signature's level and what it needs from outside; the spec
(schemas.signing.SignatureSpec, frozen) its field, reason, location and claimed time.

Errors, translated at this boundary:
    CorruptInput          the PDF cannot be parsed or is already signed in that field
    SigningKeyError       an expired, not yet valid, revoked or unusable signer certificate
    ConfigurationError    a level without what it needs (no TSA for B-T, ...)
    TimestampUnavailable  the TSA did not answer or refused (retryable; never a silent B-B)
    RevocationUnavailable OCSP/CRL unreachable when the level or the check needs them
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import aiohttp
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    CertificateFetchError,
    CRLFetchError,
    OCSPFetchError,
    PathValidationError,
)

from pipeline.signatures.signers import (
    DEV_ORGANISATION,
    DevPki,
    check_certificate,
    check_revocation,
    load_signer,
    make_dev_pki,
    utc,
)
from schemas.errors import (
    ConfigurationError,
    CorruptInput,
    RevocationUnavailable,
    SigningKeyError,
    TimestampUnavailable,
    disk_full,
    local_file_error,
)
from schemas.signing import SignatureSpec, SigningLevel

__all__ = [
    "DEV_ORGANISATION",
    "CopyStamp",
    "DevPki",
    "SignatureSpec",
    "SigningProfile",
    "load_signer",
    "make_dev_pki",
    "sign_pdf",
]

log = logging.getLogger(__name__)
DEFAULT_SPEC = SignatureSpec()

DIGEST = "sha256"
VIETNAM = dt.timezone(dt.timedelta(hours=7), "+07:00")
STAMP_SIZE = (200, 44)  # points: three lines of 10 pt text
STAMP_MARGIN = 18  # points from the top and right edges of the page


@dataclass(frozen=True)
class CopyStamp:
    """The visible signature of an electronic copy (Decree 30/2020, Appendix I): top right of
    page 1, no image, black upright 10 pt text: the copy form, the agency, the signing time in
    ISO 8601 with the Vietnamese offset (+07:00)."""

    copy_form: str
    agency_name: str
    font: Path
    """A TrueType font with Vietnamese glyphs (Liberation Serif: Times New Roman metrics)."""


@dataclass(frozen=True)
class SigningProfile:
    """What one signature looks like and what its level needs from outside."""

    level: SigningLevel = SigningLevel.B_B
    timestamper: TimeStamper | None = None
    """RFC 3161 client for B-T, B-LT and B-LTA."""
    validation_context: Callable[[], ValidationContext] | None = None
    """A fresh context trusting the signer's root (and the TSA's), fetching allowed: used to
    check the signer's revocation status and to gather B-LT validation data."""
    check_revocation: bool = True
    """Refuse a revoked signer; applies when the certificate names OCSP or CRLs and a
    validation context is given. An unreachable source is then RevocationUnavailable."""
    stamp: CopyStamp | None = None
    """None: an invisible signature."""


class _ClockedPdfSigner(signers.PdfSigner):
    """A PdfSigner whose claimed signing time (/M, the stamp) is ours, not its own clock's.

    pyHanko offers no parameter for it: its sessions take the time from ``system_time``,
    set here and nowhere else (tests/test_private_apis.py fails when a pyHanko changes it)."""

    def __init__(self, *args: object, signing_time: dt.datetime, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._signing_time = signing_time

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signing_time
        return session


@functools.lru_cache(maxsize=4)
def _font_at_1000_upem(path: Path) -> bytes:
    """The font rescaled to 1000 units per em: pyHanko 0.38 writes glyph widths in font units
    where PDF expects thousandths of an em, which spreads out 2048-unit TrueType fonts such as
    Liberation Serif. Rescaling first keeps the embedded widths right."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(path))
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class _StampFont(FontEngineFactory):
    """pyHanko's glyph accumulator on a font rescaled in memory to 1000 units per em."""

    path: Path
    size: int = 10

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: object = None) -> object:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_font_at_1000_upem(self.path)),
            font_size=self.size,
            bcp47_lang_code="vi",
            obj_stream=obj_stream,
        )


def _stamp_style(stamp: CopyStamp) -> object:
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    if not stamp.font.is_file():
        raise ConfigurationError("the stamp font does not exist", subject=str(stamp.font))
    # fontTools reports every table it cannot subset (FFTM) as a warning; nothing is wrong
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    text = TextBoxStyle(font=_StampFont(stamp.font), font_size=10, leading=12)
    return TextStampStyle(
        stamp_text="%(copy_form)s\n%(agency)s\n%(ts)s",
        text_box_style=text,
        timestamp_format="%Y-%m-%dT%H:%M:%S+07:00",  # the time is converted to +07:00 first
        border_width=0,
        background=None,
    )


def _stamp_box(writer: IncrementalPdfFileWriter) -> tuple[int, int, int, int]:
    """Top right of page 1, inside its crop box."""
    page = writer.prev.find_page_for_modification(0)[0].get_object()
    box = page.get("/CropBox") or page.get("/MediaBox")
    left, bottom, right, top = (float(v) for v in box)
    width, height = STAMP_SIZE
    x2 = int(right - STAMP_MARGIN)
    y2 = int(top - STAMP_MARGIN)
    return max(int(left), x2 - width), max(int(bottom), y2 - height), x2, y2


def _require(profile: SigningProfile) -> None:
    level = profile.level
    if level.needs_tsa and profile.timestamper is None:
        raise ConfigurationError(
            "signing level %s needs a time-stamping service: set SOHOA_SIGNING__TSA_URL"
            % level.value
        )
    if level.needs_revocation_data and profile.validation_context is None:
        raise ConfigurationError("signing level %s needs revocation sources" % level.value)


def _unreachable(exc: BaseException) -> type[Exception] | None:
    """Which retryable error a failure stands for, following its causes; None: not network."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, TimestampRequestError):
            return TimestampUnavailable
        if isinstance(current, (OCSPFetchError, CRLFetchError, CertificateFetchError)):
            return RevocationUnavailable
        if isinstance(current, (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError)):
            return RevocationUnavailable
        current = current.__cause__ or current.__context__
    return None


async def _check_revocation(
    signer: signers.Signer, profile: SigningProfile, context: ValidationContext | None
) -> None:
    if not profile.check_revocation or context is None:
        return
    cert = signer.signing_cert
    chain = [c for c in signer.cert_registry if c != cert]
    result = await check_revocation(cert, chain, context)
    subject = cert.subject.human_friendly
    if result.status == "revoked":
        raise SigningKeyError("the signing certificate was %s" % result.detail, subject=subject)
    if result.status == "unknown":
        raise RevocationUnavailable(
            "cannot confirm the signing certificate is not revoked: %s" % result.detail,
            subject=subject,
        )
    log.debug("signer revocation status: %s (%s)", result.status, result.detail)


async def _sign(
    pdf_signer: signers.PdfSigner,
    writer: IncrementalPdfFileWriter,
    profile: SigningProfile,
    context: ValidationContext | None,
    params: dict[str, str] | None,
    output: BinaryIO,
) -> None:
    """Check the signer, then sign, in one event loop: OCSP answers are fetched once."""
    try:
        await _check_revocation(pdf_signer.signer, profile, context)
        await pdf_signer.async_sign_pdf(writer, output=output, appearance_text_params=params)
    finally:
        if context is not None:
            await context.aclose()


def _metadata(
    profile: SigningProfile, context: ValidationContext | None, spec: SignatureSpec
) -> signers.PdfSignatureMetadata:
    long_term = profile.level.needs_revocation_data
    return signers.PdfSignatureMetadata(
        field_name=spec.field_name,
        md_algorithm=DIGEST,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=spec.reason,
        location=spec.location,
        embed_validation_info=long_term,
        use_pades_lta=profile.level is SigningLevel.B_LTA,
        validation_context=context if long_term else None,
        signer_key_usage={"digital_signature", "non_repudiation"},
    )


def _open(pdf: BinaryIO, field_name: str) -> IncrementalPdfFileWriter:
    try:
        writer = IncrementalPdfFileWriter(pdf)
        if writer.prev.encrypted:
            raise CorruptInput("cannot sign an encrypted PDF")
        if any(fields.enumerate_sig_fields(writer.prev, filled_status=True, with_name=field_name)):
            raise CorruptInput("cannot sign: the field %r is already signed" % field_name)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise CorruptInput("cannot sign: the PDF cannot be parsed (%s)" % exc) from exc
    return writer


def sign_pdf(
    pdf: bytes,
    signer: signers.Signer,
    *,
    profile: SigningProfile | None = None,
    spec: SignatureSpec = DEFAULT_SPEC,
) -> bytes:
    """``sign_stream`` in memory: the signed file for ``pdf``'s bytes."""
    out = io.BytesIO()
    sign_stream(io.BytesIO(pdf), out, signer, profile=profile, spec=spec)
    return out.getvalue()


def sign_file(
    source: Path,
    target: Path,
    signer: signers.Signer,
    *,
    profile: SigningProfile | None = None,
    spec: SignatureSpec = DEFAULT_SPEC,
) -> None:
    """``sign_stream`` file to file: neither file is ever held in memory whole."""
    try:
        with source.open("rb") as pdf, target.open("w+b") as out:
            sign_stream(pdf, out, signer, profile=profile, spec=spec)
    except OSError as exc:  # the last bytes meet a full disk as the file is closed
        if disk_full(exc):
            raise local_file_error(exc, str(target)) from exc
        raise


def sign_stream(
    pdf: BinaryIO,
    output: BinaryIO,
    signer: signers.Signer,
    *,
    profile: SigningProfile | None = None,
    spec: SignatureSpec = DEFAULT_SPEC,
) -> None:
    """Sign ``pdf`` in an incremental update at ``profile.level``, written to ``output``
    (readable, writable and seekable: pyHanko fills the signature in place).

    SubFilter ETSI.CAdES.detached, SHA-256, signing-certificate-v2; a signature field
    ``spec.field_name`` on page 1 (invisible, or the copy stamp). B-T adds the TSA's signature
    timestamp, B-LT the chain, OCSP responses and CRLs in the DSS, B-LTA a document timestamp
    over it all. The input bytes stay the file's prefix. ``spec.signing_time`` (default now)
    is the claimed time (/M and the stamp) and the moment the certificate is checked at.
    """
    profile = profile or SigningProfile()
    field_name = spec.field_name
    moment = utc(spec.signing_time or dt.datetime.now(dt.UTC))
    _require(profile)
    check_certificate(signer.signing_cert, moment)
    writer = _open(pdf, field_name)
    context = profile.validation_context() if profile.validation_context else None
    try:
        field_spec = fields.SigFieldSpec(sig_field_name=field_name)
        style = params = None
        if profile.stamp is not None:
            field_spec = fields.SigFieldSpec(sig_field_name=field_name, box=_stamp_box(writer))
            style = _stamp_style(profile.stamp)
            params = {"copy_form": profile.stamp.copy_form, "agency": profile.stamp.agency_name}
        pdf_signer = _ClockedPdfSigner(
            _metadata(profile, context, spec),
            signer,
            timestamper=profile.timestamper,
            stamp_style=style,
            new_field_spec=field_spec,
            signing_time=moment.astimezone(VIETNAM),
        )
        asyncio.run(_sign(pdf_signer, writer, profile, context, params, output))
    except (SigningKeyError, ConfigurationError, RevocationUnavailable, CorruptInput):
        raise
    except (SigningError, PathValidationError, TimestampRequestError, OSError) as exc:
        if disk_full(exc):  # the signed file did not fit: this machine's, never the key's
            raise local_file_error(exc, str(getattr(output, "name", "the signed PDF"))) from exc
        retryable = _unreachable(exc)
        if retryable is not None:
            raise retryable("cannot sign at %s: %s" % (profile.level.value, exc)) from exc
        raise SigningKeyError("pyHanko refused to sign: %s" % exc) from exc
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        retryable = _unreachable(exc)
        if retryable is not None:
            raise retryable("cannot sign at %s: %s" % (profile.level.value, exc)) from exc
        raise CorruptInput("cannot sign: the PDF cannot be parsed (%s)" % exc) from exc
