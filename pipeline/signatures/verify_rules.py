"""What a later signer may add to a signed document, beyond pyHanko's default rules.

    POLICY: StandardDiffPolicy     pyHanko's DEFAULT_DIFF_POLICY plus the two rules below

In the multi-signer workflow of Vietnamese offices (a decree signed by a person, then by the
organ several times), each signature adds its own field, widget and appearance (pyHanko's
``SigFieldCreationRule`` accepts those), and in a tagged PDF also:

* ``SignatureTaggingRule``: a structure element for the new widget (an OBJR to it), appended to
  the /K of an existing element or of the StructTreeRoot, and its entry in the /ParentTree
  (with /ParentTreeNextKey). Existing entries must stay as they were; only elements that point
  at the revision's new signature widgets may be added.
* ``PermsRule``: an updated /Perms (usage rights), as long as the certification (/DocMDP) stays
  the same.

Anything else still fails as pyHanko's rules decide.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    ModificationLevel,
    QualifiedWhitelistRule,
    ReferenceUpdate,
    StandardDiffPolicy,
    SuspiciousModification,
)
from pyhanko.sign.diff_analysis.constants import ROOT_EXEMPT_STRICT_COMPARISON
from pyhanko.sign.diff_analysis.rules.file_structure_rules import CatalogModificationRule
from pyhanko.sign.fields import enumerate_sig_fields

log = logging.getLogger(__name__)
LEVEL = ModificationLevel.LTA_UPDATES
MAX_ELEMENTS = 200_000
TREE_KEYS = frozenset({"/K", "/ParentTree", "/ParentTreeNextKey"})


def _key(value: object, depth: int = 0) -> object:
    """A comparable form of a PDF value: references by number, not by handler."""
    if isinstance(value, generic.IndirectObject):
        return ("ref", value.idnum, value.generation)
    if depth > 8:
        return repr(value)
    if isinstance(value, generic.DictionaryObject):
        return tuple(sorted((k, _key(value.raw_get(k), depth + 1)) for k in value))
    if isinstance(value, generic.ArrayObject):
        return tuple(_key(value.raw_get(i), depth + 1) for i in range(len(value)))
    return repr(value)


def _is_new(old: HistoricalResolver, ref: generic.Reference) -> bool:
    try:
        return old.reader.xrefs.get_introducing_revision(ref) > old.revision
    except KeyError:
        return True


def _items(value: object) -> list[object]:
    if isinstance(value, generic.ArrayObject):
        return [value.raw_get(i) for i in range(len(value))]
    return [] if value is None else [value]


def _new_widgets(old: HistoricalResolver, new: HistoricalResolver) -> set[tuple[int, int]]:
    """The widget annotations of the signature fields this revision created."""
    widgets = set()
    for _name, _value, field_ref in enumerate_sig_fields(new):
        if not _is_new(old, field_ref.reference):
            continue
        field = field_ref.get_object()
        kids = _items(field.raw_get("/Kids")) if "/Kids" in field else [field_ref]
        widgets.update(_key(k)[1:] for k in kids if isinstance(k, generic.IndirectObject))
    return widgets


def _elements(tree: generic.DictionaryObject) -> Iterator[tuple[generic.IndirectObject, object]]:
    """(reference, dictionary) of every indirect structure element below ``tree``."""
    stack = _items(tree.raw_get("/K")) if "/K" in tree else []
    seen: set[tuple[int, int]] = set()
    while stack and len(seen) < MAX_ELEMENTS:
        item = stack.pop()
        if not isinstance(item, generic.IndirectObject) or _key(item)[1:] in seen:
            continue
        seen.add(_key(item)[1:])
        element = item.get_object()
        if isinstance(element, generic.DictionaryObject) and "/OBJR" != element.get("/Type"):
            yield item, element
            if "/K" in element:
                stack.extend(_items(element.raw_get("/K")))


def _points_only_at(element: generic.DictionaryObject, widgets: set[tuple[int, int]]) -> bool:
    kids = [
        k.get_object() if isinstance(k, generic.IndirectObject) else k
        for k in _items(element.raw_get("/K") if "/K" in element else None)
    ]
    return bool(kids) and all(
        isinstance(k, generic.DictionaryObject)
        and k.get("/Type") == "/OBJR"
        and isinstance(k.raw_get("/Obj"), generic.IndirectObject)
        and _key(k.raw_get("/Obj"))[1:] in widgets
        for k in kids
    )


def _grown_by(old_items: list[object], new_items: list[object], allowed: set) -> bool:
    """``new_items`` = ``old_items`` plus references in ``allowed`` only."""
    extra = Counter(_key(i) for i in new_items) - Counter(_key(i) for i in old_items)
    missing = Counter(_key(i) for i in old_items) - Counter(_key(i) for i in new_items)
    return not missing and all(k[0] == "ref" and k[1:] in allowed for k in extra.elements())


def _pairs(node: generic.DictionaryObject) -> Counter:
    """A /ParentTree node's /Nums as a multiset of (key, value)."""
    nums = _items(node.raw_get("/Nums")) if "/Nums" in node else []
    return Counter((_key(nums[i]), _key(nums[i + 1])) for i in range(0, len(nums) - 1, 2))


def _listed(node: generic.DictionaryObject, key: str) -> list[object]:
    return _items(node.raw_get(key)) if key in node else []


def _same_except(before: generic.DictionaryObject, now: generic.DictionaryObject, ignored) -> bool:
    keys = set(now) - ignored
    return keys == set(before) - ignored and all(
        _key(now.raw_get(k)) == _key(before.raw_get(k)) for k in keys
    )


def _only_added(extra: Counter, added: set) -> bool:
    return all(v[0] == "ref" and v[1:] in added for _k, v in extra.elements())


def _grown_node(old, before, now, added) -> bool:
    """An existing StructTreeRoot, structure element or /ParentTree node that only took in
    the ``added`` elements (and new /ParentTree nodes)."""
    ignored = TREE_KEYS | {"/Nums", "/Limits", "/Kids"}
    if not _same_except(before, now, ignored):
        return False
    if not _grown_by(_listed(before, "/K"), _listed(now, "/K"), added):
        return False
    new_kids = {
        _key(k)[1:]
        for k in _listed(now, "/Kids")
        if isinstance(k, generic.IndirectObject) and _is_new(old, k.reference)
    }
    if not _grown_by(_listed(before, "/Kids"), _listed(now, "/Kids"), new_kids):
        return False
    old_pairs, new_pairs = _pairs(before), _pairs(now)
    return not (old_pairs - new_pairs) and _only_added(new_pairs - old_pairs, added)


class SignatureTaggingRule(QualifiedWhitelistRule):
    """Structure elements, /ParentTree entries and StructTreeRoot updates for new signature
    widgets of a tagged PDF."""

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        root = new.root
        tree_ref = root.raw_get("/StructTreeRoot") if "/StructTreeRoot" in root else None
        if not isinstance(tree_ref, generic.IndirectObject) or "/StructTreeRoot" not in old.root:
            return
        try:
            widgets = _new_widgets(old, new)
            added = {
                _key(ref)[1:]
                for ref, element in _elements(tree_ref.get_object())
                if widgets and _is_new(old, ref.reference) and _points_only_at(element, widgets)
            }
        except Exception as exc:  # a damaged tree explains nothing; pyHanko's rules decide
            log.debug("structure tree not analysed: %r", exc)
            return
        if not added:
            return
        for ref in new.explicit_refs_in_revision():
            if (ref.idnum, ref.generation) in added or _approves(old, new, ref, added):
                yield LEVEL, ReferenceUpdate(ref)


def _approves(old, new, ref, added) -> bool:
    """Whether the object ``ref`` only changed to take in the ``added`` elements."""
    try:
        now = new.get_object(ref)
        before = None if _is_new(old, ref) else old.get_object(ref)
    except Exception:
        return False
    if isinstance(now, generic.ArrayObject) and isinstance(before, generic.ArrayObject):
        return _grown_by(_items(before), _items(now), added)  # an indirect /K array
    if not isinstance(now, generic.DictionaryObject):
        return False
    if before is None:  # a new /ParentTree node holding only the new elements
        pairs = _pairs(now)
        return bool(pairs) and _only_added(pairs, added) and "/Type" not in now
    if not isinstance(before, generic.DictionaryObject):
        return False
    return _grown_node(old, before, now, added)


class PermsRule(QualifiedWhitelistRule):
    """/Perms may change (usage rights) while its /DocMDP, the certification, stays."""

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        before, now = old.root.get("/Perms"), new.root.get("/Perms")
        if now is None:
            if before is not None:
                raise SuspiciousModification("the document's /Perms were removed")
            return
        docmdp = _key(before.raw_get("/DocMDP")) if before and "/DocMDP" in before else None
        if docmdp != (_key(now.raw_get("/DocMDP")) if "/DocMDP" in now else None):
            raise SuspiciousModification("the document's certification (/DocMDP) was changed")
        raw = new.root.raw_get("/Perms")
        if isinstance(raw, generic.IndirectObject):
            yield LEVEL, ReferenceUpdate(raw.reference)


def _policy() -> StandardDiffPolicy:
    rules = [
        CatalogModificationRule(ignored_keys=ROOT_EXEMPT_STRICT_COMPARISON | {"/Perms"})
        if isinstance(rule, CatalogModificationRule)
        else rule
        for rule in DEFAULT_DIFF_POLICY.global_rules
    ]
    return StandardDiffPolicy(
        global_rules=[*rules, PermsRule(), SignatureTaggingRule()],
        form_rule=DEFAULT_DIFF_POLICY.form_rule,
    )


POLICY = _policy()
