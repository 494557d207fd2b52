"""Benchmark (not a test): memory of one large dossier through ``sohoa digitise``.

Writes one dossier folder of N pages (300-dpi degraded samples as JPEG, a manifest making them
one document), digitises it with ``--jobs J`` into a fresh data folder, and samples the
resident memory of the job's own process and of its descendants (the OCR processes and qpdf,
Tesseract under the OCR processes) every 0.2 s. Prints the peaks and the wall time.

    python bench/large_dossier.py [--pages 200] [--jobs 2]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "bench"))

from samplegen.samples import generate_documents  # noqa: E402
from tests.memory import PeakMemory  # noqa: E402


def write_dossier(folder: Path, pages: int, distinct: int = 8) -> None:
    folder.mkdir(parents=True)
    scans = []
    for doc in generate_documents(distinct, 11, 300, clean_ratio=0.0, turned_ratio=0.0):
        for sample in doc.pages:
            out = io.BytesIO()
            sample.image.save(out, "JPEG", quality=80, dpi=(300, 300))
            scans.append(out.getvalue())
    names = []
    for n in range(pages):
        name = f"trang-{n + 1:03d}.jpg"
        (folder / name).write_bytes(scans[n % len(scans)])
        names.append(name)
    manifest = {
        "dossier_code": "000.17.22.H56-240315-0200",
        "agency": "000.17.22.H56",
        "received_date": "2024-03-15",
        "documents": [{"name": "ho-so-lon", "files": names}],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sohoa-large-"))
    write_dossier(work / "ho-so", args.pages)
    size = sum(p.stat().st_size for p in (work / "ho-so").iterdir())
    env = {**os.environ, "SOHOA_DATA": str(work / "data")}
    command = [sys.executable, "-m", "workers.cli", "digitise", str(work / "ho-so")]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--jobs", str(args.jobs)],
        env=env,
        cwd=HERE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    memory = PeakMemory(process.pid)
    code = process.wait()
    wall = time.perf_counter() - started
    peaks = memory.stop()
    results = list((work / "data" / "objects" / "results").rglob("*.pdf"))
    print(f"one dossier, {args.pages} pages ({size / 2**20:.0f} MB of JPEG), --jobs {args.jobs}")
    print(f"exit code {code}, wall {wall:.1f} s, {args.pages / wall:.3f} pages/s")
    print(f"result: {results[0].stat().st_size / 2**20:.0f} MB" if results else "no result")
    print(f"peak RSS job process          {peaks['root']:7.0f} MB")
    print(f"peak RSS largest child        {peaks['child']:7.0f} MB (OCR processes, qpdf)")
    print(f"peak RSS largest grandchild   {peaks['grandchild']:7.0f} MB (Tesseract)")
    return code


if __name__ == "__main__":
    sys.exit(main())
