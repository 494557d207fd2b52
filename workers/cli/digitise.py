"""``sohoa digitise``: local paths through the job, pages in a process pool."""

from __future__ import annotations

import logging
import uuid
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schemas.errors import (
    ConfigurationError,
    ExitCode,
    InternalError,
    SigningKeyError,
    SohoaError,
)
from schemas.settings import Settings
from schemas.states import DocumentStatus, DossierStatus
from storage import places
from storage.object_keys import safe_name
from workers.clerk_words import REASONS, reason_words
from workers.cli import DataOption, console, settings_for
from workers.i18n import translations
from workers.intake.folder import Unit, display_name, dossier_of, units
from workers.job.context import DocumentOutcome, DossierInput, JobContext
from workers.job.dossier import digitise_dossier
from workers.job.heartbeat import LEASE_S, Heartbeat
from workers.job.page_pool import PagePool
from workers.job.scratch import scratch_folder
from workers.logs import for_humans
from workers.signing.process_key import open_signing_key

log = logging.getLogger(__name__)

HELP = """Digitise scans: PATH is an image (PNG, JPEG, TIFF), a PDF, or a dossier folder (page
files plus an optional manifest.json); a folder of folders is a batch of dossiers.

Exit codes: 0 every document digitised (or already digitised); 7 some inputs were rejected
and quarantined; 1 some documents failed on a retryable error (re-run to retry);
8 bad settings or signing key (before or during the run: the inputs are kept, not
quarantined), or a data folder (--data) inside an input folder; 70 some documents failed on an
error of sohoa's own (a bug: the inputs are kept, not quarantined); 130 interrupted.
"""


def register(app: typer.Typer) -> None:
    app.command(help=HELP)(digitise)


def digitise(
    paths: Annotated[
        list[Path], typer.Argument(help="images, PDFs or dossier folders", exists=True)
    ],
    data: DataOption = None,
    agency: Annotated[
        str | None, typer.Option(help="agency code when a manifest names none")
    ] = None,
    jobs: Annotated[int | None, typer.Option(help="OCR processes (default: every core)")] = None,
) -> None:
    settings = settings_for(data=data, agency=agency, jobs=jobs)
    overlap = data_overlap(paths, settings.data)
    if overlap:
        console.print(f"[red]error:[/red] {escape(overlap)}")
        raise typer.Exit(int(ExitCode.CONFIG))
    settings.data.mkdir(mode=0o700, parents=True, exist_ok=True)  # keys, warehouse: private
    stopping: list[Heartbeat] = []  # on SIGTERM/SIGINT: claims released, temporary files gone
    with (
        scratch_folder(on_stop=lambda: [beat.release() for beat in stopping]),
        PagePool(settings.jobs, ocr=settings.ocr) as pool,  # OCR starts while the rest opens
    ):
        outcomes = _digitise_all(paths, settings, pool, stopping)
    _summarise(outcomes, settings.data, settings.lang)
    raise typer.Exit(int(_exit_code(outcomes)))


def _digitise_all(
    paths: list[Path], settings: Settings, pool: PagePool, stopping: list[Heartbeat]
) -> list[DocumentOutcome]:
    key = open_signing_key(settings)  # PKCS#12 (agency or development) or PKCS#11 token
    signer, trust_roots = key.signer, key.trust_roots
    store = places.store(settings)
    warehouse = places.warehouse(settings)
    outcomes: list[DocumentOutcome] = []
    columns = (
        TextColumn("[bold]digitising"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task("pages", total=0)
        pool.on_page = lambda n: progress.advance(bar, n)
        pool.on_plan = lambda n: progress.update(bar, total=(progress.tasks[0].total or 0) + n)
        stopping.append(heartbeat := Heartbeat(warehouse, f"run-{uuid.uuid4().hex}"))
        # Twice as many dossiers, and within each twice as many documents, as OCR processes
        # are in progress, so that while one is assembled and signed the pool still has pages
        # queued; at most 2 x jobs dossiers are read into memory at once.
        with (
            heartbeat,  # the run's claims live while it works, and go when it stops
            ThreadPoolExecutor(max_workers=2 * settings.jobs) as threads,
            ThreadPoolExecutor(max_workers=2 * settings.jobs) as document_threads,
        ):
            ctx = JobContext(
                settings,
                store,
                warehouse,
                signer,
                trust_roots,
                pool.run,
                map_documents=document_threads.map,
                owner=heartbeat.owner,
                lease_s=LEASE_S,
            )
            pending: deque[Future[list[DocumentOutcome]]] = deque()
            for unit in units(paths):
                if len(pending) >= 2 * settings.jobs:
                    outcomes.extend(pending.popleft().result())
                pending.append(threads.submit(run_unit, unit, ctx))
            while pending:
                outcomes.extend(pending.popleft().result())
    return outcomes


def data_overlap(paths: list[Path], data: Path) -> str | None:
    """Why the data folder may not be used with these inputs: it lies inside an input folder
    (sohoa would quarantine its own keys and warehouse, and digitise its own results), or an
    input lies inside it. None when they are apart."""
    home = data.resolve()
    for path in paths:
        where = path.resolve()
        if where.is_dir() and home.is_relative_to(where):
            return (
                f"the data folder {data} is inside the input folder {path}: sohoa would read"
                " its own store, keys and warehouse as scans. Give another with --data or"
                " SOHOA_DATA, outside the scans (e.g. --data ../sohoa-data)"
            )
        if where.is_relative_to(home):
            return f"the input {path} is inside the data folder {data}: nothing to digitise there"
    return None


def run_unit(unit: Unit, ctx: JobContext) -> list[DocumentOutcome]:
    """One dossier, inside one boundary: whatever goes wrong (a bug, a store that refuses
    writes) ends as ``failed`` with the reason, recorded when the warehouse lets us, and the
    batch goes on with the next dossier."""
    dossier = None
    try:
        dossier = dossier_of(unit, ctx.settings)
        return digitise_dossier(dossier, ctx) if dossier is not None else []
    except Exception as exc:  # noqa: BLE001 - one dossier's failure never stops the batch
        return [_failed(unit, dossier, exc, ctx)]


def _failed(
    unit: Unit, dossier: DossierInput | None, exc: Exception, ctx: JobContext
) -> DocumentOutcome:
    where = display_name(str(unit[0]))
    if isinstance(exc, SohoaError):
        reason = exc.reason
        log.warning("%s: failed: %s", where, exc)
    else:
        reason = "internal-error"
        log.exception("%s: internal error", where)
    message = f"{exc.__class__.__name__}: {exc}"
    code = dossier.code if dossier else safe_name(display_name(unit[0].name), "dossier")
    if dossier is not None:
        try:
            dossier_id = ctx.warehouse.ensure_dossier(dossier.agency, code, source=where)
            ctx.warehouse.set_dossier_status(
                dossier_id, DossierStatus.FAILED, error_reason=reason, error=message
            )
        except Exception:  # noqa: BLE001 - the warehouse may be the very thing that failed
            log.warning("%s: the failure could not be recorded in the warehouse", where)
    files = tuple(f.name for d in dossier.documents for f in d.files) if dossier else ()
    return DocumentOutcome(code, "-", "failed", files, reason=reason, message=message)


def _exit_code(outcomes: list[DocumentOutcome]) -> ExitCode:
    """The worst outcome's code: a failure of sohoa's own, then its configuration, then a
    retryable failure, then input that was rejected."""
    failed = {o.reason for o in outcomes if o.status == DocumentStatus.FAILED}
    if InternalError.reason in failed:
        return ExitCode.INTERNAL
    if failed & {ConfigurationError.reason, SigningKeyError.reason}:
        return ExitCode.CONFIG
    statuses = Counter(o.status for o in outcomes)
    if statuses["failed"]:
        return ExitCode.FAILED
    if statuses["quarantined"]:
        return ExitCode.REJECTED
    return ExitCode.OK


def _summarise(outcomes: list[DocumentOutcome], data: Path, lang: str = "vi") -> None:
    """The summary, in SOHOA_LANG's words (workers/locale); reasons' codes and keys stay."""
    _ = translations(lang).gettext
    out = Console()  # the summary is the result: stdout; progress and errors go to stderr
    table = Table(title="sohoa digitise", show_lines=False)
    for column in (_("dossier"), _("document"), _("outcome"), _("pages")):
        table.add_column(column)
    table.add_column(_("output or reason"), overflow="fold")
    said = {
        "digitised": _("digitised"),
        "already-digitised": _("already digitised"),
        "reused": _("reused"),
        "quarantined": _("quarantined"),
        "failed": _("failed"),
    }
    for o in outcomes:
        table.add_row(
            _shown(o.dossier),
            _shown(o.document),
            f"[{_STYLES[o.status]}]{said[o.status]}",
            str(o.pages or ""),
            "\n".join(_shown(line) for line in _where(o, _).split("\n")),
        )
    out.print(table)
    counts = Counter(o.status for o in outcomes)
    line = ", ".join(f"{n} {said[s]}" for s, n in sorted(counts.items()))
    internal = sum(
        o.status == DocumentStatus.FAILED and o.reason == InternalError.reason for o in outcomes
    )
    if internal:  # not the input's fault, and running again will not help: say so
        line += " " + _("(%d on an internal error of sohoa: a bug, its traceback is in the log)")
        line %= internal
    out.print(_("%(outcomes)s; data in %(data)s") % {"outcomes": line, "data": data})
    flagged = sum(1 for o in outcomes if o.status == DocumentStatus.DIGITISED and o.reason)
    if flagged:
        out.print(
            _(
                "[yellow]%d kept with a signature not confirmed[/yellow]: not counted as "
                "electronic results until accepted (sohoa accept --list)"
            )
            % flagged
        )


_STYLES = {
    "digitised": "green",
    "already-digitised": "cyan",
    "reused": "cyan",
    "quarantined": "yellow",
    "failed": "red",
}


def _where(o: DocumentOutcome, _: Callable[[str], str]) -> str:
    """Where the result is, or why there is none: the clerk's words first, then the facts."""
    where = o.result_key or (
        _("recorded as reused")
        if o.status == DocumentStatus.REUSED
        else f"{o.message}\n→ {', '.join(o.quarantine_keys) or o.reason}"
    )
    if o.status in (DocumentStatus.QUARANTINED, DocumentStatus.FAILED) and o.reason in REASONS:
        words = reason_words(o.reason, _, o.page, o.subject or "")
        where = f"{o.subject}: {words}\n{where}" if o.subject else f"{words}\n{where}"
    if o.status == DocumentStatus.DIGITISED and o.reason:  # kept, flagged (unconfirmed signature)
        where = f"{where}\n⚠ {o.reason}: {o.message}"
    return where


def _shown(text: str) -> str:
    """A text from the input as the summary shows it: identifiers masked, control characters
    escaped, and no rich markup (a file named ``[red]x`` is printed as it is)."""
    return escape(for_humans(text))
