"""The stages of one accepted document, each a named step of DocumentRun: store its originals,
plan and read its pages, extract metadata, assemble, sign, verify, store the result and its
sidecar, record it; or, for a signed PDF, judge its signatures and keep it as it is. The order
they run in is workers/job/recipe.py; workers/job/dossier.py handles claims, errors and
quarantine around it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.inputs.active_content import active_left
from pipeline.inputs.files import Inspection
from pipeline.metadata.extract import archival_metadata, extract, merge_manifest
from pipeline.metadata.phrases import correct_page
from pipeline.reading.page import PageTask
from pipeline.reading.searchable_pdf import assemble, carried_text, keep_pages
from pipeline.signatures.signing import sign_file
from pipeline.signatures.verification import verify_pdf
from pipeline.signatures.verify_words import verifier_words
from schemas.document import ArchivalMetadata, DocumentMetadata
from schemas.errors import (
    CorruptInput,
    ExitCode,
    InternalError,
    OwnSignatureInvalid,
    RevocationUnavailable,
    SignatureFailed,
    SignatureInvalid,
    UnsupportedInput,
)
from schemas.results import InputFile, PageText, Sidecar, VerificationReport
from schemas.signing import SignatureSpec, SigningLevel
from schemas.states import DocumentStatus
from storage import object_keys as keys
from storage.acceptance import UNCONFIRMED  # a kept signed input awaiting a person's acceptance
from workers.job.context import (
    DocumentInput,
    DocumentOutcome,
    DossierInput,
    JobContext,
    StageTimer,
    put_source,
    year_of,
)
from workers.signing.process_key import fetcher_factory, require_level, signing_profile

log = logging.getLogger("workers.job")

SIGNING_REASON = "Số hóa bản sao điện tử"  # shown as the signature's /Reason
FILE_CODE_MAX = 30  # FileCode (mã hồ sơ), Circular 02/2019 Appendix I


@dataclass
class DocumentRun:
    """One document's way through the stages, once its inputs were accepted."""

    ctx: JobContext
    timer: StageTimer
    dossier: DossierInput
    doc: DocumentInput
    input_sha: str
    removed: list[str] = field(default_factory=list)  # active content taken off kept pages

    def is_signed(self, found: list[Inspection]) -> bool:
        """Whether the document is a signed PDF, which must be a document of its own."""
        signed = [f.name for f, i in zip(self.doc.files, found, strict=True) if i.signed]
        if signed and len(self.doc.files) > 1:
            raise SignatureInvalid("a signed PDF must be a document of its own", subject=signed[0])
        return bool(signed)

    def store_originals(
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
                    # a local file rewritten while we worked raises InputChanged: nothing stored
                    put_source(ctx.store, key, blob.content, expected=info.sha256, name=blob.name)
                stored.append(info.model_copy(update={"original_key": key}))
        return tuple(stored)

    def read(
        self, tasks: list[PageTask], kept: dict[int, tuple[PageText, tuple[Path, int]]]
    ) -> tuple[tuple[PageText, ...], list[tuple[Path, int]]]:
        """OCR the planned pages (in the pool, or shared out), then every page in document
        order: its text (fixed phrases corrected) and where ``assemble`` takes it from."""
        with self.timer("ocr"):
            ocred = {r.page.index: r for r in self.ctx.run_pages(tasks)} if tasks else {}
        pages: list[PageText] = []
        parts: list[tuple[Path, int]] = []
        for number in range(len(tasks) + len(kept)):
            if number in kept:
                page, part = kept[number]
            else:
                result = ocred.pop(number)
                if not isinstance(result.pdf, Path):  # every run_pages writes to task.spool
                    raise TypeError(f"page {number + 1} came back in memory, not spooled")
                page, part = correct_page(result.page), (result.pdf, 0)
            pages.append(page)
            parts.append(part)
        return tuple(pages), parts

    def assemble(self, parts: list[tuple[Path, int]], meta: DocumentMetadata, out: Path) -> None:
        """The searchable PDF, unsigned: the pages and their invisible text."""
        with self.timer("assemble"):
            assemble(parts, meta, now=self.ctx.clock(), out=out)

    def plan(
        self, stored: tuple[InputFile, ...], found: list[Inspection], spool: Path
    ) -> tuple[list[PageTask], dict[int, tuple[PageText, tuple[Path, int]]]]:
        """The pages to OCR, and those kept as they are (a PDF page that has text), by their
        number in the document: the page's text and where ``assemble`` takes it from."""
        tasks: list[PageTask] = []
        kept: dict[int, tuple[PageText, tuple[Path, int]]] = {}
        for i, (blob, kind, info) in enumerate(zip(self.doc.files, found, stored, strict=True)):
            source = blob.content  # a local file is read by the page process itself
            if isinstance(source, bytes) and kind.page_count > 1:  # on disk once, not
                source = Path(spool, f"{i}.{kind.extension}")  # once per page task
                source.write_bytes(blob.data)
            keep = sorted(kind.text_pages)
            try:
                texts = self._keep(blob.name, source, keep, spool / f"kept-{i}.pdf")
            except CorruptInput as exc:
                exc.about(blob.name)
                raise
            for index in range(kind.page_count):
                number = len(tasks) + len(kept)
                if index in kind.text_pages:
                    at = keep.index(index)
                    text = PageText(index=number, source="text-layer", text=texts[at])
                    kept[number] = (text, (spool / f"kept-{i}.pdf", at))
                    continue
                task = PageTask(
                    blob.name,
                    source,
                    kind.kind,
                    index,
                    number,
                    self.ctx.settings.ocr,
                    self.ctx.settings.limits,
                    origin=info.original_key or None,
                    spool=spool,
                )
                tasks.append(task)
        return tasks, kept

    def _keep(self, name: str, source: bytes | Path, indexes: list[int], out: Path) -> list[str]:
        """Pages with text, copied without active content; what was removed is noted for
        the sidecar."""
        if not indexes:
            return []
        kept = keep_pages(source, indexes, out)
        if kept.removed:
            log.warning(
                "dossier %s document %s: active content removed from %s (%d items)",
                self.dossier.code,
                self.doc.name,
                name,
                len(kept.removed),
            )
        self.removed += [f"{name}: {line}" for line in kept.removed]
        return kept.texts

    def refuse_active_left(self, unsigned: Path) -> None:
        """Never signed: whatever the stripping missed. A PDF of sohoa's own that cannot even
        be read is sohoa's bug (InternalError), like one that cannot be signed."""
        try:
            left = active_left(unsigned)
        except Exception as exc:  # noqa: BLE001 - pypdf's errors are many; all are ours here
            raise InternalError(
                f"cannot sign the PDF sohoa assembled: {exc}", subject=self.doc.name
            ) from exc
        if left:
            raise UnsupportedInput("active content that cannot be removed: %s" % left[0])

    def sign(self, unsigned: Path, signed: Path) -> SigningLevel:
        """Sign the PDF sohoa assembled itself: one it cannot parse is sohoa's bug, never the
        clerk's input (InternalError, not CorruptInput)."""
        ctx = self.ctx
        with self.timer("sign"):
            profile = signing_profile(ctx.settings, self.dossier.agency, ctx.trust_roots)
            try:
                sign_file(
                    unsigned,
                    signed,
                    ctx.signer,
                    profile=profile,
                    spec=SignatureSpec(
                        reason=SIGNING_REASON,
                        location=self.dossier.agency,
                        signing_time=ctx.clock(),
                    ),
                )
            except (CorruptInput, ValueError, KeyError) as exc:
                raise InternalError(
                    f"cannot sign the PDF sohoa assembled: {exc}", subject=self.doc.name
                ) from exc
        return profile.level

    def verify(self, signed: Path, level: SigningLevel) -> VerificationReport:
        """Verify sohoa's fresh signature. A revocation source that did not answer (TRY_LATER)
        is retryable; any other failure is sohoa's own (OwnSignatureInvalid), never the input's."""
        ctx = self.ctx
        with self.timer("verify"):
            # our own certificate's OCSP/CRL may be asked; never an input file's (see below)
            fetchers = fetcher_factory(ctx.settings)
            report = verify_pdf(
                signed, name=self.doc.name, trust_roots=ctx.trust_roots, fetchers=fetchers
            )
            if not report.ok:
                reasons = "; ".join(r for s in report.signatures for r in s.reasons)
                if any(s.sub_indication == "TRY_LATER" for s in report.signatures):
                    raise RevocationUnavailable(
                        f"our own signature cannot be checked now: {reasons}",
                        subject=self.doc.name,
                    )
                raise OwnSignatureInvalid(
                    f"our own signature did not verify: {reasons or report.detail}",
                    subject=self.doc.name,
                )
            require_level(report, level)
        return report

    def judge_signed(self) -> VerificationReport:
        """Verify a signed input. A signature that fails (TOTAL_FAILED: tampered, forged,
        malformed) or a file the verifier cannot read raises SignatureFailed with the
        verifier's words: the input goes to quarantine. Anything else is kept."""
        source = self.doc.files[0].content
        with self.timer("verify"):
            report = verify_pdf(source, name=self.doc.name, trust_roots=self.ctx.trust_roots)
        if report.exit_code in (ExitCode.FAILED, ExitCode.UNREADABLE):
            raise SignatureFailed(
                "its signature does not verify: %s" % verifier_words(report),
                subject=self.doc.files[0].name,
            )
        return report

    def keep_signed(
        self, stored: tuple[InputFile, ...], report: VerificationReport
    ) -> DocumentOutcome:
        """A PDF that already carries signatures: recorded as it is, never a byte rewritten.
        Unless every signature passed (INDETERMINATE: intact, but the signer is not trusted),
        it is flagged ``signature-unconfirmed`` until a person accepts it (storage.acceptance):
        it does not count as an electronically issued result meanwhile."""
        source = self.doc.files[0].content
        pages = carried_text(source)
        meta = self.metadata(pages)
        flag = None if report.ok else (UNCONFIRMED, verifier_words(report))
        if flag is not None:
            log.warning(
                "dossier %s document %s: kept, signature not confirmed: %s",
                self.dossier.code,
                self.doc.name,
                flag[1],
            )
        return self.store_result(stored, source, meta, pages, report, rewritten=False, flag=flag)

    def _archival(self, meta: DocumentMetadata, page_count: int) -> ArchivalMetadata:
        """Circular 02/2019's record: the text's fields, the dossier's code as FileCode (when
        it fits), the document's place in the dossier, its pages."""
        code = self.dossier.code if len(self.dossier.code) <= FILE_CODE_MAX else None
        ordinal = next(
            (n for n, d in enumerate(self.dossier.documents, 1) if d.name == self.doc.name), None
        )
        return archival_metadata(
            meta,
            page_amount=min(page_count, 9999),
            file_code=code,
            doc_ordinal=ordinal if ordinal and ordinal <= 9999 else None,
        )

    def metadata(self, pages: Sequence[PageText]) -> DocumentMetadata:
        with self.timer("extract"):
            found = extract("\n\n".join(p.text for p in pages))
            return merge_manifest(found, self.dossier.manifest.metadata, self.doc.metadata)

    def _sidecar(
        self,
        stored: tuple[InputFile, ...],
        meta: DocumentMetadata,
        pages: tuple[PageText, ...],
        report: VerificationReport,
        **result: object,
    ) -> Sidecar:
        """The JSON beside a result: the document's facts, and ``result``'s (version, key, ...)."""
        ctx, dossier = self.ctx, self.dossier
        return Sidecar(
            dossier_code=dossier.code,
            agency=dossier.agency,
            document=self.doc.name,
            pipeline_version=ctx.pipeline_version,
            digitised_at=ctx.clock(),
            inputs=stored,
            input_sha256=self.input_sha,
            page_count=len(pages),
            metadata=meta,
            archival=self._archival(meta, len(pages)),
            pages=pages,
            verification=report,
            active_content_removed=tuple(self.removed),
            stage_seconds=dict(self.timer.seconds),
            **result,
        )

    def store_result(
        self,
        stored: tuple[InputFile, ...],
        pdf: bytes | Path,
        meta: DocumentMetadata,
        pages: tuple[PageText, ...],
        report: VerificationReport,
        *,
        rewritten: bool,
        flag: tuple[str, str] | None = None,
    ) -> DocumentOutcome:
        """Store the result and its sidecar, then record the document (and a flag on it)."""
        ctx, dossier, doc = self.ctx, self.dossier, self.doc
        version = ctx.warehouse.claim_result_version(self.timer.document_id)  # type: ignore[arg-type]
        year = year_of(dossier, ctx)
        key = keys.result_key(dossier.agency, year, dossier.code, doc.name, version)
        confidences = [p.mean_confidence for p in pages if p.mean_confidence is not None]
        mean = round(sum(confidences) / len(confidences), 2) if confidences else None
        with self.timer("store-result"):
            digest = put_source(ctx.store, key, pdf, expected=None, name=doc.name)
            sidecar = self._sidecar(
                stored,
                meta,
                pages,
                report,
                result_version=version,
                result_key=key,
                result_sha256=digest,
                result_was_rewritten=rewritten,
                mean_confidence=mean,
            )
            ctx.store.put(keys.sidecar_key(key), sidecar.model_dump_json(indent=1).encode())
        self._record(sidecar, flag)
        return DocumentOutcome(
            dossier.code,
            doc.name,
            "digitised",
            tuple(f.name for f in doc.files),
            pages=len(pages),
            result_key=key,
            reason=flag[0] if flag else None,
            message=flag[1] if flag else None,
        )

    def _record(self, sidecar: Sidecar, flag: tuple[str, str] | None) -> None:
        """The document in the warehouse, as its sidecar says; a flag is an event too."""
        ctx = self.ctx
        ctx.warehouse.record_document(
            self.timer.dossier_id,
            name=sidecar.document,
            input_sha256=self.input_sha,
            pipeline_version=ctx.pipeline_version,
            status=DocumentStatus.DIGITISED,
            result_version=sidecar.result_version,
            page_count=sidecar.page_count,
            mean_confidence=sidecar.mean_confidence,
            metadata=sidecar.metadata.model_dump(mode="json"),
            signature=sidecar.verification.model_dump(mode="json"),
            inputs=[s.model_dump() for s in sidecar.inputs],
            result_key=sidecar.result_key,
            result_sha256=sidecar.result_sha256,
            stage_seconds=dict(self.timer.seconds),
            error_reason=flag[0] if flag else None,
            error=flag[1] if flag else None,
            search_text="\n".join(p.text for p in sidecar.pages),  # indexed (storage/search.py)
        )
        if flag is not None:
            ctx.warehouse.add_event(
                self.timer.dossier_id,
                "signature",
                "unconfirmed",
                document_id=self.timer.document_id,
                detail=flag[1],
            )
