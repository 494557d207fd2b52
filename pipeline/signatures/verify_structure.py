"""Manipulation of a signed file's structure, found before and around signature validation.

    signatures(reader, hybrid) -> [EmbeddedPdfSignature]  hybrid files once checked
    hybrid_words(check) -> (attacks, notes)
    vanished(reader, stream, present) -> reasons   signatures an update made disappear
    read_failure(exc) -> str                   a signed revision or a later one that does not parse
    traces_of_signature(stream) -> bool        a /ByteRange in a file nobody can read

The rule (ETSI EN 319 102-1 FORMAT_FAILURE): when the signed bytes do not parse as the
revision they claim to be, when a later revision re-points objects the signature covered or
removes the signature, or when readers would disagree about what the file shows, the
signature fails. INDETERMINATE is kept for what cannot be known: trust, revocation, time.
"""

from __future__ import annotations

import re
from typing import BinaryIO

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import EmbeddedPdfSignature

from pipeline.signatures.verify_hybrid import HybridCheck
from pipeline.signatures.verify_hybrid import sections as _sections
from schemas.verification import Indication, SignatureReport

CHUNK = 1 << 20
OVERLAP = 128
BYTE_RANGE = re.compile(
    rb"/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]"
)


class _HybridChecked(EmbeddedPdfSignature):
    """A signature in a hybrid-reference file whose two cross-reference views were compared
    (``verify_hybrid``): pyHanko's blanket refusal of such files no longer applies."""

    def _enforce_hybrid_xref_policy(self) -> None:
        return None


def signatures(reader: PdfFileReader, hybrid: HybridCheck) -> list[EmbeddedPdfSignature]:
    embedded = list(reader.embedded_signatures)
    if not hybrid.hybrid:
        return embedded
    return [_HybridChecked(reader, e.sig_field, str(e.field_name)) for e in embedded]


def hybrid_words(check: HybridCheck) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(attacks, notes) in words."""
    attacks = tuple(
        "the file's two cross-reference tables disagree about %s, which is part of the pages "
        "or the form: different readers show different content" % what
        for what in check.conflicts
    )
    if not check.hybrid:
        return attacks, ()
    if check.conflicts:
        agree = ": they disagree about the pages or the form (see the signatures)"
    elif check.notes:
        agree = ": they differ only outside the pages and the form (%s)" % ", ".join(check.notes)
    else:
        agree = " and agree"
    note = (
        "hybrid-reference file (a classic cross-reference table and an /XRefStm stream); "
        "both were compared for every revision" + agree
    )
    return attacks, (note,)


def _byte_ranges(stream: BinaryIO) -> set[tuple[int, int, int, int]]:
    """Every ``/ByteRange [a b c d]`` written in the file, read in chunks."""
    found: set[tuple[int, int, int, int]] = set()
    stream.seek(0)
    tail = b""
    while chunk := stream.read(CHUNK):
        window = tail + chunk
        found.update((int(a), int(b), int(c), int(d)) for a, b, c, d in BYTE_RANGE.findall(window))
        tail = window[-OVERLAP:]
    return found


def vanished(
    reader: PdfFileReader, stream: BinaryIO, present: set[tuple[int, ...]]
) -> tuple[str, ...]:
    """Signatures written in the file, each over a whole revision of it, that the final
    document no longer shows: a later update re-pointed the document away from them."""
    ends = [s.meta_info.end_location for s in _sections(reader)]
    reasons = []
    for start, first, second, length in sorted(_byte_ranges(stream) - present):
        signed = second + length
        revision = max((i for i, end in enumerate(ends) if end <= signed), default=None)
        if start != 0 or revision is None or first >= second:
            continue  # not a signature over a revision of this file
        reasons.append(
            "a signature over revision %d (bytes 0-%d) is no longer part of the document: a "
            "later update re-pointed the document to content it did not sign"
            % (revision + 1, signed)
        )
    return tuple(reasons)


def present_ranges(reader: PdfFileReader) -> set[tuple[int, ...]]:
    """The /ByteRange of every filled signature field of the final document."""
    ranges = set()
    for _name, value, _field in enumerate_sig_fields(reader, filled_status=True):
        try:
            ranges.add(tuple(int(x) for x in value.get_object()["/ByteRange"]))
        except (KeyError, TypeError, ValueError):
            continue
    return ranges


def removed_report(reason: str) -> SignatureReport:
    """A signature an update made disappear: failed, whatever its bytes say."""
    return SignatureReport(
        field_name="(removed)",
        indication=Indication.TOTAL_FAILED,
        sub_indication="FORMAT_FAILURE",
        reasons=(reason,),
        intact=False,
        valid=False,
        trusted=False,
        coverage="UNCLEAR",
    )


def read_failure(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return (
        "part of the file does not parse as the PDF it claims to be (%s): a lenient reader "
        "may show content that was never signed" % text[:200]
    )


def traces_of_signature(stream: BinaryIO) -> bool:
    """Whether the bytes hold a signature dictionary's /ByteRange (read in chunks)."""
    stream.seek(0)
    tail = b""
    while chunk := stream.read(CHUNK):
        if b"/ByteRange" in tail + chunk:
            return True
        tail = chunk[-16:]
    return False
