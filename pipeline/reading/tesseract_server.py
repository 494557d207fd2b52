"""Tesseract kept loaded: the child process ``pipeline.reading.reader`` starts once per OCR
process, so that a page does not pay for loading the language model again (~0.2 s of CPU a
run, on a bw200 page of ~1.1 s).

    python -m pipeline.reading.tesseract_server LANGUAGES

It reads one request a line on its standard input, a JSON object ``{"image", "base", "psm",
"dpi", "variables"}``, and reads the image as the ``tesseract`` command does
(``TessBaseAPIProcessPage``: the same call, the same zone file ``<image stem>.uzn`` at psm 4),
writing ``<base>.tsv`` (the words, with the command's header line) and ``<base>.pdf`` (the
text-only page); it answers ``ok`` or ``failed: <why>`` on a line of its standard output.
It ends at the end of its input. It imports nothing of sohoa: only the C API of the
libtesseract the ``tesseract`` command runs on, and Leptonica's reader.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import sys
from pathlib import Path

TSV_HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\t"
    "left\ttop\twidth\theight\tconf\ttext\n"
)


def _library(soname: str, *names: str) -> ctypes.CDLL:
    """The library by its soname (Debian's), else by what the linker's cache finds."""
    try:
        return ctypes.CDLL(soname)
    except OSError:
        found = next(filter(None, map(ctypes.util.find_library, names)), None)
        if found is None:
            raise
        return ctypes.CDLL(found)


class Api:
    """One TessBaseAPI, initialised for ``languages``."""

    def __init__(self, languages: str) -> None:
        tess = _library("libtesseract.so.5", "tesseract")
        lept = _library("liblept.so.5", "leptonica", "lept")
        p, s, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        signatures = [  # (library, function, result, arguments)
            (tess, "TessBaseAPICreate", p, []),
            (tess, "TessBaseAPIInit3", i, [p, s, s]),
            (tess, "TessBaseAPIGetDatapath", s, [p]),
            (tess, "TessBaseAPISetVariable", i, [p, s, s]),
            (tess, "TessBaseAPISetPageSegMode", None, [p, i]),
            (tess, "TessBaseAPIProcessPage", i, [p, p, i, s, s, i, p]),
            (tess, "TessBaseAPIGetTsvText", p, [p, i]),
            (tess, "TessBaseAPIClear", None, [p]),
            (tess, "TessBaseAPIEnd", None, [p]),
            (tess, "TessBaseAPIDelete", None, [p]),
            (tess, "TessDeleteText", None, [p]),
            (tess, "TessPDFRendererCreate", p, [s, s, i]),
            (tess, "TessResultRendererBeginDocument", i, [p, s]),
            (tess, "TessResultRendererEndDocument", i, [p]),
            (tess, "TessDeleteResultRenderer", None, [p]),
            (lept, "pixRead", p, [s]),
            (lept, "pixDestroy", None, [ctypes.POINTER(p)]),
        ]
        for library, name, result, arguments in signatures:
            function = getattr(library, name)
            function.restype, function.argtypes = result, arguments
        self.tess, self.lept = tess, lept
        self.handle = tess.TessBaseAPICreate()
        if tess.TessBaseAPIInit3(self.handle, None, languages.encode()) != 0:
            raise RuntimeError(f"Tesseract cannot load the language {languages!r}")
        self.datapath = tess.TessBaseAPIGetDatapath(self.handle)

    def end(self) -> None:
        self.tess.TessBaseAPIEnd(self.handle)
        self.tess.TessBaseAPIDelete(self.handle)

    def read(self, image: str, base: str, psm: int, dpi: int, variables: dict[str, str]) -> None:
        tess = self.tess
        for name, value in {**variables, "user_defined_dpi": str(dpi)}.items():
            if not tess.TessBaseAPISetVariable(self.handle, name.encode(), value.encode()):
                raise RuntimeError(f"Tesseract has no variable {name!r}")
        tess.TessBaseAPISetPageSegMode(self.handle, psm)
        pix = ctypes.c_void_p(self.lept.pixRead(image.encode()))
        if not pix:
            raise RuntimeError(f"cannot read {image}")
        renderer = tess.TessPDFRendererCreate(base.encode(), self.datapath, 1)  # text only
        try:
            if not tess.TessResultRendererBeginDocument(renderer, b""):
                raise RuntimeError("cannot write the PDF page")
            name = image.encode()  # the zones' file is found by it, as the command finds it
            if not tess.TessBaseAPIProcessPage(self.handle, pix, 0, name, None, 0, renderer):
                raise RuntimeError("Tesseract could not read the page")
            tess.TessResultRendererEndDocument(renderer)
            text = tess.TessBaseAPIGetTsvText(self.handle, 0)
            try:
                tsv = ctypes.string_at(text).decode("utf-8")
            finally:
                tess.TessDeleteText(text)
        finally:
            tess.TessDeleteResultRenderer(renderer)
            self.lept.pixDestroy(ctypes.byref(pix))
            tess.TessBaseAPIClear(self.handle)
        Path(base + ".tsv").write_text(TSV_HEADER + tsv, encoding="utf-8")


def serve(languages: str) -> None:
    api = Api(languages)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            api.read(**request)
            answer = "ok"
        except (RuntimeError, OSError) as exc:  # OSError: its .tsv not written (a full disk)
            answer = f"failed: {exc}"
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()
    api.end()


if __name__ == "__main__":
    serve(sys.argv[1])
