"""The same input bytes as a document of another dossier (or another name): the copy is a
document of its own dossier, linked to the first (``duplicate_of``). By default it is signed
for its own dossier like any document; under ``SOHOA_DUPLICATES=reuse`` it takes the first
one's signed result instead, once there is one, and keeps its own copy of its input bytes."""

from __future__ import annotations

from typing import Any

from schemas.errors import InputChanged
from schemas.results import InputFile
from schemas.states import DocumentStatus
from storage import object_keys as keys
from storage.identity import described, reusable_result
from storage.rows import DocumentRow
from workers.job.context import DocumentInput, DocumentOutcome, DossierInput, JobContext, year_of

COPIED = ("page_count", "mean_confidence", "metadata", "signature", "result_key", "result_sha256")


def duplicate(
    ctx: JobContext,
    dossier_id: int,
    dossier: DossierInput,
    doc: DocumentInput,
    claimed: DocumentRow,
    inputs: tuple[InputFile, ...],
) -> DocumentOutcome | None:
    """The outcome of a reused result; None when this copy is to be signed as usual."""
    detail = f"same bytes as {described(ctx.warehouse, claimed.duplicate_of)}"  # type: ignore[arg-type]
    source = None
    if ctx.settings.duplicates == "reuse":
        source = reusable_result(ctx.warehouse, claimed.input_sha256, ctx.pipeline_version)
    stored = None if source is None else _store_originals(ctx, dossier, doc, inputs, source)
    if source is None or stored is None:
        ctx.warehouse.add_event(
            dossier_id, "dedupe", "duplicate", document_id=claimed.id, detail=detail
        )
        return None
    ctx.warehouse.record_document(
        dossier_id,
        name=doc.name,
        input_sha256=claimed.input_sha256,
        pipeline_version=ctx.pipeline_version,
        status=DocumentStatus.DIGITISED,
        inputs=[s.model_dump() for s in stored],
        error_reason=None,
        error=None,
        **{k: source[k] for k in COPIED},
    )
    ctx.warehouse.add_event(
        dossier_id,
        "dedupe",
        "reused-result",
        document_id=claimed.id,
        detail=f"{detail}: {source['result_key']}",
    )
    names = tuple(f.name for f in doc.files)
    return DocumentOutcome(
        dossier.code, doc.name, "digitised", names, result_key=source["result_key"]
    )


def _store_originals(
    ctx: JobContext,
    dossier: DossierInput,
    doc: DocumentInput,
    inputs: tuple[InputFile, ...],
    source: dict[str, Any],
) -> tuple[InputFile, ...] | None:
    """This dossier's own copy of its input bytes, with the extension the first one's
    inspection gave them; None when the first one's originals do not say."""
    extensions = {
        i["sha256"]: i["original_key"].rsplit(".", 1)[-1]
        for i in source["inputs"]
        if i.get("original_key")
    }
    if any(i.sha256 not in extensions for i in inputs):
        return None
    stored = []
    year = year_of(dossier, ctx)
    for blob, info in zip(doc.files, inputs, strict=True):
        key = keys.original_key(
            dossier.agency, year, dossier.code, info.sha256, extensions[info.sha256]
        )
        if not ctx.store.exists(key):
            if isinstance(blob.content, bytes):
                ctx.store.put(key, blob.content)
            else:
                try:
                    ctx.store.put_file(key, blob.content, expected=info.sha256)
                except InputChanged as exc:
                    raise InputChanged(exc.message, subject=blob.name) from exc
        stored.append(info.model_copy(update={"original_key": key}))
    return tuple(stored)
