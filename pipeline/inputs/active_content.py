"""Active content in a PDF: what can run or be launched when the file is opened or clicked.

    find_active(data) -> tuple[str, ...]     every place of a file, in words; never raises
    strip_page(page) -> list[str]            remove it from one page (a pypdf writer's page)

Active: JavaScript anywhere; actions (``/OpenAction``, additional actions ``/AA`` of the
document, a page, an annotation or a form field; an annotation's ``/A``), whatever their type
(JavaScript, Launch, SubmitForm, ImportData, URI, GoToR ...); embedded files (``/EmbeddedFiles``,
FileAttachment annotations); XFA forms; and the annotations that play or embed something
(Movie, Sound, Screen, RichMedia, 3D). A page sohoa signs keeps only passive markup
annotations (notes, highlights, stamps, shapes, ink), without their actions.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

log = logging.getLogger(__name__)

PASSIVE_ANNOTATIONS = frozenset(
    "/" + name
    for name in (
        "Text FreeText Line Square Circle Polygon PolyLine Highlight Underline Squiggly "
        "StrikeOut Stamp Caret Ink Popup Redact"
    ).split()
)
# annotations that are active by what they are; a Link or a Widget only by its actions
ACTIVE_ANNOTATIONS = frozenset(
    ("/FileAttachment", "/Movie", "/Sound", "/Screen", "/RichMedia", "/3D")
)
_ACTION_KEYS = ("/A", "/AA")
MAX_FINDINGS = 200  # a hostile file may carry thousands; the first ones say enough


def _action_kinds(action: Any, depth: int = 0) -> list[str]:
    """The /S of an action and of the actions it chains with /Next."""
    try:
        action = action.get_object()
        if isinstance(action, ArrayObject):
            return [k for a in action for k in _action_kinds(a, depth + 1)] if depth < 8 else []
        if not isinstance(action, DictionaryObject):
            return ["?"]
        kinds = [str(action.get("/S", "?")).lstrip("/")]
        if "/Next" in action and depth < 8:
            kinds += _action_kinds(action["/Next"], depth + 1)
        return kinds
    except Exception:  # noqa: BLE001 - a broken action is still an action
        return ["?"]


def _describe_actions(holder: DictionaryObject, where: str) -> list[str]:
    found = []
    if "/A" in holder:
        found.append("%s: action (%s)" % (where, ", ".join(_action_kinds(holder["/A"]))))
    if "/AA" in holder:
        extra = holder["/AA"].get_object()
        triggers = extra.items() if isinstance(extra, DictionaryObject) else [("?", extra)]
        for trigger, action in triggers:
            kinds = ", ".join(_action_kinds(action))
            found.append("%s: additional action %s (%s)" % (where, trigger, kinds))
    return found


def _annotation_findings(annot: DictionaryObject, where: str) -> list[str]:
    subtype = str(annot.get("/Subtype", "/?"))
    found = _describe_actions(annot, "%s %s annotation" % (where, subtype))
    parent = annot.get("/Parent")  # a widget's form field may carry the actions
    parent = parent.get_object() if parent is not None else None
    if subtype == "/Widget" and isinstance(parent, DictionaryObject) and "/AA" in parent:
        found += _describe_actions(
            DictionaryObject({NameObject("/AA"): parent["/AA"]}), where + " form field"
        )
    if subtype in ACTIVE_ANNOTATIONS:
        name = ""
        if subtype == "/FileAttachment" and "/FS" in annot:
            spec = annot["/FS"].get_object()
            if isinstance(spec, DictionaryObject):
                name = " %s" % (spec.get("/UF") or spec.get("/F") or "")
        found.append("%s: %s annotation%s" % (where, subtype.lstrip("/"), name))
    return found


def _annotations(page: DictionaryObject) -> list[DictionaryObject]:
    annots = page.get("/Annots")
    annots = annots.get_object() if annots is not None else None
    if not isinstance(annots, ArrayObject):
        return []
    found = []
    for ref in annots:
        annot = ref.get_object()
        if isinstance(annot, DictionaryObject):
            found.append(annot)
    return found


def _page_findings(page: DictionaryObject, number: int) -> list[str]:
    where = "page %d" % number
    found = _describe_actions(page, where)
    for annot in _annotations(page):
        found += _annotation_findings(annot, where)
    return found


def _document_findings(reader: PdfReader) -> list[str]:
    root = reader.trailer["/Root"].get_object()
    found = []
    if "/OpenAction" in root:
        target = root["/OpenAction"].get_object()
        if isinstance(target, DictionaryObject):  # an array is a plain destination
            found.append("document: open action (%s)" % ", ".join(_action_kinds(target)))
    found += _describe_actions(root, "document")
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject):
        for tree, what in (("/JavaScript", "JavaScript"), ("/EmbeddedFiles", "embedded files")):
            if tree in names:
                found.append("document: %s (/Names %s)" % (what, tree))
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if isinstance(form, DictionaryObject) and "/XFA" in form:
        found.append("document: XFA form")
    return found


def _findings(reader: PdfReader) -> Iterator[str]:
    yield from _document_findings(reader)
    for number, page in enumerate(reader.pages, 1):
        yield from _page_findings(page, number)


def find_active(data: bytes | Path) -> tuple[str, ...]:
    """Where ``data`` carries active content, one line per place (at most MAX_FINDINGS).
    Never raises: a file that cannot be read says so in the one line returned."""
    found: list[str] = []
    try:
        _scan(data, found)
    except Exception as exc:  # noqa: BLE001 - a diagnosis, never a traceback
        log.info("active content scan stopped: %r", exc)
        found.append("the file could not be searched for active content to the end: %s" % exc)
    return tuple(found)


def active_left(data: bytes | Path) -> tuple[str, ...]:
    """``find_active`` for a file sohoa made itself: one it cannot read raises (pypdf's own
    error), since that is sohoa's fault and not a finding about anyone's input."""
    found: list[str] = []
    _scan(data, found)
    return tuple(found)


def _scan(data: bytes | Path, found: list[str]) -> None:
    reader = PdfReader(data if isinstance(data, Path) else io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        return
    for line in _findings(reader):
        found.append(line)
        if len(found) >= MAX_FINDINGS:
            found.append("... and maybe more (only the first %d are listed)" % MAX_FINDINGS)
            return


def strip_page(page: DictionaryObject, number: int) -> list[str]:
    """Remove every action and every non-passive annotation from one page (a page of a
    pypdf writer, changed in place); return what was removed, in words."""
    removed = _describe_actions(page, "page %d" % number)
    for key in _ACTION_KEYS:
        if key in page:
            del page[NameObject(key)]
    annots = page.get("/Annots")
    if annots is None:
        return removed
    kept = ArrayObject()
    for ref in annots.get_object() if isinstance(annots.get_object(), ArrayObject) else []:
        annot = ref.get_object()
        if not isinstance(annot, DictionaryObject):
            continue
        subtype = str(annot.get("/Subtype", "/?"))
        if subtype not in PASSIVE_ANNOTATIONS:
            removed.append(_removed_annotation(annot, subtype, number))
            continue
        removed += _describe_actions(annot, "page %d %s annotation" % (number, subtype))
        for key in _ACTION_KEYS:
            if key in annot:
                del annot[NameObject(key)]
        kept.append(ref)
    if kept:
        page[NameObject("/Annots")] = kept
    else:
        del page[NameObject("/Annots")]
    return removed


def _removed_annotation(annot: DictionaryObject, subtype: str, number: int) -> str:
    """One line for an annotation removed whole: its kind, attachment name and actions."""
    parts = _annotation_findings(annot, "page %d" % number)
    if subtype not in ACTIVE_ANNOTATIONS:
        parts.insert(0, "page %d: %s annotation" % (number, subtype.lstrip("/")))
    return "; ".join(parts)
