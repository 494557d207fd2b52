"""The web desk's contracts: accounts and their roles, search questions and answers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.document import AGENCY_CODE_PATTERN

Role = Literal["clerk", "supervisor", "admin"]
ROLES: tuple[Role, ...] = ("clerk", "supervisor", "admin")


class User(BaseModel):
    """An account of the desk. A clerk acts for one agency; a supervisor for an agency and
    every agency under it (the agencies register's parents); an admin manages accounts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    username: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9._@-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    agency: str = Field(pattern=AGENCY_CODE_PATTERN)
    active: bool = True


QUESTION_MAX = 500  # characters a search question may have


class SearchQuery(BaseModel):
    """What a clerk asks for: any words (a dossier code, số/ký hiệu, words of the text),
    narrowed by the fields below."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field("", max_length=QUESTION_MAX)
    dossier: str | None = Field(None, max_length=255, description="mã số hồ sơ, exactly")
    agency: str | None = Field(None, max_length=30)
    type_name: str | None = Field(None, max_length=100, description="e.g. NGHỊ ĐỊNH")
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    limit: int = Field(50, ge=1, le=500)

    @field_validator("text", "dossier", "agency", "type_name")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        """Nothing a clerk types holds a NUL, and PostgreSQL refuses to compare with one."""
        if value is not None and "\x00" in value:
            raise ValueError("a NUL character")
        return value


class SearchHit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    document_id: int
    document: str
    dossier_id: int
    dossier: str
    agency: str
    number: str | None = None
    type_name: str | None = None
    subject: str | None = None
    issued_date: str | None = None
    result_key: str | None = None
    rank: float = 0.0

    @property
    def reference(self) -> str:
        """What a manifest's ``reused_from`` names: <dossier code>/<document name>."""
        return f"{self.dossier}/{self.document}"
