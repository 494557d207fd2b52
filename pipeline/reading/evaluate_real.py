"""Ground truth from real material, for ``sohoa eval``: a folder of page images with their text,
or a born-digital PDF scanned in office styles with its own text layer as the truth.

    load_folder(directory)             -> one TruthDocument: every image beside a NAME.gt.txt
    scan_pdf(pdf, styles, directory)   -> one TruthDocument per style, its pages written as
                                          images and .gt.txt files under directory/<style>/

A folder is one document, its pages in name order, its page class the folder's name. Field
truth, when there is some, is a ``fields.json`` in the folder (for a PDF: ``<stem>.fields.json``
beside it), with the keys of ``sohoa samples``' truth (code_number, code_notation, issued_date,
type_name, organ_name, place, subject, signing_authority, signer_position, signer_name, ...).
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from pipeline.reading.evaluate import TruthDocument, TruthPage

IMAGE_SUFFIXES = {".png", ".tif", ".tiff", ".jpg", ".jpeg", ".pbm", ".pgm", ".ppm", ".bmp"}
FIELDS_FILE = "fields.json"


def _fields(path: Path) -> dict[str, object]:
    if not path.exists():
        return {}
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a JSON object of field truth ({exc})") from exc
    if not isinstance(fields, dict):
        raise ValueError(f"{path}: not a JSON object of field truth")
    return fields


def load_folder(directory: Path) -> TruthDocument | None:
    """The folder's pages (images with a NAME.gt.txt beside them); None when it has none."""
    pages = []
    for image in sorted(p for p in directory.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        truth = image.with_name(image.stem + ".gt.txt")
        if not truth.exists():
            continue
        text = unicodedata.normalize("NFC", truth.read_text(encoding="utf-8"))
        pages.append(TruthPage(len(pages), text, None, None, file=image.name))
    if not pages:
        return None
    fields = _fields(directory / FIELDS_FILE)
    name = directory.resolve().name
    return TruthDocument(name, pages[0].file or "", name, fields, tuple(pages))


def parse_styles(text: str) -> list[str]:
    """``bw200,grey300`` -> the style names; ValueError names one that is not known."""
    from samplegen.office_scans import STYLES  # the generator: only when scans are asked for

    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in STYLES]
    if unknown or not names:
        raise ValueError(f"unknown scan style {unknown or text!r}: known are {', '.join(STYLES)}")
    return names


def scan_pdf(
    pdf: Path, styles: Sequence[str], directory: Path, pages: Sequence[int] = ()
) -> list[TruthDocument]:
    """The PDF's pages (all, or the 1-based ``pages``) scanned in every style, as folders
    under ``directory`` (one per style); their truth is the PDF's text layer."""
    from samplegen.office_scans import STYLES, page_truth, pdf_page_count, scan_page

    numbers = list(pages) or list(range(1, pdf_page_count(pdf) + 1))
    fields = pdf.with_name(pdf.stem + ".fields.json")
    docs = []
    for name in styles:
        style = STYLES[name]
        folder = directory / name
        folder.mkdir(parents=True, exist_ok=True)
        for n in numbers:
            stem = f"{pdf.stem}-p{n:03d}"
            (folder / f"{stem}{style.suffix}").write_bytes(scan_page(pdf, n, style))
            (folder / f"{stem}.gt.txt").write_text(page_truth(pdf, n), encoding="utf-8")
        if fields.exists():
            shutil.copyfile(fields, folder / FIELDS_FILE)
        doc = load_folder(folder)
        if doc is not None:
            docs.append(doc)
    return docs
