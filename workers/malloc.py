"""Give freed page images back to the system.

A page is decoded, copied to grey and read (tens of MB at 300 dpi), then freed. glibc's malloc
raises its mmap threshold each time such a block is freed, so the next page's blocks come from
the heap, which does not shrink: a process reading pages grows by about 0.9 MB a page (60
pages: 139 -> 195 MB) though it keeps only ~0.1 MB of each. With the threshold fixed at 1 MiB,
big blocks are mapped and unmapped on their own (139 -> 161 MB). Called once when a process
that reads pages starts; on a C library other than glibc it does nothing."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number (malloc.h)
THRESHOLD = 1 << 20


def map_large_blocks() -> bool:
    """True when glibc took the setting."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    taken = bool(mallopt(M_MMAP_THRESHOLD, THRESHOLD))
    log.debug("malloc: blocks of %d bytes and more mapped on their own: %s", THRESHOLD, taken)
    return taken
