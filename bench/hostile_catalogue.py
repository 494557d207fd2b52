"""The hostile cases of bench/hostile.py, in the order of issue #13's classes. Each says what
it builds and which rule must hold (bench/hostile_checks.py)."""

from __future__ import annotations

import json
import os
import signal
import unicodedata
from pathlib import Path

import hostile_inputs as h
from hostile_checks import (
    AGENCY,
    Case,
    all_of,
    concurrent_runs,
    digitise,
    dossier_status_is,
    exits,
    file_modes,
    keeps_all,
    never_stored,
    no_active_content,
    no_forged_line,
    not_in_output,
    pages_tiff,
    quarantined,
    seconds_under,
    start_and_signal,
    tmp_clean_and_released,
    verify,
    with_good,
    write,
)

GOOD = h.page_png()


def one_page(w: Path, **env: str):
    write(w / "in" / "don.png", GOOD)
    return [digitise(w, env=env)]


def lone(name: str, make, check=None) -> Case:
    """A hostile file beside a good page in one dossier: the bad one quarantined."""
    return Case(
        name, lambda w: with_good(w, "ho-so", f"{name}.pdf", make()), check or quarantined()
    )


def verify_case(name: str, make, *codes: int) -> Case:
    def build(w: Path):
        write(w / "in" / "file.pdf", make())
        return [verify(w, "in/file.pdf")]

    return Case(name, build, exits(*codes))


def batch(name: str, build_bad, check=None) -> Case:
    """A batch of two dossiers: a hostile one first, a good one after it; the good one runs,
    and the hostile one ends quarantined (7) or failed with its reason (1)."""

    def build(w: Path):
        build_bad(w / "in" / "a-bad")
        write(w / "in" / "z-good" / "good.png", GOOD)
        return [digitise(w)]

    return Case(name, build, check or exits(1, 7, good=1))


def _manifest(folder: Path, text: str, files: dict[str, bytes] | None = None) -> None:
    for name, data in (files or {"p.png": GOOD}).items():
        write(folder / name, data)
    (folder / "manifest.json").write_text(text)


def _collide(w: Path):
    write(w / "in" / "ngay-1" / "scan.pdf", b"%PDF-1.4 first day's broken scan")
    write(w / "in2" / "ngay-2" / "scan.pdf", b"%PDF-1.4 second day's broken scan")
    return [digitise(w, "in/ngay-1/scan.pdf"), digitise(w, "in2/ngay-2/scan.pdf")]


NAMES = [
    unicodedata.normalize("NFC", "hồ sơ.pdf"),
    unicodedata.normalize("NFD", "hồ sơ.pdf"),
    "hồ sơ.pdf ",
    " hồ sơ.pdf",
    "hồ sơ\x01.pdf",
]


def _names(w: Path):
    for n, name in enumerate(NAMES):
        write(w / "in" / "ho-so" / name, b"%PDF-1.4 broken " + bytes([65 + n]))
    return [digitise(w)]


def _links(w: Path):
    folder = w / "in" / "ho-so"
    write(folder / "good.png", GOOD)
    os.symlink("/etc/passwd", folder / "passwd.png")
    write(w / "outside" / "secret.png", h.page_png("BÍ MẬT"))
    os.symlink(w / "outside", folder / "thu-muc")
    return [digitise(w)]


def _shadow_manifest(w: Path):
    write(w / "in" / "ho-so" / "good.png", GOOD)
    os.symlink("/etc/shadow", w / "in" / "ho-so" / "manifest.json")
    return [digitise(w)]


def _fifo(w: Path):
    write(w / "in" / "ho-so" / "good.png", GOOD)
    os.mkfifo(w / "in" / "ho-so" / "pipe.pdf")
    return [digitise(w)]


def _fifo_verify(w: Path):
    os.mkfifo(w / "in" / "pipe.pdf")
    return [verify(w, "in/pipe.pdf")]


def _verify_deep(w: Path):
    (_deep(w / "in") / "x.pdf").write_bytes(b"")
    return [verify(w, "in")]


def _data_inside(w: Path):
    write(w / "in" / "don.png", GOOD)
    step = (["digitise", ".", "--agency", AGENCY, "--jobs", "1"], {}, w / "in")
    return [step, step]


def _data_inside_check(run) -> list[str]:
    if run.steps and run.steps[0] == 8:
        return []  # refused with a message: also fine
    keys = [p.as_posix() for p in (run.work / "in").rglob("*")]
    problems = (
        ["own key quarantined"] if any("quarantine" in k and "key" in k for k in keys) else []
    )
    if any(".v1.v1" in k for k in keys):
        problems.append("re-digitised its own result")
    return problems


def _sparse(w: Path):
    path = w / "in" / "ho-so" / "lon.pdf"
    write(path, b"%PDF-1.7\n")
    os.truncate(path, 1 << 30)
    write(w / "in" / "ho-so" / "good.png", GOOD)
    return [digitise(w)]


def _non_utf8(w: Path):
    folder = w / "in" / "ho-so"
    folder.mkdir(parents=True)
    with open(os.path.join(bytes(folder), b"h\xf4 s\xf5.png"), "wb") as out:
        out.write(GOOD)
    return [digitise(w)]


def _deep(folder: Path, depth: int = 1200) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(depth):  # one at a time: os.makedirs recurses once per level
        folder = folder / "d"
        folder.mkdir()
    return folder


def _deep_folders(folder: Path):
    (_deep(folder) / "p.png").write_bytes(GOOD)


def _broken_store(w: Path):
    write(w / "in" / "ho-so" / "bad.pdf", b"%PDF-1.4 broken")
    write(w / "in" / "ho-so" / "good.png", GOOD)
    write(w / "data" / "objects" / "quarantine", b"a file where quarantine's folder should be")
    return [digitise(w)]


def _reused(w: Path, count: int, source: str):
    docs = [{"name": f"r{n}", "reused": True, "reused_from": source} for n in range(count)]
    _manifest(w / "in" / "ho-so", json.dumps({"documents": docs}), {})
    return [digitise(w)]


def _pii(w: Path):
    folder = w / "in" / "ho-so"
    write(folder / "cccd 079203001234.png", GOOD)
    write(folder / "so 001 203 004 567.png", GOOD)
    write(folder / "mst 0101234567-001.pdf", b"%PDF-1.4 broken")
    write(folder / "cmnd 001.203.004.567.pdf", b"%PDF-1.4 broken")
    return [digitise(w)]


def _forge(w: Path):
    write(w / "in" / "ho-so" / "scan.pdf\n2026-01-01 00:00:00 WARNING all clear.pdf", b"%PDF-")
    return [digitise(w)]


def _claims(w: Path, signum: int, group: bool, rerun: bool):
    pages_tiff(w)
    return [start_and_signal(signum, group)] + ([digitise(w)] if rerun else [])


def _signed_digitise(make):
    return lambda w: with_good(w, "ho-so", "da-ky.pdf", make())


def _signed_untrusted_check(run) -> list[str]:
    flagged = "indeterminate" in (run.out + run.err).lower()
    return [] if flagged or run.code in (3, 7) else ["untrusted signature taken as digitised"]


CASES: list[Case] = [
    Case("baseline", one_page, exits(0, good=1)),
    # bombs
    Case(
        "bomb-pixels-png",
        lambda w: with_good(w, "ho-so", "bomb.png", h.pixel_bomb_png()),
        quarantined(),
    ),
    lone("bomb-zlib-pdf", h.zlib_bomb_pdf, exits(0, 7, good=1)),
    lone("bomb-image-pdf", h.image_bomb_pdf, exits(0, 7, good=1)),
    Case(
        "bomb-tiff-5000-pages",
        lambda w: with_good(w, "ho-so", "t.tiff", h.tiff_pages(5000)),
        quarantined(),
    ),
    # structural PDF attacks
    lone("pdf-nesting-100000", h.nested_pdf, exits(0, 7, good=1)),
    lone("pdf-page-tree-loop", h.page_loop_pdf),
    lone("pdf-page-tree-fanout-1000x1000", h.page_fanout_pdf),
    lone("pdf-xref-prev-loop", h.xref_loop_pdf, exits(0, 7, good=1)),
    lone(
        "pdf-bad-startxref",
        lambda: h.text_page_pdf()[:-20] + b"startxref\n99999999\n%%EOF\n",
        exits(0, 7, good=1),
    ),
    lone("pdf-truncated", lambda: h.padded_pdf(20000)[:9000]),
    lone("pdf-garbage", lambda: b"%PDF-1.7\n" + os.urandom(4000)),
    lone("pdf-empty", lambda: b""),
    # overwrite and collision
    Case(
        "collide-same-name-2-days",
        _collide,
        keeps_all(b"%PDF-1.4 first day's broken scan", b"%PDF-1.4 second day's broken scan"),
    ),
    Case(
        "collide-nfc-nfd-space-ctrl",
        _names,
        keeps_all(*(b"%PDF-1.4 broken " + bytes([65 + n]) for n in range(len(NAMES)))),
    ),
    # active content under the agency's signature
    Case(
        "active-content-text-layer",
        lambda w: with_good(w, "ho-so", "js.pdf", h.active_content_pdf()),
        no_active_content,
    ),
    # signed inputs
    Case(
        "signed-tampered-digitise",
        _signed_digitise(lambda: h.tampered(h.signed_pdf())),
        quarantined("signature"),
    ),
    verify_case("signed-tampered-verify", lambda: h.tampered(h.signed_pdf()), 1),
    Case("signed-untrusted-digitise", _signed_digitise(h.signed_pdf), _signed_untrusted_check),
    verify_case("signed-untrusted-verify", h.signed_pdf, 3),
    verify_case("signed-garbage-cms-verify", lambda: h.sig_contents_pdf(2000), 1, 3, 5),
    # memory
    verify_case("mem-sig-contents-10MB-verify", lambda: h.sig_contents_pdf(20_000_000), 1, 3, 5),
    lone("mem-sig-contents-10MB-digitise", lambda: h.sig_contents_pdf(20_000_000)),
    verify_case("mem-200MB-pdf-verify", lambda: h.padded_pdf(200 << 20), 4, 5),
    Case("mem-1GB-file", _sparse, quarantined()),
    lone(
        "mem-two-5000pt-pages", lambda: h.pages_pdf([b"[0 0 5000 5000]"] * 2), exits(0, 7, good=1)
    ),
    # one bad dossier never stops the batch
    batch(
        "batch-manifest-dotfile",
        lambda f: _manifest(
            f, json.dumps({"documents": [{"files": [".hidden.png"]}]}), {".hidden.png": GOOD}
        ),
    ),
    batch("batch-manifest-deep-100000", lambda f: _manifest(f, "[" * 100_000 + "]" * 100_000)),
    batch(
        "batch-manifest-5000-digits",
        lambda f: _manifest(
            f,
            '{"documents": [{"files": ["p.png"], "metadata": {"page_amount": %s}}]}' % ("9" * 5000),
        ),
    ),
    batch("batch-name-251-chars", lambda f: write(f / ("x" * 247 + ".pdf"), b"%PDF-1.4 broken")),
    batch("batch-folders-1200-deep", _deep_folders, exits(0, good=2)),  # its page is good
    Case("batch-quarantine-unwritable", _broken_store, exits(1, good=1)),
    # links and special files
    Case(
        "link-passwd-and-folder", _links, all_of(quarantined("link"), never_stored("/etc/passwd"))
    ),
    Case("link-manifest-to-shadow", _shadow_manifest, never_stored("/etc/shadow")),
    Case("fifo-digitise", _fifo, exits(0, 7, good=1)),
    Case("fifo-verify", _fifo_verify, exits(2, 5)),
    Case("verify-folders-1200-deep", _verify_deep, exits(4, 5)),
    # the data folder inside the input
    Case("data-folder-inside-input", _data_inside, _data_inside_check),
    # input errors
    lone("err-mediabox-1e8", lambda: h.pages_pdf([b"[0 0 100000000 100000000]"])),
    lone("err-mediabox-negative", lambda: h.pages_pdf([b"[0 0 -500 -800]"]), exits(0, 7, good=1)),
    Case("err-non-utf8-name", _non_utf8, exits(0, 7)),
    # cost out of proportion
    Case(
        "cost-tiff-2000-1x1-pages",
        lambda w: with_good(w, "ho-so", "t.tiff", h.tiff_pages(2000)),
        all_of(exits(0, 7, good=1), seconds_under(120)),
    ),
    Case("cost-reused-200000", lambda w: _reused(w, 200_000, "x/y"), seconds_under(120)),
    verify_case("cost-verify-60-signatures", lambda: h.signed_pdf(60), 1, 3),
    Case("cost-jobs-100000", lambda w: one_page(w, SOHOA_JOBS="100000"), exits(0, 8)),
    # claims and leftovers
    Case(
        "claims-sigterm", lambda w: _claims(w, signal.SIGTERM, True, False), tmp_clean_and_released
    ),
    Case("claims-kill-then-rerun", lambda w: _claims(w, signal.SIGKILL, True, True), exits(0)),
    Case(
        "claims-two-concurrent-runs",
        lambda w: (pages_tiff(w), [concurrent_runs])[1],
        all_of(exits(0), dossier_status_is("digitised")),
    ),
    Case(
        "agency-a-b-c",
        lambda w: [
            (["digitise", str(w / "in"), "--agency", "a/b/c", "--data", str(w / "data")], {}, None)
        ],
        exits(8),
    ),
    # personal data
    Case(
        "pii-identifiers-in-names",
        _pii,
        all_of(
            not_in_output("079203001234", "001 203 004 567", "0101234567", "001.203.004.567"),
            file_modes,
        ),
    ),
    Case("pii-newline-forges-log", _forge, no_forged_line),
    Case(
        "reuse-traversal",
        lambda w: _reused(w, 1, "../../../etc/passwd"),
        quarantined("invalid-manifest", good=0),
    ),
]
