"""Benchmark (not a test): text that is not text. Real pages of decree 49 with seals, signatures,
received stamps and scanner marks laid over them at seeded places (tests/regions_material.py:
the seal and signature are decree 49's own images, the stamp and marks are drawn), scanned
colour, grey and bilevel at 200 dpi; and pages of sohoa's generator (their own seal and
signature). Each page is read once by sohoa; its words are scored before and after the
regions set them apart, beside plain `tesseract -l vie` (its TSV) on the same image.

    python bench/regions.py [--pages 1-29] [--styles colour,grey,bilevel] [--generated 6]
                            [--jobs 2] [--out regions.json]
    python bench/regions.py --signed    # signatures over seals, found from the image alone

--signed: the signed pages of tests/data/real-layouts (the signature drawn mostly under the
seal, as Decree 30/2020 art. 33 places it) and the last pages of 16 generated documents (seed
11, their scrawl drawn over the seal), each scanned colour, grey and bilevel at 200 dpi; the
truth is the blue ink's box on the colour page; found = a signature at IoU >= 0.5.

Per page: regions found / missed / false against the laid boxes (IoU >= 0.5, same kind); noise
words = words read inside a laid box that are no word of the page's truth (pdftotext); body
words lost = words set apart that the truth has and the kept text then lacks; noise words in
fields = noise tokens in the values extract() finds in the page's text. Generated pages have no
laid boxes: there every word that is no word of the truth counts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

import pytesseract  # noqa: E402
from PIL import Image  # noqa: E402

from pipeline.metadata.extract import extract  # noqa: E402
from pipeline.reading.normalise import at_resolution, for_ocr, to_working_mode  # noqa: E402
from pipeline.reading.ocr import parse_tsv  # noqa: E402
from pipeline.reading.page import read_upright  # noqa: E402
from pipeline.reading.region_words import read_apart  # noqa: E402
from samplegen.office_scans import page_truth  # noqa: E402
from schemas.settings import OcrSettings  # noqa: E402
from tests.regions_material import (  # noqa: E402
    as_scanned,
    blue_ink_box,
    decree_page_at,
    iou,
    overlay,
    own_regions,
)

DECREE = HERE / "tests" / "data" / "decree-49-2026-ND-CP.pdf"
DPI = 200


def kinds_for(number: int) -> tuple[str, ...]:
    """Every page a seal and a signature; some a received stamp and scanner marks."""
    kinds = ["seal", "signature"]
    if number % 3 == 1:
        kinds.append("received-stamp")
    if number % 2 == 0:
        kinds += ["punch-holes", "staple"]
    if number % 5 == 0:
        kinds.append("edge-bar")
    return tuple(kinds)


def _token(word: str) -> str:
    return word.strip(".,;:()\"'“”").casefold()


def _inside(box, boxes) -> bool:
    left, top, width, height = box
    x, y = left + width / 2, top + height / 2
    return any(b[0] <= x < b[0] + b[2] and b[1] <= y < b[1] + b[3] for b in boxes)


def _noise(words, truth: Counter, boxes) -> list[str]:
    """Words inside the laid boxes (all words when there are none) that the truth lacks."""
    left = Counter(truth)
    out = []
    for text, box in words:
        token = _token(text)
        if not token:
            continue
        if left[token] > 0:
            left[token] -= 1
        elif boxes is None or _inside(box, boxes):
            out.append(token)
    return out


def _fields_noise(text: str, noise: list[str]) -> int:
    meta = extract(text).model_dump(exclude={"confidence", "sources", "disagreements"})
    values = " ".join(
        " ".join(v) if isinstance(v, (list, tuple)) else str(v) for v in meta.values() if v
    )
    bad = set(noise)
    return sum(1 for t in values.split() if _token(t) in bad)


def _plain(image: Image.Image) -> list[tuple[str, tuple]]:
    tsv = pytesseract.image_to_data(image, lang="vie", config=f"--dpi {DPI}")
    words, _, _ = parse_tsv(tsv)
    return [(w.text, w.box) for w in words]


def score(job: tuple[str, int, str]) -> dict:
    source, number, style = job
    if source == "decree":
        base = decree_page_at(number, DPI, colour=style == "colour")
        rgb, laid = overlay(base, kinds_for(number), DPI, number)
        laid += own_regions(number)  # page 29's own seal and signature
        truth_text = page_truth(DECREE, number)
        boxes = [b for _, b in laid]
    else:
        rgb, laid, truth_text = generated_page(number, style)
        boxes = None
    image = to_working_mode(as_scanned(rgb, style) if source == "decree" else rgb)
    if image.mode == "1":
        image = image.convert("L")
    truth = Counter(_token(t) for t in truth_text.split() if _token(t))
    grey, read_dpi = at_resolution(for_ocr(image), DPI, OcrSettings().read_dpi)
    started = time.perf_counter()
    reading = read_upright(grey, read_dpi, OcrSettings())
    read_s = time.perf_counter() - started
    before = reading.out
    started = time.perf_counter()
    after, regions = read_apart(image, DPI, before, reading.rotation, reading.skew, reading.size)
    apart_s = time.perf_counter() - started
    words = lambda out: [(w.text, w.box) for w in out.words]  # noqa: E731
    noise_before = _noise(words(before), truth, boxes)
    noise_after = _noise(words(after), truth, boxes)
    kept = Counter(_token(w.text) for w in after.words)
    missing = truth - kept
    dropped = Counter(_token(t) for r in regions for t in r.words)
    found = [(r.kind, r.box) for r in regions]
    hits = [any(k == kind and _same(b, box) for k, b in found) for kind, box in laid]
    false = [k for k, b in found if not any(k == kind and _same(b, box) for kind, box in laid)]
    return {
        "source": source, "page": number, "style": style,
        "laid": [k for k, _ in laid], "hit": hits, "false": false,
        "by_kind": Counter(k for k, _ in laid), "found_by_kind": Counter(k for k, _ in found),
        "noise_plain": len(_noise(_plain(image), truth, boxes)),
        "noise_before": len(noise_before), "noise_after": len(noise_after),
        "body_lost": sum((dropped & missing).values()),
        "fields_before": _fields_noise(before.text, noise_before),
        "fields_after": _fields_noise(after.text, noise_before),
        "read_s": read_s, "apart_s": apart_s,
    }  # fmt: skip


def _same(found, laid) -> bool:
    """IoU >= 0.5; a generated page's seal and signature (no box known): any of that kind."""
    return laid is None or iou(found, laid) >= 0.5


def generated_page(index: int, condition: str):
    from samplegen.samples import generate_documents  # the generator's own seal and signature

    clean = 1.0 if condition == "clean" else 0.0
    doc = list(generate_documents(index + 1, 2026, dpi=DPI, clean_ratio=clean, turned_ratio=0))
    page = doc[index].pages[-1]
    return page.image, [("seal", None), ("signature", None)], page.text


def table(rows: list[dict]) -> str:
    out = ["| material | style | pages | laid | found (IoU≥0.5) | missed | false | noise words: "
           "plain tesseract | sohoa before | sohoa after | body words lost | noise in fields "
           "before → after |", "|" + "---|" * 12]  # fmt: skip
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["source"], r["style"]), []).append(r)
    for (source, style), group in groups.items():
        laid = sum(len(r["laid"]) for r in group)
        hit = sum(sum(r["hit"]) for r in group)
        false = sum(len(r["false"]) for r in group)
        total = lambda key: sum(r[key] for r in group)  # noqa: E731
        out.append(
            f"| {source} | {style} | {len(group)} | {laid} | {hit} | {laid - hit} | {false} | "
            f"{total('noise_plain')} | {total('noise_before')} | {total('noise_after')} | "
            f"{total('body_lost')} | {total('fields_before')} → {total('fields_after')} |"
        )
    return "\n".join(out)


def by_kind(rows: list[dict]) -> str:
    laid: Counter = Counter()
    hit: Counter = Counter()
    for r in rows:
        for kind, ok in zip(r["laid"], r["hit"], strict=True):
            laid[(r["style"], kind)] += 1
            hit[(r["style"], kind)] += ok
    return "\n".join(f"  {s:8} {k:15} {hit[(s, k)]}/{n}" for (s, k), n in sorted(laid.items()))


def signed_pages() -> list[tuple[str, Image.Image, float]]:
    """(name, colour page, skew) of every page with blue ink: real layouts, then generated."""
    import io
    import subprocess

    from samplegen.samples import generate_documents

    pages = []
    for pdf in sorted((HERE / "tests" / "data" / "real-layouts").glob("*.pdf")):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        count = int(info.stdout.split("Pages:")[1].split()[0])
        for n in range(1, count + 1):
            args = ["pdftoppm", "-r", str(DPI), "-f", str(n), "-l", str(n), "-png", str(pdf)]
            done = subprocess.run(args, capture_output=True, check=True)
            pages.append((f"real {pdf.stem} p{n}", Image.open(io.BytesIO(done.stdout)), 0.0))
    for n, doc in enumerate(generate_documents(16, 11, dpi=DPI, turned_ratio=0.0)):
        pages.append((f"generated {n}", doc.pages[-1].image, doc.pages[-1].defects.skew))
    return [(name, page.convert("RGB"), skew) for name, page, skew in pages if _blue(page)]


def _blue(page: Image.Image) -> bool:
    try:
        return blue_ink_box(page)[2] > 0
    except ValueError:  # no blue ink: not the signed page
        return False


def signed(styles: list[str]) -> None:
    from pipeline.reading.region_words import find_marks
    from pipeline.reading.regions import look

    found: Counter = Counter()
    pages: Counter = Counter()
    extra: Counter = Counter()
    for name, rgb, skew in signed_pages():
        truth, group = blue_ink_box(rgb), name.split()[0]
        for style in styles:
            image = to_working_mode(as_scanned(rgb, style))
            image = image.convert("L") if image.mode == "1" else image
            sight = look(image, DPI, 0, skew, image.size)
            fx, fy = image.width / sight.ink.shape[1], image.height / sight.ink.shape[0]
            boxes = [(round(x0 * fx), round(y0 * fy), round((x1 - x0) * fx), round((y1 - y0) * fy))
                     for f in find_marks(sight) if f.kind == "signature"
                     for x0, y0, x1, y1 in [f.box]]  # fmt: skip
            pages[(group, style)] += 1
            found[(group, style)] += any(iou(b, truth) >= 0.5 for b in boxes)
            extra[(group, style)] += max(0, len(boxes) - 1)
    for (group, style), n in pages.items():
        print(f"  {group:9} {style:8} signatures {found[(group, style)]}/{n}, "
              f"more than one on a page: {extra[(group, style)]}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="1-29")
    parser.add_argument("--styles", default="colour,grey,bilevel")
    parser.add_argument("--generated", type=int, default=6, help="generated documents per kind")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--signed", action="store_true", help="signatures over seals only")
    args = parser.parse_args()
    if args.signed:
        return signed(args.styles.split(","))
    first, _, last = args.pages.partition("-")
    pages = range(int(first), int(last or first) + 1)
    jobs = [("decree", n, s) for n in pages for s in args.styles.split(",")]
    jobs += [("generated", i, c) for i in range(args.generated) for c in ("clean", "degraded")]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(score, jobs))
    print(table(rows))
    read, apart = sum(r["read_s"] for r in rows), sum(r["apart_s"] for r in rows)
    print(f"time: reading {read:.0f} s, setting apart {apart:.0f} s ({100 * apart / read:.1f}%"
          f" of the reading, {apart / len(rows):.2f} s a page; {args.jobs} jobs on this machine)")
    print("found by kind (IoU >= 0.5; generated: found at all):")
    print(by_kind(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
