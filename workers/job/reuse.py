"""Components reused from earlier digitised data (indicator 4.3): recorded only when the
warehouse holds the digitised document they name; a manifest alone claims nothing."""

from __future__ import annotations

import logging

from schemas.errors import InvalidManifest
from schemas.states import DocumentStatus
from storage.references import digitised_result
from workers.job.context import DocumentInput, DocumentOutcome, DossierInput, JobContext, sha256

log = logging.getLogger("workers.job")


def record_reused(
    ctx: JobContext, dossier_id: int, dossier: DossierInput, doc: DocumentInput
) -> DocumentOutcome:
    """A component the manifest says was reused from earlier digitised data and brought no
    files: nothing to digitise, but it counts (indicator 4.3), so it is recorded, once the
    warehouse confirms the digitised document it names; a manifest alone claims nothing."""
    identity = f"reused\n{dossier.agency}\n{dossier.code}\n{doc.name}\n{doc.reused_from}"
    try:
        check_reuse(ctx, doc)
    except InvalidManifest as error:
        return _refuse_reuse(ctx, dossier_id, dossier, doc, sha256(identity.encode()), error)
    document_id = ctx.warehouse.record_document(
        dossier_id,
        name=doc.name,
        input_sha256=sha256(identity.encode("utf-8")),
        pipeline_version=ctx.pipeline_version,
        inputs=[],
        role=doc.role,
        reused_from=doc.reused_from,
        status=DocumentStatus.REUSED,
        page_count=0,
    )
    ctx.warehouse.add_event(
        dossier_id, "reuse", "recorded", document_id=document_id, detail=doc.reused_from
    )
    return DocumentOutcome(dossier.code, doc.name, "reused", ())


def check_reuse(ctx: JobContext, doc: DocumentInput) -> None:
    """A document said to be reused must name one the warehouse holds as digitised."""
    if doc.reused_from is not None and digitised_result(ctx.warehouse, doc.reused_from) is None:
        raise InvalidManifest(
            f"reused_from {doc.reused_from!r} names no digitised document in the warehouse"
            " (give <dossier code>/<document name> or its result key)",
            subject=doc.name,
        )


def _refuse_reuse(
    ctx: JobContext,
    dossier_id: int,
    dossier: DossierInput,
    doc: DocumentInput,
    identity: str,
    error: InvalidManifest,
) -> DocumentOutcome:
    log.warning("dossier %s document %s refused: %s", dossier.code, doc.name, error)
    document_id = ctx.warehouse.record_document(
        dossier_id,
        name=doc.name,
        input_sha256=identity,
        pipeline_version=ctx.pipeline_version,
        inputs=[],
        role=doc.role,
        reused_from=doc.reused_from,
        status=DocumentStatus.QUARANTINED,
        error_reason=error.reason,
        error=str(error),
        page_count=0,
    )
    ctx.warehouse.add_event(
        dossier_id, "reuse", "refused", document_id=document_id, detail=f"{error.reason}: {error}"
    )
    return DocumentOutcome(
        dossier.code, doc.name, "quarantined", (), reason=error.reason, message=str(error)
    )
