"""Tesseract kept loaded in a child process (``tesseract_server``), reused page after page.

Running the ``tesseract`` command for each reading loaded the language model and set
Tesseract up each time: ~0.2 s of CPU, on a bw200 page whose reading takes ~1.1 s, and a page
is read 1.2 times on average (a band read again). The child reads exactly as the command does
(the same library and call; decree 49 bw200 pages 1 and 4, whole and zoned: the same words,
byte for byte). What the command gave is kept: a page that takes longer than the settings'
timeout has its child killed (``OcrTimeout``: a native call cannot be stopped otherwise); a
child that dies, or cannot read the page, gives ``OcrFailed``; the next page starts a new one.
Either, where the disk it writes its reading to has no block left, is ``DiskFull`` (as for
poppler and qpdf: ``pipeline.inputs.source.no_space_left``).

Readers are lent one per caller at a time (``lent``): the OCR processes read one page each,
but a queue worker's threads may read side by side, each with its own child.
"""

from __future__ import annotations

import collections
import contextlib
import json
import selectors
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

from pipeline.inputs.source import no_space_left
from schemas.errors import OcrFailed, OcrTimeout
from schemas.settings import OcrSettings

SERVER = Path(__file__).with_name("tesseract_server.py")


class TesseractReader:
    """One child Tesseract for ``languages`` with ``threads`` OpenMP threads, started when
    first asked to read and again after it was killed or died. ``server`` is the child's
    program (tests give a fake one that dies or hangs)."""

    def __init__(self, languages: str, threads: int, server: Path = SERVER) -> None:
        self.languages, self.threads, self.server = languages, threads, server
        self._child: subprocess.Popen[bytes] | None = None
        self._said: collections.deque[str] = collections.deque(maxlen=20)  # its last stderr

    def read(  # noqa: PLR0913 - the request's fields
        self,
        image: Path,
        base: Path,
        psm: int,
        dpi: int,
        variables: dict[str, str],
        timeout_s: float,
    ) -> None:
        """``base``.tsv and ``base``.pdf of the image (its zones in ``<image stem>.uzn``)."""
        request = {"image": str(image), "base": str(base), "psm": psm, "dpi": dpi}
        request["variables"] = variables
        child = self._child or self._start()
        try:
            assert child.stdin is not None
            child.stdin.write(json.dumps(request).encode() + b"\n")
            child.stdin.flush()
        except BrokenPipeError:
            raise self._died() from None
        try:
            answer = self._answer(child, timeout_s)
        except OcrFailed:  # it died: on a full disk, its words and layer could not be written
            no_space_left(base.parent, "write the page's reading")
            raise
        if answer != "ok":
            no_space_left(base.parent, "write the page's reading")
            raise OcrFailed(f"Tesseract {answer}")

    def start(self) -> None:
        """Its child started (it loads Tesseract while the caller goes on), unless it is."""
        if self._child is None:
            self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        limit = f"OMP_THREAD_LIMIT={self.threads}"  # env(1): this process's environment, and that
        # -I -S: none of this environment's Python settings or packages (it imports only ctypes)
        command = ["env", limit, sys.executable, "-I", "-S", str(self.server), self.languages]
        try:
            child = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as exc:
            raise OcrFailed(f"cannot run Tesseract: {exc.strerror}") from exc
        self._said.clear()
        self._listener = threading.Thread(target=self._listen, args=(child,), daemon=True)
        self._listener.start()
        self._child = child
        weakref.finalize(self, _stop, child)
        return child

    def _listen(self, child: subprocess.Popen[bytes]) -> None:
        """Keeps the last lines the child wrote on its standard error (its pipe never fills)."""
        assert child.stderr is not None
        for line in child.stderr:
            self._said.append(line.decode("utf-8", "replace").rstrip())

    def _answer(self, child: subprocess.Popen[bytes], timeout_s: float) -> str:
        assert child.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(child.stdout, selectors.EVENT_READ)
            if not selector.select(timeout_s):
                self.close()
                raise OcrTimeout(f"Tesseract took longer than {timeout_s:g} s")
        line = child.stdout.readline()
        if not line:
            raise self._died()
        return line.decode("utf-8", "replace").strip()

    def _died(self) -> OcrFailed:
        assert self._child is not None
        code = self._child.wait()
        self._listener.join(timeout=1)  # its last words
        self._child = None
        message = " ".join(self._said)[-300:]
        return OcrFailed(f"Tesseract exited with {code}: {message}")

    def close(self) -> None:
        if self._child is not None:
            _stop(self._child)
            self._child = None


def _stop(child: subprocess.Popen[bytes]) -> None:
    child.kill()
    child.wait()


_idle: dict[tuple[str, int], list[TesseractReader]] = collections.defaultdict(list)
_lock = threading.Lock()


@contextlib.contextmanager
def lent(settings: OcrSettings) -> Iterator[TesseractReader]:
    """A reader for the settings' languages and threads, this process's own, used by one
    caller at a time and kept for the next."""
    key = (settings.languages, settings.threads)
    with _lock:
        reader = _idle[key].pop() if _idle[key] else TesseractReader(*key, server=SERVER)
    try:
        yield reader
    finally:
        with _lock:
            _idle[key].append(reader)


def warm(settings: OcrSettings) -> None:
    """This process's first reader for the settings started now, so that Tesseract loads
    while the caller does something else (an OCR process, while the run opens its stores)."""
    with lent(settings) as reader:
        reader.start()
