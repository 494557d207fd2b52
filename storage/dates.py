"""When a dossier was received. Its dates are days in Vietnam: the manifest's ``received_date``
and the register's day mean the day there, and the indicators count dossiers by it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.database import aware

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def day_in_vietnam(moment: dt.datetime) -> dt.date:
    return aware(moment).astimezone(VIETNAM).date()  # type: ignore[union-attr]


def start_of_day(day: dt.date) -> dt.datetime:
    """The moment the day begins in Vietnam, in UTC (SQLite keeps no offset)."""
    return dt.datetime.combine(day, dt.time(), VIETNAM).astimezone(dt.UTC)


def received_change(
    row: Any, received_on: dt.date | None, uploaded_at: dt.datetime | None
) -> dt.datetime | None:
    """A known dossier's new ``received_at``, or None to keep what the warehouse holds.

    The dossier's own day wins, unless the warehouse already holds a moment of that day (the
    register's, more precise). An upload time only moves an unregistered dossier earlier:
    the first drop is when it was received."""
    held = aware(row.received_at)
    if received_on is not None:
        return None if day_in_vietnam(held) == received_on else start_of_day(received_on)
    if uploaded_at is not None and row.registered_at is None and uploaded_at < held:
        return uploaded_at
    return None
