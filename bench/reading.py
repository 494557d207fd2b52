"""Benchmark (not a test): sohoa's reading beside plain Tesseract's, on real and generated pages,
as one table (the README's accuracy table).

    python bench/reading.py [--pdf tests/data/decree-49-2026-ND-CP.pdf --pdf ...] [--pages 1,29]
                            [--styles bw200,grey300] [--count 12] [--seed 2026] [--jobs 2]

Runs the product's own `sohoa eval` in one run: on each real PDF scanned in every style (its
text layer is the truth, PDF.fields.json its fields; `--pages` to take a few; by default the
real decree 49 and every real text of tests/data/real-layouts), and on a set made by
`sohoa samples` (clean, degraded and turned pages in fonts and texts of the generator).
Every row is sohoa and plain `tesseract -l vie` on the same pages, and their ratio; field
accuracy where the truth has fields. Writes the JSON of both runs beside the table (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
FIELDS = ("number", "issued_date", "type_name", "organ_name", "place", "subject",
          "signing_authority", "signer_position", "signer_name", "recipients")  # fmt: skip
# decree 49, then every real text laid out in tests/data/real-layouts (see its README)
LAYOUTS = HERE / "tests/data/real-layouts"
REAL = ("tests/data/decree-49-2026-ND-CP.pdf",
        *sorted(str(p.relative_to(HERE)) for p in LAYOUTS.glob("*.pdf")))  # fmt: skip


def sohoa(*args: str) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-m", "workers.cli", *args]
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"sohoa {args[0]} failed: {done.stderr[-2000:]}")
    return time.perf_counter() - started


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def rows(scores: dict, material: str) -> list[str]:
    out = []
    for split in scores["splits"]:
        if split["name"] == "all":
            continue
        fields = [percent(split["accuracy"].get(f)) for f in FIELDS]
        right, total = sum(split["field_right"].values()), sum(split["field_total"].values())
        ratio = "-" if split["ratio"] is None else f"{split['ratio']:.2f}"
        out.append(
            f"| {material} | {split['name']} | {split['pages']} | {percent(split['cer'])} | "
            f"{percent(split['plain_cer'])} | {ratio} | {percent(split['wer'])} | "
            f"{percent(split['plain_wer'])} | +{split['phrase_fixed']}/-{split['phrase_broken']} | "
            f"+{split['respelt_fixed']}/-{split['respelt_broken']} | {right}/{total} | "
            + " | ".join(fields)
            + " |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pdf", type=Path, action="append", help="a real PDF (repeat it)")
    parser.add_argument("--pages", default="", help="1-based pages of the PDF (default: all)")
    parser.add_argument("--styles", default="bw200,grey300")
    parser.add_argument("--count", type=int, default=12, help="generated documents")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=None, help="folder for the JSON scores")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sohoa-reading-"))
    out = args.out or work
    out.mkdir(parents=True, exist_ok=True)
    jobs = ["--jobs", str(args.jobs)]
    took_real, real_rows = 0.0, []
    for n, pdf in enumerate(args.pdf or [HERE / p for p in REAL]):
        real = ["eval", "--from-pdf", str(pdf.resolve()), "--styles", args.styles]
        real += ["--pages", args.pages] if args.pages else []
        took_real += sohoa(*real, *jobs, "--json", str(out / f"real-{n}.json"))
        name = pdf.stem + (f" p.{args.pages}" if args.pages else "")
        real_rows += rows(json.loads((out / f"real-{n}.json").read_text()), name)
    made = ["samples", str(work / "set"), "--count", str(args.count), "--seed", str(args.seed)]
    sohoa(*made)
    took_made = sohoa("eval", str(work / "set"), *jobs, "--json", str(out / "generated.json"))
    print("| material | scan | pages | sohoa CER | tesseract CER | ratio | sohoa WER | "
          "tesseract WER | phrases +/- | respelt +/- | fields | "
          + " | ".join(FIELDS) + " |")  # fmt: skip
    print("|" + "---|" * (11 + len(FIELDS)))
    print("\n".join(real_rows))
    generated = f"generated only: sohoa samples (seed {args.seed})"
    for line in rows(json.loads((out / "generated.json").read_text()), generated):
        print(line)
    print(f"\n(eval of the real pages {took_real:.0f} s, of the generated set {took_made:.0f} s, "
          f"{args.jobs} jobs; JSON in {out})")  # fmt: skip


if __name__ == "__main__":
    main()
