"""Local input files are read when needed, not held in memory for the whole run; a file
rewritten while it is digitised is caught before anything is stored under its old hash."""

from __future__ import annotations

from schemas.settings import load_settings
from storage.places import open_store
from storage.warehouse import Warehouse
from tests.distributed import page
from workers.intake.folder import dossiers_from_paths
from workers.job.context import JobContext
from workers.job.dossier import digitise_dossier
from workers.queue.runtime import run_pages_inline
from workers.signing.process_key import open_signing_key


class RewriteAfterInspection:
    """Rewrites the scan once its hash was taken and it was inspected, as a clerk's scanner
    software saving the file a second time would."""

    def __init__(self, path, data: bytes) -> None:
        self.path, self.data = path, data

    def stage(self, stage: str, seconds: float, outcome: str) -> None:
        if stage == "inspect":
            self.path.write_bytes(self.data)

    def document(self, outcome: str, pages: int) -> None:
        pass


def _context(tmp_path, observer=None) -> JobContext:
    settings = load_settings({}, data=tmp_path / "data")
    key = open_signing_key(settings)
    store = open_store(settings.resolved_store_url, settings.s3)
    warehouse = Warehouse.open(settings.resolved_warehouse_url)
    extra = {"observer": observer} if observer else {}
    return JobContext(
        settings, store, warehouse, key.signer, key.trust_roots, run_pages_inline, **extra
    )


def test_local_files_are_read_from_disk_when_needed(tmp_path):
    scan = tmp_path / "giay-moi.png"
    scan.write_bytes(page("Giấy mời họp"))
    (dossier,) = dossiers_from_paths([scan], load_settings({}, data=tmp_path / "data"))
    (blob,) = dossier.documents[0].files
    assert blob.content == scan  # a path, not the bytes
    ctx = _context(tmp_path)
    (outcome,) = digitise_dossier(dossier, ctx)
    assert outcome.status == "digitised"
    (original,) = ctx.store.list("originals/")
    assert ctx.store.get(original) == scan.read_bytes()


def test_a_file_rewritten_while_digitised_fails_and_nothing_is_stored(tmp_path):
    scan = tmp_path / "giay-moi.png"
    scan.write_bytes(page("Giấy mời họp"))
    ctx = _context(tmp_path, RewriteAfterInspection(scan, page("Giấy mời họp lần hai")))
    (dossier,) = dossiers_from_paths([scan], ctx.settings)
    (outcome,) = digitise_dossier(dossier, ctx)
    assert (outcome.status, outcome.reason) == ("failed", "input-changed")
    assert "the file changed while it was being stored" in outcome.message
    assert list(ctx.store.list("originals/")) == [] and list(ctx.store.list("results/")) == []
    # run again once the file is still: digitised, from the bytes now on disk
    ctx.observer = RewriteAfterInspection(tmp_path / "elsewhere.png", b"")
    (dossier,) = dossiers_from_paths([scan], ctx.settings)
    (outcome,) = digitise_dossier(dossier, ctx)
    assert outcome.status == "digitised"
    (original,) = ctx.store.list("originals/")
    assert ctx.store.get(original) == scan.read_bytes()


def test_intake_reads_regular_files_inside_the_dossier_only(tmp_path):
    import os

    from workers.intake.folder import units

    folder = tmp_path / "ho-so"
    folder.mkdir()
    (folder / "trang.png").write_bytes(page("Giấy mời"))
    (folder / "ban-sao.png").symlink_to(folder / "trang.png")  # inside: read
    (folder / "passwd.png").symlink_to("/etc/passwd")
    (folder / "ngoai").symlink_to("/etc")
    os.mkfifo(folder / "ong.pdf")
    (folder / os.fsdecode(b"gi\xe1y.png")).write_bytes(b"x")
    (dossier,) = dossiers_from_paths([tmp_path], load_settings({}, data=tmp_path / "data"))
    blobs = {f.name: f for d in dossier.documents for f in d.files}
    assert sorted(blobs) == ["ban-sao.png", "gi\\xe1y.png", "ngoai", "ong.pdf", "passwd.png",
                             "trang.png"]  # fmt: skip
    refused = {n: (b.rejection.reason, b.content) for n, b in blobs.items() if b.rejection}
    assert refused == {
        "passwd.png": ("link-outside", b"/etc/passwd"),
        "ngoai": ("link-outside", b"/etc"),
        "ong.pdf": ("not-a-file", b""),
    }
    assert blobs["ban-sao.png"].data == blobs["trang.png"].data
    assert len(list(units([tmp_path]))) == 2  # tmp_path itself, then ho-so; ngoai not walked


def test_a_bad_manifest_is_refused_before_it_is_built(tmp_path):
    import json

    import pytest

    from schemas.errors import PermanentError
    from workers.intake.folder import read_manifest

    settings = load_settings({}, data=tmp_path / "data")
    cases = {
        b"[" * 100_000 + b"]" * 100_000: ("invalid-manifest", "nested"),
        b'{"documents": [{"files": ["a.png"], "x": ' + b"9" * 5000 + b"}]}": (
            "invalid-manifest",
            "not valid JSON",
        ),
        json.dumps({"documents": [{"reused": True}] * 1001}).encode(): (
            "invalid-manifest",
            "1001 entries",
        ),
        b" " * (1024 * 1024 + 1): ("too-large", "manifest limit"),
        b'{"procedure_code": "\\ud800"}': ("invalid-manifest", "not Unicode"),
        json.dumps({"documents": [{"files": [".an.png"]}]}).encode(): (
            "invalid-manifest",
            "hidden files are not read",
        ),
    }
    (tmp_path / ".an.png").write_bytes(b"x")
    for text, (reason, words) in cases.items():
        (tmp_path / "manifest.json").write_bytes(text)
        with pytest.raises(PermanentError, match=words) as caught:
            read_manifest(tmp_path / "manifest.json", settings)
        assert caught.value.reason == reason
