"""Logging set-up for sohoa processes: %-style records, personal identifiers masked, one line
per record.

A personal identifier that reaches a log record or the digitise summary, in its message or its
arguments, keeps its first and last three digits: ``079******123``, enough to tell records
apart, not enough to identify. Identifiers are a CCCD (12 digits), an old CMND (9), a tax code
(10, 13, or 10-3 as ``0101234567-001``), written unbroken or in groups of 3-4 digits separated
by spaces or dots (``001 203 004 567``, ``001.203.004.567``). A control character in a message
(a newline in a file name) is written escaped (``\\n``), so that a record cannot forge another.
"""

from __future__ import annotations

import logging
import re

_SEPARATOR = r"[ .\u00a0]"
_PERSONAL_ID = re.compile(
    rf"(?<!\d)(?<!\d\.)(?:\d{{9,13}}|\d{{3,4}}(?:{_SEPARATOR}\d{{3,4}}){{2,3}})(?:-\d{{3}})?(?!\d)(?!\.\d)"
)
_LENGTHS = {9, 10, 12, 13}
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def mask_identifiers(text: str) -> str:
    def _mask(match: re.Match[str]) -> str:
        found = match.group(0)
        digits = [i for i, c in enumerate(found) if c.isdigit()]
        if len(digits) not in _LENGTHS:
            return found
        hidden = set(digits[3:-3])
        return "".join("*" if i in hidden else c for i, c in enumerate(found))

    return _PERSONAL_ID.sub(_mask, text)


def escape_controls(text: str) -> str:
    """Control characters as escapes (``\\n``, ``\\x1b``): one record stays one line."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def for_humans(text: str) -> str:
    """What any human-facing output shows of a text from the input: masked, one line."""
    return escape_controls(mask_identifiers(text))


class MaskPersonalIds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = for_humans(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_identifiers(record.exc_text)
        return True


def configure(level: int | str = logging.WARNING) -> None:
    """``level``: a number or a name (SOHOA_LOG_LEVEL; INFO for worker and watch)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    # one physical line per record: MaskPersonalIds escapes line breaks before formatting
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
