"""The pages of one document, shared out across worker processes and machines through Redis.

The dossier's own thread lists the document's pages in Redis and asks for help: one
``help_with_pages`` message for every page beyond the first (at most ``max_helpers``). Then it
works the list itself, like every worker that picks up such a message: take a page, read it,
report it done. A helper fetches the page's original from the object store (every original is
stored before OCR starts) and leaves its result in Redis for the dossier's thread, which
collects it; the document is complete when its last page is. A page a helper took and did not
finish within ``lease_s`` (a killed worker) is read again by the dossier's thread. An error a
helper meets on a page comes back as the same typed error, raised in the dossier's thread, so
quarantine and retries behave exactly as if the page had been read there.

With no other worker free the dossier's thread simply reads every page itself: the help
messages, picked up later, find the list empty and end at once.
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pipeline.reading.page import PageResult, PageTask, process_page, spooled
from schemas import errors
from schemas.errors import SohoaError
from schemas.results import PageText
from schemas.settings import Settings
from storage.objects import ObjectStore
from storage.page_board import Client, PageBoard

log = logging.getLogger(__name__)

TAKEN_GRACE_S = 10.0  # between a helper taking a page and holding it: a few milliseconds


def _describe(task: PageTask) -> dict[str, Any]:
    return {
        "file": task.file_name,
        "origin": task.origin,
        "kind": task.kind,
        "index": task.index,
        "number": task.number,
    }


def _error_of(found: dict) -> SohoaError:
    kind = getattr(errors, found.get("type", ""), None)
    if not (isinstance(kind, type) and issubclass(kind, SohoaError)):
        kind = errors.OcrFailed
    return kind(found.get("message", "a helper failed"), subject=found.get("subject"))


class PageFanOut:
    """``run`` reads a document's pages with whatever help the queue can give."""

    def __init__(
        self,
        client: Client,
        namespace: str,
        ask_for_help: Callable[[str, int], None],
        *,
        max_helpers: int = 16,
        lease_s: float = 300.0,
    ) -> None:
        self.client, self.namespace, self.ask_for_help = client, namespace, ask_for_help
        self.max_helpers, self.lease_s = max_helpers, lease_s

    def run(self, tasks: Sequence[PageTask]) -> list[PageResult]:
        """QueueUnavailable when Redis fails (storage/page_board.py says so)."""
        if len(tasks) < 2 or self.max_helpers == 0 or any(t.origin is None for t in tasks):
            return [process_page(t) for t in tasks]
        board = PageBoard(self.client, f"{self.namespace}:pages:{uuid.uuid4().hex}")
        by_number = {t.number: t for t in tasks}
        try:
            board.share([_describe(t) for t in tasks])
            helpers = min(len(tasks) - 1, self.max_helpers)
            self.ask_for_help(board.base, helpers)
            log.info("%d pages shared as %s; %d helper(s) asked", len(tasks), board.base, helpers)
            return self._collect(board, by_number)
        finally:
            board.clear(list(by_number))

    def _collect(self, board: PageBoard, by_number: dict[int, PageTask]) -> list[PageResult]:
        results: dict[int, PageResult] = {}
        empty_since = 0.0
        while len(results) < len(by_number):
            for done in board.finished():
                number = self._take_done(done, results)
                if number is not None:
                    results[number] = self._fetch(board, by_number[number])
            if len(results) == len(by_number):
                break
            page = board.take()
            if page is not None:  # a page nobody took yet: read it here
                number = page["number"]
                results[number] = process_page(by_number[number])
                continue
            empty_since = empty_since or time.monotonic()
            stale = self._stale(board, results, set(by_number), time.monotonic() - empty_since)
            if stale is not None:
                log.warning("page %s of a shared document: its helper is gone; read here", stale)
                results[stale] = process_page(by_number[stale])
                continue
            for done in board.finished(wait_s=1):
                number = self._take_done(done, results)
                if number is not None:
                    results[number] = self._fetch(board, by_number[number])
        return [results[n] for n in sorted(results)]

    @staticmethod
    def _take_done(done: dict, results: dict[int, PageResult]) -> int | None:
        number = int(done["number"])
        if number in results:
            return None  # read twice (a slow helper and this thread): the first one counts
        if "error" in done:
            raise _error_of(done["error"])
        return number

    def _fetch(self, board: PageBoard, task: PageTask) -> PageResult:
        number = task.number
        pdf, page = board.outputs(number)
        if pdf is None or page is None:
            raise errors.OcrFailed(f"page {number + 1}: its helper's result expired")
        return PageResult(page=PageText.model_validate_json(page), pdf=spooled(task, pdf))

    def _stale(
        self, board: PageBoard, results: dict[int, PageResult], wanted: set[int], waited: float
    ) -> int | None:
        """A page to read here after all: its helper's lease ran out, or (after a grace
        time) nobody holds it at all (a helper died between taking it and saying so)."""
        now = time.time()
        doing = board.held()
        for number, deadline in doing.items():
            if number not in results and deadline < now and board.take_back(number):
                return number  # taken back, once
        if waited > TAKEN_GRACE_S:
            lost = sorted(wanted - set(results) - set(doing))
            if lost:
                return lost[0]
        return None


def help_with_pages(
    client: Client, store: ObjectStore, settings: Settings, base: str, lease_s: float
) -> int:
    """Read pages from the list at ``base`` until it is empty; returns how many were read."""
    board = PageBoard(client, base)
    read, cached = 0, ""
    with tempfile.TemporaryDirectory(prefix="sohoa-help-") as folder:
        original = Path(folder, "original")  # the file the pages come from, on disk
        while True:
            page = board.take()
            if page is None:
                return read
            number = int(page["number"])
            board.hold(number, time.time() + lease_s)
            try:
                if cached != page["origin"]:  # the pages of one file come in order: keep it
                    cached = ""  # until the new one is all there
                    store.get_file(page["origin"], original)
                    cached = page["origin"]
                task = PageTask(
                    page["file"],
                    original,
                    page["kind"],
                    int(page["index"]),
                    number,
                    settings.ocr,
                    settings.limits,
                    origin=page["origin"],
                )
                result = process_page(task)
            except SohoaError as exc:
                error = {"type": type(exc).__name__, "message": exc.message, "subject": exc.subject}
                board.report_error(number, error)
                continue
            board.report(number, result.pdf, result.page.model_dump_json())
            read += 1
