"""An input's bytes, wherever they are: in memory, or in a file spooled to disk.

    read_source(source) -> bytes          the bytes, read from the file when there is one
    openable(source)    -> Path | BytesIO what Pillow and pypdf open
    opened(source)      -> a binary stream, closed on leaving (pyHanko reads streams)
    no_space_left(folder, doing)   DiskFull when the disk a tool was writing to is full
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from schemas.errors import DiskFull


def read_source(source: bytes | Path) -> bytes:
    """An input's bytes: as they are, or read from the file that holds them."""
    return source.read_bytes() if isinstance(source, Path) else source


def openable(source: bytes | Path) -> Path | io.BytesIO:
    """What Pillow and pypdf open: the file that holds an input, or its bytes as a stream."""
    return source if isinstance(source, Path) else io.BytesIO(source)


@contextmanager
def opened(source: bytes | Path) -> Iterator[BinaryIO]:
    """A binary stream on the input: the file opened for reading (and closed on leaving), or
    its bytes."""
    target = openable(source)
    if isinstance(target, Path):
        with target.open("rb") as handle:
            yield handle
    else:
        yield target


def no_space_left(folder: Path | str, doing: str) -> None:
    """DiskFull when the file system of ``folder``, where a tool that just failed (or wrote a
    file cut short) was writing, has no block left: the tool met a full disk (ENOSPC), not a
    bad input. ``doing``: what could not be written."""
    try:
        full = os.statvfs(folder).f_bavail == 0
    except OSError:
        return
    if full:
        raise DiskFull(f"no space left on the local disk to {doing}")
