"""Hostile files for bench/hostile.py, each built here from nothing: raw PDFs written byte by
byte (bombs, structural attacks, active content, oversized pages and signatures), images, and
PDFs signed by an untrusted key with pyHanko."""

from __future__ import annotations

import datetime as dt
import io
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def page_png(title: str = "QUYẾT ĐỊNH", size: tuple[int, int] = (700, 500)) -> bytes:
    """A small good page (100 dpi) with a Vietnamese header: the good sibling of a bad one."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 20)
    for n, line in enumerate(["UBND TỈNH ĐỒNG NAI", "Số: 05/2024/QĐ-UBND", title]):
        draw.text((60, 60 + 40 * n), line, font=font, fill=0)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(100, 100))
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def raw_pdf(objects: list[bytes], *, trailer: bytes = b"", startxref: int | None = None) -> bytes:
    """Objects 1..n as given (1 is the catalog), a classic xref table and trailer."""
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    return out + b"startxref\n%d\n%%%%EOF\n" % (xref if startxref is None else startxref)


def text_page_pdf(
    text: bytes = b"QUYET DINH ve viec so hoa",
    *,
    media: bytes = b"[0 0 595 842]",
    page_extra: bytes = b"",
    catalog_extra: bytes = b"",
    more: list[bytes] | None = None,
) -> bytes:
    """One page with a real text layer (Helvetica), extra keys where an attacker puts them."""
    content = b"BT /F1 18 Tf 72 760 Td (%s) Tj ET" % text
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog_extra,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> %s>>" % (media, page_extra),
            stream(content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *(more or []),
        ]
    )


def flate_zeros(size: int, chunk: int = 1 << 24) -> bytes:
    """``size`` zero bytes, deflated without holding them: a zlib bomb of about size/1000."""
    packer = zlib.compressobj(9)
    zeros, parts, left = bytes(chunk), [], size
    while left > 0:
        parts.append(packer.compress(zeros[: min(chunk, left)]))
        left -= chunk
    return b"".join(parts) + packer.flush()


def zlib_bomb_pdf(size: int = 400 << 20) -> bytes:
    content = flate_zeros(size)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            stream(content, b"/Filter /FlateDecode "),
        ]
    )


def image_bomb_pdf(side: int = 30000) -> bytes:
    """A 596x842 pt page showing one DeviceGray image of side x side pixels of zeros."""
    image = flate_zeros(side * side)
    extra = b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray" % (
        side,
        side,
    )
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /XObject << /Im1 5 0 R >> >> >>",
            stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
            stream(image, extra + b" /BitsPerComponent 8 /Filter /FlateDecode "),
        ]
    )


def pixel_bomb_png(side: int = 40000) -> bytes:
    """A 1-bit PNG of side x side pixels (1.6 G pixels in a few hundred KB)."""
    out = io.BytesIO()
    Image.new("1", (side, side), 1).save(out, "PNG")
    return out.getvalue()


def nested_pdf(depth: int = 100_000) -> bytes:
    return text_page_pdf(page_extra=b"/Deep " + b"[" * depth + b"]" * depth + b" ")


def page_fanout_pdf(fanout: int = 1000) -> bytes:
    """12 KB naming one /Pages node ``fanout`` times, and in it one page ``fanout`` times:
    fanout² pages for a reader that flattens the tree."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [%s] >>" % b" ".join([b"4 0 R"] * fanout),
            b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 595 842] >>",
            b"<< /Type /Pages /Parent 2 0 R /Count 1 /Kids [%s] >>"
            % b" ".join([b"3 0 R"] * fanout),
        ]
    )


def page_loop_pdf() -> bytes:
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",  # a node that is its own kid
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]
    )


def xref_loop_pdf() -> bytes:
    good = text_page_pdf()
    xref = int(good.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    return good.replace(b"/Root 1 0 R ", b"/Root 1 0 R /Prev %d " % xref)


def pages_pdf(boxes: list[bytes]) -> bytes:
    """Pages of the given MediaBoxes and no content (a few hundred bytes)."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(len(boxes)))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox %s >>" % box for box in boxes]
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(boxes)),
            *pages,
        ]
    )


def active_content_pdf() -> bytes:
    """A page with a text layer (kept as it is, not OCRed) carrying page-open JavaScript,
    a /Launch action, a link running JavaScript and a file attachment (evil.exe)."""
    js = b"<< /S /JavaScript /JS (app.alert('pwned');) >>"
    evil = stream(b"MZ\x90\x00 not really a program", b"/Type /EmbeddedFile ")
    annots = (
        b"/Annots [<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /A %s >>"
        b" << /Type /Annot /Subtype /FileAttachment /Rect [72 600 90 620]"
        b" /FS << /Type /Filespec /F (evil.exe) /EF << /F 6 0 R >> >> >>]" % js
    )
    launch = b"<< /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >>"
    return text_page_pdf(
        page_extra=b"/AA << /O %s /C %s >> %s " % (js, launch, annots),
        catalog_extra=b"/OpenAction %s /Names << /JavaScript << /Names [(x) %s] >> >> "
        % (
            launch,
            js,
        ),
        more=[evil],
    )


def sig_contents_pdf(hex_bytes: int) -> bytes:
    """A signature field whose /Contents is ``hex_bytes`` of hex: parsed before anything."""
    contents = b"<" + b"30" * (hex_bytes // 2) + b">"
    sig = (
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached"
        b" /ByteRange [0 10 20 10] /Contents %s >>" % contents
    )
    field = (
        b"<< /FT /Sig /T (Sig1) /V 6 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R >>"
    )
    return text_page_pdf(
        catalog_extra=b"/AcroForm << /Fields [7 0 R] /SigFlags 3 >> ",
        page_extra=b"/Annots [7 0 R] ",
        more=[sig, field],
    )


def padded_pdf(size: int) -> bytes:
    """A valid one-page PDF with an unused stream making it ``size`` bytes."""
    base = len(text_page_pdf())
    return text_page_pdf(more=[stream(b"0" * max(0, size - base - 200))])


def tiff_pages(count: int, side: int = 1) -> bytes:
    frames = [Image.new("L", (side, side), 255) for _ in range(count)]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    return out.getvalue()


def _untrusted_signer():
    """A fresh self-signed signing key: nobody trusts it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kẻ giả mạo")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    blob = pkcs12.serialize_key_and_certificates(
        b"x", key, cert, None, serialization.BestAvailableEncryption(b"pw")
    )
    path = Path("/tmp") / f"hostile-{id(blob)}.p12"
    path.write_bytes(blob)
    try:
        return signers.SimpleSigner.load_pkcs12(str(path), passphrase=b"pw")
    finally:
        path.unlink()


def signed_pdf(times: int = 1, source: bytes | None = None) -> bytes:
    """A text page signed ``times`` times in incremental updates by an untrusted key."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = _untrusted_signer()
    data = source or text_page_pdf()
    for n in range(times):
        out = io.BytesIO()
        meta = signers.PdfSignatureMetadata(field_name=f"Sig{n + 1}")
        signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(data), strict=False),
            meta,
            signer=signer,
            output=out,
        )
        data = out.getvalue()
    return data


def tampered(signed: bytes) -> bytes:
    """One byte of the signed page content changed: the hash no longer matches."""
    return signed.replace(b"(QUYET DINH", b"(QUYET DINX", 1)
