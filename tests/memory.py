"""Peak resident memory of a process tree, sampled every 0.2 s (benchmarks, hostile-input tests)."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.services import children_of


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children_of(found[-1])
    return found


class PeakMemory:
    """Samples ``pid``, its children and their children (Tesseract, qpdf) until stopped.
    Peaks in MB: ``root``, ``child`` (largest direct child), ``grandchild``, and ``tree``
    (the whole process tree at once, every generation)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.peaks = {"root": 0.0, "child": 0.0, "grandchild": 0.0, "tree": 0.0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._note("root", [self.pid])
            kids = children_of(self.pid)
            self._note("child", kids)
            self._note("grandchild", [g for k in kids for g in children_of(k)])
            self.peaks["tree"] = max(self.peaks["tree"], sum(map(rss_mb, _tree(self.pid))))
            self._stop.wait(self.interval)

    def _note(self, level: str, pids: list[int]) -> None:
        for pid in pids:
            self.peaks[level] = max(self.peaks[level], rss_mb(pid))

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        return {k: round(v) for k, v in self.peaks.items()}
