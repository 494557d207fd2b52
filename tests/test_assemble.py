"""Putting a document together file to file (qpdf): page order, kept text pages, metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, NumberObject

from pipeline.reading.searchable_pdf import assemble, keep_pages
from schemas.document import DocumentMetadata
from schemas.errors import CorruptInput

META = DocumentMetadata(
    type_name="Quyết định",
    code_number="15",
    code_notation="QĐ-UBND",
    organ_name="Ủy ban nhân dân tỉnh Đồng Nai",
    subject="Về việc số hóa hồ sơ",
)


def one_page(path: Path, width: float) -> Path:
    """A blank page whose width tells it apart from the others."""
    writer = PdfWriter()
    writer.add_blank_page(width, 300)
    writer.write(path)
    return path


def test_pages_come_in_the_order_given_with_the_metadata(tmp_path: Path) -> None:
    source = PdfWriter()
    for width in (101, 102, 103):
        source.add_blank_page(width, 300)
    source.pages[1][NameObject("/Annots")] = NumberObject(5)  # broken: would stop the widget
    source.write(tmp_path / "text.pdf")
    kept = tmp_path / "kept.pdf"
    done = keep_pages(tmp_path / "text.pdf", [1, 2], kept)
    assert (done.texts, done.removed) == (["", ""], [])
    parts = [
        (one_page(tmp_path / "a.pdf", 201), 0),
        (kept, 0),
        (one_page(tmp_path / "b.pdf", 202), 0),
        (kept, 1),
    ]
    out = tmp_path / "out.pdf"
    assemble(parts, META, now=dt.datetime(2024, 3, 15, tzinfo=dt.UTC), out=out)
    reader = PdfReader(out)
    assert [float(p.mediabox.width) for p in reader.pages] == [201, 102, 202, 103]
    assert all("/Annots" not in p for p in reader.pages)
    assert reader.metadata is not None and reader.metadata.title == "Quyết định 15/QĐ-UBND"
    assert reader.metadata.author == "Ủy ban nhân dân tỉnh Đồng Nai"
    xmp = reader.xmp_metadata
    assert xmp is not None and xmp.dc_identifier == "15/QĐ-UBND" and xmp.dc_language == ["vi"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.pdf",
        "b.pdf",
        "kept.pdf",
        "out.pdf",
        "text.pdf",
    ]  # nothing of qpdf's left behind


def test_a_page_file_that_is_not_a_pdf_is_corrupt_input(tmp_path: Path) -> None:
    broken = tmp_path / "page-00001.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not a PDF at all")
    out = tmp_path / "out.pdf"
    with pytest.raises(CorruptInput, match="cannot be put together"):
        assemble([(broken, 0)], META, now=dt.datetime.now(dt.UTC), out=out)
    assert not out.exists()


def test_a_text_pdf_that_cannot_be_read_is_corrupt_input(tmp_path: Path) -> None:
    with pytest.raises(CorruptInput, match="cannot be copied"):
        keep_pages(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF", [0], tmp_path / "kept.pdf")
