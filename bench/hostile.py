"""Hostile-input probe (not a test): what an attacker's files do to ``sohoa digitise`` and
``sohoa verify`` (issue #13).

Every case builds its inputs from nothing in a fresh work folder (bench/hostile_inputs.py),
runs the real CLI in a subprocess with its own data folder and TMPDIR, capped at 300 s, and
samples the resident memory of the whole process tree (tests/memory.py). Printed: one table of
case, exit code, outcome (documents by status and reason, as the warehouse has them, or the
first words of the answer), peak RSS of the tree in MB, seconds, and whether the rule of issue
#13 held (`ok`) or not (`FAIL`: why). Every case checks, besides its own rule: no traceback,
no document left `processing`, no sohoa-* folder left in TMPDIR, the tree <= 300 MB above the
baseline case.

    python bench/hostile.py [--only bomb,claims-kill] [--budget 2400] [--keep] [--code TREE]

``--code`` runs another source tree's sohoa (e.g. ``git worktree add /tmp/before <commit>``)
on the same cases, for a before/after table.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "bench"))

from hostile_catalogue import CASES  # noqa: E402
from hostile_checks import CODE, Case, env_for, sohoa  # noqa: E402

from tests.memory import PeakMemory  # noqa: E402

CAP_S = 300.0


@dataclass
class Run:
    """What one case did: the last command's exit code and output, the whole case's peak."""

    work: Path
    code: int | None = None
    out: str = ""
    err: str = ""
    seconds: float = 0.0
    peak_mb: float = 0.0
    timed_out: bool = False
    steps: list[int | None] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.work / "data"

    @property
    def tmp(self) -> Path:
        return self.work / "tmp"

    def documents(self) -> list[sqlite3.Row]:
        path = self.data / "warehouse.sqlite"
        if not path.exists():
            return []
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        db.row_factory = sqlite3.Row
        try:
            return db.execute("select * from documents order by id").fetchall()
        except sqlite3.Error:
            return []
        finally:
            db.close()

    def statuses(self) -> Counter[str]:
        return Counter(
            f"{r['status']}({r['error_reason']})" if r["error_reason"] else r["status"]
            for r in self.documents()
        )

    def outcome(self) -> str:
        if self.timed_out:
            return f"TIMEOUT after {CAP_S:.0f} s"
        found = self.statuses()
        if found:
            return ", ".join(f"{n} {s}" for s, n in sorted(found.items()))
        said = [
            line.strip()
            for line in (self.out + "\n" + self.err).splitlines()
            if line.strip() and not line.startswith("warning:") and line.strip()[0].isalnum()
        ]
        errors = [line for line in said if line.startswith("error:")]
        return (errors or said or ["-"])[0][:90]


def execute(run: Run, command: list[str], env: dict[str, str], cwd: Path, deadline: float) -> None:
    """Run one step of a case in its own process group, sampling its tree's memory."""
    started = time.monotonic()
    with (run.work / "out.txt").open("wb") as out, (run.work / "err.txt").open("wb") as err:
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=err, start_new_session=True
        )
        memory = PeakMemory(process.pid)
        try:
            run.code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            run.timed_out, run.code = True, None
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except BaseException:  # the probe itself is stopped: so is the case
            os.killpg(process.pid, signal.SIGKILL)
            raise
        finally:
            run.peak_mb = max(run.peak_mb, memory.stop()["tree"])
    run.seconds += time.monotonic() - started
    run.out = (run.work / "out.txt").read_text("utf-8", "replace")
    run.err = (run.work / "err.txt").read_text("utf-8", "replace")
    run.steps.append(run.code)


def general_problems(run: Run, baseline_mb: float) -> list[str]:
    problems = []
    if "Traceback" in run.err or "Traceback" in run.out:
        problems.append("traceback")
    if run.code in (70,):
        problems.append("internal error")
    if any(r["status"] == "processing" for r in run.documents()):
        problems.append("left processing")
    if run.tmp.exists() and any(p.name.startswith("sohoa-") for p in run.tmp.iterdir()):
        problems.append("temp left")
    if baseline_mb and run.peak_mb > baseline_mb + 300:
        problems.append(f"RSS +{run.peak_mb - baseline_mb:.0f} MB")
    if run.timed_out:
        problems.append("timeout")
    return problems


def run_case(case: Case, root: Path, baseline_mb: float) -> tuple[Run, list[str]]:
    work = root / case.name
    (work / "tmp").mkdir(parents=True)
    run = Run(work)
    deadline = time.monotonic() + CAP_S
    try:
        for step in case.steps(work):
            if run.timed_out:
                break
            if callable(step):  # a step of the probe itself (kill a run, change a file)
                step(run)
                continue
            command, extra_env, cwd = step
            execute(run, sohoa(*command), env_for(work, **extra_env), cwd or work, deadline)
        problems = case.check(run)
    except Exception as exc:  # noqa: BLE001 - the probe reports a broken case and goes on
        problems = [f"probe error: {exc.__class__.__name__}: {exc}"[:120]]
    problems += [p for p in general_problems(run, baseline_mb) if p not in problems]
    return run, problems


def _remove(folder: Path) -> None:
    """rm -rf: shutil.rmtree recurses once per level and gives up on 1,200 nested folders."""
    subprocess.run(["rm", "-rf", "--", str(folder)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="case names or name prefixes, comma-separated")
    parser.add_argument("--budget", type=float, default=2400.0, help="seconds for all cases")
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    parser.add_argument("--code", type=Path, default=HERE, help="source tree whose sohoa runs")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stops the running case too
    CODE[0] = args.code.resolve()
    wanted = [w for w in args.only.split(",") if w]
    cases = [c for c in CASES if not wanted or any(c.name.startswith(w) for w in wanted)]
    root = Path(tempfile.mkdtemp(prefix="sohoa-hostile-"))
    started, baseline_mb, rows = time.monotonic(), 0.0, []
    print(f"{len(cases)} case(s), work in {root}", file=sys.stderr)
    for case in cases:
        if time.monotonic() - started > args.budget:
            rows.append((case.name, "-", "skipped: budget spent", "-", "-", "skipped"))
            continue
        run, problems = run_case(case, root, baseline_mb)
        if case.name == "baseline":
            baseline_mb = run.peak_mb
        verdict = "ok" if not problems else "FAIL: " + "; ".join(problems)
        code = "timeout" if run.timed_out else ",".join(str(c) for c in run.steps) or "-"
        row = (case.name, code, run.outcome(), f"{run.peak_mb:.0f}", f"{run.seconds:.1f}", verdict)
        rows.append(row)
        print(" | ".join(row), file=sys.stderr, flush=True)
        if not args.keep:
            _remove(run.work)
    print("| case | exit | outcome | peak RSS MB | s | rule held |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |")
    failed = sum(1 for r in rows if r[5].startswith("FAIL"))
    print(f"\n{len(rows)} cases, {failed} failed, {time.monotonic() - started:.0f} s in all")
    if not args.keep:
        _remove(root)


if __name__ == "__main__":
    main()
