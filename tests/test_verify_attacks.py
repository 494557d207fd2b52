"""Tampered, truncated, re-signed and shadow-modified copies of a signed sohoa result are
rejected with a reason a clerk can read; tools that only check the CMS would accept several."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from pipeline.signatures.signing import load_signer, make_dev_pki, sign_pdf
from pipeline.signatures.verification import VerifyPolicy, verify_pdf
from pipeline.signatures.verify_verdict import ModificationPolicy
from schemas.errors import ExitCode
from schemas.results import FileStatus, Indication
from schemas.signing import SignatureSpec, SigningLevel
from tests.conftest import CONFORMANCE, REPO
from tests.pki_support import Served, served_pki_fixture  # noqa: F401 - served_pki
from tests.test_signing import tiny_pdf

NOW = dt.datetime.now(dt.UTC)
FORM = (CONFORMANCE / "pdf" / "minimal-with-simple-form.pdf").read_bytes()


@pytest.fixture(scope="module")
def results(served_pki: Served) -> dict[str, tuple[bytes, list[bytes]]]:
    """name -> (signed result, trust roots): the embedded default (B-B) and a B-LTA."""
    dev = make_dev_pki(NOW)
    b_b = sign_pdf(tiny_pdf(), load_signer(dev.pkcs12, dev.password, now=NOW))
    lta = sign_pdf(tiny_pdf(), served_pki.signer(), profile=served_pki.profile(SigningLevel.B_LTA))
    return {"B-B": (b_b, [dev.ca_cert_pem]), "B-LTA": (lta, served_pki.roots)}


def verify(data: bytes, roots: list[bytes], **kwargs: object):
    return verify_pdf(data, name="result.pdf", trust_roots=roots, **kwargs)


def update(data: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def readable(reasons: tuple[str, ...]) -> bool:
    text = " ".join(reasons)
    return bool(reasons) and "Traceback" not in text and "Error(" not in text


BASES = ["B-B", "B-LTA"]


@pytest.mark.parametrize("base", BASES)
def test_the_untouched_result_passes(results, base: str) -> None:
    assert verify(*results[base]).ok


@pytest.mark.parametrize("base", BASES)
def test_one_flipped_byte_fails_with_hash_failure(results, base: str) -> None:
    data, roots = results[base]
    position = data.index(b"Hello sohoa")
    tampered = bytearray(data)
    tampered[position] ^= 0x20
    (sig, *_) = verify(bytes(tampered), roots).signatures
    assert (sig.indication, sig.sub_indication) == (Indication.TOTAL_FAILED, "HASH_FAILURE")
    assert readable(sig.reasons) and "changed after it was signed" in sig.reasons[0]


@pytest.mark.parametrize("base", BASES)
def test_no_truncation_passes(results, base: str) -> None:
    data, roots = results[base]
    for cut in (len(data) // 3, len(data) // 2, len(data) - 40, len(data) - 7):
        report = verify(data[:cut], roots)
        assert not report.ok, cut
        assert report.detail or all(readable(s.reasons) for s in report.signatures)


def _cover_with_annotation(writer: IncrementalPdfFileWriter) -> None:
    """Hide: a white box annotation over the signed text."""
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    annot = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Square"),
            generic.pdf_name("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (10, 50, 200, 90)]
            ),
            generic.pdf_name("/IC"): generic.ArrayObject([generic.FloatObject(1)] * 3),
            generic.pdf_name("/C"): generic.ArrayObject([generic.FloatObject(1)] * 3),
        }
    )
    annots = page.get("/Annots")
    if annots is None:
        page["/Annots"] = annots = generic.ArrayObject()
    annots.append(writer.add_object(annot))
    writer.update_container(page)


def _replace_content(writer: IncrementalPdfFileWriter) -> None:
    """Replace: the page's content stream now says something else."""
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 18 Tf 20 60 Td (Paid in full) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)


def _hide_and_replace(writer: IncrementalPdfFileWriter) -> None:
    """Hide-and-replace: the same object number, new bytes, in the appended revision."""
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    ref = page.raw_get("/Contents")
    writer.mark_update(ref)
    writer.objects[(ref.generation, ref.idnum)] = generic.StreamObject(
        stream_data=b"BT /F1 18 Tf 20 60 Td (Jello sohoa) Tj ET"
    )


def _add_page(writer: IncrementalPdfFileWriter) -> None:
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (0, 0, 300, 144)]
            ),
            generic.pdf_name("/Resources"): generic.DictionaryObject(),
        }
    )
    writer.insert_page(page)


SHADOWS = {
    "hide-with-annotation": (_cover_with_annotation, "changed after it was signed"),
    "replace-content": (_replace_content, "content, pages or structure"),
    "hide-and-replace": (_hide_and_replace, "content, pages or structure"),
    "added-page": (_add_page, "content, pages or structure"),
}


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("attack", list(SHADOWS))
def test_shadow_modifications_fail(results, base: str, attack: str) -> None:
    data, roots = results[base]
    change, words = SHADOWS[attack]
    modified = update(data, change)
    assert modified.startswith(data)  # the signed bytes are untouched: CMS checks still pass
    (sig,) = verify(modified, roots).signatures
    assert sig.intact and sig.valid, "what pdfsig and openssl cms look at is still fine"
    assert sig.indication is Indication.TOTAL_FAILED, (attack, sig)
    assert readable(sig.reasons) and words in " ".join(sig.reasons), sig.reasons


@pytest.mark.parametrize("base", BASES)
def test_re_signed_by_someone_else_fails(results, base: str) -> None:
    """Content changed in an update that an outsider then signed: ours fails, theirs is
    untrusted; the file fails."""
    data, roots = results[base]
    attacker = make_dev_pki(NOW)
    changed = update(data, _replace_content)
    signer = load_signer(attacker.pkcs12, attacker.password, now=NOW)
    resigned = sign_pdf(changed, signer, spec=SignatureSpec(field_name="Sig2"))
    report = verify(resigned, roots)
    ours, theirs = report.signatures
    assert ours.indication is Indication.TOTAL_FAILED and readable(ours.reasons)
    assert theirs.indication is Indication.INDETERMINATE
    assert "not issued by a trusted authority" in " ".join(theirs.reasons)
    assert report.exit_code is ExitCode.FAILED


def test_a_copy_re_signed_from_scratch_is_not_trusted(results) -> None:
    _data, roots = results["B-B"]
    attacker = make_dev_pki(NOW)
    forged = sign_pdf(
        tiny_pdf(b"Jello sohoa"), load_signer(attacker.pkcs12, attacker.password, now=NOW)
    )
    report = verify(forged, roots)
    assert report.exit_code is ExitCode.INDETERMINATE and not report.ok


def _fill(value: str):
    def change(writer: IncrementalPdfFileWriter) -> None:
        for ref in writer.root["/AcroForm"]["/Fields"]:
            field = ref.get_object()
            if field.get("/FT") == "/Tx":
                field["/V"] = generic.TextStringObject(value)
                writer.mark_update(ref)

    return change


def test_a_form_value_changed_to_attacker_fails_unless_policy_allows() -> None:
    """pyHanko rates this FORM_FILLING and its bottom line passes: the approval signature
    does not lock the field. Ours fails it by default; a policy may accept form filling."""
    dev = make_dev_pki(NOW)
    signed = sign_pdf(FORM, load_signer(dev.pkcs12, dev.password, now=NOW))
    attacked = update(signed, _fill("Attacker"))
    (sig,) = verify(attacked, [dev.ca_cert_pem]).signatures
    assert (sig.modification_level, sig.docmdp_ok, sig.trusted) == ("FORM_FILLING", True, True)
    assert (sig.indication, sig.changes) == (Indication.TOTAL_FAILED, "form-filling")
    assert sig.changed_fields == ("TextField1",) and "TextField1" in " ".join(sig.reasons)
    lenient = VerifyPolicy(modifications=ModificationPolicy(allow_form_filling=True))
    (sig,) = verify(attacked, [dev.ca_cert_pem], policy=lenient).signatures
    assert sig.indication is Indication.TOTAL_PASSED


def test_a_later_signature_is_not_a_modification(results) -> None:
    data, roots = results["B-B"]
    dev_roots = roots
    other = make_dev_pki(NOW)
    signer = load_signer(other.pkcs12, other.password, now=NOW)
    twice = sign_pdf(data, signer, spec=SignatureSpec(field_name="S2"))
    first, _second = verify(twice, dev_roots + [other.ca_cert_pem]).signatures
    assert first.changes == "signatures" and first.indication is Indication.TOTAL_PASSED


def test_an_unsigned_copy_is_no_signature() -> None:
    report = verify(tiny_pdf(), [])
    assert report.status is FileStatus.NO_SIGNATURE and report.exit_code is ExitCode.NO_SIGNATURE


# --- files made by tests/data/attacks/make.py (see its README) --------------------------------

ATTACKS = REPO / "tests" / "data" / "attacks"
INTEROP = REPO / "tests" / "data" / "interop"
MADE = json.loads((ATTACKS / "made.json").read_text())
MADE_AT = dt.datetime.fromisoformat(MADE["signed_at"]) + dt.timedelta(hours=1)


def verify_made(name: str):
    roots = [(ATTACKS / "ca.pem").read_bytes()]
    return verify_pdf(ATTACKS / name, name=name, trust_roots=roots, at=MADE_AT)


@pytest.mark.parametrize(
    "name", ["shadow-base.pdf", "shadow-base-wellformed.pdf", "hybrid-signed.pdf"]
)
def test_the_made_signed_files_pass(name: str) -> None:
    report = verify_made(name)
    assert report.exit_code is ExitCode.OK, report
    if name.startswith("hybrid"):
        assert "hybrid-reference" in " ".join(report.notes) and "agree" in report.notes[0]


SHADOW_FILES = {
    "shadow-hide.pdf": ("SIG_CONSTRAINTS_FAILURE", "content, pages or structure"),
    "shadow-hide-wellformed.pdf": ("SIG_CONSTRAINTS_FAILURE", "content, pages or structure"),
    "shadow-replace.pdf": ("FORMAT_FAILURE", "does not parse as the PDF it claims to be"),
    "shadow-replace-wellformed.pdf": ("SIG_CONSTRAINTS_FAILURE", "content, pages or structure"),
    "shadow-hide-and-replace.pdf": ("FORMAT_FAILURE", "no longer part of the document"),
    "shadow-hide-and-replace-wellformed.pdf": ("FORMAT_FAILURE", "no longer part"),
    "hybrid-stream-hides-content.pdf": ("FORMAT_FAILURE", "cross-reference tables disagree"),
}


@pytest.mark.parametrize("name", sorted(SHADOW_FILES))
def test_a_shadow_attack_is_a_failure_with_its_reason(name: str) -> None:
    """Never INDETERMINATE, never 'no signature', never unreadable: manipulated is failed."""
    sub, words = SHADOW_FILES[name]
    report = verify_made(name)
    assert report.exit_code is ExitCode.FAILED, report
    (sig,) = report.signatures
    assert (sig.indication, sig.sub_indication) == (Indication.TOTAL_FAILED, sub), sig
    assert readable(sig.reasons) and words in " ".join(sig.reasons), sig.reasons
    assert sig.summary.startswith("NOT valid: ") and words in sig.summary
    if name.startswith("hybrid"):
        assert "disagree about the pages or the form" in report.notes[0]


def test_the_signed_bytes_of_the_attacks_are_the_signed_file() -> None:
    """What pdfsig and a CMS check look at is untouched: the attacks only append."""
    for name in SHADOW_FILES:
        base = (
            "hybrid-signed.pdf"
            if name.startswith("hybrid")
            else ("shadow-base.pdf" if "wellformed" not in name else "shadow-base-wellformed.pdf")
        )
        assert (ATTACKS / name).read_bytes().startswith((ATTACKS / base).read_bytes()), name


def test_a_hybrid_file_made_by_word_and_signed_elsewhere_is_intact() -> None:
    """Real material: Microsoft Word's classic table + /XRefStm, signed by an HSM tool."""
    path = INTEROP / "hybrid-xref-word-signed.pdf"
    report = verify_pdf(path, name=path.name, trust_roots=[])
    (sig,) = report.signatures
    assert (sig.intact, sig.valid, sig.coverage) == (True, True, "ENTIRE_FILE"), sig
    assert sig.indication is Indication.INDETERMINATE  # its signer is nobody we trust
    assert "hybrid-reference" in report.notes[0]


def _appended(data: bytes, tail: bytes) -> bytes:
    last = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    return data + tail.replace(b"PREV", b"%d" % last).replace(b"HERE", b"%d" % (len(data) + 4))


def test_a_lenient_only_reading_fails() -> None:
    """The signed bytes untouched, an update whose startxref is 3 bytes off: only a lenient
    reader opens the file, and what it shows is a failure, not a doubt."""
    signed = (ATTACKS / "shadow-base-wellformed.pdf").read_bytes()
    update = b"\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 40 /Root 1 0 R /Prev PREV >>"
    damaged = _appended(signed, update + b"\nstartxref\nHERE\n%%EOF\n")
    report = verify_pdf(
        damaged, name="d", trust_roots=[(ATTACKS / "ca.pem").read_bytes()], at=MADE_AT
    )
    (sig,) = report.signatures
    assert (sig.indication, sig.sub_indication) == (Indication.TOTAL_FAILED, "FORMAT_FAILURE")
    assert "only a lenient reading opens it" in " ".join(sig.reasons)


def test_a_signed_file_that_no_longer_opens_fails() -> None:
    signed = (ATTACKS / "shadow-base-wellformed.pdf").read_bytes()
    report = verify_pdf(
        signed + b"\nstartxref\n999999\n%%EOF\n",
        name="d",
        trust_roots=[(ATTACKS / "ca.pem").read_bytes()],
        at=MADE_AT,
    )
    assert report.exit_code is ExitCode.FAILED and report.detail
    (sig,) = report.signatures
    assert "holds a signature but does not parse" in sig.reasons[0]
