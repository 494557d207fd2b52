"""Limits checked on an input's raw bytes before any parser sees them.

A PDF hex string (a signature's ``/Contents <...>``) costs the PDF readers about 85 bytes of
memory per digit: 10 MB of digits took 1.9 GB. ``check_hex_strings`` measures every hex string
in the raw bytes, a chunk at a time (a file is never read whole), and refuses the file when
one is longer than the limit. A hex string inside a compressed object stream is not seen here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from schemas.errors import InputTooLarge

CHUNK = 1 << 20
_WHITE_HEX = rb"[0-9A-Fa-f\x00\t\n\x0c\r ]*"
_HEX_STRING = re.compile(rb"(?<!<)<(?!<)" + _WHITE_HEX)  # '<<' opens a dictionary
_MORE_HEX = re.compile(_WHITE_HEX)


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


def check_hex_strings(source: bytes | Path, limit: int) -> None:
    """Raise InputTooLarge when a hex string in ``source`` has more than ``limit`` digits
    (white space inside it counted). Reads ``source`` once, a chunk at a time."""
    run, offset = -1, 0  # run: digits of a hex string still open at the end of the last chunk
    for chunk in _chunks(source):
        pos = 0
        if run >= 0:
            more = _MORE_HEX.match(chunk).end()  # type: ignore[union-attr]  # always matches
            run, pos = run + more, more
            _refuse_over(run, limit, offset)
            if more == len(chunk):
                offset += len(chunk)
                continue
            run = -1
        for found in _HEX_STRING.finditer(chunk, pos):
            length = found.end() - found.start() - 1
            _refuse_over(length, limit, offset + found.start())
            if found.end() == len(chunk):
                run = length
        offset += len(chunk)


def _refuse_over(length: int, limit: int, where: int) -> None:
    if length > limit:
        raise InputTooLarge(
            f"a hex string (such as a signature's /Contents) near byte {where} has more than"
            f" {limit} digits, over the limit; it is not parsed"
        )
