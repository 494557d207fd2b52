"""Local input files are read when needed, not held in memory for the whole run; a file
rewritten while it is digitised is caught before anything is stored under its old hash."""

from __future__ import annotations

from schemas.settings import load_settings
from storage.objects import open_store
from storage.warehouse import Warehouse
from tests.distributed import page
from workers.job import digitise_dossier
from workers.job_context import JobContext
from workers.keys import open_signing_key
from workers.local_intake import dossiers_from_paths
from workers.runtime import run_pages_inline


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
