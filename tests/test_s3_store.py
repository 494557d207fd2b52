"""Object store contract, the same tests over file:// and s3:// (moto's S3 server on loopback,
through the real minio SDK: per-role buckets and one bucket with prefixes)."""

from __future__ import annotations

import hashlib

import pytest

from schemas.errors import (
    ConfigurationError,
    InputChanged,
    InvalidObjectKey,
    ObjectConflict,
    ObjectNotFound,
    StorageUnavailable,
)
from schemas.settings import load_settings
from storage.objects import FileReader
from storage.places import open_store
from storage.s3 import S3ObjectStore
from storage.s3_events import keys_in_event
from tests.services import TcpProxy, make_s3_place


@pytest.fixture(params=["file", "s3-buckets", "s3-one-bucket"])
def store(request, tmp_path):
    if request.param == "file":
        return open_store(f"file://{tmp_path / 'objects'}")
    place = make_s3_place(request.getfixturevalue("moto_server").endpoint, tmp_path)
    if request.param == "s3-buckets":
        return place.store()
    settings = place.settings()
    one = open_store(f"{place.url}/{place.buckets['results']}", settings.s3)
    return one


KEY = "results/000.17.22.H56/2024/000.17.22.H56-240315-0001/quyet-dinh.v1.pdf"


def test_put_get_stat_list_delete(store):
    store.put(KEY, b"%PDF-1.7 signed")
    store.put("intake/000.17.22.H56/ho-so-1/trang 1.png", b"png bytes")
    store.put("intake/000.17.22.H56/ho-so-1/manifest.json", b"{}")
    assert store.get(KEY) == b"%PDF-1.7 signed"
    assert store.exists(KEY) and not store.exists(KEY + ".json")
    info = store.stat(KEY)
    assert (info.key, info.size) == (KEY, 15) and info.etag and info.version
    assert sorted(store.list("intake/000.17.22.H56/ho-so-1/")) == [
        "intake/000.17.22.H56/ho-so-1/manifest.json",
        "intake/000.17.22.H56/ho-so-1/trang 1.png",
    ]
    assert sorted(store.list()) == sorted(
        [
            KEY,
            "intake/000.17.22.H56/ho-so-1/manifest.json",
            "intake/000.17.22.H56/ho-so-1/trang 1.png",
        ]
    )
    assert [i.key for i in store.scan("res")] == [KEY]
    store.delete(KEY)
    assert not store.exists(KEY)
    store.delete(KEY)  # deleting what is gone is not an error


def test_overwrite_changes_the_version(store):
    store.put("intake/000.17.22.H56/a.png", b"first")
    first = store.stat("intake/000.17.22.H56/a.png")
    store.put("intake/000.17.22.H56/a.png", b"second, longer")
    second = store.stat("intake/000.17.22.H56/a.png")
    assert first.etag != second.etag and first.version != second.version


@pytest.mark.parametrize(
    "key",
    [
        KEY,
        "originals/000.17.22.H56/2024/d/" + "e" * 64 + ".png",
        "quarantine/corrupt/000.17.22.H56/d/" + "f" * 64 + "/scan.pdf",
    ],
)
def test_a_stored_object_is_never_replaced_with_other_bytes(store, tmp_path, key):
    store.put(key, b"the first bytes")
    store.put(key, b"the first bytes")  # the same bytes again: nothing to do
    with pytest.raises(ObjectConflict):
        store.put(key, b"other bytes")
    source = tmp_path / "other.bin"
    source.write_bytes(b"other bytes, from a file")
    with pytest.raises(ObjectConflict):
        store.put_file(key, source)
    assert store.get(key) == b"the first bytes"
    source.write_bytes(b"the first bytes")
    assert store.put_file(key, source) == hashlib.sha256(b"the first bytes").hexdigest()


def test_a_large_object_is_not_replaced_either(s3_place, tmp_path):
    small_parts = open_store(
        s3_place.url, s3_place.settings(s3={"part_size_mb": 5, **_creds(s3_place)}).s3
    )
    data = bytes(range(256)) * (6 * 1024 * 1024 // 256)  # 6 MiB: two parts
    key = "originals/000.17.22.H56/2024/d/" + "9" * 64 + ".tif"
    small_parts.put(key, data)
    small_parts.put(key, data)
    source = tmp_path / "big.tif"
    source.write_bytes(data[:-1] + b"\x00")
    with pytest.raises(ObjectConflict):
        small_parts.put_file(key, source)
    with pytest.raises(ObjectConflict):
        small_parts.put(key, data[:-1] + b"\x00")
    assert small_parts.get(key) == data


def test_vietnamese_key_round_trips(store):
    key = "intake/000.17.22.H56/hồ-sơ-đất/Giấy chứng nhận.png"
    store.put(key, "dữ liệu".encode())
    assert store.get(key) == "dữ liệu".encode()
    assert list(store.list("intake/000.17.22.H56/hồ-sơ-đất/")) == [key]


def test_missing_object_is_object_not_found(store):
    with pytest.raises(ObjectNotFound):
        store.get("originals/000.17.22.H56/2024/x/" + "0" * 64 + ".png")
    with pytest.raises(ObjectNotFound):
        store.stat("intake/000.17.22.H56/nothing.png")


@pytest.mark.parametrize("bad", ["../etc/passwd", "/abs/key", "intake/a/../b", "intake/a\x00b"])
def test_keys_from_outside_are_validated(store, bad):
    with pytest.raises(InvalidObjectKey):
        store.put(bad, b"x")


def test_large_objects_go_up_in_parts(s3_place):
    store = s3_place.store()
    assert isinstance(store, S3ObjectStore) and store.part_size == 16 * 1024 * 1024
    small_parts = open_store(
        s3_place.url, s3_place.settings(s3={"part_size_mb": 5, **_creds(s3_place)}).s3
    )
    data = bytes(range(256)) * (11 * 1024 * 1024 // 256)  # 11 MiB: three 5 MiB parts
    key = "originals/000.17.22.H56/2024/d/" + "a" * 64 + ".tif"
    small_parts.put(key, data)
    assert small_parts.get(key) == data
    assert small_parts.stat(key).etag.endswith("-3")  # S3's multipart ETag: <md5>-<parts>


def test_put_file_streams_a_file_and_returns_what_it_stored(store, tmp_path):
    source = tmp_path / "scan.tif"
    data = bytes(range(256)) * 4099
    source.write_bytes(data)
    key = "originals/000.17.22.H56/2024/d/" + "b" * 64 + ".tif"
    assert store.put_file(key, source) == hashlib.sha256(data).hexdigest()
    assert store.get(key) == data
    assert store.put_file(key, source, expected=hashlib.sha256(data).hexdigest())
    store.get_file(key, tmp_path / "back.tif")
    assert (tmp_path / "back.tif").read_bytes() == data
    with pytest.raises(ObjectNotFound):
        store.get_file(key + ".gone", tmp_path / "nothing.tif")


def test_put_file_of_bytes_other_than_expected_stores_nothing(store, tmp_path):
    source = tmp_path / "scan.tif"
    source.write_bytes(b"what the clerk dropped")
    key = "originals/000.17.22.H56/2024/d/" + "c" * 64 + ".tif"
    with pytest.raises(InputChanged, match="changed while it was being stored"):
        store.put_file(key, source, expected=hashlib.sha256(b"what was hashed").hexdigest())
    assert not store.exists(key)
    with pytest.raises(InputChanged, match="gone"):
        store.put_file(key, tmp_path / "missing.tif")


def test_a_multipart_upload_of_a_changed_file_is_aborted(s3_place, tmp_path):
    small_parts = open_store(
        s3_place.url, s3_place.settings(s3={"part_size_mb": 5, **_creds(s3_place)}).s3
    )
    source = tmp_path / "big.tif"
    source.write_bytes(bytes(range(256)) * (11 * 1024 * 1024 // 256))
    key = "originals/000.17.22.H56/2024/d/" + "d" * 64 + ".tif"
    with pytest.raises(InputChanged):
        small_parts.put_file(key, source, expected="0" * 64)
    assert not small_parts.exists(key)


def test_a_file_that_grows_while_it_is_read_is_caught(tmp_path):
    source = tmp_path / "growing.png"
    source.write_bytes(b"x" * 1000)
    with source.open("rb") as handle:
        reader = FileReader(handle, str(source), expected=None)
        with source.open("ab") as writer:  # the scanner is still writing
            writer.write(b"y" * 10)
        with pytest.raises(InputChanged, match="changed size"):
            while reader.read(300):
                pass


def _creds(place):
    return {
        "access_key_file": str(place.access_key_file),
        "secret_key_file": str(place.secret_key_file),
        "buckets": place.buckets,
    }


def test_unreachable_server_is_storage_unavailable(s3_place, moto_server):
    proxy = TcpProxy(moto_server.port).up()
    settings = s3_place.settings(s3={"connect_timeout_s": 1, "http_retries": 0, **_creds(s3_place)})
    store = open_store(f"s3://127.0.0.1:{proxy.port}", settings.s3)
    store.put("intake/000.17.22.H56/x.png", b"x")
    proxy.down()
    with pytest.raises(StorageUnavailable):
        store.get("intake/000.17.22.H56/x.png")
    with pytest.raises(StorageUnavailable):
        list(store.list("intake/"))
    proxy.up()
    assert store.get("intake/000.17.22.H56/x.png") == b"x"
    proxy.down()


def test_missing_bucket_is_retryable_in_a_job_and_a_configuration_error_at_start(s3_place):
    settings = s3_place.settings(s3={**_creds(s3_place), "buckets": {"results": "no-such-bucket"}})
    store = open_store(s3_place.url, settings.s3)
    with pytest.raises(StorageUnavailable):
        store.put(KEY, b"x")
    with pytest.raises(ConfigurationError):
        store.check()


def test_credentials_come_from_files_only(tmp_path):
    with pytest.raises(ConfigurationError):
        open_store("s3://user:secret@127.0.0.1:9000", load_settings({}).s3)
    settings = load_settings({"SOHOA_S3__ACCESS_KEY_FILE": str(tmp_path / "missing")})
    with pytest.raises(ConfigurationError):
        open_store("s3://127.0.0.1:9000", settings.s3)


def test_notifications_not_offered_by_moto(s3_place):
    """moto answers MinIO's ListenBucketNotification with a plain listing: not offered."""
    assert s3_place.store().notifications("intake") is None


# MinIO's notification records cannot be produced here (moto has no notifications). These
# records are shaped exactly as MinIO documents them (docs: "Bucket Notification", and
# ListenBucketNotification's output): keys URL-encoded, one JSON object per event.
MINIO_EVENT = {
    "EventName": "s3:ObjectCreated:Put",
    "Key": "sohoa-intake/000.17.22.H56/ho-so-1/manifest.json",
    "Records": [
        {
            "eventVersion": "2.0",
            "eventSource": "minio:s3",
            "awsRegion": "",
            "eventTime": "2024-03-15T02:41:54.321Z",
            "eventName": "s3:ObjectCreated:Put",
            "userIdentity": {"principalId": "sohoa"},
            "requestParameters": {
                "principalId": "sohoa",
                "region": "",
                "sourceIPAddress": "172.18.0.1",
            },
            "responseElements": {
                "content-length": "0",
                "x-amz-request-id": "17BF2B3C5E6D7A80",
                "x-minio-deployment-id": "5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
                "x-minio-origin-endpoint": "http://172.18.0.3:9000",
            },
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "Config",
                "bucket": {
                    "name": "sohoa-intake",
                    "ownerIdentity": {"principalId": "sohoa"},
                    "arn": "arn:aws:s3:::sohoa-intake",
                },
                "object": {
                    "key": "000.17.22.H56%2Fho-so-1%2Fmanifest.json",
                    "size": 412,
                    "eTag": "9b2cf535f27731c974343645a3985328",
                    "contentType": "application/json",
                    "userMetadata": {"content-type": "application/json"},
                    "sequencer": "17BF2B3C5F0A1B2C",
                },
            },
            "source": {"host": "172.18.0.1", "port": "", "userAgent": "MinIO (linux; amd64) mc"},
        }
    ],
}


def test_minio_event_records_name_our_keys():
    roles = {"sohoa-intake": "intake"}
    assert keys_in_event(MINIO_EVENT, roles) == ["intake/000.17.22.H56/ho-so-1/manifest.json"]
    spaced = {
        "Records": [
            {
                "eventName": "s3:ObjectCreated:CompleteMultipartUpload",
                "s3": {
                    "bucket": {"name": "sohoa-intake"},
                    "object": {"key": "000.17.22.H56/h%E1%BB%93+s%C6%A1/trang+1.tif"},
                },
            },
            {
                "eventName": "s3:ObjectRemoved:Delete",
                "s3": {"bucket": {"name": "sohoa-intake"}, "object": {"key": "x.png"}},
            },
            {
                "eventName": "s3:ObjectCreated:Put",
                "s3": {"bucket": {"name": "someone-else"}, "object": {"key": "y.png"}},
            },
        ]
    }
    assert keys_in_event(spaced, roles) == ["intake/000.17.22.H56/hồ sơ/trang 1.tif"]
    one_bucket = {"Records": [dict(MINIO_EVENT["Records"][0])]}
    one_bucket["Records"][0]["s3"] = {
        "bucket": {"name": "sohoa"},
        "object": {"key": "intake/000.17.22.H56/a.png"},
    }
    assert keys_in_event(one_bucket, {"sohoa": "intake"}, single_bucket=True) == [
        "intake/000.17.22.H56/a.png"
    ]
    assert keys_in_event({"Records": []}, roles) == []
