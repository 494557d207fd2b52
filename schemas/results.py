"""Frozen results of the pipeline's stages and of verification, and the JSON sidecar."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.document import ArchivalMetadata, DocumentMetadata
from schemas.verification import (  # noqa: F401 - re-exported: verification reports
    FileStatus,
    Indication,
    SignatureReport,
    VerificationReport,
)

SIDECAR_SCHEMA_VERSION = 1


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Word(Frozen):
    text: str
    confidence: float = Field(ge=0, le=100)
    box: tuple[int, int, int, int] = Field(description="left, top, width, height in pixels")


class Correction(Frozen):
    """A line whose fixed administrative phrases were corrected (pipeline.metadata.phrases)."""

    line: int = Field(ge=0, description="0-based line of the page's text")
    original: str = Field(description="the line as Tesseract read it")
    corrected: str


class PageText(Frozen):
    """What was read from one page, and how the page was straightened first."""

    index: int = Field(ge=0)
    source: Literal["ocr", "text-layer"]
    text: str
    words: tuple[Word, ...] = ()
    mean_confidence: float | None = Field(None, description="mean word confidence, 0..100")
    rotation: int = Field(0, description="degrees turned clockwise to make the page upright")
    skew: float = Field(0.0, description="degrees of skew removed")
    width_px: int = 0
    height_px: int = 0
    dpi: int = 0
    read_by: str | None = Field(None, description="host:pid of the process that read the page")
    corrections: tuple[Correction, ...] = Field(
        (), description="lines of ``text`` whose fixed phrases were corrected, as first read"
    )


class InputFile(Frozen):
    name: str
    sha256: str
    size: int
    original_key: str


class Sidecar(Frozen):
    """The JSON stored beside every result PDF."""

    schema_version: Literal[1] = SIDECAR_SCHEMA_VERSION
    dossier_code: str
    agency: str
    document: str
    pipeline_version: str
    result_version: int = Field(ge=1)
    digitised_at: dt.datetime
    inputs: tuple[InputFile, ...]
    input_sha256: str = Field(description="idempotency key: hash of the document's input hashes")
    result_key: str
    result_sha256: str
    result_was_rewritten: bool = Field(description="false: an already signed PDF kept unchanged")
    page_count: int
    mean_confidence: float | None
    metadata: DocumentMetadata
    archival: ArchivalMetadata | None = Field(
        None, description="the record of Circular 02/2019/TT-BNV, Appendix I, for this document"
    )
    pages: tuple[PageText, ...]
    verification: VerificationReport
    active_content_removed: tuple[str, ...] = Field(
        (),
        description="JavaScript, actions, attachments, links and form widgets taken off the "
        "input's pages before signing: '<file>: page <n>: <what>'",
    )
    stage_seconds: dict[str, float]
