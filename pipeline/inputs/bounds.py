"""Limits checked on an input's raw bytes before any parser sees them.

A PDF hex string (a signature's ``/Contents <...>``) costs the PDF readers about 85 bytes of
memory per digit: 10 MB of digits took 1.9 GB; a page tree node's /Kids array costs them a
page object per entry. ``check_pdf_bytes`` measures every hex string and /Kids array in the raw
bytes, a chunk at a time (a file is never read whole), and refuses the file when one is longer
than its limit. What sits inside a compressed object stream is not seen here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from schemas.errors import InputTooLarge

CHUNK = 1 << 20
_WHITE = rb"\x00\t\n\x0c\r "
KIDS_BYTES_PER_PAGE = 32  # "1234567 65535 R " and some white space


@dataclass(frozen=True)
class _Run:
    """A stretch of raw bytes that costs a parser dearly: what opens it, the class of bytes it
    is made of, and how it is named when it is too long."""

    opener: bytes  # a regular expression
    char: bytes  # a regular expression for one byte of the run
    over: Callable[[int, int], str]  # (limit, byte offset) -> why it is refused

    @property
    def opens(self) -> re.Pattern[bytes]:
        return _compiled(self.opener)

    @property
    def made_of(self) -> re.Pattern[bytes]:
        return _compiled(self.char + b"*")

    def longer_than(self, limit: int) -> re.Pattern[bytes]:
        """An opener followed by more than ``limit`` bytes of the run: found by the regular
        expression engine, not a Python loop over every opener (in a scan's JPEG data every
        256th byte is a '<': 0.41 s of CPU for a 35 MB PDF of 29 grey pages, now ~0.03 s)."""
        return _compiled(self.opener + self.char + b"{%d}" % (limit + 1))

    @property
    def open_at_end(self) -> re.Pattern[bytes]:
        return _compiled(self.opener + b"(" + self.char + rb"*)\Z")


@functools.cache
def _compiled(pattern: bytes) -> re.Pattern[bytes]:
    return re.compile(pattern)


_HEX_STRING = _Run(
    rb"<(?<!<<)(?!<)",  # '<<' opens a dictionary; the '<' first, so that it is searched fast
    rb"[0-9A-Fa-f" + _WHITE + rb"]",
    lambda limit, at: (
        f"a hex string (such as a signature's /Contents) near byte {at} has more"
        f" than {limit} digits, over the limit; it is not parsed"
    ),
)
_KIDS = _Run(
    rb"/Kids[" + _WHITE + rb"]*\[",
    rb"[^\]]",
    lambda limit, at: (
        f"a page tree node near byte {at} lists more than"
        f" {limit // KIDS_BYTES_PER_PAGE} pages (its /Kids is over {limit} bytes); it is not parsed"
    ),
)


def size_of(source: bytes | Path) -> int:
    """An input's size: of its bytes, or from stat for a file (nothing is read)."""
    return source.stat().st_size if isinstance(source, Path) else len(source)


def head(source: bytes | Path, size: int = 1024) -> bytes:
    """The first ``size`` bytes, enough to tell the kind of file."""
    if isinstance(source, bytes):
        return source[:size]
    with source.open("rb") as handle:
        return handle.read(size)


def _chunks(source: bytes | Path) -> Iterator[bytes]:
    if isinstance(source, bytes):
        yield source
        return
    with source.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def check_pdf_bytes(source: bytes | Path, max_hex_string: int, max_pages: int) -> None:
    """Raise InputTooLarge when a hex string in ``source`` has more than ``max_hex_string``
    digits (white space inside counted), or a page tree node's /Kids array is too long to
    list at most ``max_pages`` pages. Reads ``source`` once, a chunk at a time."""
    _check_runs(source, [(_HEX_STRING, max_hex_string), (_KIDS, max_pages * KIDS_BYTES_PER_PAGE)])


def check_hex_strings(source: bytes | Path, limit: int) -> None:
    """Raise InputTooLarge when a hex string in ``source`` has more than ``limit`` digits."""
    _check_runs(source, [(_HEX_STRING, limit)])


def _check_runs(source: bytes | Path, rules: list[tuple[_Run, int]]) -> None:
    open_runs = [-1] * len(rules)  # per rule: length of a run still open at the chunk's end
    offset = 0
    for chunk in _chunks(source):
        for number, (rule, limit) in enumerate(rules):
            open_runs[number] = _scan(chunk, offset, rule, limit, open_runs[number])
        offset += len(chunk)


def _scan(chunk: bytes, offset: int, rule: _Run, limit: int, run: int) -> int:
    """Measure ``rule``'s runs in one chunk, the one still open from the last chunk first;
    the length of the run left open at this chunk's end (-1: none)."""
    pos = 0
    if run >= 0:
        more = rule.made_of.match(chunk).end()  # type: ignore[union-attr]  # always matches
        run, pos = run + more, more
        if run > limit:
            raise InputTooLarge(rule.over(limit, offset))
        if more == len(chunk):
            return run
    too_long = rule.longer_than(limit).search(chunk, pos)
    if too_long is not None:  # the first opener whose run is over the limit
        raise InputTooLarge(rule.over(limit, offset + too_long.start()))
    left_open = rule.open_at_end.search(chunk, pos)  # a run the next chunk may go on with
    return len(left_open.group(1)) if left_open is not None else -1
