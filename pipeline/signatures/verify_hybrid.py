"""Hybrid-reference files (a classic xref table plus an /XRefStm stream): do both views agree?

    check_hybrid(reader) -> HybridCheck        never raises

Word writes such files, and Vietnamese documents are often made in Word and then signed. A
hybrid file can show different things to different readers: one that trusts the classic
table, one that looks in the stream first, and the PDF 1.5 rule pyHanko follows (the table
first, then the stream). Each revision's objects are resolved in all three ways; an object
that resolves to different objects is a conflict. A conflict in an object that a revision's
pages (content, resources, annotations and their appearances) or its form (fields, widgets,
signature dictionaries) reach is an attack: what was signed, or what was changed after it,
depends on the reader. Any other conflict is a note.

Reads pyHanko's cross-reference sections (``XRefCache._xref_sections``, in ``sections``) and
one object at a given location (``PdfFileReader._read_object``, in ``_serialised``): neither
has a public accessor in pyHanko 0.38; tests/test_private_apis.py fails when one changes.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefSection, XRefSectionData

log = logging.getLogger(__name__)
SKIP_KEYS = {"/Parent", "/P", "/StructParent", "/StructParents", "/Dest", "/A", "/PA"}
MAX_OBJECTS = 200_000


@dataclass(frozen=True)
class HybridCheck:
    hybrid: bool
    conflicts: tuple[str, ...] = ()
    """Disagreements that change what a revision shows: an attack."""
    notes: tuple[str, ...] = ()


def sections(reader: PdfFileReader) -> list[XRefSection]:
    return list(reader.xrefs._xref_sections)  # noqa: SLF001 - no public accessor


def _entry(data: XRefSectionData, idnum: int) -> object:
    """What one section (without its hybrid part) says about ``idnum``: a location, 'free'
    or None (nothing)."""
    if idnum in data.xrefs_in_objstm:
        return data.xrefs_in_objstm[idnum]
    if idnum in data.standard_xrefs:
        return data.standard_xrefs[idnum]
    if idnum in data.freed:
        return "free"
    return None


def _resolve(sections: list[XRefSection], idnum: int, order: str) -> object:
    """Where ``idnum`` lives for a reader that looks in ``order`` ('classic': tables only,
    'stream': a section's stream before its table, 'table': the table, then the stream)."""
    for section in reversed(sections):
        data = section.xref_data
        hybrid = data.hybrid.xref_data if data.hybrid is not None else None
        found = _entry(data, idnum)
        if hybrid is not None and order != "classic":
            in_stream = _entry(hybrid, idnum)
            if order == "stream" and in_stream is not None:
                found = in_stream
            elif found is None:
                found = in_stream
        if found is not None:
            return None if found == "free" else found
    return None


def _serialised(reader: PdfFileReader, idnum: int, location: object) -> bytes | None:
    """The object at ``location``, written out, or None when it cannot be read."""
    generation = location[0] if isinstance(location, tuple) else 0
    marker = location[1] if isinstance(location, tuple) else location
    ref = generic.Reference(idnum, generation, reader)
    try:
        obj = reader._read_object(ref, marker)  # noqa: SLF001 - read one given location
        out = io.BytesIO()
        obj.write_to_stream(out, None)
        if isinstance(obj, generic.StreamObject):
            out.write(obj.encoded_data or b"")
        return out.getvalue()
    except Exception as exc:
        log.debug("object %d at %r unreadable: %r", idnum, marker, exc)
        return None


def _walk(obj: object, seen: set[int], budget: list[int]) -> None:
    stack = [obj]
    while stack and budget[0] > 0:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            budget[0] -= 1
            try:
                item = item.get_object()
            except Exception:
                continue
        if isinstance(item, generic.DictionaryObject):
            stack.extend(v for k, v in item.items() if k not in SKIP_KEYS)
        elif isinstance(item, generic.ArrayObject):
            stack.extend(item)


def _shown(reader: PdfFileReader, revision: int) -> set[int] | None:
    """Objects the pages and the form of ``revision`` reach; None when unknown."""
    try:
        root = reader.get_historical_resolver(revision).root
        seen: set[int] = set()
        budget = [MAX_OBJECTS]
        for key in ("/Pages", "/AcroForm"):
            _walk(root.raw_get(key) if key in root else None, seen, budget)
        return seen if budget[0] > 0 else None
    except Exception as exc:
        log.debug("revision %d: cannot walk its pages: %r", revision, exc)
        return None


def _candidates(section: XRefSection) -> Iterator[int]:
    data = section.xref_data
    if data.hybrid is None:
        return
    hybrid = data.hybrid.xref_data
    yield from sorted({*hybrid.standard_xrefs, *hybrid.xrefs_in_objstm})


def check_hybrid(reader: PdfFileReader) -> HybridCheck:
    """Compare the classic table's and the stream's view of every revision."""
    try:
        if not reader.xrefs.hybrid_xrefs_present:
            return HybridCheck(hybrid=False)
        parts = sections(reader)
    except Exception:
        return HybridCheck(hybrid=False)
    conflicts: list[str] = []
    notes: list[str] = []
    for revision, section in enumerate(parts):
        shown: set[int] | None = None
        for idnum in _candidates(section):
            views = {_resolve(parts[: revision + 1], idnum, o) for o in ORDERS} - {None}
            if len(views) < 2:
                continue
            bodies = {_serialised(reader, idnum, loc) for loc in views}
            if len(bodies) < 2 and None not in bodies:
                continue  # two copies of the same object (one unreadable: not the same)
            if shown is None:
                shown = _shown(reader, revision) or set()
                unknown = not shown
            what = "object %d in revision %d" % (idnum, revision + 1)
            if unknown or idnum in shown:
                conflicts.append(what)
            else:
                notes.append(what)
    return HybridCheck(hybrid=True, conflicts=tuple(conflicts), notes=tuple(notes))


ORDERS = ("classic", "stream", "table")
