"""Objects in S3 (MinIO in a deployment) through the ``minio`` SDK.

The first segment of our keys is a role (``intake``, ``originals``, ``results``,
``quarantine``). ``s3://host:port`` keeps each role in its own bucket (``Settings.s3.buckets``);
``s3://host:port/bucket`` keeps every role as a prefix of that one bucket. Objects larger than
``part_size_mb`` go up as multipart uploads. The SDK retries a call a few times, briefly; what
still fails is translated into our error tree at this boundary and nowhere else:

    NoSuchKey                                       -> ObjectNotFound      (permanent)
    KeyTooLongError, InvalidObjectName               -> InvalidObjectKey    (permanent)
    EntityTooLarge                                   -> InputTooLarge       (permanent)
    any other S3 error code (NoSuchBucket, AccessDenied, SlowDown, InternalError ...),
    5xx answers, answers that are not S3, refused or reset connections, timeouts
                                                     -> StorageUnavailable  (retryable)

A local file read for an upload or written by a download is not the store: its errors are
translated where it is read or written (storage/objects.py: ``read_local``, ``write_local``:
DiskFull, LocalFileRefused, LocalDiskError) and pass through this boundary unchanged.

Nothing stored is replaced with different bytes (``keys.is_immutable``). An object of one
part goes up with ``If-None-Match: *``: the server refuses to replace anything, and then the
same bytes are fine, other bytes an ObjectConflict. A multipart object is checked by a stat
and a compare before the upload (the SDK cannot send the condition with
CompleteMultipartUpload): two writers racing with different bytes for one new key in that
window could replace each other, which our keys (hashes, versions handed out once) rule out.

A missing bucket or refused credentials are retryable on purpose: they are the operator's to
fix, and a dossier must then end ``failed`` (re-runnable), never quarantined. ``check()`` says
so at start-up instead, as a ConfigurationError.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import urllib3
from minio import Minio
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError

from schemas.errors import (
    ConfigurationError,
    InputTooLarge,
    InvalidObjectKey,
    ObjectConflict,
    ObjectNotFound,
    SohoaError,
    StorageUnavailable,
)
from schemas.settings import S3Settings
from storage import s3_sdk
from storage.object_keys import is_immutable, validate_key
from storage.objects import FileReader, ObjectInfo, file_sha256, read_local, write_local
from storage.s3_events import keys_in_event

log = logging.getLogger(__name__)

ROLES = ("intake", "originals", "results", "quarantine")
_PERMANENT = {
    "NoSuchKey": ObjectNotFound,
    "KeyTooLongError": InvalidObjectKey,
    "InvalidObjectName": InvalidObjectKey,
    "EntityTooLarge": InputTooLarge,
}
# Answers of servers that do not offer MinIO's ListenBucketNotification extension.
_NO_NOTIFICATIONS = {"NotImplemented", "MethodNotAllowed", "InvalidArgument", "InvalidRequest"}


def _secret(path: Path | None, what: str) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the {what}: {exc.strerror}", subject=str(path)
        ) from exc


@contextmanager
def _boundary(subject: str) -> Iterator[None]:
    """Translate what the SDK and urllib3 raise into our error tree."""
    try:
        yield
    except S3Error as exc:
        error = _PERMANENT.get(exc.code or "", StorageUnavailable)
        raise error(f"S3 {exc.code}", subject=subject) from exc
    except ServerError as exc:
        raise StorageUnavailable(f"S3 server error {exc.status_code}", subject=subject) from exc
    except (InvalidResponseError, MinioException) as exc:
        raise StorageUnavailable("S3 answer not understood", subject=subject) from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise StorageUnavailable(
            f"S3 unreachable: {exc.__class__.__name__}", subject=subject
        ) from exc


def _http_client(settings: S3Settings) -> urllib3.PoolManager:
    """Short in-call retries: longer outages are the queue's to retry, with backoff."""
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=settings.connect_timeout_s, read=settings.read_timeout_s),
        maxsize=10,
        retries=urllib3.Retry(
            total=settings.http_retries,
            backoff_factor=0.2,
            status_forcelist=(500, 502, 503, 504),
        ),
    )


class S3ObjectStore:
    """The ObjectStore protocol on S3. ``buckets`` maps each role to a bucket, or ``bucket``
    holds every role as a prefix."""

    def __init__(
        self,
        client: Minio,
        *,
        buckets: Mapping[str, str] | None = None,
        bucket: str | None = None,
        part_size: int = 16 * 1024 * 1024,
    ) -> None:
        if (buckets is None) == (bucket is None):
            raise ConfigurationError("an S3 store needs either one bucket or a bucket per role")
        self.client, self.buckets, self.bucket, self.part_size = client, buckets, bucket, part_size

    @classmethod
    def from_url(cls, url: str, settings: S3Settings) -> S3ObjectStore:
        parsed = urlparse(url)
        if not parsed.hostname:
            raise ConfigurationError("an s3:// store URL needs a host: s3://host:port[/bucket]")
        if parsed.username or parsed.password:
            raise ConfigurationError(
                "put no credentials in the store URL: use SOHOA_S3__ACCESS_KEY_FILE and "
                "SOHOA_S3__SECRET_KEY_FILE"
            )
        endpoint = parsed.netloc
        client = Minio(
            endpoint,
            access_key=_secret(settings.access_key_file, "S3 access key file"),
            secret_key=_secret(settings.secret_key_file, "S3 secret key file"),
            secure=settings.secure,
            region=settings.region,
            http_client=_http_client(settings),
        )
        bucket = parsed.path.strip("/") or None
        buckets = None if bucket else settings.buckets.model_dump()
        part_size = settings.part_size_mb * 1024 * 1024
        return cls(client, buckets=buckets, bucket=bucket, part_size=part_size)

    def __repr__(self) -> str:
        where = self.bucket or ",".join(sorted(set((self.buckets or {}).values())))
        return f"S3ObjectStore({s3_sdk.endpoint(self.client)!r}, {where!r})"

    # -- keys <-> (bucket, object name) -----------------------------------------------------

    def _locate(self, key: str) -> tuple[str, str]:
        key = validate_key(key)
        if self.bucket is not None:
            return self.bucket, key
        role, _, name = key.partition("/")
        if role not in ROLES or not name:
            raise InvalidObjectKey(f"object key must start with one of {', '.join(ROLES)}/")
        return self.buckets[role], name  # type: ignore[index]

    def _key(self, bucket: str, role: str | None, name: str) -> str:
        return name if self.bucket is not None else f"{role}/{name}"

    def _listings(self, prefix: str) -> Iterator[tuple[str, str | None, str]]:
        """(bucket, role, prefix inside the bucket) to list for one of our prefixes."""
        if self.bucket is not None:
            yield self.bucket, None, prefix
            return
        role, sep, rest = prefix.partition("/")
        for candidate in ROLES:
            if sep and candidate == role:
                yield self.buckets[candidate], candidate, rest  # type: ignore[index]
            elif not sep and candidate.startswith(role):
                yield self.buckets[candidate], candidate, ""  # type: ignore[index]

    def bucket_for(self, role: str) -> tuple[str, str]:
        """The bucket holding a role, and the prefix of the role inside it."""
        if self.bucket is not None:
            return self.bucket, f"{role}/"
        return self.buckets[role], ""  # type: ignore[index]

    # -- the protocol ---------------------------------------------------------------------

    def put(self, key: str, data: bytes) -> None:
        bucket, name = self._locate(key)
        if is_immutable(key) and len(data) <= self.part_size:
            self._put_new(key, data)
            return
        if is_immutable(key) and self._holds(key, hashlib.sha256(data).hexdigest(), len(data)):
            return
        with _boundary(key):
            self.client.put_object(
                bucket, name, io.BytesIO(data), len(data), part_size=self.part_size
            )

    def put_file(self, key: str, path: Path, *, expected: str | None = None) -> str:
        bucket, name = self._locate(key)
        with read_local(path, expected) as reader:
            if is_immutable(key) and reader.size <= self.part_size:
                self._put_new(key, reader.read())  # one part: held in memory by the SDK anyway
                return reader.digest.hexdigest()
            if is_immutable(key) and self.exists(key):
                digest = expected or file_sha256(path)
                if self._holds(key, digest, reader.size):
                    return digest
            with _boundary(key):  # InputChanged from the reader aborts the upload
                self.client.put_object(bucket, name, reader, reader.size, part_size=self.part_size)
        return reader.digest.hexdigest()

    def _put_new(self, key: str, data: bytes) -> None:
        """One PUT that the server refuses when the key exists (``If-None-Match: *``); then
        the same bytes are fine and other bytes an ObjectConflict."""
        bucket, name = self._locate(key)
        refused = False
        with _boundary(key):
            try:
                s3_sdk.put_if_absent(self.client, bucket, name, data)
            except S3Error as exc:
                if exc.code != "PreconditionFailed":
                    raise
                refused = True
        if refused:
            self._holds(key, hashlib.sha256(data).hexdigest(), len(data))

    def _holds(self, key: str, digest: str, size: int) -> bool:
        """True when ``key`` holds exactly these bytes, False when it does not exist;
        ObjectConflict when it holds other bytes."""
        try:
            found = self.stat(key)
        except ObjectNotFound:
            return False
        if found.size == size and self._sha256(key) == digest:
            return True
        raise ObjectConflict(
            "refused: the store already holds other bytes under this key", subject=key
        )

    def _sha256(self, key: str) -> str:
        bucket, name = self._locate(key)
        digest = hashlib.sha256()
        with _boundary(key):
            response = self.client.get_object(bucket, name)
            try:
                for chunk in response.stream(FileReader.CHUNK):
                    digest.update(chunk)
            finally:
                response.close()
                response.release_conn()
        return digest.hexdigest()

    def get(self, key: str) -> bytes:
        bucket, name = self._locate(key)
        with _boundary(key):
            response = self.client.get_object(bucket, name)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

    def get_file(self, key: str, path: Path) -> None:
        bucket, name = self._locate(key)
        with _boundary(key):
            response = self.client.get_object(bucket, name)
            try:
                with write_local(path) as write:  # its errors are the local disk's
                    for chunk in response.stream(FileReader.CHUNK):
                        write(chunk)
            finally:
                response.close()
                response.release_conn()

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    def stat(self, key: str) -> ObjectInfo:
        bucket, name = self._locate(key)
        with _boundary(key):
            found = self.client.stat_object(bucket, name)
        return ObjectInfo(
            key=key,
            size=int(found.size or 0),
            etag=str(found.etag),
            modified=found.last_modified,  # type: ignore[arg-type]
            version_id=found.version_id,
        )

    def scan(self, prefix: str = "") -> Iterator[ObjectInfo]:
        for bucket, role, inner in self._listings(prefix):
            with _boundary(prefix or bucket):
                for found in self.client.list_objects(bucket, prefix=inner, recursive=True):
                    if found.is_dir or found.object_name is None:
                        continue
                    key = self._key(bucket, role, found.object_name)
                    if not key.startswith(prefix):
                        continue
                    yield ObjectInfo(
                        key=key,
                        size=int(found.size or 0),
                        etag=str(found.etag),
                        modified=found.last_modified,  # type: ignore[arg-type]
                        version_id=found.version_id,
                    )

    def list(self, prefix: str = "") -> Iterator[str]:
        return (info.key for info in self.scan(prefix))

    def delete(self, key: str) -> None:
        bucket, name = self._locate(key)
        with _boundary(key):
            self.client.remove_object(bucket, name)

    # -- deployment helpers ----------------------------------------------------------------

    def _all_buckets(self) -> list[str]:
        return [self.bucket] if self.bucket else sorted(set(self.buckets.values()))  # type: ignore[union-attr]

    def check(self) -> None:
        """At start-up: the endpoint answers and every bucket exists, or ConfigurationError."""
        for bucket in self._all_buckets():
            try:
                with _boundary(bucket):
                    found = self.client.bucket_exists(bucket)
            except StorageUnavailable as exc:
                raise ConfigurationError(
                    f"S3 store not usable: {exc.message}", subject=bucket
                ) from exc
            if not found:
                raise ConfigurationError("bucket does not exist", subject=bucket)

    def create_buckets(self) -> None:
        """Create the buckets that are missing (the compose init service uses ``mc`` instead)."""
        for bucket in self._all_buckets():
            with _boundary(bucket):
                if not self.client.bucket_exists(bucket):
                    self.client.make_bucket(bucket)

    def notifications(self, role: str = "intake") -> Iterator[str] | None:
        """Keys of objects created in one role, as MinIO announces them (its
        ListenBucketNotification extension); ``None`` when the server does not offer it.

        Runs until the connection ends; StorageUnavailable when it breaks.
        """
        bucket, prefix = self.bucket_for(role)
        query = {"prefix": prefix, "suffix": "", "events": ("s3:ObjectCreated:*",)}
        try:
            with _boundary(bucket):
                # The SDK's own EventIterable re-requests forever when an answer is not JSON
                # (moto, AWS), so the stream is read here, where that can be noticed.
                response = s3_sdk.listen(self.client, bucket, query)
        except SohoaError as exc:
            cause = exc.__cause__
            if isinstance(cause, S3Error) and cause.code in _NO_NOTIFICATIONS:
                return None
            raise
        if "json" not in response.headers.get("Content-Type", "json"):
            response.close()
            response.release_conn()
            return None
        return self._events(response, {bucket: role})

    def _events(self, response: Any, roles: Mapping[str, str]) -> Iterator[str]:
        try:
            with _boundary("notifications"):
                while True:
                    line = response.readline()
                    if not line:
                        return  # the server closed the stream
                    line = line.strip()
                    if not line:
                        continue  # keep-alive
                    event = json.loads(line)
                    yield from keys_in_event(event, roles, single_bucket=self.bucket is not None)
        finally:
            response.close()
            response.release_conn()
