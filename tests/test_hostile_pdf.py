"""Issue 13, finding 2: sohoa never signs active content. A PDF page with a text layer that
carries page-open JavaScript, a Launch action, link JavaScript and an attached evil.exe (and a
document open action, document JavaScript, an embedded file) is built here; the agency-signed
result carries none of it, the sidecar says what was removed, and `sohoa verify` warns."""

from __future__ import annotations

import io
import subprocess

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from pipeline.inputs.active_content import find_active
from pipeline.reading.searchable_pdf import indirect, keep_pages
from schemas.results import Sidecar
from tests.test_digitise_e2e import sohoa
from tests.test_signing import tiny_pdf

TEXT = b"UBND TINH DONG NAI - QUYET DINH so 05/2024/QD-UBND ve so hoa ho so"


def _d(**items: object) -> DictionaryObject:
    return DictionaryObject({NameObject("/" + k): v for k, v in items.items()})  # type: ignore[misc]


def _n(name: str) -> NameObject:
    return NameObject("/" + name)


def _rect() -> ArrayObject:
    return ArrayObject([FloatObject(v) for v in (10, 10, 60, 40)])


def _js(code: str) -> DictionaryObject:
    return _d(S=_n("JavaScript"), JS=TextStringObject(code))


def hostile_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(tiny_pdf(TEXT)))
    page = writer.pages[0]
    page[_n("AA")] = _d(O=_js("app.alert('page opened')"))
    exe = DecodedStreamObject()
    exe.set_data(b"MZ\x90\x00 not really a program")
    spec = _d(
        Type=_n("Filespec"),
        F=TextStringObject("evil.exe"),
        UF=TextStringObject("evil.exe"),
        EF=_d(F=indirect(writer, exe)),
    )
    annotations = [
        _d(Type=_n("Annot"), Subtype=_n("Link"), Rect=_rect(), A=_js("this.exportDataObject()")),
        _d(
            Type=_n("Annot"),
            Subtype=_n("Link"),
            Rect=_rect(),
            A=_d(S=_n("Launch"), F=TextStringObject("cmd.exe")),
        ),
        _d(Type=_n("Annot"), Subtype=_n("FileAttachment"), Rect=_rect(), FS=spec),
        _d(
            Type=_n("Annot"),
            Subtype=_n("Text"),
            Rect=_rect(),
            Contents=TextStringObject("ghi chú của văn thư"),
            AA=_d(E=_js("app.alert('mouse over')")),
        ),
    ]
    page[_n("Annots")] = ArrayObject(indirect(writer, a) for a in annotations)
    writer.root_object[_n("OpenAction")] = _d(S=_n("Launch"), F=TextStringObject("calc.exe"))
    writer.add_attachment("payload.exe", b"MZ another")  # /Names /EmbeddedFiles
    names = writer.root_object["/Names"].get_object()
    script = indirect(writer, _js("app.alert('document opened')"))
    names[_n("JavaScript")] = _d(Names=ArrayObject([TextStringObject("open"), script]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _flat(path) -> bytes:
    """Every object uncompressed, out of object streams: what is in the file, in plain text."""
    done = subprocess.run(
        ["qpdf", "--qdf", "--object-streams=disable", str(path), "-"], capture_output=True
    )
    assert done.returncode in (0, 3), done.stderr
    return done.stdout


def test_every_kind_of_active_content_is_found():
    found = "\n".join(find_active(hostile_pdf()))
    for what in (
        "document: open action (Launch)",
        "document: JavaScript",
        "document: embedded files",
        "page 1: additional action /O (JavaScript)",
        "Link annotation: action (JavaScript)",
        "Link annotation: action (Launch)",
        "FileAttachment annotation evil.exe",
        "Text annotation: additional action /E (JavaScript)",
    ):
        assert what in found, found
    assert find_active(tiny_pdf(TEXT)) == ()


def test_kept_pages_lose_their_active_content(tmp_path):
    source = tmp_path / "hostile.pdf"
    source.write_bytes(hostile_pdf())
    kept = keep_pages(source, [0], tmp_path / "kept.pdf")
    assert "UBND TINH DONG NAI" in kept.texts[0]
    assert len(kept.removed) == 5, kept.removed  # page /AA, two links, attachment, note's /AA
    assert find_active(tmp_path / "kept.pdf") == ()
    (page,) = PdfReader(tmp_path / "kept.pdf").pages
    (note,) = [a.get_object() for a in page["/Annots"]]  # the sticky note stays, inert
    assert note["/Subtype"] == "/Text" and "/AA" not in note


@pytest.fixture(scope="module")
def digitised(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    folder, data = root / "ho-so-doc-hai", root / "data"
    folder.mkdir()
    (folder / "to-trinh.pdf").write_bytes(hostile_pdf())
    return folder, data, sohoa("digitise", str(folder), data=data)


def test_the_signed_result_carries_no_active_content(digitised):
    folder, data, done = digitised
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = (data / "objects" / "results").rglob("*.pdf")
    assert find_active(result) == ()
    flat = _flat(result)
    for needle in (b"/JavaScript", b"/Launch", b"evil.exe", b"payload.exe", b"/EmbeddedFile"):
        assert needle not in flat, needle
    assert b"/AA" not in flat and b"/OpenAction" not in flat
    car = Sidecar.model_validate_json(result.with_suffix(".json").read_text())
    assert car.verification.ok and car.verification.active_content == ()
    removed = "\n".join(car.active_content_removed)
    assert removed.startswith("to-trinh.pdf: page 1")
    for what in ("/O (JavaScript)", "(Launch)", "evil.exe", "/E (JavaScript)"):
        assert what in removed, removed
    assert "UBND TINH DONG NAI" in car.pages[0].text

    checked = sohoa("verify", str(result), data=data)
    assert checked.returncode == 0, checked.stdout
    assert "active content" not in checked.stdout


def test_verify_warns_about_active_content_in_any_file(digitised):
    folder, data, _done = digitised
    hostile = sohoa("verify", str(folder / "to-trinh.pdf"), data=data)
    assert hostile.returncode == 4  # no signature: the warning does not change the verdict
    assert "warning: active content" in hostile.stdout
    for what in ("Launch", "JavaScript", "evil.exe"):
        assert what in hostile.stdout
