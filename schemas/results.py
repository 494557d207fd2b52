"""Frozen results of the pipeline's stages and of verification, and the JSON sidecar."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.document import DocumentMetadata
from schemas.errors import ExitCode

SIDECAR_SCHEMA_VERSION = 1


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Word(Frozen):
    text: str
    confidence: float = Field(ge=0, le=100)
    box: tuple[int, int, int, int] = Field(description="left, top, width, height in pixels")


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


class Indication(str, Enum):
    """ETSI EN 319 102-1 main indications."""

    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"


class SignatureReport(Frozen):
    """Fine-grained facts about one signature, plus the one verdict derived from them."""

    field_name: str
    indication: Indication
    reasons: tuple[str, ...] = Field((), description="why it is not TOTAL_PASSED, for a clerk")
    intact: bool
    valid: bool
    trusted: bool
    coverage: str = Field(description="ENTIRE_FILE, ENTIRE_REVISION, PARTIAL ...")
    modification_level: str | None = Field(None, description="NONE, LTA_UPDATES, FORM_FILLING ...")
    docmdp_ok: bool | None = None
    signer: str | None = None
    signer_certificate_sha256: str | None = None
    signing_time: dt.datetime | None = None
    subfilter: str | None = None


class FileStatus(str, Enum):
    SIGNED = "signed"
    NO_SIGNATURE = "no-signature"
    UNREADABLE = "unreadable"
    ENCRYPTED = "encrypted"


class VerificationReport(Frozen):
    file: str
    status: FileStatus
    detail: str | None = Field(None, description="why the file could not be read")
    signatures: tuple[SignatureReport, ...] = ()

    @property
    def ok(self) -> bool:
        return self.exit_code == ExitCode.OK

    @property
    def exit_code(self) -> ExitCode:
        """Fails closed: OK only with at least one signature and every one TOTAL_PASSED."""
        if self.status is FileStatus.NO_SIGNATURE:
            return ExitCode.NO_SIGNATURE
        if self.status is FileStatus.UNREADABLE:
            return ExitCode.UNREADABLE
        if self.status is FileStatus.ENCRYPTED:
            return ExitCode.ENCRYPTED
        if not self.signatures:
            return ExitCode.NO_SIGNATURE
        indications = {s.indication for s in self.signatures}
        if Indication.TOTAL_FAILED in indications:
            return ExitCode.FAILED
        if Indication.INDETERMINATE in indications:
            return ExitCode.INDETERMINATE
        return ExitCode.OK


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
    pages: tuple[PageText, ...]
    verification: VerificationReport
    stage_seconds: dict[str, float]
