"""One row of the one-stop shop's register of received dossiers (`sohoa register import`).

The register gives the indicators their denominators: every dossier received, whether or not
anything of it was scanned. Rows come from CSV (header names as below) or JSON (a list of
objects with the same keys).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.document import AGENCY_CODE_PATTERN, DOSSIER_CODE_PATTERN

Channel = Literal["counter", "online", "post"]


class RegisterEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    dossier_code: str = Field(pattern=DOSSIER_CODE_PATTERN, description="mã số hồ sơ")
    agency: str = Field(pattern=AGENCY_CODE_PATTERN, description="receiving agency code")
    procedure_code: str = Field(min_length=1, max_length=30, description="mã TTHC")
    procedure_name: str | None = Field(None, max_length=500)
    result_is_document: bool = Field(True, description="the procedure's result is a document")
    received_at: dt.datetime | dt.date = Field(description="ngày tiếp nhận")
    channel: Channel = "counter"
    components: int = Field(0, ge=0, le=1000, description="paper components to digitise")
    components_digitised: int = Field(0, ge=0, le=1000)
    components_reused: int = Field(
        0, ge=0, le=1000, description="taken from earlier digitised data"
    )
    result_issued_electronically: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> RegisterEntry:
        if self.components_digitised > self.components:
            raise ValueError("components_digitised is larger than components")
        if self.components_reused > self.components:
            raise ValueError("components_reused is larger than components")
        return self

    @property
    def received_day(self) -> dt.date:
        value = self.received_at
        return value.date() if isinstance(value, dt.datetime) else value


class AgencyEntry(BaseModel):
    """One agency (mã định danh đơn vị) and its level for a span of time: the July 2025 reform
    is two rows, before (valid_to 2025-07-01) and after (valid_from 2025-07-01)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=300)
    level: Literal["ministry", "province", "district", "commune"]
    parent: str | None = Field(None, max_length=30)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = Field(None, description="exclusive")


class TargetEntry(BaseModel):
    """A plan's target for one indicator, level and year, in percent."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    indicator: Literal["4.1", "4.2", "4.3"]
    level: Literal["ministry", "province", "district", "commune"]
    year: int = Field(ge=2000, le=2100)
    percent: Decimal = Field(ge=0, le=100, decimal_places=2)
