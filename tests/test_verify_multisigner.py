"""The multi-signer workflow: a tagged PDF (LibreOffice) signed by several signers one after
another, some with visible stamps tagged as a tagged-PDF signer does (a /Form structure element
with an OBJR to the widget, its /ParentTree entry). Earlier signatures see those later
signatures as "signatures", an allowed change; anything else still fails.

Material: tests/data/multisigner/tagged-memo.pdf, made once from memo.fodt (see README.md).
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from pipeline.signatures.verification import verify_pdf
from schemas.errors import ExitCode
from schemas.verification import Indication
from tests.conftest import REPO
from tests.pki_support import Served, served_pki_fixture  # noqa: F401 - served_pki
from tests.test_verify_attacks import _replace_content, update

MEMO = (REPO / "tests" / "data" / "multisigner" / "tagged-memo.pdf").read_bytes()


def _tag_widget(writer: IncrementalPdfFileWriter, name: str) -> None:
    """What a tagged-PDF signer adds for a visible signature: a /Form element holding an
    OBJR to the widget, appended to the document element, and its /ParentTree entry."""
    form = writer.root["/AcroForm"]
    widget_ref = next(f for f in form["/Fields"] if f.get_object().get("/T") == name)
    widget = widget_ref.get_object()
    page_ref = widget.raw_get("/P")
    tree = writer.root["/StructTreeRoot"]
    document_ref = tree["/K"].raw_get(0)
    document = document_ref.get_object()
    parent_tree = tree["/ParentTree"]
    nums = parent_tree["/Nums"]
    key = max(int(nums[i]) for i in range(0, len(nums), 2)) + 1
    element = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/StructElem"),
            generic.pdf_name("/S"): generic.pdf_name("/Form"),
            generic.pdf_name("/P"): document_ref,
            generic.pdf_name("/Pg"): page_ref,
            generic.pdf_name("/K"): generic.DictionaryObject(
                {
                    generic.pdf_name("/Type"): generic.pdf_name("/OBJR"),
                    generic.pdf_name("/Obj"): widget_ref,
                    generic.pdf_name("/Pg"): page_ref,
                }
            ),
        }
    )
    element_ref = writer.add_object(element)
    kids = document.raw_get("/K")
    if isinstance(kids, generic.IndirectObject):
        kids.get_object().append(element_ref)
        writer.mark_update(kids)
    else:
        kids.append(element_ref)
        writer.mark_update(document_ref)
    nums.extend([generic.NumberObject(key), element_ref])
    writer.mark_update(tree.raw_get("/ParentTree"))
    widget["/StructParent"] = generic.NumberObject(key)
    writer.mark_update(widget_ref)


def sign_next(data: bytes, signer, name: str, visible: bool, extra=None) -> bytes:
    """Sign in one update, with ``extra(writer)`` smuggled into the same update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    if extra is not None:
        extra(writer)
    box = (40 + 150 * (int(name[-1]) % 3), 60, 180 + 150 * (int(name[-1]) % 3), 120)
    spec = fields.SigFieldSpec(name, box=box if visible else None, on_page=0)
    fields.append_signature_field(writer, spec)
    if visible:
        _tag_widget(writer, name)
    meta = signers.PdfSignatureMetadata(field_name=name, md_algorithm="sha256")
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=out)
    return out.getvalue()


SIGNERS = [("signer", "S1", True), ("signer-expiring", "S2", False), ("signer", "S3", True)]


@pytest.fixture(scope="module")
def signed(served_pki: Served) -> list[bytes]:
    """The memo after each signature, in order."""
    versions, data = [], MEMO
    for label, name, visible in SIGNERS:
        data = sign_next(data, served_pki.signer(label), name, visible)
        versions.append(data)
    return versions


def _verify(data: bytes, served_pki: Served):
    return verify_pdf(
        data, name="memo.pdf", trust_roots=served_pki.roots, fetchers=served_pki.fetchers
    )


def test_every_signer_of_the_tagged_memo_passes(signed, served_pki: Served) -> None:
    report = _verify(signed[-1], served_pki)
    assert report.exit_code is ExitCode.OK, [s.reasons for s in report.signatures]
    assert [s.field_name for s in report.signatures] == ["S1", "S2", "S3"]
    assert [s.changes for s in report.signatures] == ["signatures", "signatures", "none"]
    assert [s.revision for s in report.signatures] == [2, 3, 4]  # the memo itself is 1
    assert [s.covers_final for s in report.signatures] == [False, False, True]
    assert report.whole_document == "S3"
    assert report.signatures[0].summary.startswith(
        "Unchanged since it was signed (later signatures added since); signed by"
    )
    assert "Sắp hết hạn" in report.signatures[1].signer or "expiring" in report.signatures[1].signer


def test_the_tagging_is_what_made_it_other_for_pyhanko(signed) -> None:
    """pyHanko's default rules call the tagged stamp a change of structure (OTHER)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, SuspiciousModification

    reader = PdfFileReader(io.BytesIO(signed[2]))  # S3, visible and tagged, after S2
    second = reader.embedded_signatures[1]
    review = DEFAULT_DIFF_POLICY.review_file(reader, second.signed_revision)
    assert isinstance(review, SuspiciousModification), review


def test_content_changed_between_signers_still_fails(signed, served_pki: Served) -> None:
    tampered = update(signed[0], _replace_content)
    again = sign_next(tampered, served_pki.signer("signer-expiring"), "S2", True)
    report = _verify(again, served_pki)
    first, second = report.signatures
    assert (first.indication, first.changes) == (Indication.TOTAL_FAILED, "other")
    assert second.indication is Indication.TOTAL_PASSED
    assert report.exit_code is ExitCode.FAILED


def test_a_tagged_element_that_points_elsewhere_fails(signed, served_pki: Served) -> None:
    """A later 'signer' that also adds a structure element for something else is not a
    signature change."""

    def sneak(writer: IncrementalPdfFileWriter) -> None:
        tree = writer.root["/StructTreeRoot"]
        document_ref = tree["/K"].raw_get(0)
        element = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/StructElem"),
                generic.pdf_name("/S"): generic.pdf_name("/P"),
                generic.pdf_name("/P"): document_ref,
            }
        )
        document_ref.get_object()["/K"].append(writer.add_object(element))
        writer.mark_update(document_ref)

    report = _verify(update(signed[0], sneak), served_pki)
    (first,) = report.signatures
    assert (first.indication, first.changes) == (Indication.TOTAL_FAILED, "other")


def test_a_later_signer_that_re_points_the_parent_tree_fails(signed, served_pki: Served) -> None:
    """Tagging its own widget is allowed; changing what an existing /ParentTree entry points
    at (which marked content belongs to which element), in the same update, is not."""

    def also_re_point(writer: IncrementalPdfFileWriter) -> None:
        tree = writer.root["/StructTreeRoot"]
        nums = tree["/ParentTree"]["/Nums"]
        nums[1] = generic.ArrayObject(list(nums[1])[::-1])  # page 1's marked content, shuffled
        writer.mark_update(tree.raw_get("/ParentTree"))

    for sneaky in (
        sign_next(signed[0], served_pki.signer("signer-expiring"), "S2", True, also_re_point),
        sign_next(
            update(signed[0], also_re_point), served_pki.signer("signer-expiring"), "S2", True
        ),
    ):
        first, second = _verify(sneaky, served_pki).signatures
        assert (first.indication, first.changes) == (Indication.TOTAL_FAILED, "other")
        assert second.indication is Indication.TOTAL_PASSED
