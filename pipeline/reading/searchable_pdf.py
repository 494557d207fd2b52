"""Building the searchable PDF: image pages with Tesseract's invisible text laid over them,
pages kept from a source PDF, and the metadata as document info and XMP."""

from __future__ import annotations

import datetime as dt
import io
import logging
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)
from pypdf.xmp import XmpInformation

from pipeline.inputs.active_content import strip_page
from pipeline.inputs.source import no_space_left, openable
from schemas.document import DocumentMetadata
from schemas.errors import ConfigurationError, CorruptInput, InternalError
from schemas.results import PageText

log = logging.getLogger(__name__)

JPEG_QUALITY = 85
PRODUCER = "sohoa"


def indirect(writer: PdfWriter, obj: PdfObject) -> IndirectObject:
    """``obj`` added to ``writer`` as a new indirect object, and the reference to it.

    pypdf has no public call for this; its ``PdfWriter._add_object`` is used here and nowhere
    else (tests/test_private_apis.py fails when an installed pypdf changes it)."""
    return writer._add_object(obj)  # noqa: SLF001


def scan_page(
    image: Image.Image,
    dpi: int,
    frame: tuple[float, float],
    angle: float,
    text_pdf: bytes | None,
    jpeg: bytes | None = None,
) -> bytes:
    """One PDF page ``frame`` points in size: the scan at its own resolution, drawn turned
    ``angle`` degrees counter-clockwise about the page centre (the rotation and skew found on
    the copy that was read), under the text-only page of that copy. The scan is never
    resampled: turning it is the viewer's matrix. ``jpeg``, the scan's own JPEG file, is
    embedded as it is; otherwise the image is encoded as JPEG once."""
    if jpeg is None:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=JPEG_QUALITY)
        jpeg = buffer.getvalue()
    if text_pdf:
        writer = PdfWriter(clone_from=io.BytesIO(text_pdf))
        page = writer.pages[0]
    else:
        writer = PdfWriter()
        page = writer.add_blank_page(*frame)
    scan = _jpeg_xobject(image, jpeg)
    resources = page.setdefault(NameObject("/Resources"), DictionaryObject())
    xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
    xobjects[NameObject("/Scan")] = indirect(writer, scan)
    width, height = image.width * 72 / dpi, image.height * 72 / dpi
    a, b, c, d, e, f = (
        Transformation()
        .scale(width, height)
        .translate(-width / 2, -height / 2)
        .rotate(angle)
        .translate(float(page.mediabox.width) / 2, float(page.mediabox.height) / 2)
        .ctm
    )
    draw = StreamObject()
    draw.set_data(f"q {a:.6f} {b:.6f} {c:.6f} {d:.6f} {e:.4f} {f:.4f} cm /Scan Do Q\n".encode())
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    if contents is None:
        existing = []
    elif isinstance(contents.get_object(), ArrayObject):
        existing = list(contents.get_object())
    else:
        existing = [contents]
    page[NameObject("/Contents")] = ArrayObject([indirect(writer, draw), *existing])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _jpeg_xobject(image: Image.Image, jpeg: bytes) -> StreamObject:
    """The scan as an image XObject holding its JPEG file as it is (DCTDecode)."""
    scan = StreamObject()
    scan.set_data(jpeg)
    scan.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(image.width),
            NameObject("/Height"): NumberObject(image.height),
            NameObject("/ColorSpace"): NameObject(
                "/DeviceGray" if image.mode == "L" else "/DeviceRGB"
            ),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
        }
    )
    return scan


def _describe(meta: DocumentMetadata) -> dict[str, str]:
    title = " ".join(x for x in (meta.type_name, meta.number_and_symbol) if x)
    info = {
        "/Title": title or "Văn bản số hóa",
        "/Subject": meta.subject or "",
        "/Author": meta.organ_name or "",
        "/Keywords": "; ".join(
            f"{k}={v}"
            for k, v in meta.model_dump(
                mode="json",
                include=set(("code_number", "code_notation", "issued_date", "place", "type_name")),
            ).items()
            if v
        ),
        "/Producer": PRODUCER,
        "/Creator": PRODUCER,
    }
    return {k: v for k, v in info.items() if v}


def assemble(
    parts: Sequence[tuple[Path, int]], meta: DocumentMetadata, *, now: dt.datetime, out: Path
) -> None:
    """Write the unsigned result to ``out``: page ``index`` of each file in ``parts``, in
    order, with document info and XMP from ``meta``.

    qpdf copies the pages file to file and reads each page's streams only while writing
    them, so a document of any length is never held in memory (pypdf's writer would hold it
    all). Our own page files and those written by ``keep_pages`` are clean PDFs; a failure
    here is a broken input that slipped through, named by the file qpdf stopped at, or a
    full disk (DiskFull; qpdf itself may exit 0 with its file cut short)."""
    carrier = out.with_name(out.name + ".carrier.pdf")
    carrier.write_bytes(_carrier(meta, now))
    spec = out.with_name(out.name + ".pages")
    lines = [str(carrier), "--pages"]
    for file, indexes in _runs(parts):
        lines += [str(file), ",".join(str(i + 1) for i in indexes)]
    lines += ["--", str(out)]
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = False
    try:
        done = subprocess.run(["qpdf", f"@{spec}"], capture_output=True, text=True)
        whole = done.returncode in QPDF_OK and _ends_whole(out)
        if not whole:  # qpdf 11 exits 0, silent, when a full disk cut its file short
            no_space_left(out.parent, "put the pages together")  # before anything is removed
    except FileNotFoundError as exc:
        raise ConfigurationError("qpdf is not installed (apt install qpdf)") from exc
    finally:
        carrier.unlink(missing_ok=True)
        spec.unlink(missing_ok=True)
        if not whole:
            out.unlink(missing_ok=True)
    if not whole:
        if done.returncode in QPDF_OK:
            raise InternalError("qpdf wrote the document cut short", subject=out.name)
        said = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise CorruptInput("the pages cannot be put together: %s" % (said[-1] if said else "?"))
    if done.returncode == QPDF_WARNED:
        log.warning("qpdf, putting the pages together: %s", done.stderr.strip()[:500])


def _ends_whole(pdf: Path) -> bool:
    """The file ends as a PDF does (``%%EOF`` in its last kilobyte), not cut short."""
    try:
        with pdf.open("rb") as handle:
            handle.seek(max(0, pdf.stat().st_size - 1024))
            return b"%%EOF" in handle.read()
    except OSError:
        return False


QPDF_WARNED = 3  # qpdf wrote the file but had warnings
QPDF_OK = (0, QPDF_WARNED)


def _runs(parts: Sequence[tuple[Path, int]]) -> list[tuple[Path, list[int]]]:
    """Consecutive pages of one file as one run: ``a.pdf 1,2,3`` rather than three entries."""
    runs: list[tuple[Path, list[int]]] = []
    for file, index in parts:
        if runs and runs[-1][0] == file:
            runs[-1][1].append(index)
        else:
            runs.append((file, [index]))
    return runs


def _carrier(meta: DocumentMetadata, now: dt.datetime) -> bytes:
    """A PDF without pages that carries the document info and XMP for qpdf to keep."""
    writer = PdfWriter()
    info = _describe(meta)
    writer.add_metadata(info)
    xmp = XmpInformation.create()
    xmp.dc_title = {"x-default": info["/Title"]}
    if meta.subject:
        xmp.dc_description = {"x-default": meta.subject}
    if meta.organ_name:
        xmp.dc_creator = [meta.organ_name]
    if meta.type_name:
        xmp.dc_type = [meta.type_name]
    if meta.number_and_symbol:
        xmp.dc_identifier = meta.number_and_symbol
    if meta.issued_date:
        xmp.dc_date = [dt.datetime.combine(meta.issued_date, dt.time())]
    xmp.dc_language = ["vi"]
    xmp.pdf_producer = PRODUCER
    xmp.pdf_keywords = info.get("/Keywords", "")
    xmp.xmp_creator_tool = PRODUCER
    xmp.xmp_create_date = now
    xmp.xmp_modify_date = now
    writer.xmp_metadata = xmp
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class KeptPages:
    texts: list[str]  # each kept page's text, in the order asked
    removed: list[str]  # the active content taken off them, in words ("page 3: ...")


def keep_pages(source: bytes | Path, indexes: Sequence[int], out: Path) -> KeptPages:
    """Copy pages ``indexes`` of a PDF that already has text into ``out`` (a small file of its
    own, for ``assemble``), without their active content (pipeline/inputs/active_content.py: actions,
    JavaScript, attachments, links, form widgets), which sohoa never signs. Only the pages
    are copied: the document's open action, names and form do not come along. A null or
    broken /Annots is dropped: it would stop the signature widget from being added."""
    try:
        reader = PdfReader(openable(source))
        writer = PdfWriter()
        texts, removed = [], []
        for index in indexes:
            page = reader.pages[index]
            texts.append(page.extract_text())
            added = writer.add_page(page)
            if "/Annots" in added and not isinstance(added["/Annots"].get_object(), ArrayObject):
                del added["/Annots"]
            removed += strip_page(added, index + 1)
        with out.open("wb") as handle:
            writer.write(handle)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptInput("a page with text cannot be copied: %s" % exc) from exc
    return KeptPages(texts, removed)


def carried_text(source: bytes | Path) -> tuple[PageText, ...]:
    """The text a PDF already carries, page by page, as its own text layer says it (a signed
    input is kept as it is, so its words are read from it, never from a new reading)."""
    reader = PdfReader(openable(source), strict=False)
    return tuple(
        PageText(index=i, source="text-layer", text=page.extract_text())
        for i, page in enumerate(reader.pages)
    )
