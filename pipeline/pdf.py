"""Building the searchable PDF: image pages with Tesseract's invisible text laid over them,
pages kept from a source PDF, and the metadata as document info and XMP."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject
from pypdf.xmp import XmpInformation

from schemas.document import DocumentMetadata

JPEG_QUALITY = 85
PRODUCER = "sohoa"


def scan_page(
    image: Image.Image,
    dpi: int,
    frame: tuple[float, float],
    angle: float,
    text_pdf: bytes | None,
) -> bytes:
    """One PDF page ``frame`` points in size: the scan at its own resolution (JPEG), drawn
    turned ``angle`` degrees counter-clockwise about the page centre (the rotation and skew
    found on the copy that was read), with the text-only page of that copy on top. The scan
    is never resampled: turning it is the viewer's matrix, not a new image."""
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=float(dpi), quality=JPEG_QUALITY)
    scan = PdfReader(buffer).pages[0]
    width, height = float(scan.mediabox.width), float(scan.mediabox.height)
    writer = PdfWriter()
    page = writer.add_blank_page(*frame)
    place = (
        Transformation()
        .translate(-width / 2, -height / 2)
        .rotate(angle)
        .translate(frame[0] / 2, frame[1] / 2)
    )
    page.merge_transformed_page(scan, place)
    if text_pdf:
        page.merge_page(PdfReader(io.BytesIO(text_pdf)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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


def assemble(pages: list[PageObject], meta: DocumentMetadata, *, now: dt.datetime) -> bytes:
    """The unsigned result: the pages in order, document info and XMP from ``meta``."""
    writer = PdfWriter()
    for page in pages:
        added = writer.add_page(page)
        if "/Annots" in added and not isinstance(added["/Annots"].get_object(), ArrayObject):
            del added["/Annots"]  # a null or broken /Annots would stop the signature widget
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
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pages_of(pdf: bytes) -> list[PageObject]:
    return list(PdfReader(io.BytesIO(pdf)).pages)
