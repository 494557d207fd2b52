"""Benchmark (not a test): sohoa's full pipeline beside plain Tesseract and OCRmyPDF on the same
real pages and the same cores, in one run, as one table per scan style.

    pip install -e ".[bench]"     # OCRmyPDF and img2pdf, for the comparison
    python bench/throughput.py [--pdf tests/data/decree-49-2026-ND-CP.pdf] [--pages 1,2,29]
                               [--styles bw200,grey300] [--jobs 2]

The pages are the decree's, scanned in each style as `sohoa eval --from-pdf` scans them (not
timed); its text layer is the truth. Each style's pages are put in one PDF (img2pdf: the G4
or JPEG images as they are, what a scanner or the Government portal hands over), which
OCRmyPDF and sohoa each read; plain Tesseract reads the page images. Every reader runs on
the same pages with the same number of processes (``--jobs``), one after the other:

- tesseract @image dpi: `tesseract PAGE - -l vie --dpi D`, OMP_THREAD_LIMIT=1, one process
  per job: the baseline of `sohoa eval`;
- tesseract @read dpi: the same on the page scaled to the dpi sohoa reads it at (200; a finer
  scan is scaled down before it is read, not timed): shown only where it differs;
- OCRmyPDF (the prescribed baseline): `ocrmypdf --deskew --rotate-pages -l vie+eng --jobs N`;
- sohoa: `sohoa digitise` (decode, orientation, deskew, OCR, metadata, sign, verify, store,
  record) on the same PDF, process start included; its data folder is made beforehand by
  a first run on an empty folder (not timed, its CPU seconds printed): the warehouse's schema
  and the development signing key are made once per installation, not per document; sohoa's
  modules are byte-compiled first, as an installed package's are.

Printed per reader: wall seconds and pages/s, CPU seconds per page (user + system of the whole
process tree: on a machine shared with other work the fairer figure), CER against the truth
(NFC, white space folded, as `sohoa eval`), peak RSS of the largest single process, and
sohoa's speed as a ratio to each other reader (above 1: sohoa is faster), by wall time and by
CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pipeline.reading.evaluate import edits
from pipeline.reading.evaluate_real import parse_styles, scan_pdf
from samplegen.office_scans import page_truth, pdf_page_count
from schemas.settings import OcrSettings

HERE = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PROBE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(use.ru_maxrss, use.ru_utime + use.ru_stime, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@dataclass(frozen=True)
class Run:
    name: str
    wall: float  # seconds
    cpu: float  # seconds, user + system, the whole process tree
    peak_mb: int  # largest single process
    texts: dict[int, str]  # page number -> text


def measured(command: list[str], **kw) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (MB, largest process) of the command's tree."""
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "-c", PROBE, *command], capture_output=True, text=True, **kw)
    took = time.perf_counter() - started
    if done.returncode not in (0, 7):
        raise SystemExit(f"{command[0]} failed: {done.stderr[-2000:]}")
    peak, cpu = done.stderr.strip().splitlines()[-1].split()
    return took, float(cpu), int(peak) // 1024


def cer(truth: dict[int, str], texts: dict[int, str]) -> float:
    errors = total = 0
    for key, reference in truth.items():
        e, n, _w, _nw = edits(reference, texts.get(key, ""))
        errors, total = errors + e, total + n
    return 100.0 * errors / max(total, 1)


def at_dpi(pages: dict[int, Path], read_dpi: int) -> dict[int, tuple[Path, int]]:
    """Each page (path, dpi) at most at ``read_dpi``, scaled as sohoa scales it (not timed)."""
    out = {}
    for number, path in pages.items():
        image = Image.open(path)
        dpi = round(image.info.get("dpi", (300, 300))[0])
        if dpi > read_dpi:
            size = (round(image.width * read_dpi / dpi), round(image.height * read_dpi / dpi))
            image.convert("L").resize(size, Image.Resampling.LANCZOS).save(
                path.with_name(f"{path.stem}-{read_dpi}.png"), dpi=(read_dpi, read_dpi)
            )
            path, dpi = path.with_name(f"{path.stem}-{read_dpi}.png"), read_dpi
        out[number] = (path, dpi)
    return out


def run_tesseract(name: str, pages: dict[int, tuple[Path, int]], jobs: int) -> Run:
    """Each page's Tesseract is waited for with ``os.wait4``: its own CPU time, not that of
    every child this process ever had (the scans' rasterising among them). Its peak RSS is
    measured apart (not timed), on the largest page, through the small probe process: a child
    forked from this process counts this process's memory before it runs Tesseract."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def command(path: Path, dpi: int) -> list[str]:
        return ["tesseract", str(path), "-", "-l", "vie", "--dpi", str(dpi)]

    def one(item: tuple[int, tuple[Path, int]]) -> tuple[int, str, float]:
        number, (path, dpi) = item
        with tempfile.TemporaryFile() as out:
            child = subprocess.Popen(
                command(path, dpi), stdout=out, stderr=subprocess.DEVNULL, env=env
            )
            _pid, _status, use = os.wait4(child.pid, 0)
            child.returncode = 0  # reaped above
            out.seek(0)
            return number, out.read().decode("utf-8", "replace"), use.ru_utime + use.ru_stime

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        done = list(pool.map(one, pages.items()))
    took = time.perf_counter() - started
    largest = max(pages.values(), key=lambda page: page[0].stat().st_size)
    _wall, _cpu, peak = measured(command(*largest), env=env)
    return Run(name, took, sum(d[2] for d in done), peak, {d[0]: d[1] for d in done})


def page_texts(pdf: Path, numbers: list[int]) -> dict[int, str]:
    texts = {}
    for n, number in enumerate(numbers, start=1):
        command = ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"]
        texts[number] = subprocess.run(command, capture_output=True, text=True).stdout
    return texts


def run_ocrmypdf(source: Path, numbers: list[int], jobs: int, work: Path) -> Run:
    target = work / "ocrmypdf.pdf"
    command = [str(Path(PYTHON).parent / "ocrmypdf"), "--deskew", "--rotate-pages"]
    command += ["-l", "vie+eng", "--jobs", str(jobs), "--output-type", "pdf", "-q"]
    took, cpu, peak = measured([*command, str(source), str(target)])
    return Run("OCRmyPDF", took, cpu, peak, page_texts(target, numbers))


def run_sohoa(source: Path, numbers: list[int], jobs: int, work: Path) -> Run:
    data, inbox, empty = work / "sohoa-data", work / "inbox", work / "empty"
    inbox.mkdir()
    empty.mkdir()
    shutil.copyfile(source, inbox / source.name)  # a link out of the inbox is quarantined
    env = {**os.environ, "SOHOA_DATA": str(data)}
    digitise = [PYTHON, "-m", "workers.cli", "digitise"]
    # An installation's first run (not timed): the warehouse's schema and the development
    # signing key are made once, not per document; and sohoa's modules compiled, as pip
    # compiles an installed package's (a checkout run with PYTHONDONTWRITEBYTECODE would
    # compile them in every process). What the first run took is printed.
    folders = ["pipeline", "schemas", "storage", "workers"]
    subprocess.run([PYTHON, "-m", "compileall", "-q", *folders], cwd=HERE, capture_output=True)
    first = measured([*digitise, str(empty), "--jobs", "1"], env=env, cwd=HERE)
    print(f"  (sohoa's first run on a new data folder, not timed: {first[1]:.1f} CPU s)")
    took, cpu, peak = measured([*digitise, str(inbox), "--jobs", str(jobs)], env=env, cwd=HERE)
    texts: dict[int, str] = {}
    for sidecar in (data / "objects" / "results").rglob("*.json"):
        for page in json.loads(sidecar.read_text())["pages"]:
            texts[numbers[page["index"]]] = page["text"]
    if len(texts) != len(numbers):
        raise SystemExit(f"sohoa read {len(texts)} of {len(numbers)} pages: see {data}")
    return Run("sohoa", took, cpu, peak, texts)


def style_runs(pdf: Path, style: str, numbers: list[int], jobs: int, work: Path) -> list[Run]:
    import img2pdf  # the bench extra

    (doc,) = scan_pdf(pdf, [style], work / "scans", numbers)
    folder = work / "scans" / style
    pages = {n: folder / str(p.file) for n, p in zip(numbers, doc.pages, strict=True)}
    source = work / f"{style}.pdf"
    source.write_bytes(img2pdf.convert([str(pages[n]) for n in numbers]))
    own = at_dpi(pages, 10_000)
    read = at_dpi(pages, OcrSettings().read_dpi)
    runs = [run_tesseract("tesseract @image dpi", own, jobs)]
    if read != own:
        runs.append(run_tesseract(f"tesseract @{OcrSettings().read_dpi} dpi", read, jobs))
    runs.append(run_ocrmypdf(source, numbers, jobs, work))
    runs.append(run_sohoa(source, numbers, jobs, work))
    return runs


def table(style: str, runs: list[Run], truth: dict[int, str], jobs: int) -> None:
    n = len(truth)
    sohoa = runs[-1]
    print(f"\n{style}: {n} pages of the real decree, {jobs} jobs")
    print(f"{'':22} {'wall s':>7} {'pages/s':>8} {'CPU s/page':>10} {'CER %':>6} "
          f"{'peak RSS MB':>11} {'sohoa x (wall)':>14} {'sohoa x (CPU)':>13}")  # fmt: skip
    for run in runs:
        print(
            f"{run.name:22} {run.wall:7.1f} {n / run.wall:8.3f} {run.cpu / n:10.2f} "
            f"{cer(truth, run.texts):6.2f} {run.peak_mb:11d} {run.wall / sohoa.wall:13.2f}x "
            f"{run.cpu / sohoa.cpu:12.2f}x"
        )
    plain, ocrmypdf = runs[0], next(r for r in runs if r.name == "OCRmyPDF")
    print(
        f"targets ([real-reading] item 6): sohoa pages/s {plain.wall / sohoa.wall:.2f}x plain "
        f"Tesseract's (>= 1.0; by CPU {plain.cpu / sohoa.cpu:.2f}x), "
        f"{ocrmypdf.wall / sohoa.wall:.2f}x OCRmyPDF's (>= 3.0; by CPU "
        f"{ocrmypdf.cpu / sohoa.cpu:.2f}x); sohoa's CER "
        f"{cer(truth, sohoa.texts):.2f}% vs plain's {cer(truth, plain.texts):.2f}%; "
        f"sohoa's largest process {sohoa.peak_mb} MB (<= 300)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pdf", type=Path, default=HERE / "tests/data/decree-49-2026-ND-CP.pdf")
    parser.add_argument("--pages", default="", help="1-based pages of the PDF (default: all)")
    parser.add_argument("--styles", default="bw200,grey300")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    numbers = [int(n) for n in args.pages.split(",") if n.strip()]
    numbers = numbers or list(range(1, pdf_page_count(args.pdf) + 1))
    truth = {n: page_truth(args.pdf, n) for n in numbers}
    for style in parse_styles(args.styles):
        runs = style_runs(args.pdf.resolve(), style, numbers, args.jobs, work / style)
        table(style, runs, truth, args.jobs)
    print(f"\n(ratios: the reader's time over sohoa's; above 1, sohoa is faster. Work in {work})")


if __name__ == "__main__":
    main()
