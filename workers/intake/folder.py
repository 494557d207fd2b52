"""Dossiers from local paths: an image or PDF file is a dossier of one document; a folder with
files is a dossier (its manifest.json, if any, says which files form which document); a folder
of folders is a batch of dossiers. Nothing found is skipped silently: every regular file ends
up either in a document or in quarantine (hidden files, named with a leading dot, aside).

Only regular files inside a dossier folder are read. A symbolic link that leads out of the
folder is never followed (quarantined as ``link-outside``, with its target as its content); a
FIFO, device or socket is never opened (``not-a-file``). Folders are walked without recursion,
however deep they nest, and folder links are never walked into.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from schemas.document import Manifest
from schemas.errors import LinkOutside, NotAFile, PermanentError
from schemas.settings import Settings
from storage.object_keys import safe_name
from workers.intake.manifest import MANIFEST, documents_from_manifest, parse_manifest
from workers.job.context import DocumentInput, DossierInput, InputBlob

log = logging.getLogger(__name__)


def display_name(name: str) -> str:
    """A file name as text that any store, database or JSON takes: bytes that are not UTF-8
    (old CP1258 or TCVN3 names, which Python keeps as lone surrogates) are written \\xNN."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _natural(name: str) -> list[object]:
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name)]


Unit = tuple[Path, "list[os.DirEntry[str]] | None"]
"""What becomes one dossier: a file named on the command line (None), or a folder with its
entries as listed."""


def units(paths: list[Path]) -> Iterator[Unit]:
    """The would-be dossiers under ``paths``, folders below a folder before it. Walked without
    recursion (folders nested thousands deep); a folder link is never walked into."""
    for path in paths:
        if not path.is_dir():
            yield path, None
            continue
        stack: list[tuple[Path, list[os.DirEntry[str]] | None]] = [(path, None)]
        while stack:
            folder, entries = stack.pop()
            if entries is not None:
                yield folder, entries
                continue
            entries = _entries(folder)
            stack.append((folder, entries))
            subfolders = [e for e in entries if e.is_dir(follow_symlinks=False)]
            stack.extend((Path(e.path), None) for e in reversed(subfolders))


def dossier_of(unit: Unit, settings: Settings) -> DossierInput | None:
    """The dossier a unit holds; None for a folder that holds no file."""
    path, entries = unit
    if entries is not None:
        return _from_folder(path, entries, settings)
    blob = _blob(path, path.parent.resolve(), follow=True)  # named by the user: followed
    name = safe_name(display_name(path.stem))
    doc = DocumentInput(name, (blob,))
    source = display_name(str(path))
    return DossierInput(settings.agency, name, source, (doc,), uploaded_at=_written([path]))


def dossiers_from_paths(paths: list[Path], settings: Settings) -> Iterator[DossierInput]:
    for unit in units(paths):
        dossier = dossier_of(unit, settings)
        if dossier is not None:
            yield dossier


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as listing:
            found = [e for e in listing if not e.name.startswith(".")]
    except OSError as exc:
        log.warning("cannot list %s: %s", display_name(str(folder)), exc.strerror)
        return []
    return sorted(found, key=lambda e: _natural(e.name))


def _from_folder(
    folder: Path, entries: list[os.DirEntry[str]], settings: Settings
) -> DossierInput | None:
    files = [e for e in entries if not e.is_dir(follow_symlinks=False)]
    if not files:
        return None
    inside = folder.resolve()
    blobs = [_blob(Path(e.path), inside) for e in files if e.name != MANIFEST]
    blobs = [b for b in blobs if b is not None]
    manifest_path = folder / MANIFEST
    has_manifest = any(e.name == MANIFEST and not e.is_dir(follow_symlinks=False) for e in entries)
    manifest_blob = _blob(manifest_path, inside) if has_manifest else None
    if not blobs and manifest_blob is None:
        return None
    code = safe_name(display_name(folder.name), "dossier")
    source = display_name(str(folder))
    manifest, rejection = Manifest(), None
    if manifest_blob is not None:
        rejection = manifest_blob.rejection
        if rejection is None:
            names = [b.name for b in blobs]
            try:
                manifest = read_manifest(manifest_path, settings, names)
            except PermanentError as exc:  # invalid, or over a manifest limit
                rejection = exc
    agency = manifest.agency or settings.agency
    written = _written([Path(e.path) for e in entries if not e.is_dir(follow_symlinks=False)])
    if rejection is not None:  # the whole folder, manifest included, goes to quarantine
        files = (*blobs, manifest_blob) if manifest_blob is not None else tuple(blobs)
        doc = DocumentInput("dossier", tuple(files))
        return DossierInput(agency, code, source, (doc,), rejection=rejection, uploaded_at=written)
    code = manifest.dossier_code or code
    documents = documents_from_manifest(blobs, manifest)
    return DossierInput(agency, code, source, documents, manifest, uploaded_at=written)


def _written(paths: list[Path]) -> dt.datetime | None:
    """When the first of a dossier's files was written: received then, unless it says."""
    times = []
    for path in paths:
        try:
            times.append(path.lstat().st_mtime)
        except OSError:
            continue  # refused with its reason elsewhere
    return dt.datetime.fromtimestamp(min(times), dt.UTC) if times else None


def _blob(path: Path, inside: Path, *, follow: bool = False) -> InputBlob | None:
    """The file at ``path`` as an input, or what is refused of it and why; None for a link to
    a folder inside the dossier folder (walked where it is)."""
    name = display_name(path.name)
    try:
        mode = (path.stat() if follow else path.lstat()).st_mode
        if stat.S_ISLNK(mode):
            target = path.resolve()
            if not target.is_relative_to(inside):
                shown = display_name(os.readlink(path))
                why = LinkOutside(f"a link to {shown}, outside the dossier folder", subject=name)
                return InputBlob(name, os.fsencode(os.readlink(path)), rejection=why)
            if target.is_dir():
                log.warning("%s: a link to a folder inside the dossier; not walked twice", name)
                return None
            mode = target.stat().st_mode
    except (OSError, RuntimeError) as exc:  # a dangling or looping link, a vanished file
        why = NotAFile(f"cannot be read: {getattr(exc, 'strerror', None) or exc}", subject=name)
        return InputBlob(name, b"", rejection=why)
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
        why = NotAFile(f"{kind}, not a regular file; not read", subject=name)
        return InputBlob(name, b"", rejection=why)
    return InputBlob(name, path)


def read_manifest(
    path: Path, settings: Settings | None = None, names: list[str] | None = None
) -> Manifest:
    """manifest.json at ``path``, within the limits, checked against ``names`` (default: the
    regular files beside it, hidden ones aside)."""
    limits = (settings or Settings()).limits
    if names is None:
        names = [e.name for e in _entries(path.parent) if e.is_file(follow_symlinks=False)]
    with path.open("rb") as handle:  # no more than the limit is read: enough to refuse it
        data = handle.read(limits.max_manifest_bytes + 1)
    return parse_manifest(data, names, display_name(str(path)), limits)
