"""Object keys from outside, and the file object store (unit + contract)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.errors import InvalidObjectKey, ObjectNotFound
from storage.object_keys import original_key, quarantine_key, quarantine_report_key, validate_key
from storage.objects import FileObjectStore
from storage.places import open_store


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "a/../b",
        "../x",
        "a//b",
        "a/./b",
        "a\\b",
        "a/b\x00c",
        "a/\u202eb",
        " a/b",
        "a/" + "x" * 300,
    ],
)
def test_hostile_keys_are_refused(key):
    with pytest.raises(InvalidObjectKey):
        validate_key(key)


def test_vietnamese_keys_are_accepted_and_normalised():
    decomposed = "intake/000.17.22.H56/Ho\u0302\u0300 so\u031b/ảnh 1.png"
    assert validate_key(decomposed) == "intake/000.17.22.H56/Hồ sơ/ảnh 1.png"


@given(parts=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=5))
def test_a_valid_key_never_escapes_its_root(parts, tmp_path_factory):
    root = tmp_path_factory.mktemp("store")
    try:
        key = validate_key("/".join(parts))
    except InvalidObjectKey:
        return
    path = FileObjectStore(root)._path(key).resolve()
    assert path.is_relative_to(root.resolve())


def test_key_builders():
    sha = "a" * 64
    assert original_key("000.17.22.H56", 2024, "d1", sha, "png") == (
        f"originals/000.17.22.H56/2024/d1/{sha}.png"
    )
    with pytest.raises(InvalidObjectKey):
        original_key("x", 2024, "d1", "not-a-hash", "png")
    assert quarantine_key("corrupt", "x", "d", sha, "scan 1.png") == (
        f"quarantine/corrupt/x/d/{sha}/scan 1.png"
    )
    with pytest.raises(InvalidObjectKey):
        quarantine_key("corrupt", "x", "d", "not-a-hash", "scan.png")


def test_names_that_collapse_into_one_segment_keep_their_own_keys():
    """A control character, a trailing space and NFD all make the same segment; the content
    hash keeps their bytes apart."""
    names = ["scan.pdf", "scan\x07.pdf", "scan.pdf ", "Ho\u0302\u0300.pdf", "H\u1ed3.pdf"]
    found = {quarantine_key("corrupt", "x", "d", f"{i:064x}", name) for i, name in enumerate(names)}
    assert len(found) == len(names)


def test_a_long_name_leaves_room_for_the_report():
    sha = "b" * 64
    key = quarantine_key("corrupt", "x", "d", sha, "đ" * 200 + ".pdf")  # 404 bytes
    name = key.rsplit("/", 1)[1]
    assert name.endswith(".pdf") and len(name.encode()) <= 239
    assert quarantine_report_key(key).endswith(".pdf.error.json")
    assert quarantine_report_key(key, 42).endswith(".pdf.error.42.json")


def test_file_store_round_trip(tmp_path):
    store = open_store(f"file://{tmp_path}")
    store.put("results/a/b.pdf", b"%PDF-1.7 bytes")
    store.put("results/a/c.json", b"{}")
    assert store.get("results/a/b.pdf") == b"%PDF-1.7 bytes"
    assert store.exists("results/a/b.pdf") and not store.exists("results/a/zzz")
    assert list(store.list("results/")) == ["results/a/b.pdf", "results/a/c.json"]
    store.delete("results/a/b.pdf")
    with pytest.raises(ObjectNotFound):
        store.get("results/a/b.pdf")
    assert not any(p.name.startswith(".tmp-") for p in tmp_path.rglob("*"))
