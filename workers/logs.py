"""Logging set-up for sohoa processes: %-style records, personal identifiers masked.

A CCCD (12 digits) or an old CMND (9 digits) that reaches a log record, in its message or its
arguments, is written as ``079******123``: enough to tell records apart, not enough to identify.
"""

from __future__ import annotations

import logging
import re

_PERSONAL_ID = re.compile(r"(?<!\d)(\d{3})(\d{3,6})(\d{3})(?!\d)")


def mask_identifiers(text: str) -> str:
    def _mask(match: re.Match[str]) -> str:
        digits = match.group(0)
        if len(digits) not in (9, 12):
            return digits
        return match.group(1) + "*" * len(match.group(2)) + match.group(3)

    return _PERSONAL_ID.sub(_mask, text)


class MaskPersonalIds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_identifiers(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_identifiers(record.exc_text)
        return True


class OneLine(logging.Formatter):
    """One physical line per record: line breaks in a message are written as `` | ``
    (a traceback, when there is one, follows on its own lines)."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return super().formatMessage(record).replace("\r", "").replace("\n", " | ")


def configure(level: int | str = logging.WARNING) -> None:
    """``level``: a number or a name (SOHOA_LOG_LEVEL; INFO for worker and watch)."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLine("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(MaskPersonalIds())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # pyHanko logs every untrusted chain with a traceback; our reports already say it in words.
    for noisy, quiet in (
        ("pyhanko", logging.CRITICAL),
        ("pyhanko_certvalidator", logging.CRITICAL),
        ("pypdf", logging.ERROR),
    ):
        logging.getLogger(noisy).setLevel(quiet)
