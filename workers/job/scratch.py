"""One scratch folder per run, removed however the run ends, SIGTERM and SIGINT included.

Every temporary folder of the run (spooled pages, Tesseract's files, rasters) is made inside
it: ``tempfile.tempdir`` and ``TMPDIR`` point there, so processes started afterwards (the OCR
pool) use it too. On SIGTERM or SIGINT the run's child processes are stopped, ``on_stop`` is
called (e.g. to release claims), the folder is removed and the process exits 128 + signal:
threads busy with a document are not waited for, and no OCR text is left in $TMPDIR. The
folder of a run killed outright (SIGKILL) is removed by the next run.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def scratch_folder(on_stop: Callable[[], object] = lambda: None) -> Iterator[Path]:
    _remove_dead_runs_folders()
    root = Path(tempfile.mkdtemp(prefix=f"sohoa-run-{os.getpid()}-"))
    os.chmod(root, 0o700)  # OCR text is personal data
    saved_dir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir, os.environ["TMPDIR"] = str(root), str(root)

    def stop(signum: int, _frame: FrameType | None) -> None:
        _terminate_children()
        try:
            on_stop()
        finally:
            _terminate_children()  # a pool restarted meanwhile (its processes died) too
            shutil.rmtree(root, ignore_errors=True)
            log.warning("stopped by %s; temporary files removed", signal.Signals(signum).name)
            os._exit(128 + signum)

    in_main = threading.current_thread() is threading.main_thread()
    saved = {s: signal.signal(s, stop) for s in STOP_SIGNALS} if in_main else {}
    try:
        yield root
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)
        tempfile.tempdir = saved_dir
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env
        shutil.rmtree(root, ignore_errors=True)


def _terminate_children() -> None:
    for child in multiprocessing.active_children():
        child.terminate()


def _remove_dead_runs_folders() -> None:
    """Scratch folders (``sohoa-run-<pid>-*``) of runs whose process is gone."""
    for folder in Path(tempfile.gettempdir()).glob("sohoa-run-*-*"):
        pid = folder.name.split("-")[2]
        try:
            if not pid.isdigit() or folder.is_symlink() or folder.lstat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            log.info("removed %s, left by a run that was killed", folder)
        except OSError:  # another user's process, or the folder went meanwhile
            continue
