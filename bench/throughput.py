"""Benchmark (not a test): sohoa's full pipeline against OCRmyPDF and raw Tesseract on the
same degraded 300-dpi pages and the same cores, in one run, as one table.

    pip install -e ".[bench]"     # OCRmyPDF and img2pdf, for the comparison
    python bench/throughput.py [--docs 12] [--jobs 2] [--seed 2026] [--dpi 300]

(12 documents are 16 pages: enough that sohoa's start, about 2 s of imports and opening the
key and warehouse, weighs what it weighs in a real batch, not half the run.)

- raw Tesseract: `tesseract PAGE - -l vie+eng`, OMP_THREAD_LIMIT=1, one process per core
  (the prescribed baseline);
- plain Tesseract as sohoa reads: `tesseract PAGE - -l vie` on the page at sohoa's read dpi
  (200: a finer scan is scaled down before it is read, not timed here), same processes;
- OCRmyPDF: one PDF of every page, `ocrmypdf --deskew --rotate-pages -l vie+eng --jobs N`;
- sohoa: `sohoa digitise` (orientation, deskew, OCR, metadata, sign, verify, store, record).
CER is measured against the samples' ground truth (text in reading order, NFC, spaces
collapsed). Peak RSS is the largest single process of each run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from pipeline.reading.evaluate import edits

HERE = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def measured(command: list[str], **kw) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of the largest process the command ran."""
    probe = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "-c", probe, *command], capture_output=True, text=True, **kw)
    took = time.perf_counter() - started
    if done.returncode not in (0, 7):
        raise SystemExit(f"{command[0]} failed: {done.stderr[-2000:]}")
    return took, int(done.stderr.strip().splitlines()[-1]) // 1024


def pages_of(scans: Path) -> list[tuple[str, int, Path]]:
    """(document, page index, PNG path) for every page, TIFF frames split out (not timed)."""
    out = []
    split = scans.parent / "pages"
    split.mkdir(exist_ok=True)
    for path in sorted(scans.iterdir()):
        image = Image.open(path)
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            target = split / f"{path.stem}-{index}.png"
            image.convert("RGB").save(target, dpi=image.info.get("dpi", (300, 300)))
            out.append((path.stem, index, target))
    return out


def cer(truth: dict[tuple[str, int], str], texts: dict[tuple[str, int], str]) -> float:
    errors = total = 0
    for key, reference in truth.items():
        e, n, _w, _nw = edits(reference, texts.get(key, ""))
        errors, total = errors + e, total + n
    return 100.0 * errors / max(total, 1)


def at_read_dpi(pages, read_dpi: int) -> list[tuple[str, int, Path]]:
    """The pages scaled to sohoa's read dpi, as its page stage scales them (not timed)."""
    out = []
    for doc, index, path in pages:
        image = Image.open(path)
        dpi = round(image.info.get("dpi", (300, 300))[0])
        if dpi > read_dpi:
            size = (round(image.width * read_dpi / dpi), round(image.height * read_dpi / dpi))
            image = image.convert("L").resize(size, Image.Resampling.LANCZOS)
        target = path.with_name(f"{path.stem}-{read_dpi}.png")
        image.save(target, dpi=(min(dpi, read_dpi),) * 2)
        out.append((doc, index, target))
    return out


def run_raw(pages, jobs: int, languages: str = "vie+eng") -> tuple[float, int, dict]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(item):
        doc, index, path = item
        done = subprocess.run(
            ["tesseract", str(path), "-", "-l", languages], capture_output=True, text=True, env=env
        )
        return (doc, index), done.stdout

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        texts = dict(pool.map(one, pages))
    took = time.perf_counter() - started
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) // 1024
    return took, peak, texts


def run_ocrmypdf(pages, jobs: int, work: Path) -> tuple[float, int, dict]:
    import img2pdf

    source = work / "all.pdf"
    source.write_bytes(img2pdf.convert([str(p) for _d, _i, p in pages]))
    target = work / "all.ocr.pdf"
    took, peak = measured(
        [
            str(Path(PYTHON).parent / "ocrmypdf"),
            "--deskew",
            "--rotate-pages",
            "-l",
            "vie+eng",
            "--jobs",
            str(jobs),
            "--output-type",
            "pdf",
            "-q",
            str(source),
            str(target),
        ]
    )
    texts = {}
    for n, (doc, index, _path) in enumerate(pages, start=1):
        done = subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(target), "-"],
            capture_output=True,
            text=True,
        )
        texts[(doc, index)] = done.stdout
    return took, peak, texts


def run_sohoa(scans: Path, jobs: int, work: Path) -> tuple[float, int, dict]:
    data = work / "sohoa-data"
    env = {**os.environ, "SOHOA_DATA": str(data)}
    took, peak = measured(
        [PYTHON, "-m", "workers.cli", "digitise", str(scans), "--jobs", str(jobs)],
        env=env,
        cwd=HERE,
    )
    texts = {}
    for sidecar in (data / "objects" / "results").rglob("*.json"):
        car = json.loads(sidecar.read_text())
        for page in car["pages"]:
            texts[(car["document"], page["index"])] = page["text"]
    return took, peak, texts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dpi", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    subprocess.run(
        [
            PYTHON,
            "-m",
            "workers.cli",
            "samples",
            str(work / "set"),
            "--count",
            str(args.docs),
            "--seed",
            str(args.seed),
            "--dpi",
            str(args.dpi),
            "--clean-ratio",
            "0",
            "--turned-ratio",
            "0",
        ],
        check=True,
        cwd=HERE,
        capture_output=True,
    )
    scans = work / "set" / "scans"
    pages = pages_of(scans)
    truth = {}
    for path in (work / "set" / "truth").iterdir():
        doc = json.loads(path.read_text())
        for page in doc["pages"]:
            truth[(doc["name"], page["index"])] = page["text"]
    rows = []
    for name, run in (
        ("raw tesseract", lambda: run_raw(pages, args.jobs)),
        ("tess vie @200", lambda: run_raw(at_read_dpi(pages, 200), args.jobs, "vie")),
        ("OCRmyPDF", lambda: run_ocrmypdf(pages, args.jobs, work)),
        ("sohoa", lambda: run_sohoa(scans, args.jobs, work)),
    ):
        took, peak, texts = run()
        rows.append((name, took, peak, cer(truth, texts)))
    n = len(pages)
    raw_s, plain_s, ocrmypdf_s = rows[0][1], rows[1][1], rows[2][1]
    print(f"{n} degraded pages at {args.dpi} dpi, {args.jobs} cores (seed {args.seed})")
    print(
        f"{'':15} {'wall s':>8} {'pages/s':>8} {'s/page/core':>12} {'CER %':>7} "
        f"{'peak RSS MB':>12} {'vs OCRmyPDF':>12} {'vs raw':>8} {'vs vie@200':>10}"
    )
    for name, took, peak, error in rows:
        print(
            f"{name:15} {took:8.1f} {n / took:8.3f} {took * args.jobs / n:12.2f} "
            f"{error:7.2f} {peak:12d} {ocrmypdf_s / took:11.2f}x {took / raw_s:7.2f}x "
            f"{took / plain_s:9.2f}x"
        )


if __name__ == "__main__":
    main()
