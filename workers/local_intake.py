"""Dossiers from local paths: an image or PDF file is a dossier of one document; a folder with
files is a dossier (its manifest.json, if any, says which files form which document); a folder
of folders is a batch of dossiers. Nothing found is skipped silently: every regular file ends
up either in a document or in quarantine."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from schemas.document import Manifest
from schemas.errors import InvalidManifest
from schemas.settings import Settings
from storage.keys import safe_name
from workers.job_context import DocumentInput, DossierInput, InputBlob
from workers.manifest_documents import documents_from_manifest

MANIFEST = "manifest.json"


def _natural(path: Path) -> list[object]:
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", path.name)]


def dossiers_from_paths(paths: list[Path], settings: Settings) -> Iterator[DossierInput]:
    for path in paths:
        if path.is_dir():
            yield from _from_folder(path, settings)
        elif path.is_file():
            blob = InputBlob(path.name, path)
            doc = DocumentInput(safe_name(path.stem), (blob,))
            yield DossierInput(settings.agency, safe_name(path.stem), str(path), (doc,))
        else:
            raise FileNotFoundError(path)


def _from_folder(folder: Path, settings: Settings) -> Iterator[DossierInput]:
    entries = sorted(folder.iterdir(), key=_natural)
    files = [p for p in entries if p.is_file() and not p.name.startswith(".")]
    for sub in (p for p in entries if p.is_dir() and not p.name.startswith(".")):
        yield from _from_folder(sub, settings)
    if not files:
        return
    manifest, rejection = Manifest(), None
    if (folder / MANIFEST).is_file():
        try:
            manifest = read_manifest(folder / MANIFEST)
        except InvalidManifest as exc:
            rejection = exc
    pages = [p for p in files if p.name != MANIFEST]
    code = manifest.dossier_code or safe_name(folder.name, "dossier")
    agency = manifest.agency or settings.agency
    if rejection is not None:  # the whole folder, manifest included, goes to quarantine
        blobs = tuple(InputBlob(p.name, p) for p in files)
        doc = DocumentInput("dossier", blobs)
        yield DossierInput(agency, code, str(folder), (doc,), rejection=rejection)
        return
    yield DossierInput(agency, code, str(folder), _documents(folder, pages, manifest), manifest)


def _documents(folder: Path, pages: list[Path], manifest: Manifest) -> tuple[DocumentInput, ...]:
    blobs = [InputBlob(p.name, p) for p in pages]
    return documents_from_manifest(blobs, manifest)


def read_manifest(path: Path) -> Manifest:
    try:
        manifest = Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidManifest(f"not valid UTF-8 JSON: {exc}", subject=str(path)) from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidManifest(problems, subject=str(path)) from exc
    names = [name for doc in manifest.documents for name in doc.files]
    for name in names:
        if "/" in name or "\\" in name or name in {".", ".."} or name == MANIFEST:
            raise InvalidManifest(
                f"documents: file name {name!r} is not a plain file name", subject=str(path)
            )
        if not (path.parent / name).is_file():
            raise InvalidManifest(
                f"documents: file {name!r} is not in the folder", subject=str(path)
            )
    if len(names) != len(set(names)):
        raise InvalidManifest("documents: a file is listed twice", subject=str(path))
    return manifest
