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
    read_as: str | None = Field(
        None, description="the word as Tesseract read it, when its tone was set right since"
    )


class Correction(Frozen):
    """A line whose fixed administrative phrases were corrected (pipeline.metadata.phrases)."""

    line: int = Field(ge=0, description="0-based line of the page's text")
    original: str = Field(description="the line as Tesseract read it")
    corrected: str


RegionKind = Literal["seal", "signature", "received-stamp", "scanner-mark"]


class Region(Frozen):
    """Ink on a page that is not text: a seal, a handwritten signature, a "received" stamp
    (CÔNG VĂN ĐẾN, Số, Ngày, Giờ), a scanner's mark (a punch hole, a staple's shadow, a dark
    bar along an edge). Its words are kept out of the text layer and of every field."""

    kind: RegionKind
    box: tuple[int, int, int, int] = Field(
        description="left, top, width, height in pixels of the page as read (as Word.box)"
    )
    confidence: float = Field(ge=0, le=1, description="how sure the finder is, 0..1")
    cue: str = Field(description="what it was found by, e.g. 'red ink, round ring'")
    words: tuple[str, ...] = Field((), description="words read there and taken out of the text")


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
    regions: tuple[Region, ...] = Field(
        (), description="seals, signatures, stamps and scanner marks found on the page"
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
