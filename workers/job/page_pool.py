"""Pages in a process pool: one Tesseract per core, results back in document order."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from pipeline.reading.page import PageResult, PageTask, process_page
from pipeline.reading.reader import warm
from schemas.errors import OcrFailed
from schemas.settings import OcrSettings
from workers.malloc import map_large_blocks

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _init_worker(parent: int) -> None:
    # One page per process: Tesseract runs with OcrSettings.threads (1) OpenMP threads.
    map_large_blocks()
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """An OCR process ends with the run that started it, even one killed by SIGKILL: it would
    otherwise wait for pages forever (it holds its own queue's pipe open). Linux's
    PR_SET_PDEATHSIG; elsewhere nothing."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died while this process was starting
        os._exit(1)


def _ready(ocr: OcrSettings | None) -> None:
    """Submitted once per process at start, so that the processes start (import the page
    code, and load Tesseract when the settings are known) while the caller opens keys,
    stores and the warehouse."""
    if ocr is not None:
        warm(ocr)


class PagePool:
    def __init__(
        self,
        jobs: int,
        on_page: Callable[[int], None] = lambda n: None,
        ocr: OcrSettings | None = None,
    ) -> None:
        self.jobs, self.on_page, self.ocr = jobs, on_page, ocr
        self.on_plan: Callable[[int], None] = lambda n: None
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        executor = ProcessPoolExecutor(
            max_workers=self.jobs,
            mp_context=multiprocessing.get_context("spawn"),  # the parent runs threads
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )
        for _ in range(self.jobs):
            executor.submit(_ready, self.ocr)
        return executor

    def run(self, tasks: Sequence[PageTask]) -> list[PageResult]:
        """Every task's result in order; the first error cancels the rest and is raised."""
        self.on_plan(len(tasks))
        futures: list[Future[PageResult]] = [self.executor.submit(process_page, t) for t in tasks]
        for future in futures:
            future.add_done_callback(self._count)
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        for future in futures:
            if future.done() and not future.cancelled() and future.exception() is not None:
                error = future.exception()
                if isinstance(error, BrokenProcessPool):  # a page process died (OOM, signal)
                    self.executor.shutdown(wait=False, cancel_futures=True)
                    self.executor = self._start()
                    raise OcrFailed("an OCR process died; the pool was restarted") from error
                raise error  # type: ignore[misc]
        return [f.result() for f in futures]

    def _count(self, future: Future[PageResult]) -> None:
        """A page read counts; a page cancelled (another one failed) or failed does not."""
        if not future.cancelled() and future.exception() is None:
            self.on_page(1)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
