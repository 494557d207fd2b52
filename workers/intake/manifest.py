"""manifest.json, wherever the files came from (a local folder, an intake bucket, the stored
originals): parsed within the limits, checked against the files beside it, and turned into the
dossier's documents."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import PurePosixPath

from pydantic import ValidationError

from schemas.document import Manifest, ManifestDocument
from schemas.errors import InputTooLarge, InvalidManifest
from schemas.settings import InputLimits
from storage.object_keys import safe_name
from workers.job.context import DocumentInput, InputBlob

MANIFEST = "manifest.json"
REUSED_SOURCE_UNKNOWN = "earlier digitised data"  # reused: true without reused_from


def parse_manifest(
    data: bytes, names: Collection[str], subject: str, limits: InputLimits
) -> Manifest:
    """manifest.json's bytes, checked against ``names`` (the files beside it that are read).
    Within ``limits`` (size, nesting, entries) before anything else is built from it; every
    problem is an InvalidManifest (InputTooLarge for its size) naming ``subject``."""
    if len(data) > limits.max_manifest_bytes:
        raise InputTooLarge(
            f"over the manifest limit of {limits.max_manifest_bytes} bytes",
            subject=subject,
        )
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidManifest(f"not valid UTF-8: {exc}", subject=subject) from exc
    except RecursionError as exc:
        raise InvalidManifest("nested too deep to read", subject=subject) from exc
    except ValueError as exc:  # bad JSON, or an integer of thousands of digits
        raise InvalidManifest(f"not valid JSON: {exc}", subject=subject) from exc
    problem = _shape_problem(raw, limits)
    if problem:
        raise InvalidManifest(problem, subject=subject)
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidManifest(problems, subject=subject) from exc
    _check_files(manifest, set(names), subject)
    return manifest


def _shape_problem(raw: object, limits: InputLimits) -> str | None:
    """Why the parsed JSON is out of bounds (too deep, too many entries, text that is not
    Unicode), walked without recursion; None when it is within them."""
    stack: list[tuple[object, int]] = [(raw, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limits.max_manifest_depth:
            return f"nested deeper than {limits.max_manifest_depth} levels"
        if isinstance(value, dict):
            for key, item in value.items():
                if _not_unicode(key):
                    return f"key {key!r} is not Unicode text"
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if len(value) > limits.max_manifest_entries:
                limit = limits.max_manifest_entries
                return f"a list of {len(value)} entries, over the limit of {limit}"
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and _not_unicode(value):
            return f"text {value!r} is not Unicode (a lone surrogate)"
    return None


def _not_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_files(manifest: Manifest, names: set[str], subject: str) -> None:
    listed = [name for doc in manifest.documents for name in doc.files]
    for name in listed:
        if "/" in name or "\\" in name or name in {".", "..", MANIFEST}:
            raise InvalidManifest(f"documents: {name!r} is not a plain file name", subject=subject)
        if name not in names:
            hidden = " (hidden files are not read)" if name.startswith(".") else ""
            raise InvalidManifest(
                f"documents: file {name!r} is not in the folder{hidden}", subject=subject
            )
    if len(listed) != len(set(listed)):
        raise InvalidManifest("documents: a file is listed twice", subject=subject)


def entry_name(entry: ManifestDocument, position: int) -> str:
    """The document name of the manifest's entry at ``position`` (0-based)."""
    fallback = f"document-{position + 1}"
    if entry.name:
        return entry.name
    if entry.files:
        return safe_name(PurePosixPath(entry.files[0]).stem, fallback)
    return safe_name(entry.component_code or "", fallback)


def named_entries(manifest: Manifest) -> list[tuple[str, ManifestDocument]]:
    return [(entry_name(e, i), e) for i, e in enumerate(manifest.documents)]


def document_input(
    name: str, files: tuple[InputBlob, ...], entry: ManifestDocument | None
) -> DocumentInput:
    if entry is None:
        return DocumentInput(name, files)
    reused_from = (entry.reused_from or REUSED_SOURCE_UNKNOWN) if entry.reused else None
    return DocumentInput(name, files, entry.metadata, role=entry.role, reused_from=reused_from)


def documents_from_manifest(
    pages: Sequence[InputBlob], manifest: Manifest
) -> tuple[DocumentInput, ...]:
    """The manifest's documents in its order (a reused component without files included: it
    is recorded, not digitised), then every file it does not mention as a document of its
    own. The manifest was checked against the files already: each name it lists is here."""
    by_name = {blob.name: blob for blob in pages}
    documents, claimed = [], set()
    for name, entry in named_entries(manifest):
        claimed.update(entry.files)
        documents.append(document_input(name, tuple(by_name[f] for f in entry.files), entry))
    for blob in pages:
        if blob.name not in claimed:
            documents.append(DocumentInput(safe_name(PurePosixPath(blob.name).stem), (blob,)))
    return tuple(documents)
