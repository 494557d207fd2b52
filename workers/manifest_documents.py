"""Which files form which document of a dossier, as its manifest.json says, wherever the files
came from (a local folder, an intake bucket, the stored originals)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from schemas.document import Manifest, ManifestDocument
from storage.keys import safe_name
from workers.job_context import DocumentInput, InputBlob

REUSED_SOURCE_UNKNOWN = "earlier digitised data"  # reused: true without reused_from


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
