"""The review of changes after each signature costs one pass over the file, not n²/2, and
reaches pyHanko's own verdict on every signature (pipeline/signatures/verify_diff.py)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult

from pipeline.signatures.signing import load_signer, make_dev_pki, sign_pdf
from pipeline.signatures.verification import verify_pdf
from pipeline.signatures.verify_diff import ChainedDiffPolicy
from schemas.errors import ExitCode
from schemas.signing import SignatureSpec
from tests.test_signing import tiny_pdf
from tests.test_verify_attacks import _replace_content, update

NOW = dt.datetime.now(dt.UTC)
SIGNERS = 6


@pytest.fixture(scope="module")
def chain():
    dev = make_dev_pki(NOW)
    signer = load_signer(dev.pkcs12, dev.password, now=NOW)
    data = tiny_pdf()
    for index in range(SIGNERS):
        data = sign_pdf(data, signer, spec=SignatureSpec(field_name="S%d" % index))
        if index == 2:  # content changed after the third signature, then three more sign it
            tampered = update(data, _replace_content)
    for index in range(3, SIGNERS):
        tampered = sign_pdf(tampered, signer, spec=SignatureSpec(field_name="S%d" % index))
    return data, tampered, dev.ca_cert_pem


def _reviews(data: bytes):
    """(pyHanko's review, ours) per signature, ours made last first as verification does."""
    reader = PdfFileReader(io.BytesIO(data))
    embedded = sorted(reader.embedded_signatures, key=lambda e: e.signed_revision)
    chained = ChainedDiffPolicy()
    ours = {
        e.signed_revision: chained.review_file(reader, e.signed_revision) for e in embedded[::-1]
    }
    theirs = {
        e.signed_revision: DEFAULT_DIFF_POLICY.review_file(reader, e.signed_revision)
        for e in embedded
    }
    return theirs, ours, chained.comparisons, reader.xrefs.total_revisions


def test_each_revision_is_compared_once_and_the_verdicts_agree(chain) -> None:
    data, _tampered, _ca = chain
    theirs, ours, comparisons, revisions = _reviews(data)
    assert comparisons == revisions - 2  # every revision after the first signed one, once
    for revision, want in theirs.items():
        got = ours[revision]
        assert isinstance(want, DiffResult) and isinstance(got, DiffResult)
        assert got.modification_level == want.modification_level, revision


def test_a_change_between_signatures_fails_every_earlier_one(chain) -> None:
    _data, tampered, ca = chain
    theirs, ours, _comparisons, _revisions = _reviews(tampered)
    for revision in theirs:
        assert isinstance(ours[revision], DiffResult) == isinstance(theirs[revision], DiffResult)
    report = verify_pdf(tampered, name="t", trust_roots=[ca])
    assert report.exit_code is ExitCode.FAILED
    assert [s.changes for s in report.signatures] == ["other"] * 3 + ["signatures"] * 2 + ["none"]
    assert [s.indication.value for s in report.signatures[2:4]] == ["TOTAL_FAILED", "TOTAL_PASSED"]


def test_all_signatures_of_the_chain_pass(chain) -> None:
    data, _tampered, ca = chain
    report = verify_pdf(data, name="c", trust_roots=[ca])
    assert report.exit_code is ExitCode.OK
    assert [s.changes for s in report.signatures] == ["signatures"] * (SIGNERS - 1) + ["none"]
