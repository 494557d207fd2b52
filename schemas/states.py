"""The closed sets of states sohoa records and reports, as ordered enums.

Each member is its value as a string (``DocumentStatus.DIGITISED == "digitised"``, and so in
JSON, logs and the warehouse), and members of one enum compare by their place in it, first
lowest, never alphabetically: ``Coverage.ENTIRE_REVISION < Coverage.ENTIRE_FILE``.
``DossierStatus`` and ``DocumentStatus`` are what the warehouse holds; it refuses any other
value (a CHECK constraint, storage/migrations 0009). The PAdES level is
``schemas.signing.SigningLevel``, ordered the same way.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Ordered(StrEnum):
    """A string enum ordered by its members' place in the class, weakest or earliest first."""

    @property
    def rank(self) -> int:
        return type(self)._member_names_.index(self.name)

    def _against(self, other: Any) -> int | None:
        return other.rank if type(other) is type(self) else None

    def __lt__(self, other: Any) -> bool:
        rank = self._against(other)
        return self.rank < rank if rank is not None else str.__lt__(self, other)

    def __le__(self, other: Any) -> bool:
        rank = self._against(other)
        return self.rank <= rank if rank is not None else str.__le__(self, other)

    def __gt__(self, other: Any) -> bool:
        rank = self._against(other)
        return self.rank > rank if rank is not None else str.__gt__(self, other)

    def __ge__(self, other: Any) -> bool:
        rank = self._against(other)
        return self.rank >= rank if rank is not None else str.__ge__(self, other)


class DossierStatus(Ordered):
    """Where a dossier is: received, being worked on, or final (the worst of its documents)."""

    RECEIVED = "received"
    PROCESSING = "processing"
    RETRYING = "retrying"
    DIGITISED = "digitised"
    QUARANTINED = "quarantined"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self >= DossierStatus.DIGITISED


class DocumentStatus(Ordered):
    """Where a document is: claimed by a worker, waiting for a retry, or final."""

    PROCESSING = "processing"
    RETRYING = "retrying"
    DIGITISED = "digitised"
    REUSED = "reused"
    QUARANTINED = "quarantined"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self >= DocumentStatus.DIGITISED


class Coverage(Ordered):
    """How much of the file a signature covers (pyHanko's SignatureCoverageLevel), least first."""

    UNCLEAR = "UNCLEAR"
    CONTIGUOUS_BLOCK_FROM_START = "CONTIGUOUS_BLOCK_FROM_START"
    ENTIRE_REVISION = "ENTIRE_REVISION"
    ENTIRE_FILE = "ENTIRE_FILE"


class ModificationLevel(Ordered):
    """The worst change made after a signature (pyHanko's ModificationLevel), harmless first."""

    NONE = "NONE"
    LTA_UPDATES = "LTA_UPDATES"
    FORM_FILLING = "FORM_FILLING"
    ANNOTATIONS = "ANNOTATIONS"
    OTHER = "OTHER"
