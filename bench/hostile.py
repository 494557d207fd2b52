"""The hostile-input probe of issue 13 (limits, intake, batch boundary), run again: each case
built in a fresh folder and given to ``sohoa`` with a timeout; one row per case with the exit
code, the outcome (warehouse rows, or verify's verdicts), the peak memory of the whole process
tree and the seconds it took.

    python -m bench.hostile [--code TREE] [--timeout S] [--only CASE ...]

``--code`` runs another source tree's sohoa (e.g. an export of an older commit) on the same
cases, for a before/after table.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests import hostile
from tests.distributed import page
from tests.hostile import ROOT, Run, sohoa

AGENCY = "000.17.22.H56"
Case = Callable[[Path, Path, float], Run]


def _digitise(inbox: Path, code: Path, timeout: float, **kw) -> Run:
    data = inbox.parent / "data"
    args = ("digitise", str(inbox), "--jobs", "1", "--agency", AGENCY, "--data", str(data))
    return sohoa(*args, code=code, timeout=timeout, **kw)


def _one(files: dict[str, bytes]) -> Case:
    def case(base: Path, code: Path, timeout: float) -> Run:
        hostile.folder(base / "inbox", "ho-so", files)
        return _digitise(base / "inbox", code, timeout)

    return case


def _big_file(base: Path, code: Path, timeout: float) -> Run:
    (base / "inbox").mkdir()
    hostile.big_sparse_file(base / "inbox" / "lon.pdf", 1024**3)
    return _digitise(base / "inbox", code, timeout)


def _links(base: Path, code: Path, timeout: float) -> Run:
    links = hostile.folder(base / "inbox", "lien-ket", {"trang.png": page("Giấy mời")})
    (links / "passwd.png").symlink_to("/etc/passwd")
    (links / "ngoai").symlink_to("/etc")
    return _digitise(base / "inbox", code, timeout)


def _fifo(base: Path, code: Path, timeout: float) -> Run:
    hostile.folder(base / "inbox", "ho-so", {})
    os.mkfifo(base / "inbox" / "ho-so" / "ong.pdf")
    return _digitise(base / "inbox", code, timeout)


def _nested(base: Path, code: Path, timeout: float) -> Run:
    (base / "inbox").mkdir()
    top = hostile.nested_folders(base / "inbox", 1200)
    try:
        return _digitise(base / "inbox", code, timeout)
    finally:
        hostile.remove_nested(top)


def _store_refuses(base: Path, code: Path, timeout: float) -> Run:
    hostile.folder(base / "inbox", "loi", {"rong.png": b""})
    hostile.folder(base / "inbox", "tot", {"trang.png": page("Giấy mời")})
    (base / "data" / "objects").mkdir(parents=True)
    (base / "data" / "objects" / "quarantine").write_bytes(b"not a folder")
    return _digitise(base / "inbox", code, timeout)


def _data_inside(base: Path, code: Path, timeout: float) -> Run:
    hostile.folder(base / "scans", "ho-so", {"rong.png": b""})
    return sohoa("digitise", ".", cwd=base / "scans", code=code, timeout=timeout)


def _jobs(base: Path, code: Path, timeout: float) -> Run:
    hostile.folder(base / "inbox", "ho-so", {"rong.png": b""})
    env = {"SOHOA_JOBS": "100000"}
    return sohoa("digitise", str(base / "inbox"), "--data", str(base / "data"), env=env,
                 code=code, timeout=timeout)  # fmt: skip


def _verify(build: Callable[[Path], object]) -> Case:
    def case(base: Path, code: Path, timeout: float) -> Run:
        (base / "files").mkdir()
        top = build(base / "files")
        args = ("verify", str(base / "files"), "--data", str(base / "data"))
        try:
            return sohoa(*args, code=code, timeout=timeout)
        finally:
            if isinstance(top, Path):
                hostile.remove_nested(top)

    return case


def _verify_nested(where: Path) -> Path:
    top = hostile.nested_folders(where, 1200)
    (top / "x.pdf").write_bytes(b"")
    return top


CASES: dict[str, Case] = {
    "file-1GB": _big_file,
    "contents-10MB-hex": _one({"ky.pdf": hostile.signed_looking_pdf(5_000_000)}),
    "pages-2x5000pt": _one({"to.pdf": hostile.pdf_of_pages((5000, 5000), (5000, 5000))}),
    "mediabox-1e8pt": _one({"a.pdf": hostile.pdf_of_pages((1e8, 1e8))}),
    "mediabox-negative": _one({"a.pdf": hostile.pdf_of_pages((-5000, -5000))}),
    "tiff-2000x1x1": _one({"nho.tif": hostile.tiny_page_tiff(2000)}),
    "manifest-deep-100000": _one({"manifest.json": hostile.deep_json(100_000), "p.png": b"x"}),
    "manifest-int-5000-digits": _one(
        {"manifest.json": b'{"documents": [{"x": ' + b"9" * 5000 + b"}]}", "p.png": b"x"}
    ),
    "manifest-dot-file": _one(
        {
            "manifest.json": hostile.manifest(documents=[{"files": [".an.png"]}]),
            ".an.png": b"x",
        }
    ),
    "manifest-200000-reused": _one({"manifest.json": hostile.reused_documents(200_000)}),
    "name-251-chars": _one({"x" * 247 + ".png": b"not a scan"}),
    "non-utf8-name": _one({os.fsdecode(b"gi\xe1y m\xf5i.png"): page("Giấy mời họp")}),
    "quarantine-store-refuses": _store_refuses,
    "folders-1200-deep": _nested,
    "links-outside": _links,
    "fifo-in-dossier": _fifo,
    "data-inside-input": _data_inside,
    "SOHOA_JOBS=100000": _jobs,
    "verify-fifo": _verify(lambda where: os.mkfifo(where / "ong.pdf")),
    "verify-contents-10MB-hex": _verify(
        lambda where: (where / "ky.pdf").write_bytes(hostile.signed_looking_pdf(5_000_000))
    ),
    "verify-1200-deep": _verify(_verify_nested),
}


def outcome(base: Path, run: Run) -> str:
    """What became of the inputs: warehouse rows (status/reason), or the error said."""
    if run.exit_code is None:
        return "killed at the timeout"
    db = base / "data" / "warehouse.sqlite"
    said = [line.strip() for line in (run.stderr + run.stdout).splitlines() if line.strip()]
    last = next((line for line in reversed(said) if "Error" in line or "error" in line), "")
    if db.is_file():
        rows = sqlite3.connect(db).execute("SELECT status, error_reason FROM documents")
        counts = Counter(f"{s}/{r}" if r else s for s, r in rows)
        if counts:
            found = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
            return found + ("; " + last[:80] if "Traceback" in run.stderr else "")
    return last[:110] or (said[-1][:110] if said else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="source tree whose sohoa runs")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--only", nargs="*", help="case names")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    options = parser.parse_args()
    rows = []
    print("| case | exit | outcome | peak RSS of the tree (MB) | s |")
    print("|---|---|---|---|---|")
    for name, case in CASES.items():
        if options.only and name not in options.only:
            continue
        with tempfile.TemporaryDirectory(prefix="sohoa-hostile-") as folder:
            base = Path(folder)
            run = case(base, options.code.resolve(), options.timeout)
            row = {
                "case": name,
                "exit": "killed" if run.exit_code is None else run.exit_code,
                "outcome": outcome(base, run).replace("|", "/"),
                "peak_mb": run.peak_mb,
                "seconds": run.seconds,
            }
        rows.append(row)
        print("| {case} | {exit} | {outcome} | {peak_mb} | {seconds} |".format(**row), flush=True)
    if options.json:
        options.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
