"""One accepted document's way through the stages: store its originals, OCR the pages that
need it (or keep a signed PDF as it is), extract metadata, assemble, sign, verify, store the
result and its sidecar, record it. Called by workers/job.py, which handles claims, errors and
quarantine around it."""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PdfReader

from pipeline.extract import extract, merge_manifest
from pipeline.intake import Inspection
from pipeline.page import PageResult, PageTask
from pipeline.pdf import assemble, pages_of
from pipeline.signing import sign_pdf
from pipeline.verification import verify_pdf
from schemas.document import DocumentMetadata
from schemas.errors import InputChanged, SignatureInvalid
from schemas.results import InputFile, PageText, Sidecar, VerificationReport
from schemas.signing import SigningLevel
from storage import keys
from workers.job_context import (
    DocumentInput,
    DocumentOutcome,
    DossierInput,
    JobContext,
    StageTimer,
    sha256,
    year_of,
)
from workers.keys import fetcher_factory, require_level, signing_profile

log = logging.getLogger("workers.job")

SIGNING_REASON = "Số hóa bản sao điện tử"  # shown as the signature's /Reason


@dataclass
class DocumentRun:
    """One document's way through the stages, once its inputs were accepted."""

    ctx: JobContext
    timer: StageTimer
    dossier: DossierInput
    doc: DocumentInput
    input_sha: str

    def produce(self, inputs: tuple[InputFile, ...], found: list[Inspection]) -> DocumentOutcome:
        stored = self._store_originals(inputs, found)
        signed = [f.name for f, i in zip(self.doc.files, found, strict=True) if i.signed]
        if signed and len(self.doc.files) > 1:
            raise SignatureInvalid("a signed PDF must be a document of its own", subject=signed[0])
        if signed:
            return self._keep_signed(stored)
        return self._rewrite(stored, found)

    def _store_originals(
        self, inputs: tuple[InputFile, ...], found: list[Inspection]
    ) -> tuple[InputFile, ...]:
        ctx, dossier = self.ctx, self.dossier
        stored = []
        with self.timer("store-originals"):
            for blob, info, kind in zip(self.doc.files, inputs, found, strict=True):
                key = keys.original_key(
                    dossier.agency, year_of(dossier, ctx), dossier.code, info.sha256, kind.extension
                )
                if not ctx.store.exists(key):
                    data = blob.data
                    if sha256(data) != info.sha256:  # a local file rewritten while we worked
                        raise InputChanged(
                            "the file changed while it was being read", subject=blob.name
                        )
                    ctx.store.put(key, data)
                stored.append(info.model_copy(update={"original_key": key}))
        return tuple(stored)

    def _rewrite(self, stored: tuple[InputFile, ...], found: list[Inspection]) -> DocumentOutcome:
        """OCR what needs it, keep pages that have text, assemble, sign, verify."""
        ctx, timer = self.ctx, self.timer
        tasks: list[PageTask] = []
        kept: dict[int, PageObject] = {}
        with tempfile.TemporaryDirectory(prefix="sohoa-spool-") as spool:
            for i, (blob, kind, info) in enumerate(zip(self.doc.files, found, stored, strict=True)):
                reader = PdfReader(io.BytesIO(blob.data)) if kind.text_pages else None
                source = blob.content  # a local file is read by the page process itself
                if isinstance(source, bytes) and kind.page_count > 1:  # on disk once, not
                    source = Path(spool, f"{i}.{kind.extension}")  # once per page task
                    source.write_bytes(blob.data)
                for index in range(kind.page_count):
                    number = len(tasks) + len(kept)
                    if reader is not None and index in kind.text_pages:
                        kept[number] = reader.pages[index]
                        continue
                    task = PageTask(
                        blob.name,
                        source,
                        kind.kind,
                        index,
                        number,
                        ctx.settings.ocr,
                        ctx.settings.limits,
                        origin=info.original_key or None,
                    )
                    tasks.append(task)
            with timer("ocr"):
                ocred = {r.page.index: r for r in ctx.run_pages(tasks)} if tasks else {}
        pages, meta, unsigned = self._assemble(len(tasks), ocred, kept)
        del ocred, kept, reader  # the page PDFs: from here only the assembled file is needed
        signed, level = self._sign(unsigned)
        del unsigned  # one copy of the file at a time
        report = self._verify(signed, level)
        return self._store_result(stored, signed, meta, tuple(pages), report, rewritten=True)

    def _assemble(
        self, ocr_pages: int, ocred: dict[int, PageResult], kept: dict[int, PageObject]
    ) -> tuple[list[PageText], DocumentMetadata, bytes]:
        pages: list[PageText] = []
        page_objects: list[PageObject] = []
        for number in range(ocr_pages + len(kept)):
            if number in kept:
                pages.append(
                    PageText(index=number, source="text-layer", text=kept[number].extract_text())
                )
                page_objects.append(kept[number])
            else:
                pages.append(ocred[number].page)
                page_objects.extend(pages_of(ocred[number].pdf))
        meta = self._metadata(pages)
        with self.timer("assemble"):
            unsigned = assemble(page_objects, meta, now=self.ctx.clock())
        return pages, meta, unsigned

    def _sign(self, unsigned: bytes) -> tuple[bytes, SigningLevel]:
        ctx = self.ctx
        with self.timer("sign"):
            profile = signing_profile(ctx.settings, self.dossier.agency, ctx.trust_roots)
            signed = sign_pdf(
                unsigned,
                ctx.signer,
                profile=profile,
                reason=SIGNING_REASON,
                location=self.dossier.agency,
                signing_time=ctx.clock(),
            )
        return signed, profile.level

    def _verify(self, signed: bytes, level: SigningLevel) -> VerificationReport:
        ctx = self.ctx
        with self.timer("verify"):
            # our own certificate's OCSP/CRL may be asked; never an input file's (see below)
            fetchers = fetcher_factory(ctx.settings)
            report = verify_pdf(
                signed, name=self.doc.name, trust_roots=ctx.trust_roots, fetchers=fetchers
            )
            if not report.ok:
                reasons = "; ".join(r for s in report.signatures for r in s.reasons)
                raise SignatureInvalid(f"our own signature did not verify: {reasons}")
            require_level(report, level)
        return report

    def _keep_signed(self, stored: tuple[InputFile, ...]) -> DocumentOutcome:
        """A PDF that already carries signatures: verify and record it, never rewrite a byte."""
        data = self.doc.files[0].data
        with self.timer("verify"):
            report = verify_pdf(data, name=self.doc.name, trust_roots=self.ctx.trust_roots)
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = tuple(
            PageText(index=i, source="text-layer", text=p.extract_text())
            for i, p in enumerate(reader.pages)
        )
        meta = self._metadata(pages)
        return self._store_result(stored, data, meta, pages, report, rewritten=False)

    def _metadata(self, pages: Sequence[PageText]) -> DocumentMetadata:
        with self.timer("extract"):
            found = extract("\n\n".join(p.text for p in pages))
            return merge_manifest(found, self.dossier.manifest.metadata, self.doc.metadata)

    def _store_result(
        self,
        stored: tuple[InputFile, ...],
        pdf: bytes,
        meta: DocumentMetadata,
        pages: tuple[PageText, ...],
        report: VerificationReport,
        *,
        rewritten: bool,
    ) -> DocumentOutcome:
        ctx, dossier, doc = self.ctx, self.dossier, self.doc
        version = ctx.warehouse.claim_result_version(self.timer.document_id)  # type: ignore[arg-type]
        year = year_of(dossier, ctx)
        key = keys.result_key(dossier.agency, year, dossier.code, doc.name, version)
        confidences = [p.mean_confidence for p in pages if p.mean_confidence is not None]
        mean = round(sum(confidences) / len(confidences), 2) if confidences else None
        with self.timer("store-result"):
            ctx.store.put(key, pdf)
            sidecar = Sidecar(
                dossier_code=dossier.code,
                agency=dossier.agency,
                document=doc.name,
                pipeline_version=ctx.pipeline_version,
                result_version=version,
                digitised_at=ctx.clock(),
                inputs=stored,
                input_sha256=self.input_sha,
                result_key=key,
                result_sha256=sha256(pdf),
                result_was_rewritten=rewritten,
                page_count=len(pages),
                mean_confidence=mean,
                metadata=meta,
                pages=pages,
                verification=report,
                stage_seconds=dict(self.timer.seconds),
            )
            ctx.store.put(keys.sidecar_key(key), sidecar.model_dump_json(indent=1).encode())
        ctx.warehouse.record_document(
            self.timer.dossier_id,
            input_sha256=self.input_sha,
            pipeline_version=ctx.pipeline_version,
            status="digitised",
            result_version=version,
            page_count=len(pages),
            mean_confidence=mean,
            metadata=meta.model_dump(mode="json"),
            signature=report.model_dump(mode="json"),
            inputs=[s.model_dump() for s in stored],
            result_key=key,
            result_sha256=sha256(pdf),
            stage_seconds=dict(self.timer.seconds),
            error_reason=None,
            error=None,
        )
        return DocumentOutcome(
            dossier.code,
            doc.name,
            "digitised",
            tuple(f.name for f in doc.files),
            pages=len(pages),
            result_key=key,
        )
