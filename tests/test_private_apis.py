"""The third-party calls outside a library's public API, each used in one place, each checked
here: by its signature (the parameters we pass, by name and order) and by what it does.

A new pypdf, pyHanko or minio that changes one of them fails here, by name, instead of
somewhere in a job. pyproject.toml caps each of these libraries below its next untried
release; ``scripts/test.sh --lowest`` runs the unit tests on the lowest versions allowed.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
from pathlib import Path

import pytest
from minio import Minio
from minio.error import S3Error
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefCache, XRefSection
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject, NameObject, StreamObject

from pipeline.reading.searchable_pdf import indirect
from pipeline.signatures.signing import load_signer, make_dev_pki, sign_pdf
from pipeline.signatures.verify_hybrid import check_hybrid, sections
from schemas.signing import SignatureSpec
from storage import s3_sdk
from tests.test_signing import tiny_pdf

ATTACKS = Path(__file__).parent / "data" / "attacks"


def _parameters(function: object) -> tuple[str, ...]:
    return tuple(inspect.signature(function).parameters)  # type: ignore[arg-type]


# -- pypdf: PdfWriter._add_object (pipeline.reading.searchable_pdf.indirect) -----------------------


def test_pypdf_add_object_takes_one_object() -> None:
    assert _parameters(PdfWriter._add_object) == ("self", "obj")


def test_pypdf_add_object_makes_an_indirect_object_that_is_written() -> None:
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    stream = StreamObject()
    stream.set_data(b"q Q\n")
    ref = indirect(writer, stream)
    assert isinstance(ref, IndirectObject) and ref.get_object() is stream
    page[NameObject("/Contents")] = ref
    out = io.BytesIO()
    writer.write(out)
    contents = PdfReader(io.BytesIO(out.getvalue())).pages[0].raw_get("/Contents")
    assert isinstance(contents, IndirectObject)
    assert contents.get_object().get_data() == b"q Q\n"


# -- pyHanko: PdfSigner.init_signing_session and PdfSigningSession.system_time ------------
# (pipeline.signatures.signing._ClockedPdfSigner: the claimed signing time is ours)


def test_pyhanko_init_signing_session_is_called_as_we_override_it() -> None:
    expected = ("self", "pdf_out", "existing_fields_only")
    assert _parameters(signers.PdfSigner.init_signing_session) == expected
    assert "system_time" in _parameters(PdfSigningSession.__init__)


def test_pyhanko_signs_at_the_time_we_claim() -> None:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    pki = make_dev_pki(now)
    claimed = now - dt.timedelta(minutes=2)  # the dev certificate is valid from now - 5 min
    signer = load_signer(pki.pkcs12, pki.password, now=now)
    signed = sign_pdf(tiny_pdf(), signer, spec=SignatureSpec(signing_time=claimed))
    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.self_reported_timestamp == claimed


# -- pyHanko: XRefCache._xref_sections, PdfFileReader._read_object (signatures.verify_hybrid) --


def test_pyhanko_xref_sections_and_read_object_are_there() -> None:
    assert _parameters(PdfFileReader._read_object)[:3] == ("self", "ref", "marker")
    with (ATTACKS / "hybrid-signed.pdf").open("rb") as file:
        reader = PdfFileReader(file, strict=True)
        assert isinstance(reader.xrefs, XRefCache)
        found = sections(reader)
        assert len(found) >= 2 and all(isinstance(s, XRefSection) for s in found)
        ref = generic.Reference(1, 0, reader)
        marker = found[0].xref_data.standard_xrefs.get(1)
        assert marker is not None
        assert isinstance(reader._read_object(ref, marker[1]), generic.PdfObject)  # noqa: SLF001


@pytest.mark.parametrize(
    ("name", "conflicts"), [("hybrid-signed.pdf", 0), ("hybrid-stream-hides-content.pdf", 1)]
)
def test_pyhanko_internals_still_find_a_hybrid_conflict(name: str, conflicts: int) -> None:
    with (ATTACKS / name).open("rb") as file:
        found = check_hybrid(PdfFileReader(file, strict=True))
    assert found.hybrid
    assert len(found.conflicts) >= conflicts and (conflicts or not found.conflicts)


# -- minio: Minio._put_object, Minio._execute, Minio._base_url (storage.s3_sdk) ----------


@pytest.mark.parametrize("method", sorted(s3_sdk.PRIVATE_CALLS))
def test_minio_private_calls_take_what_we_pass(method: str) -> None:
    expected = ("self", *s3_sdk.PRIVATE_CALLS[method])
    assert _parameters(getattr(Minio, method))[: len(expected)] == expected


def test_minio_names_its_endpoint() -> None:
    assert s3_sdk.endpoint(Minio("objects.example:9000", secure=False)) == "objects.example:9000"


def test_minio_put_if_absent_is_refused_the_second_time(s3_place) -> None:
    client = s3_place.store().client
    bucket = s3_place.buckets["originals"]
    s3_sdk.put_if_absent(client, bucket, "a/once", b"first")
    with pytest.raises(S3Error) as refused:
        s3_sdk.put_if_absent(client, bucket, "a/once", b"second")
    assert refused.value.code == "PreconditionFailed"
    answer = client.get_object(bucket, "a/once")
    try:
        assert answer.read() == b"first"
    finally:
        answer.close()
        answer.release_conn()


def test_minio_listen_answers_with_an_unread_response(s3_place) -> None:
    """moto has no notifications and answers with its XML listing: what matters here is that
    the answer comes back unread, to be streamed line by line (S3ObjectStore.notifications)."""
    client = s3_place.store().client
    bucket = s3_place.buckets["intake"]
    query = {"prefix": "", "suffix": "", "events": ("s3:ObjectCreated:*",)}
    response = s3_sdk.listen(client, bucket, query)
    try:
        assert response.status == 200
        assert "json" not in response.headers.get("Content-Type", "")
        assert response.readline().startswith(b"<")
    finally:
        response.close()
        response.release_conn()


# -- the bounds in pyproject.toml ---------------------------------------------------------

REPO = Path(__file__).parent.parent
CAPPED = {"pypdf", "pyhanko", "minio"}  # the libraries whose private calls are checked above


def _requirements() -> dict[str, tuple[str, str | None]]:
    """name -> (lower bound, upper bound) of each of sohoa's own dependencies."""
    import re
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    found = {}
    for line in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", line).group(0).lower()  # type: ignore[union-attr]
        lower = re.search(r">=\s*([0-9][^,;\s]*)", line)
        upper = re.search(r"<\s*([0-9][^,;\s]*)", line)
        assert lower, f"{line}: no lower bound"
        found[name] = (lower.group(1), upper.group(1) if upper else None)
    return found


def _padded(version: str) -> tuple[int, ...]:
    parts = tuple(int(p) for p in version.split("."))
    return parts + (0,) * (3 - len(parts))


def test_lowest_pins_are_the_lower_bounds() -> None:
    pins = {}
    for line in (REPO / "scripts" / "lowest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.lower()] = version
    bounds = _requirements()
    assert set(pins) == set(bounds)
    assert {n: _padded(pins[n]) for n in pins} == {n: _padded(b[0]) for n, b in bounds.items()}


def test_the_libraries_used_outside_their_api_are_capped() -> None:
    bounds = _requirements()
    assert all(bounds[name][1] is not None for name in CAPPED), bounds
