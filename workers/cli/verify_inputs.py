"""What ``sohoa verify`` reads, checked before anything parses it: every *.pdf under a folder
(however deep), and each file only when it is a regular file within the input limits."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from pipeline.inputs.bounds import check_hex_strings
from schemas.errors import InputTooLarge
from schemas.settings import InputLimits
from schemas.verification import FileStatus, VerificationReport

log = logging.getLogger(__name__)


def pdfs_in(paths: list[Path]) -> Iterator[Path]:
    """Each path, or every *.pdf below a folder: walked without recursion (folders nested
    thousands deep), never into a folder link."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        stack = [path]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                log.warning("cannot list %s: %s", folder, exc.strerror)
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.name.lower().endswith(".pdf"):
                    yield Path(entry.path)


def checked_file(path: Path, limits: InputLimits) -> Path | VerificationReport:
    """The file, once it is known to be a regular file within the limits: the verifier reads
    it as it goes, never whole. A FIFO or device is never opened (it could block for ever);
    a file over the size limit, or with a hex string (/Contents) over its limit, is not
    parsed (a 10 MB /Contents cost 1.9 GB)."""

    def unreadable(detail: str) -> VerificationReport:
        return VerificationReport(file=str(path), status=FileStatus.UNREADABLE, detail=detail)

    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return unreadable("not a regular file (a FIFO, device or socket): not read")
        if info.st_size > limits.max_bytes:
            return unreadable(f"{info.st_size} bytes is over the limit of {limits.max_bytes}")
        check_hex_strings(path, limits.max_hex_string)
    except OSError as exc:
        return unreadable("cannot open: %s" % exc.strerror)
    except InputTooLarge as exc:
        return unreadable(str(exc))
    return path
