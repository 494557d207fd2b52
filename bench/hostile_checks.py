"""What the cases of bench/hostile.py are made of. A case writes its inputs under ``work/in``,
lists its steps (a CLI command, or a callable the probe runs itself), and says which rule must
hold: ``check`` returns what broke (empty: it held)."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import hostile_inputs as h
from PIL import Image

from tests.memory import PeakMemory

AGENCY = "000.17.22.H56"
HERE = Path(__file__).resolve().parent.parent
CODE = [HERE]  # the source tree whose sohoa runs (``--code``: an older one, for before/after)
Step = tuple[list[str], dict[str, str], Path | None] | Callable


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], list[Step]]  # writes the inputs, returns the steps
    check: Callable  # Run -> list[str]

    def steps(self, work: Path) -> list[Step]:
        (work / "in").mkdir(parents=True, exist_ok=True)
        return self.build(work)


def env_for(work: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "PYTHONPATH": str(CODE[0]),
        "TMPDIR": str(work / "tmp"),
        "COLUMNS": "250",
        "HOME": str(work),
    }
    env.update(extra)
    return env


def sohoa(*args: str) -> list[str]:
    return [sys.executable, "-m", "workers.cli", *args]


def digitise(work: Path, target: str = "in", *extra: str, env: dict | None = None) -> Step:
    args = ["digitise", str(work / target), "--data", str(work / "data"), "--agency", AGENCY]
    extra_env = {} if env is None else env
    jobs = [] if "SOHOA_JOBS" in extra_env else ["--jobs", "1"]
    return (args + jobs + list(extra), extra_env, None)


def verify(work: Path, target: str) -> Step:
    return (["verify", str(work / target), "--data", str(work / "data")], {}, None)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def with_good(work: Path, folder: str, name: str, data: bytes) -> list[Step]:
    """The hostile file beside a good page in one dossier folder."""
    write(work / "in" / folder / name, data)
    write(work / "in" / folder / "good.png", h.page_png())
    return [digitise(work)]


# -- checks ---------------------------------------------------------------------------------


def _count(run, prefix: str) -> int:
    return sum(n for s, n in run.statuses().items() if s.startswith(prefix))


def quarantined(reason: str | None = None, good: int = 1, code: int = 7) -> Callable:
    """Exit 7, the bad file quarantined (with that reason), the good pages digitised."""

    def check(run) -> list[str]:
        problems = []
        if run.code != code:
            problems.append(f"exit {run.code}, not {code}")
        if not _count(run, f"quarantined({reason}" if reason else "quarantined"):
            problems.append(f"not quarantined as {reason or 'anything'}")
        if _count(run, "digitised") < good:
            problems.append("the good document was not digitised")
        return problems

    return check


def exits(*codes: int, good: int = 0) -> Callable:
    def check(run) -> list[str]:
        problems = [] if run.code in codes else [f"exit {run.code}, not {codes}"]
        if _count(run, "digitised") < good:
            problems.append("the good document was not digitised")
        return problems

    return check


def all_of(*checks: Callable) -> Callable:
    return lambda run: [p for c in checks for p in c(run)]


def stored_bytes(run) -> list[bytes]:
    objects = run.data / "objects"
    return [p.read_bytes() for p in objects.rglob("*") if p.is_file()] if objects.exists() else []


def keeps_all(*contents: bytes) -> Callable:
    def check(run) -> list[str]:
        found = set(stored_bytes(run))
        lost = sum(1 for c in contents if c not in found)
        return [f"{lost} of {len(contents)} inputs lost (overwritten)"] if lost else []

    return check


def never_stored(path: str) -> Callable:
    def check(run) -> list[str]:
        secret = Path(path).read_bytes()
        return [f"{path} copied into the store"] if secret in set(stored_bytes(run)) else []

    return check


def not_in_output(*texts: str) -> Callable:
    def check(run) -> list[str]:
        shown = run.out + run.err
        return [f"{t!r} shown unmasked" for t in texts if t in shown]

    return check


def no_active_content(run) -> list[str]:
    results = list((run.data / "objects" / "results").rglob("*.pdf"))
    if not results:
        return ["no signed result"]
    found = set()
    for n, result in enumerate(results):
        flat = run.work / f"flat-{n}.pdf"
        subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(result), str(flat)])
        data = flat.read_bytes() if flat.exists() else result.read_bytes()
        words = (b"/JavaScript", b"/Launch", b"/EmbeddedFile", b"/FileAttachment", b"/OpenAction")
        found |= {w.decode() for w in words if w in data}
    return [f"signed result carries {' '.join(sorted(found))}"] if found else []


def file_modes(run) -> list[str]:
    problems = []
    db, data = run.data / "warehouse.sqlite", run.data
    if db.exists() and db.stat().st_mode & 0o077:
        problems.append(f"warehouse {oct(db.stat().st_mode & 0o777)}")
    if data.exists() and data.stat().st_mode & 0o077:
        problems.append(f"data folder {oct(data.stat().st_mode & 0o777)}")
    return problems


def no_forged_line(run) -> list[str]:
    forged = [line for line in run.err.splitlines() if line.startswith("2026-01-01 00:00:00")]
    return ["a file name forged a log line"] if forged else []


def seconds_under(limit: float) -> Callable:
    return lambda run: [f"took {run.seconds:.0f} s"] if run.seconds > limit else []


# -- claims: steps the probe runs itself ------------------------------------------------------


def _held(data: Path) -> bool:
    try:
        db = sqlite3.connect(f"file:{data / 'warehouse.sqlite'}?mode=ro", uri=True, timeout=5)
        try:
            return bool(
                db.execute("select 1 from documents where lease_owner is not null").fetchall()
            )
        finally:
            db.close()
    except sqlite3.Error:
        return False


def start_and_signal(signum: int, whole_group: bool) -> Callable:
    """Start a digitise run, wait until it holds a claim and reads a page, then send it
    ``signum`` (to its whole process group, or to the run alone)."""

    def step(run) -> None:
        command, _env, _cwd = digitise(run.work)
        process = subprocess.Popen(
            sohoa(*command),
            env=env_for(run.work),
            cwd=run.work,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started, memory = time.monotonic(), PeakMemory(process.pid)
        while time.monotonic() < started + 120 and process.poll() is None:
            if _held(run.data) and any(run.tmp.rglob("sohoa-ocr-*")):  # mid-OCR
                break
            time.sleep(0.2)
        (os.killpg if whole_group else os.kill)(process.pid, signum)
        run.code = process.wait(timeout=60)
        run.steps.append(run.code)
        run.peak_mb = max(run.peak_mb, memory.stop()["tree"])
        run.seconds += time.monotonic() - started
        if signum == signal.SIGKILL:  # its children may still be finishing a page
            time.sleep(2)

    return step


def concurrent_runs(run) -> None:
    command, _env, _cwd = digitise(run.work)
    processes = [
        subprocess.Popen(
            sohoa(*command),
            env=env_for(run.work),
            cwd=run.work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    started, memories = time.monotonic(), [PeakMemory(p.pid) for p in processes]
    run.steps += [p.wait(timeout=280) for p in processes]
    run.code = max(c or 0 for c in run.steps)
    run.peak_mb = max(m.stop()["tree"] for m in memories)  # each run's own tree
    run.seconds += time.monotonic() - started


def dossier_status_is(status: str) -> Callable:
    def check(run) -> list[str]:
        db = sqlite3.connect(f"file:{run.data / 'warehouse.sqlite'}?mode=ro", uri=True)
        found = {r[0] for r in db.execute("select status from dossiers")}
        db.close()
        return [] if found == {status} else [f"dossier {sorted(found)}"]

    return check


def tmp_clean_and_released(run) -> list[str]:
    problems = []
    if run.tmp.exists() and list(run.tmp.iterdir()):
        problems.append(f"{len(list(run.tmp.iterdir()))} temp folder(s) left")
    if _held(run.data):
        problems.append("claim still held")
    return problems


def pages_tiff(work: Path, pages: int = 6) -> None:
    """One document of several small pages: a run holds its claim while they are read."""
    frames = [Image.open(io.BytesIO(h.page_png(f"Trang {n}"))) for n in range(pages)]
    path = work / "in" / "ho-so" / "nhieu-trang.tiff"
    path.parent.mkdir(parents=True)
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(100, 100))
