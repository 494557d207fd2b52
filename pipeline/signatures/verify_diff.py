"""What changed after each signature, with one comparison per revision instead of n²/2.

pyHanko's StandardDiffPolicy reviews every revision after a signature against that
signature's revision: with n signatures that is n²/2 comparisons, each growing with the
number of fields (60 signatures: 1,770 comparisons, 18.7 s CPU; 250: more than 300 s).
Chained, 60 signatures take 59 comparisons and 3.4 s CPU, 250 take 32 s: each comparison
still walks its signed revision once (pyHanko's map of where each object is used), so the
cost grows with signatures x document size, no longer with its cube.

``ChainedDiffPolicy`` reviews the revisions after a signature only up to the revision the
next signature signed, and takes that signature's own review for the rest. Signatures are
therefore reviewed last first (``verification._validate_all`` does). A change after the next
signature that pyHanko's rules accept against the next signed revision is accepted here too,
at the level found there; a change they reject is rejected for every earlier signature.

Locks are the exception, because a later signature's review does not know an earlier one's:
a signature with a FieldMDP lock or a DocMDP permission is reviewed against every later
revision, exactly as pyHanko does; and a later review that failed under that later
signature's own lock is not carried over (the earlier signature is then reviewed in full).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import (
    DiffPolicy,
    DiffResult,
    ModificationLevel,
    StandardDiffPolicy,
    SuspiciousModification,
)
from pyhanko.sign.fields import FieldMDPSpec, MDPPerm

from pipeline.signatures.verify_rules import POLICY

Review = DiffResult | SuspiciousModification


@dataclass(frozen=True)
class _Reviewed:
    result: Review
    locked: bool


class ChainedDiffPolicy(DiffPolicy):
    """pyHanko's default rules and ours (``verify_rules``), each revision reviewed once."""

    def __init__(self, rules: StandardDiffPolicy = POLICY) -> None:
        self.rules = rules
        self.reviewed: dict[int, _Reviewed] = {}
        self.comparisons = 0
        """How many pairs of revisions were compared (for measurements and tests)."""

    def apply(self, old, new, field_mdp_spec=None, doc_mdp=None) -> DiffResult:  # type: ignore[override]
        self.comparisons += 1
        return self.rules.apply(old, new, field_mdp_spec=field_mdp_spec, doc_mdp=doc_mdp)

    def review_file(  # type: ignore[override]
        self,
        reader: PdfFileReader,
        base_revision: int,
        field_mdp_spec: FieldMDPSpec | None = None,
        doc_mdp: MDPPerm | None = None,
    ) -> Review:
        locked = field_mdp_spec is not None or doc_mdp is not None
        later = sorted(r for r in self.reviewed if r > base_revision)
        carried: _Reviewed | None = None
        if later and not locked:
            carried = self.reviewed[later[0]]
            if isinstance(carried.result, SuspiciousModification) and carried.locked:
                carried = None
        stop = later[0] if carried is not None else reader.xrefs.total_revisions - 1
        result = self._review(reader, base_revision, stop, field_mdp_spec, doc_mdp)
        if carried is not None and isinstance(result, DiffResult):
            result = _combine(result, carried.result)
        self.reviewed[base_revision] = _Reviewed(result, locked)
        return result

    def _review(
        self,
        reader: PdfFileReader,
        base: int,
        stop: int,
        field_mdp_spec: FieldMDPSpec | None,
        doc_mdp: MDPPerm | None,
    ) -> Review:
        """Revisions base+1 .. stop against ``base``, as StandardDiffPolicy.review_file."""
        old = reader.get_historical_resolver(base)
        level = ModificationLevel.NONE
        fields: set[str] = set()
        for revision in range(base + 1, stop + 1):
            try:
                diff = self.apply(
                    old,
                    reader.get_historical_resolver(revision),
                    field_mdp_spec=field_mdp_spec,
                    doc_mdp=doc_mdp,
                )
            except SuspiciousModification as exc:
                return exc
            level = max(level, diff.modification_level)
            fields |= diff.changed_form_fields
        return DiffResult(level, fields)


def _combine(mine: DiffResult, later: Review) -> Review:
    if isinstance(later, SuspiciousModification):
        return later
    return DiffResult(
        max(mine.modification_level, later.modification_level),
        mine.changed_form_fields | later.changed_form_fields,
    )


def memoise_history(reader: PdfFileReader) -> None:
    """Answer "in which revision did this object last change / first appear" once per object.

    pyHanko scans every cross-reference section on each such question, and a review asks it
    for every object of a revision: with 250 signatures that was 13 million section lookups,
    most of the 300 s. The sections never change once read, so the answers are kept.
    """
    xrefs = reader.xrefs
    for name in ("get_last_change", "get_introducing_revision"):
        setattr(xrefs, name, _memoised(getattr(xrefs, name)))


def _memoised(lookup: Callable[[Any], int]) -> Callable[[Any], int]:
    answers: dict[tuple[int, int], int] = {}

    def cached(ref: Any) -> int:
        key = (ref.idnum, ref.generation)
        if key not in answers:
            answers[key] = lookup(ref)
        return answers[key]

    return cached
