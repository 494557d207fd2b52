"""Benchmark (not a test): one large dossier through 1 and then 2 worker processes.

Each run starts its own services (see bench/batch.py), drops one dossier of N realistic pages
(300-dpi degraded samples) as one document, runs ``sohoa watch`` and ``sohoa worker
--processes P``, and times drop to digitised. With 2 processes the document's pages fan out
(workers/queue/page_fanout.py). Prints one table and the ratio.

    python bench/fanout.py [--pages 40]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch import run_batch  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    rows = []
    for processes in (1, 2):
        summary = run_batch(1, args.pages, processes, args.timeout, samples=True)
        if summary["result_pdfs"] != 1:
            print(f"run with {processes} process(es) did not finish: {summary}")
            return 1
        rows.append((processes, summary["wall_seconds_from_start_to_done"]))
    print(f"one dossier of {args.pages} pages (300 dpi, degraded), {os.cpu_count()} cores")
    print(f"{'worker processes':>17} {'wall s':>8} {'pages/s':>8} {'vs one':>7}")
    for processes, wall in rows:
        print(f"{processes:17d} {wall:8.1f} {args.pages / wall:8.3f} {wall / rows[0][1]:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
