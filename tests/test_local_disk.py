"""A local disk's faults are the local disk's: a full disk (a real tmpfs filled up) or a
read-only folder met while an object is fetched to a local file is DiskFull or
LocalFileRefused, never "S3 unreachable" nor a store that is down (storage/objects.py,
storage/s3.py), over file:// and S3 (moto). Through the real CLI, a temporary folder that
fills up mid-document fails the document as disk-full (retryable, exit 1, in the clerk's
words), loses nothing, and the next run once space is freed digitises it."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from pipeline.reading.searchable_pdf import assemble
from schemas.document import DocumentMetadata
from schemas.errors import DiskFull, LocalFileRefused, StorageUnavailable
from storage.places import open_store
from tests.conftest import text_image
from tests.services import REPO, make_s3_place, sohoa_env

KEY = "originals/000.17.22.H56/2024/ho-so-1/" + "a" * 64 + ".png"


def _mount(folder: Path, *options: str) -> None:
    folder.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(("size=8m", *options)),
                           "tmpfs", str(folder)])
    if done.returncode != 0:
        pytest.fail("cannot mount a small tmpfs (root is needed, as the suite has)")


def _fill(folder: Path, leave: int = 0) -> Path:
    """Fill the tmpfs at ``folder`` up, then give ``leave`` bytes back."""
    filler = folder / "filler"
    with contextlib.suppress(OSError), filler.open("wb") as out:
        while True:
            out.write(b"\0" * 4096)
    if leave:
        os.truncate(filler, filler.stat().st_size - leave)
    return filler


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    _mount(mount)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def read_only(tmp_path):
    mount = tmp_path / "read-only"
    _mount(mount, "ro")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture(params=["file", "s3"])
def store(request, tmp_path):
    if request.param == "file":
        return open_store(f"file://{tmp_path / 'objects'}")
    return make_s3_place(request.getfixturevalue("moto_server").endpoint, tmp_path).store()


@pytest.mark.contract  # a real tmpfs, mounted
def test_fetching_onto_a_full_disk_is_disk_full_and_the_store_is_fine(store, small_disk):
    store.put(KEY, os.urandom(256 * 1024))
    _fill(small_disk)
    target = small_disk / "spooled.png"
    with pytest.raises(DiskFull) as caught:
        store.get_file(KEY, target)
    assert str(target) in str(caught.value) and "unreachable" not in str(caught.value)
    assert len(store.get(KEY)) == 256 * 1024  # the store answers all along


@pytest.mark.contract
def test_fetching_into_a_read_only_folder_is_refused_not_the_store_down(store, read_only):
    store.put(KEY, b"png bytes")
    with pytest.raises(LocalFileRefused) as caught:
        store.get_file(KEY, read_only / "spooled.png")
    assert not isinstance(caught.value, StorageUnavailable)
    assert "read-only" in str(caught.value).lower()


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", "digitise", *args],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=600,
    )


@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["tiff", "pdf"])
def test_a_temporary_folder_that_fills_up_fails_the_document_retryably_and_loses_nothing(
    kind, tmp_path, small_disk
):
    """Three pages of 2 MB uncompressed each (a TIFF) or two 150 dpi scanned pages (a PDF,
    whose page images poppler takes out into the temporary folder): they do not fit in the
    16 KB left."""
    dossier = tmp_path / "in" / "ho-so-1"
    dossier.mkdir(parents=True)
    scan = dossier / f"quyet-dinh.{kind}"
    if kind == "tiff":
        pages = [
            text_image([f"Trang {n}", "QUYẾT ĐỊNH về việc số hóa"], size=(620, 877), dpi=75)
            for n in (1, 2, 3)
        ]
        pages[0].save(scan, save_all=True, append_images=pages[1:], dpi=(75, 75))
    else:
        pages = [
            text_image([f"Trang {n}", "QUYẾT ĐỊNH về việc số hóa"], size=(1240, 1754), dpi=150)
            .convert("L")
            for n in (1, 2)
        ]
        pages[0].save(scan, save_all=True, append_images=pages[1:], resolution=150)
    original = scan.read_bytes()
    filler = _fill(small_disk, leave=16 * 1024)
    env = sohoa_env(
        TMPDIR=str(small_disk), SOHOA_DATA=str(tmp_path / "data"), SOHOA_JOBS="1", SOHOA_LANG="vi"
    )
    done = _cli(env, str(dossier))
    said = " ".join(done.stdout.split())
    assert done.returncode == 1, done.stdout + done.stderr  # retryable: run again
    assert "disk-full" in said and "internal" not in said.lower(), said
    assert "Ổ đĩa" in said, said  # the clerk's words, from the catalogue
    assert scan.read_bytes() == original
    assert not (tmp_path / "data" / "objects" / "quarantine").exists()
    filler.unlink()  # space freed: the same command again
    again = _cli(env, str(dossier))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "digitised" in again.stdout or "đã số hóa" in again.stdout


@pytest.mark.contract  # qpdf, a real tmpfs
def test_putting_pages_together_on_a_full_disk_is_disk_full_not_a_corrupt_input(
    tmp_path, small_disk
):
    page = tmp_path / "page-00001.pdf"
    Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3)).save(page, resolution=100)
    _fill(small_disk, leave=64 * 1024)  # room for qpdf's spec, not for the page
    out = small_disk / "result.pdf"
    with pytest.raises(DiskFull):
        assemble([(page, 0)], DocumentMetadata(), now=dt.datetime.now(dt.UTC), out=out)
    assert not out.exists()


@pytest.mark.contract  # pyHanko, the development PKI, a real tmpfs
def test_signing_onto_a_full_disk_is_disk_full_never_the_key(tmp_path, small_disk):
    from pypdf import PdfWriter

    from pipeline.signatures.signing import load_signer, make_dev_pki, sign_file

    now = dt.datetime.now(dt.UTC)
    pki = make_dev_pki(now)
    source = tmp_path / "unsigned.pdf"
    blank = PdfWriter()
    blank.add_blank_page(595, 842)
    blank.write(source)
    _fill(small_disk)
    with pytest.raises(DiskFull):
        sign_file(source, small_disk / "signed.pdf", load_signer(pki.pkcs12, pki.password, now=now))


@pytest.mark.contract  # Tesseract kept loaded in its child, a real tmpfs
@pytest.mark.parametrize("leave", [0, 4096])  # none, or room for its PDF layer but not its words
def test_tesseract_writing_its_reading_onto_a_full_disk_is_disk_full_not_ocr_failed(
    tmp_path, small_disk, leave
):
    from pipeline.reading.reader import TesseractReader

    page = tmp_path / "page.png"
    text_image(["QUYẾT ĐỊNH về việc số hóa", "Trang 1"], size=(620, 877), dpi=75).save(page)
    reader = TesseractReader("vie", 1)
    try:
        filler = _fill(small_disk, leave=leave)
        with pytest.raises(DiskFull, match="no space left on the local disk"):
            reader.read(page, small_disk / "out", 3, 75, {}, 120)
        filler.unlink()  # space freed: the same reader reads the page there
        reader.read(page, small_disk / "out", 3, 75, {}, 120)
    finally:
        reader.close()
    assert (small_disk / "out.pdf").read_bytes().startswith(b"%PDF")
    assert (small_disk / "out.tsv").read_text(encoding="utf-8").startswith("level\tpage_num")
