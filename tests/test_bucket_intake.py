"""Dossiers read from the intake (over file:// and s3://), as local_intake reads folders."""

from __future__ import annotations

import json

import pytest

from schemas.settings import load_settings
from storage.places import open_store
from tests.services import make_s3_place
from workers.intake.bucket import dossier_from_intake, identify

A = "000.17.22.H56"


@pytest.fixture(params=["file", "s3"])
def store(request, tmp_path):
    if request.param == "file":
        return open_store(f"file://{tmp_path / 'objects'}")
    return make_s3_place(request.getfixturevalue("moto_server").endpoint, tmp_path).store()


SETTINGS = load_settings({})


def test_a_folder_with_its_manifest(store):
    prefix = f"intake/{A}/ho-so-1/"
    for name in ("trang-2.png", "trang-10.png", "phu-luc.png"):
        store.put(prefix + name, name.encode())
    manifest = {
        "dossier_code": f"{A}-240315-0001",
        "procedure_code": "2.002622",
        "documents": [
            {"name": "quyet-dinh", "role": "result", "files": ["trang-2.png", "trang-10.png"]},
            {"component_code": "TP2", "reused": True},  # no files, no name: named by its code
        ],
    }
    store.put(prefix + "manifest.json", json.dumps(manifest).encode())
    dossier = dossier_from_intake(store, prefix, SETTINGS)
    assert (dossier.agency, dossier.code, dossier.source) == (A, f"{A}-240315-0001", prefix)
    assert [(d.name, [f.name for f in d.files], d.role) for d in dossier.documents] == [
        ("quyet-dinh", ["trang-2.png", "trang-10.png"], "result"),
        ("TP2", [], "component"),
        ("phu-luc", ["phu-luc.png"], "component"),
    ]
    assert dossier.documents[1].reused_from == "earlier digitised data"
    assert dossier.manifest.procedure_code == "2.002622" and dossier.manifest_blob is not None
    assert sorted(o.key for o in dossier.intake) == sorted(store.list(prefix))
    assert all(o.etag == store.stat(o.key).etag for o in dossier.intake)


def test_a_lone_file(store):
    store.put(f"intake/{A}/Giấy phép 01.png", b"x")
    dossier = dossier_from_intake(store, f"intake/{A}/Giấy phép 01.png", SETTINGS)
    assert (dossier.agency, dossier.code) == (A, "Giay-phep-01")
    assert [d.name for d in dossier.documents] == ["Giay-phep-01"]
    assert dossier.rejection is None


@pytest.mark.parametrize(
    "manifest, reason",
    [
        (b"{not json", "invalid-manifest"),
        (json.dumps({"documents": [{"files": ["missing.png"]}]}).encode(), "invalid-manifest"),
        (json.dumps({"color": "red"}).encode(), "invalid-manifest"),
    ],
)
def test_a_bad_manifest_rejects_the_whole_folder(store, manifest, reason):
    prefix = f"intake/{A}/ho-so-x/"
    store.put(prefix + "a.png", b"a")
    store.put(prefix + "manifest.json", manifest)
    dossier = dossier_from_intake(store, prefix, SETTINGS)
    assert dossier.rejection is not None and dossier.rejection.reason == reason
    assert sorted(f.name for f in dossier.documents[0].files) == ["a.png", "manifest.json"]


def test_files_outside_an_agency_folder_are_rejected(store):
    store.put("intake/lac-cho.png", b"x")
    store.put("intake/phong-mot-cua/ho-so/a.png", b"x")
    assert (
        dossier_from_intake(store, "intake/lac-cho.png", SETTINGS).rejection.reason == "invalid-key"
    )
    bad = dossier_from_intake(store, "intake/phong-mot-cua/ho-so/", SETTINGS)
    assert bad.rejection.reason == "invalid-key" and bad.agency == SETTINGS.agency


def test_a_unit_that_is_gone_is_none(store):
    assert dossier_from_intake(store, f"intake/{A}/da-xong/", SETTINGS) is None


def test_identify_from_the_layout():
    assert identify(f"intake/{A}/ho-so-1/", SETTINGS) == (A, "ho-so-1")
    assert identify(f"intake/{A}/don.pdf", SETTINGS) == (A, "don")
    assert identify("intake/x.png", SETTINGS) == (SETTINGS.agency, "x")


def test_objects_can_be_spooled_to_disk_instead_of_memory(store, tmp_path):
    prefix = f"intake/{A}/ho-so-2/"
    for name, data in {"trang-1.png": b"one", "trang 2 (bản sao).png": b"two"}.items():
        store.put(prefix + name, data)
    spool = tmp_path / "spool"
    spool.mkdir()
    dossier = dossier_from_intake(store, prefix, SETTINGS, spool)
    blobs = [b for d in dossier.documents for b in d.files]
    assert sorted(b.name for b in blobs) == ["trang 2 (bản sao).png", "trang-1.png"]
    for blob in blobs:
        assert blob.content.parent == spool  # on disk, under a name of our own
        assert blob.data == store.get(prefix + blob.name)
