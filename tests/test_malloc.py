"""A process that reads pages gives the freed page images back to the system."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Allocate and free a 16 MB block (a page image) three times; print how much the process grew.
CHURN = """
import sys
from workers.malloc import map_large_blocks
if sys.argv[1] == "on":
    assert map_large_blocks()
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
base = rss_mb()
for _ in range(3):
    block = b"x" * (16 << 20)
    del block
print(round(rss_mb() - base))
"""


def _growth(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", CHURN, mode], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def test_freed_page_images_go_back_to_the_system() -> None:
    # glibc as shipped keeps the block: its mmap threshold rose when the first one was freed
    assert _growth("off") >= 12
    assert _growth("on") <= 8
