"""``sohoa samples DIR``: write synthetic scans of Vietnamese administrative documents."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schemas.errors import ExitCode, SohoaError
from workers.cli import console

HELP = (
    "Write synthetic scans of Vietnamese administrative documents, with their ground truth.\n\n"
    "Each document is an image (formats in turn: PNG, JPEG, two-page TIFF) and <name>.truth.json: "
    "the printed text of every page in reading order, the fields a parser should find (số, ký "
    "hiệu, date, place, type, agency, trích yếu) and what the imitation scanner did (skew, "
    "rotation, blur, noise, JPEG quality).\n\n"
    "The same --seed gives the same files. Conditions come in shuffled blocks of six: by default "
    "two clean, three degraded, one degraded and turned by 90, 180 or 270 degrees."
)


DirectoryArgument = Annotated[
    Path,
    typer.Argument(
        metavar="DIR", help="output folder, created if missing", show_default=False
    ),
]
CountOption = Annotated[int, typer.Option("--count", min=1, help="documents to write")]
SeedOption = Annotated[int, typer.Option("--seed", help="same seed, same documents")]
DpiOption = Annotated[int, typer.Option("--dpi", min=72, max=600, help="resolution")]
CleanRatioOption = Annotated[
    float,
    typer.Option(
        "--clean-ratio", min=0.0, max=1.0, help="share without defects", show_default="1/3"
    ),
]
TurnedRatioOption = Annotated[
    float,
    typer.Option(
        "--turned-ratio", min=0.0, max=1.0, help="share turned 90-270°", show_default="1/6"
    ),
]


def _summary(
    directory: Path, formats: Counter, conditions: Counter, pages: int, seconds: float
) -> Table:
    title = f"{sum(formats.values())} documents, {pages} pages in {escape(str(directory))}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_row("formats", ", ".join(f"{k} {v}" for k, v in sorted(formats.items())))
    table.add_row("conditions", ", ".join(f"{k} {v}" for k, v in sorted(conditions.items())))
    table.add_row("time", f"{seconds:.1f} s")
    return table


def register(app: typer.Typer) -> None:
    @app.command("samples", help=HELP)
    def samples(
        directory: DirectoryArgument,
        count: CountOption = 6,
        seed: SeedOption = 1,
        dpi: DpiOption = 300,
        clean_ratio: CleanRatioOption = 1 / 3,
        turned_ratio: TurnedRatioOption = 1 / 6,
    ) -> None:
        from samplegen.samples import generate_documents, write_document  # a tool, not a stage

        if clean_ratio + turned_ratio > 1:
            console.print("[red]error:[/red] --clean-ratio plus --turned-ratio exceeds 1")
            raise typer.Exit(int(ExitCode.USAGE))
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            where = escape(str(directory))
            console.print(f"[red]error:[/red] cannot create {where}: {exc.strerror}")
            raise typer.Exit(int(ExitCode.FAILED)) from exc
        formats: Counter = Counter()
        conditions: Counter = Counter()
        pages = 0
        started = time.perf_counter()
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        try:
            with progress:
                task = progress.add_task("samples", total=count)
                documents = generate_documents(
                    count, seed, dpi, clean_ratio=clean_ratio, turned_ratio=turned_ratio
                )
                for doc in documents:
                    write_document(doc, directory)
                    formats[doc.format] += 1
                    conditions[doc.condition] += 1
                    pages += len(doc.pages)
                    progress.update(task, advance=1, description=doc.name)
        except SohoaError as exc:  # fonts missing: CONFIG
            console.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(int(exc.exit_code)) from exc
        except OSError as exc:
            console.print(f"[red]error:[/red] cannot write to {escape(str(directory))}: {exc}")
            raise typer.Exit(int(ExitCode.FAILED)) from exc
        Console(highlight=False).print(
            _summary(directory, formats, conditions, pages, time.perf_counter() - started)
        )
