"""Dossiers from the intake bucket, as ``local_intake`` builds them from local paths.

    intake/<agency>/<file>                 a lone file: a dossier of one document
    intake/<agency>/<folder>/...           a dossier folder; its manifest.json (dropped last)
                                           says which files form which document

A unit is either; ``unit_of(key)`` tells which one a key belongs to. Every object read is
listed in ``DossierInput.intake`` with the ETag of the version read, so the job can remove it
once the dossier is stored and recorded. A bad layout or manifest rejects the whole unit, which
then goes to quarantine with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from schemas.document import AGENCY_CODE_PATTERN, Manifest
from schemas.errors import InvalidObjectKey, PermanentError
from schemas.settings import Settings
from storage.object_keys import safe_name, validate_key
from storage.objects import ObjectInfo, ObjectStore
from workers.intake.manifest import MANIFEST, documents_from_manifest, parse_manifest
from workers.job.context import DocumentInput, DossierInput, InputBlob, IntakeObject

INTAKE = "intake/"
_AGENCY = re.compile(AGENCY_CODE_PATTERN)


def unit_of(key: str) -> str | None:
    """The unit an intake key belongs to: the key of a lone file, or its folder (ending in
    '/'); None for keys that are not intake objects."""
    folder = key.endswith("/")
    parts = key.rstrip("/").split("/")
    if len(parts) < 2 or parts[0] != "intake" or not all(parts):
        return None
    if len(parts) <= 3 and not folder:
        return key  # intake/<file> has no agency folder: rejected when it is read
    if len(parts) < 3:
        return None  # an agency folder itself
    return "/".join(parts[:3]) + "/"


def identify(unit: str, settings: Settings) -> tuple[str, str]:
    """(agency, dossier code) as the layout says, before any manifest is read."""
    parts = unit.rstrip("/").split("/")
    agency = parts[1] if len(parts) > 2 and _AGENCY.match(parts[1]) else settings.agency
    name = parts[-1]
    stem = name if unit.endswith("/") else PurePosixPath(name).stem
    return agency, safe_name(stem, "dossier")


def _natural(name: str) -> list[object]:
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name)]


def dossier_from_intake(
    store: ObjectStore, unit: str, settings: Settings, spool: Path | None = None
) -> DossierInput | None:
    """The dossier an intake unit holds now; None when it is gone (already digitised). With
    ``spool``, a folder that outlives the run, each object is downloaded there and read from
    there when needed, instead of being held in memory."""
    validate_key(unit.rstrip("/"))
    infos = sorted(
        (i for i in store.scan(unit) if unit.endswith("/") or i.key == unit),
        key=lambda i: _natural(i.key),
    )
    if not infos:
        return None
    agency, code = identify(unit, settings)
    intake = tuple(IntakeObject(i.key, i.etag) for i in infos)
    uploaded = min(i.modified for i in infos)  # received then, unless the dossier says
    blobs = {
        i.key: InputBlob(_name_in(unit, i), _fetch(store, i.key, spool, n))
        for n, i in enumerate(infos)
    }
    layout_error = _layout_error(unit)
    if layout_error is not None:
        doc = DocumentInput("dossier", tuple(blobs.values()))
        return DossierInput(
            agency, code, unit, (doc,), rejection=layout_error, intake=intake, uploaded_at=uploaded
        )
    if not unit.endswith("/"):
        blob = blobs[unit]
        doc = DocumentInput(safe_name(PurePosixPath(blob.name).stem), (blob,))
        return DossierInput(agency, code, unit, (doc,), intake=intake, uploaded_at=uploaded)
    manifest_blob = blobs.get(unit + MANIFEST)
    pages = [b for k, b in blobs.items() if k != unit + MANIFEST]
    manifest = Manifest()
    if manifest_blob is not None:
        try:
            names = {b.name for b in pages}
            manifest = parse_manifest(manifest_blob.data, names, unit, settings.limits)
        except PermanentError as exc:  # invalid, or over a manifest limit
            doc = DocumentInput("dossier", tuple(blobs.values()))
            return DossierInput(
                agency, code, unit, (doc,), rejection=exc, intake=intake, uploaded_at=uploaded
            )
    return DossierInput(
        manifest.agency or agency,
        manifest.dossier_code or code,
        unit,
        documents_from_manifest(pages, manifest),
        manifest,
        manifest_blob=manifest_blob,
        intake=intake,
        uploaded_at=uploaded,
    )


def _fetch(store: ObjectStore, key: str, spool: Path | None, number: int) -> bytes | Path:
    if spool is None:
        return store.get(key)
    path = spool / f"{number:06d}"  # never the object's own name: it came from outside
    store.get_file(key, path)
    return path


def _name_in(unit: str, info: ObjectInfo) -> str:
    return info.key[len(unit) :] if unit.endswith("/") else PurePosixPath(info.key).name


def _layout_error(unit: str) -> PermanentError | None:
    parts = unit.rstrip("/").split("/")
    if len(parts) < 3:
        return InvalidObjectKey(
            "dropped outside an agency folder (intake/<agency>/...)", subject=unit
        )
    agency = parts[1]
    if not _AGENCY.match(agency):
        return InvalidObjectKey(
            f"intake folder {agency!r} is not an agency code (like 000.17.22.H56)", subject=unit
        )
    return None
