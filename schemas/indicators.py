"""What the digitisation-rate indicators are computed from: agencies with their level over
time, and the facts of each received dossier. Plain frozen records, read from the warehouse
(storage/) and consumed by the formulas (pipeline/indicators/rates.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Level = Literal["ministry", "province", "district", "commune"]
LEVELS: tuple[Level, ...] = ("ministry", "province", "district", "commune")


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    level: Level
    parent: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None  # exclusive: the first day it no longer exists as such

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


@dataclass(frozen=True)
class DossierFacts:
    """What the indicators need to know about one received dossier."""

    code: str
    agency: str
    procedure: str | None
    received: dt.date
    result_is_document: bool  # the procedure's result is a document (kết quả là văn bản)
    components: int  # paper components that must be digitised
    components_digitised: int
    components_reused: int
    electronic_result: bool  # result issued as a signed electronic file


@dataclass(frozen=True)
class Operational:
    documents: int = 0
    pages: int = 0
    pages_per_day: Mapping[dt.date, int] = field(default_factory=dict)
    quarantined: Mapping[str, int] = field(default_factory=dict)  # reason -> documents
    median_hours_to_digitised: float | None = None
    unconfirmed_signatures: int = 0  # kept signed inputs awaiting a person's acceptance

    @property
    def quarantine_rate(self) -> Decimal | None:
        total = self.documents
        if total == 0:
            return None
        value = Decimal(sum(self.quarantined.values())) * 100 / Decimal(total)
        return value.quantize(Decimal("0.01"))
