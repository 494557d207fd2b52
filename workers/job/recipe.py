"""The digitisation of one document, as a recipe: the stages in the order they run.

Each stage is a named step of DocumentRun (workers/job/document.py), which does the work and
times it; the pipeline's stages themselves are pure (pipeline/). The dossier around a document
(claims, duplicates, quarantine, the dossier's status, the intake released last) is
workers/job/dossier.py.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pipeline.inputs.files import Inspection
from schemas.results import InputFile
from workers.job.context import DocumentOutcome
from workers.job.document import DocumentRun


def digitise_document(
    run: DocumentRun, inputs: tuple[InputFile, ...], found: list[Inspection]
) -> DocumentOutcome:
    """A document whose inputs were accepted (``found``: what each file is)."""
    if run.is_signed(found):  # a signed PDF is never rewritten: judged, then kept as it is
        report = run.judge_signed()  # before anything is stored: a failed signature quarantines
        stored = run.store_originals(inputs, found)
        return run.keep_signed(stored, report)  # its text layer, metadata, result, record
    stored = run.store_originals(inputs, found)
    with tempfile.TemporaryDirectory(prefix="sohoa-spool-") as folder:  # pages wait on disk
        spool = Path(folder)
        tasks, kept = run.plan(stored, found, spool)  # pages to OCR; pages with text kept
        pages, parts = run.read(tasks, kept)  # normalise, OCR, reading order: pipeline/reading
        meta = run.metadata(pages)  # the metadata stage: pipeline/metadata, manifest merged
        unsigned, signed = spool / "unsigned.pdf", spool / "signed.pdf"
        run.assemble(parts, meta, unsigned)  # the searchable PDF: pipeline/reading
        run.refuse_active_left(unsigned)  # nothing that can run is ever signed
        level = run.sign(unsigned, signed)  # PAdES at the agency's level: pipeline/signatures
        unsigned.unlink()
        report = run.verify(signed, level)  # our own signature, checked before it is stored
        return run.store_result(stored, signed, meta, pages, report, rewritten=True)
