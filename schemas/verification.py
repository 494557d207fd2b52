"""What verifying a PDF's signatures found (ETSI EN 319 102-1 terms), and `sohoa verify --json`.

Per signature a SignatureReport of fine-grained facts plus one derived verdict (indication and
sub-indication); per file a VerificationReport whose ``exit_code`` fails closed; per run a
VerifyOutput with a summary. ``schemas/verify-output.schema.json`` is generated from VerifyOutput
(``python -m schemas.verification > schemas/verify-output.schema.json``); a test fails when the
two drift apart.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.errors import ExitCode
from schemas.signing import SigningLevel
from schemas.states import Coverage, ModificationLevel

OUTPUT_SCHEMA_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Indication(str, Enum):
    """ETSI EN 319 102-1 main indications."""

    TOTAL_PASSED = "TOTAL_PASSED"
    TOTAL_FAILED = "TOTAL_FAILED"
    INDETERMINATE = "INDETERMINATE"


ChangeClass = Literal[
    "none", "lta-updates", "signatures", "form-filling", "annotations", "other", "unknown"
]
"""What was changed after signing, from harmless to illegal: nothing; DSS and document
timestamps; later signatures; filled form fields; added annotations; anything else."""

RevocationStatus = Literal["good", "revoked", "unknown", "not-declared", "not-checked"]


class TimestampReport(_Frozen):
    """An RFC 3161 timestamp: a signature timestamp or a document timestamp."""

    kind: Literal["signature", "document", "content"]
    time: dt.datetime | None = None
    tsa: str | None = Field(None, description="subject of the time-stamping unit")
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    field_name: str | None = Field(None, description="document timestamps: their field")

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


class RevocationReport(_Frozen):
    """The signer certificate's revocation status, and where the answer came from."""

    status: RevocationStatus
    source: Literal["embedded", "fetched", "none"] = "none"
    revoked_at: dt.datetime | None = None
    reason: str | None = None
    detail: str | None = None


class SignatureReport(_Frozen):
    """Fine-grained facts about one signature, plus the one verdict derived from them."""

    field_name: str
    indication: Indication
    sub_indication: str | None = Field(
        None, description="ETSI EN 319 102-1 sub-indication, e.g. HASH_FAILURE, REVOKED_NO_POE"
    )
    reasons: tuple[str, ...] = Field((), description="why it is not TOTAL_PASSED, for a clerk")
    intact: bool
    valid: bool
    trusted: bool
    coverage: Coverage = Field(description="how much of the file it covers, ENTIRE_FILE best")
    revision: int | None = Field(None, description="the revision it signed (1 = the first)")
    covers_final: bool = Field(False, description="it covers the document as it is now")
    modification_level: ModificationLevel | None = Field(
        None, description="the worst change after signing, NONE best"
    )
    changes: ChangeClass = Field("unknown", description="what changed after signing, classified")
    changed_fields: tuple[str, ...] = Field((), description="form fields changed after signing")
    docmdp_ok: bool | None = None
    docmdp: str | None = Field(None, description="the document's DocMDP permission, if certified")
    level: SigningLevel | None = Field(
        None, description="PAdES level reached: B-B, B-T, B-LT, B-LTA; None: not PAdES"
    )
    signer: str | None = None
    signer_issuer: str | None = None
    signer_certificate_sha256: str | None = None
    signer_valid_from: dt.datetime | None = None
    signer_valid_until: dt.datetime | None = None
    trust_path: tuple[str, ...] = Field((), description="signer first, trust anchor last")
    signing_time: dt.datetime | None = Field(
        None, description="proven by a timestamp when there is one, else claimed by the signer"
    )
    signing_time_source: Literal["timestamp", "claimed", "none"] = "none"
    claimed_signing_time: dt.datetime | None = Field(
        None, description="the time the signer's computer wrote in the signature (unproven)"
    )
    notes: tuple[str, ...] = Field(
        (), description="facts that do not change the verdict (e.g. claimed time vs timestamp)"
    )
    summary: str = Field("", description="the verdict in one sentence for a clerk")
    timestamps: tuple[TimestampReport, ...] = ()
    revocation: RevocationReport | None = None
    subfilter: str | None = None


class FileStatus(str, Enum):
    SIGNED = "signed"
    NO_SIGNATURE = "no-signature"
    UNREADABLE = "unreadable"
    ENCRYPTED = "encrypted"


class VerificationReport(_Frozen):
    file: str
    status: FileStatus
    detail: str | None = Field(None, description="why the file could not be read")
    signatures: tuple[SignatureReport, ...] = ()
    validation_time: dt.datetime | None = None
    notes: tuple[str, ...] = Field(
        (), description="facts about the file that do not change any verdict, for a reader"
    )
    whole_document: str | None = Field(
        None,
        description="the field of the last signature covering the entire file: the one that "
        "vouches for the document as it is now (None: no signature covers it)",
    )
    active_content: tuple[str, ...] = Field(
        (),
        description="a warning, not a verdict: where the file carries JavaScript, actions, "
        "embedded files or attachments, which a signature does not make safe",
    )

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


class VerifySummary(_Frozen):
    files: int
    by_outcome: dict[str, int] = Field(description="exit-code name -> number of files")
    exit_code: int


class VerifyOutput(_Frozen):
    """What `sohoa verify --json` prints."""

    schema_version: Literal[1] = OUTPUT_SCHEMA_VERSION
    validation_time: dt.datetime | None = Field(None, description="--at, else the time of the run")
    allow_fetch: bool = False
    reports: tuple[VerificationReport, ...]
    summary: VerifySummary


def output_json_schema() -> str:
    """The JSON Schema of VerifyOutput, as stored in schemas/verify-output.schema.json."""
    return json.dumps(VerifyOutput.model_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(output_json_schema(), end="")
