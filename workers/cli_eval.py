"""``sohoa eval DIR``: read a ground-truth set made by ``sohoa samples`` and score the reading."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeline.evaluate import (
    FIELDS,
    OPTIONAL_FIELDS,
    DocumentScore,
    Report,
    TruthDocument,
    load_truth,
    page_tasks,
    score_document,
    summarise,
)
from schemas.errors import ExitCode, SohoaError
from workers.cli import console, settings_for
from workers.pool import PagePool

HELP = """Score OCR and metadata extraction on a ground-truth set made by `sohoa samples DIR`.

Every scan under DIR/scans is read by the same page stage as `sohoa digitise` (upright,
deskew, Tesseract) and compared with DIR/truth: character and word error rates (after NFC
and collapsing white space; reading order counts), rotation found, and per-field accuracy of
the metadata parsers, split into clean, degraded and turned pages.

Exit codes: 0 scored; 1 a page could not be read; 2 DIR holds no truth files.
"""


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def report_table(report: Report) -> Table:
    table = Table(title="sohoa eval", title_justify="left")
    table.add_column("split")
    for column in ("docs", "pages", "CER", "WER", "upright"):
        table.add_column(column, justify="right")
    names = [
        n for n in (*FIELDS, *OPTIONAL_FIELDS) if any(n in s.field_total for s in report.splits)
    ]
    for name in names:
        table.add_column(name.replace("_name", "").replace("_", " "), justify="right")
    for split in report.splits:
        table.add_row(
            split.name,
            str(split.documents),
            str(split.pages),
            _percent(split.cer),
            _percent(split.wer),
            f"{split.rotation_ok}/{split.pages}",
            *(_percent(split.accuracy(n)) for n in names),
        )
    return table


def _as_json(report: Report) -> dict:
    splits = []
    for split in report.splits:
        row = dataclasses.asdict(split)
        row["accuracy"] = {n: split.accuracy(n) for n in split.field_total}
        row["floor_accuracy"] = split.floor_accuracy()
        splits.append(row)
    documents = [
        {
            "name": d.name,
            "condition": d.condition,
            "cer": sum(p.char_edits for p in d.pages) / max(1, sum(p.chars for p in d.pages)),
            "fields": d.fields,
            "misread": {k: list(v) for k, v in d.misread.items()},
        }
        for d in report.documents
    ]
    return {"splits": splits, "documents": documents}


def _batches(docs: list[TruthDocument], size: int) -> Iterator[list[TruthDocument]]:
    """Documents in groups, so that the pool has pages enough to keep every process busy."""
    for start in range(0, len(docs), size):
        yield docs[start : start + size]


def register(app: typer.Typer) -> None:
    @app.command("eval", help=HELP)
    def evaluate(
        directory: Annotated[
            Path, typer.Argument(metavar="DIR", help="made by `sohoa samples DIR`", exists=True)
        ],
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
        try:
            truth = load_truth(directory)
        except ValueError as exc:
            console.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(int(ExitCode.USAGE)) from exc
        if not truth:
            console.print(f"[red]error:[/red] no truth files under {escape(str(directory))}/truth")
            raise typer.Exit(int(ExitCode.USAGE))
        scores: list[DocumentScore] = []
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        try:
            with progress, PagePool(settings.jobs) as pool:
                bar = progress.add_task("eval", total=len(truth))
                for batch in _batches(truth, 2 * settings.jobs):
                    tasks = [
                        page_tasks(doc, directory, settings.ocr, settings.limits) for doc in batch
                    ]
                    results = iter(pool.run([t for doc_tasks in tasks for t in doc_tasks]))
                    for doc, doc_tasks in zip(batch, tasks, strict=True):
                        pages = [next(results) for _ in doc_tasks]
                        scores.append(score_document(doc, pages))
                    progress.update(bar, advance=len(batch), description=batch[-1].name)
        except SohoaError as exc:
            console.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(int(ExitCode.FAILED)) from exc
        report = summarise(scores)
        out = Console(highlight=False, width=200)
        out.print(report_table(report))
        if show_misreads:
            for doc in report.documents:
                for name, (want, got) in doc.misread.items():
                    out.print(f"{doc.name} {name}: want {want!r} got {got!r}", markup=False)
        if json_path is not None:
            json_path.write_text(
                json.dumps(_as_json(report), ensure_ascii=False, indent=1), encoding="utf-8"
            )
