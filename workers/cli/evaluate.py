"""``sohoa eval``: read a ground-truth set and score the reading beside plain Tesseract's.

The set is one made by ``sohoa samples``, a folder of page images each beside its NAME.gt.txt
(or a folder of such folders), or a born-digital PDF scanned in office styles (``--from-pdf``)."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.reading.evaluate import (
    FIELDS,
    OPTIONAL_FIELDS,
    DocumentScore,
    Report,
    TruthDocument,
    load_truth,
    page_tasks,
    plain_reading,
    score_document,
    summarise,
)
from pipeline.reading.evaluate_real import load_folder, parse_styles, scan_pdf
from schemas.errors import ExitCode, SohoaError
from workers.cli import console, settings_for
from workers.job.page_pool import PagePool

HELP = """Score OCR and metadata extraction on ground truth, beside plain Tesseract.

DIR is a set made by `sohoa samples DIR` (scans/ and truth/), or a folder of page images each
beside its NAME.gt.txt (one document; a fields.json there holds its field truth), or a folder
of such folders (one page class each). With --from-pdf, a born-digital PDF is scanned in each
of --styles (bw200: 200 dpi bilevel CCITT G4; grey300: 300 dpi grey with skew, blur, noise and
JPEG) and each page's text layer is its truth; PDF.fields.json beside it, its field truth.

Every page is read by the same page stage as `sohoa digitise` and, in the same run, by plain
`tesseract -l vie` (default page segmentation, the image's own dpi). Printed per page class:
character and word error rates of both (after NFC and collapsing white space; reading order
counts), their ratio (below 1: sohoa reads better), rotation found where the truth says, the
characters the correction of fixed administrative phrases put right and put wrong (measured
against the truth, each correction alone; "phrases +/-"), the same for the words respelt by
the syllable rules (a stop's tone, the lexicon of compound words; "respelt +/-"), and
per-field accuracy (NFC, case folded).

Exit codes: 0 scored; 1 a page could not be read; 2 no truth found.
"""


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def report_table(report: Report) -> Table:
    """Reading: sohoa's error rates beside plain Tesseract's, per page class."""
    table = Table(title="sohoa eval: reading", title_justify="left")
    table.add_column("split")
    columns = ("docs", "pages", "CER", "WER", "tess CER", "tess WER", "ratio", "upright")
    for column in (*columns, "phrases +/-", "respelt +/-"):
        table.add_column(column, justify="right")
    for split in report.splits:
        table.add_row(
            split.name,
            str(split.documents),
            str(split.pages),
            _percent(split.cer),
            _percent(split.wer),
            _percent(split.plain_cer),
            _percent(split.plain_wer),
            "-" if split.ratio is None else f"{split.ratio:.2f}",
            f"{split.rotation_ok}/{split.rotation_known}" if split.rotation_known else "-",
            f"+{split.phrase_fixed}/-{split.phrase_broken}",
            f"+{split.respelt_fixed}/-{split.respelt_broken}",
        )
    return table


def fields_table(report: Report) -> Table | None:
    """Fields: the share read right, per page class; None when the truth has no fields."""
    names = [
        n for n in (*FIELDS, *OPTIONAL_FIELDS) if any(n in s.field_total for s in report.splits)
    ]
    if not names:
        return None
    table = Table(title="sohoa eval: fields (NFC, case folded)", title_justify="left")
    table.add_column("field")
    for split in report.splits:
        table.add_column(split.name, justify="right")
    for name in names:
        table.add_row(name.replace("_", " "), *(_percent(s.accuracy(name)) for s in report.splits))
    return table


def _as_json(report: Report) -> dict:
    splits = []
    for split in report.splits:
        row = dataclasses.asdict(split)
        row["accuracy"] = {n: split.accuracy(n) for n in split.field_total}
        row["floor_accuracy"] = split.floor_accuracy()
        row["ratio"] = split.ratio
        splits.append(row)
    documents = [
        {
            "name": d.name,
            "condition": d.condition,
            "cer": sum(p.char_edits for p in d.pages) / max(1, sum(p.chars for p in d.pages)),
            "plain_cer": sum(p.plain_char_edits or 0 for p in d.pages)
            / max(1, sum(p.chars for p in d.pages)),
            "fields": d.fields,
            "misread": {k: list(v) for k, v in d.misread.items()},
        }
        for d in report.documents
    ]
    return {"splits": splits, "documents": documents}


Sets = list[tuple[TruthDocument, Path]]  # each document with the folder its files are in


def _batches(docs: Sets, size: int) -> Iterator[Sets]:
    """Documents in groups, so that the pool has pages enough to keep every process busy."""
    for start in range(0, len(docs), size):
        yield docs[start : start + size]


def find_truth(directory: Path) -> Sets:
    """The documents of DIR: a `sohoa samples` set, a folder of pages, or folders of pages."""
    if (directory / "truth").is_dir():
        return [(doc, directory) for doc in load_truth(directory)]
    folders = [directory, *sorted(p for p in directory.iterdir() if p.is_dir())]
    found = [(load_folder(folder), folder) for folder in folders]
    return [(doc, folder) for doc, folder in found if doc is not None]


def _score(sets: Sets, settings, plain: bool) -> list[DocumentScore]:
    scores: list[DocumentScore] = []
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    with progress, PagePool(settings.jobs, ocr=settings.ocr) as pool:
        bar = progress.add_task("eval", total=len(sets))
        for batch in _batches(sets, 2 * settings.jobs):
            tasks = [page_tasks(d, where, settings.ocr, settings.limits) for d, where in batch]
            flat = [t for doc_tasks in tasks for t in doc_tasks]
            results = iter(pool.run(flat))
            # plain Tesseract after sohoa, not beside it: each has every core to itself
            with ThreadPoolExecutor(settings.jobs) as threads:
                texts = iter(threads.map(plain_reading, flat) if plain else [])
            for (doc, _), doc_tasks in zip(batch, tasks, strict=True):
                pages = [next(results) for _ in doc_tasks]
                read = [next(texts) for _ in doc_tasks] if plain else None
                scores.append(score_document(doc, pages, read))
            progress.update(bar, advance=len(batch), description=batch[-1][0].name)
    return scores


def _fail(message: str, code: ExitCode) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(int(code))


def _sets(directory: Path | None, pdf: Path | None, styles: str, pages: str, keep: Path) -> Sets:
    sets: Sets = []
    try:
        if pdf is not None:
            numbers = [int(n) for n in pages.split(",") if n.strip()] if pages else []
            docs = scan_pdf(pdf, parse_styles(styles), keep, numbers)
            sets += [(doc, keep / doc.condition) for doc in docs]
        if directory is not None:
            sets += find_truth(directory)
    except ValueError as exc:
        raise _fail(str(exc), ExitCode.USAGE) from exc
    if not sets:
        raise _fail(f"no truth under {directory or pdf}", ExitCode.USAGE)
    return sets


def register(app: typer.Typer) -> None:
    @app.command("eval", help=HELP)
    def evaluate(
        directory: Annotated[
            Path | None,
            typer.Argument(metavar="[DIR]", help="a set with its truth (see above)", exists=True),
        ] = None,
        from_pdf: Annotated[
            Path | None,
            typer.Option("--from-pdf", help="a born-digital PDF: scan it, its text is the truth"),
        ] = None,
        styles: Annotated[
            str, typer.Option(help="scan styles for --from-pdf, comma-separated")
        ] = "bw200,grey300",
        pages: Annotated[
            str, typer.Option(help="with --from-pdf: these pages only (1-based, e.g. 1,29)")
        ] = "",
        keep: Annotated[
            Path | None,
            typer.Option(help="with --from-pdf: write the scanned pages here (else a temp dir)"),
        ] = None,
        plain: Annotated[
            bool, typer.Option(help="also read every page with plain Tesseract, for comparison")
        ] = True,
        jobs: Annotated[
            int | None, typer.Option(help="OCR processes (default: every core)")
        ] = None,
        json_path: Annotated[
            Path | None, typer.Option("--json", help="also write the scores here as JSON")
        ] = None,
        show_misreads: Annotated[
            bool, typer.Option("--misreads", help="list every field read wrong")
        ] = False,
    ) -> None:
        settings = settings_for(jobs=jobs)
        if directory is None and from_pdf is None:
            raise _fail("give DIR or --from-pdf PDF", ExitCode.USAGE)
        with tempfile.TemporaryDirectory(prefix="sohoa-eval-") as tmp:
            sets = _sets(directory, from_pdf, styles, pages, keep or Path(tmp))
            try:
                scores = _score(sets, settings, plain)
            except SohoaError as exc:
                raise _fail(str(exc), ExitCode.FAILED) from exc
        report = summarise(scores)
        out = Console(highlight=False, width=200)
        out.print(report_table(report))
        if (fields := fields_table(report)) is not None:
            out.print(fields)
        if show_misreads:
            for doc in report.documents:
                for name, (want, got) in doc.misread.items():
                    out.print(f"{doc.name} {name}: want {want!r} got {got!r}", markup=False)
        if json_path is not None:
            json_path.write_text(
                json.dumps(_as_json(report), ensure_ascii=False, indent=1), encoding="utf-8"
            )
