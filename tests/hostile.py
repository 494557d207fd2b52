"""Hostile inputs, built on the spot, and a way to run ``sohoa`` on them that measures what it
costs: exit code, peak resident memory of the whole process tree, seconds (issue 13).

Used by tests/test_hostile_inputs.py.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from pipeline.reading.searchable_pdf import indirect
from tests.memory import PeakMemory

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- builders (each makes a folder)


def pdf_of_pages(*sizes: tuple[float, float]) -> bytes:
    writer = PdfWriter()
    for width, height in sizes:
        writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed_looking_pdf(contents_bytes: int) -> bytes:
    """A PDF whose one signature field holds a /Contents of ``contents_bytes`` bytes (twice
    as many hex digits), as a forger or a broken signer would write it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    sig = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Sig"),
            NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
            NameObject("/SubFilter"): NameObject("/adbe.pkcs7.detached"),
            NameObject("/ByteRange"): ArrayObject([NumberObject(n) for n in (0, 10, 20, 10)]),
            NameObject("/Contents"): ByteStringObject(b"\x30" * contents_bytes),
        }
    )
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject("Signature1"),
            NameObject("/V"): indirect(writer, sig),
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        }
    )
    form = {NameObject("/Fields"): ArrayObject([indirect(writer, field)])}
    form[NameObject("/SigFlags")] = NumberObject(3)
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(form)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def raw_pdf(*objects: bytes) -> bytes:
    """A PDF of ``objects`` (1 0 obj is the catalogue) with a classic xref table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        start,
    )
    return bytes(out)


def page_tree_bomb(fanout: int) -> bytes:
    """A few KB whose page tree names one node ``fanout`` times, and in it one page
    ``fanout`` times: fanout² pages for a reader that flattens the tree."""
    return raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [%s] >>" % b" ".join([b"4 0 R"] * fanout),
        b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Type /Pages /Parent 2 0 R /Count 1 /Kids [%s] >>" % b" ".join([b"3 0 R"] * fanout),
    )


def long_kids_pdf(pages: int) -> bytes:
    """One /Kids array naming one page ``pages`` times."""
    return raw_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [%s] >>" % b" ".join([b"3 0 R"] * pages),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    )


def tiny_page_tiff(pages: int) -> bytes:
    frames = [Image.new("1", (1, 1), 1) for _ in range(pages)]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def good_page() -> bytes:
    from tests.distributed import page

    return page("Về việc tổ chức hội nghị")


def folder(base: Path, name: str, files: dict[str, bytes]) -> Path:
    where = base / name
    where.mkdir(parents=True)
    for file_name, data in files.items():
        (where / file_name).write_bytes(data)
    return where


def big_sparse_file(path: Path, size: int) -> None:
    """A PDF header, then ``size`` bytes of a sparse file: no disk, but every byte readable."""
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(size)


def nested_folders(base: Path, depth: int) -> Path:
    """``depth`` folders, one in the other (os.makedirs itself recurses); the deepest holds
    a file that is not a scan. Returns the top one."""
    top = base / "sau"
    where = top
    where.mkdir(parents=True)
    for _ in range(depth - 1):
        where = where / "a"
        where.mkdir()
    (where / "trang.png").write_bytes(b"not a scan, deep down")
    return top


def remove_nested(top: Path) -> None:
    """rmtree recurses too: take the tree apart from the bottom, without recursion."""
    stack = [top]
    while stack:
        where = stack[-1]
        subs = [p for p in where.iterdir() if p.is_dir() and not p.is_symlink()]
        if subs:
            stack.extend(subs)
            continue
        for p in where.iterdir():
            p.unlink()
        where.rmdir()
        stack.pop()


def deep_json(depth: int) -> bytes:
    return b'{"documents": ' + b"[" * depth + b"]" * depth + b"}"


def manifest(**fields: object) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode()


def reused_documents(count: int) -> bytes:
    return manifest(documents=[{"reused": True} for _ in range(count)])


# ---------------------------------------------------------------- running sohoa, measured


@dataclass(frozen=True)
class Run:
    exit_code: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    peak_mb: float  # of the whole process tree
    seconds: float


def sohoa(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    code: Path = ROOT,
    stdin: int | None = subprocess.DEVNULL,
) -> Run:
    """``sohoa ARGS`` from the tree ``code``, its process tree's memory sampled every 0.1 s;
    killed (exit code None) after ``timeout`` seconds."""
    environment = {"PATH": "/usr/bin:/bin", "COLUMNS": "250", "PYTHONPATH": str(code)}
    environment["SOHOA_LANG"] = "en"  # the summaries are read in English here
    environment.update(env or {})
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "workers.cli", *args],
        cwd=cwd or code,
        env=environment,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    memory = PeakMemory(process.pid, interval=0.1)
    try:
        out, err = process.communicate(timeout=timeout)
        exit_code: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        out, err = process.communicate()
        exit_code = None
    peak = memory.stop()["tree"]
    seconds = round(time.perf_counter() - started, 1)
    return Run(exit_code, out.decode(errors="replace"), err.decode(errors="replace"),
               peak, seconds)  # fmt: skip


Builder = Callable[[Path], list[str]]
