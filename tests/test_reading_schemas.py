"""Contracts of [reading]: the JSON Schema files under schemas/json match the models, and a
clerk's manifest.json is refused with the field and the file named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.document import (
    JSON_SCHEMA_DIR,
    ArchivalMetadata,
    Manifest,
    ManifestDocument,
    json_schemas,
    schema_text,
)
from schemas.errors import InvalidManifest
from schemas.settings import Settings
from workers.intake.folder import dossiers_from_paths, read_manifest


@pytest.mark.parametrize("name", sorted(json_schemas()))
def test_committed_json_schema_matches_the_model(name: str) -> None:
    path = JSON_SCHEMA_DIR / f"{name}.schema.json"
    assert path.is_file(), f"{path} missing: run python -m schemas.document"
    assert path.read_text(encoding="utf-8") == schema_text(json_schemas()[name]), (
        f"{path} drifted from the model: run python -m schemas.document"
    )


def test_no_stray_schema_files() -> None:
    assert {p.name for p in JSON_SCHEMA_DIR.glob("*.schema.json")} == {
        f"{n}.schema.json" for n in json_schemas()
    }


def test_circular_02_has_its_22_fields_with_their_lengths() -> None:
    props = json_schemas()["archival-metadata"]["properties"]
    assert len(props) == 22
    lengths = {
        "DocCode": 25, "FileCode": 30, "Identifier": 13, "OrganId": 13, "FileNotation": 20,
        "TypeName": 100, "CodeNumber": 11, "CodeNotation": 30, "OrganName": 200,
        "Subject": 500, "Language": 100, "Description": 500, "InforSign": 30, "Keyword": 100,
        "Mode": 20, "ConfidenceLevel": 30, "Autograph": 2000, "Format": 50,
    }  # fmt: skip
    for name, length in lengths.items():
        variants = props[name].get("anyOf", [props[name]])
        assert any(v.get("maxLength") == length for v in variants), name
    for name, most in {"FileCatalog": 9999, "DocOrdinal": 9999, "PageAmount": 9999}.items():
        assert props[name]["anyOf"][0]["maximum"] == most
    with pytest.raises(ValueError, match="CodeNumber"):
        ArchivalMetadata.model_validate({"CodeNumber": "1" * 12})


def _dossier(tmp_path: Path, manifest: dict, files=("p1.png",)) -> Path:
    folder = tmp_path / "dossier"
    folder.mkdir()
    for name in files:
        (folder / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    return folder


def test_a_full_manifest_is_accepted(tmp_path: Path) -> None:
    manifest = {
        "dossier_code": "000.17.22.H56-240315-0001",
        "agency": "000.17.22.H56",
        "agency_level": "commune",
        "procedure_code": "2.002622",
        "channel": "online",
        "received_date": "2024-03-15",
        "owner_id": "001203004567",
        "documents": [
            {"name": "don", "files": ["p1.png"], "component_code": "TP1",
             "metadata": {"code_number": "05", "code_notation": "QĐ-UBND"}},
            {"name": "cccd", "reused": True, "reused_from": "results/x/2023/y/z.v1.pdf"},
        ],
    }  # fmt: skip
    loaded = read_manifest(_dossier(tmp_path, manifest) / "manifest.json")
    assert loaded.agency_level == "commune" and loaded.documents[1].files == []
    (dossier,) = dossiers_from_paths([tmp_path / "dossier"], Settings())
    don, cccd = dossier.documents  # the reused one has nothing to scan: it is recorded only
    assert (don.name, don.role, don.reused_from, len(don.files)) == ("don", "component", None, 1)
    assert (cccd.name, cccd.files, cccd.reused_from) == ("cccd", (), "results/x/2023/y/z.v1.pdf")


@pytest.mark.parametrize(
    ("manifest", "field"),
    [
        ({"dossier_code": "17.22-1"}, "dossier_code"),
        ({"agency_level": "village"}, "agency_level"),
        ({"owner_id": "12345"}, "owner_id"),
        ({"channel": "fax"}, "channel"),
        ({"surprise": 1}, "surprise"),
        ({"documents": [{"name": "x"}]}, "documents.0"),
        ({"documents": [{"files": ["p1.png"], "metadata": {"code_number": "1" * 12}}]},
         "documents.0.metadata.code_number"),
    ],
)  # fmt: skip
def test_a_bad_manifest_names_the_field_and_the_file(tmp_path, manifest, field) -> None:
    path = _dossier(tmp_path, manifest) / "manifest.json"
    with pytest.raises(InvalidManifest) as caught:
        read_manifest(path)
    assert field in str(caught.value) and str(path) in str(caught.value)


def test_component_flags() -> None:
    assert ManifestDocument(files=["a.png"]).digitised is True
    with pytest.raises(ValueError, match="reused"):
        ManifestDocument(files=["a.png"], reused_from="x")
    assert Manifest().documents == []
