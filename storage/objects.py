"""Object stores behind one small protocol. The embedded default is a directory (file://).

Writes are atomic (temporary file, fsync, rename), so a crash never leaves half an object
under a real key. OS errors become StorageUnavailable at this boundary, a full disk DiskFull;
those of a local file a store reads from or writes to (``read_local``, ``write_local``) are
this machine's disk's (``local_file_error``: DiskFull, LocalFileRefused, LocalDiskError),
never the store's.

Nothing stored is ever replaced with different bytes: under ``originals/``, ``results/`` and
``quarantine/`` (``keys.is_immutable``) a put of the same bytes again is a no-op, a put of
other bytes raises ObjectConflict and leaves the stored object as it was. Only ``intake/``,
where clerks drop and re-drop files, may be rewritten.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from schemas.errors import (
    DiskFull,
    InputChanged,
    ObjectConflict,
    ObjectNotFound,
    StorageUnavailable,
    disk_full,
    local_file_error,
)
from storage.object_keys import is_immutable, validate_key


@dataclass(frozen=True)
class ObjectInfo:
    """What a listing or a stat says about one object, without reading it."""

    key: str
    size: int
    etag: str
    modified: dt.datetime
    version_id: str | None = None

    @property
    def version(self) -> str:
        """Names this version of the object: the store's version id, else ETag and time."""
        return self.version_id or f"{self.etag}@{self.modified.isoformat()}"


class FileReader:
    """Reads a local file for a store to write, hashing what it hands out. At the end of the
    file, bytes that do not hash to ``expected`` (the file changed since it was hashed) raise
    InputChanged from inside the write, so the store commits nothing under the key."""

    CHUNK = 1 << 20

    def __init__(self, handle: BinaryIO, name: str, expected: str | None) -> None:
        self.handle, self.name, self.expected = handle, name, expected
        self.size = os.fstat(handle.fileno()).st_size
        self.digest = hashlib.sha256()
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        want = self.size - self.done if size < 0 else min(size, self.size - self.done)
        try:
            data = self.handle.read(want) if want > 0 else b""
        except OSError as exc:  # the local file's, never the store's
            raise local_file_error(exc, self.name) from exc
        self.digest.update(data)
        self.done += len(data)
        if len(data) < want or (self.done == self.size and self.handle.read(1)):
            raise InputChanged("the file changed size while it was being stored", subject=self.name)
        if self.done == self.size and self.expected not in (None, self.digest.hexdigest()):
            raise InputChanged("the file changed while it was being stored", subject=self.name)
        return data


class ObjectStore(Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``; ObjectConflict if an immutable key holds other bytes."""
        ...

    def put_file(self, key: str, path: Path, *, expected: str | None = None) -> str:
        """Store the file at ``path`` without holding it in memory; return the SHA-256 of
        the bytes stored. ``expected``: their hash, else InputChanged and nothing stored."""
        ...

    def get(self, key: str) -> bytes: ...
    def get_file(self, key: str, path: Path) -> None:
        """Write the object to ``path`` without holding it in memory."""
        ...

    def exists(self, key: str) -> bool: ...
    def list(self, prefix: str = "") -> Iterator[str]: ...
    def delete(self, key: str) -> None: ...
    def stat(self, key: str) -> ObjectInfo: ...
    def scan(self, prefix: str = "") -> Iterator[ObjectInfo]: ...


class FileObjectStore:
    """Objects as files under ``root``; keys map to relative paths."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"FileObjectStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        def fill(handle: BinaryIO) -> str:
            handle.write(data)
            return hashlib.sha256(data).hexdigest()

        self._write(key, fill)

    def put_file(self, key: str, path: Path, *, expected: str | None = None) -> str:
        with read_local(path, expected) as reader:

            def fill(handle: BinaryIO) -> str:
                shutil.copyfileobj(reader, handle, reader.CHUNK)
                return reader.digest.hexdigest()

            self._write(key, fill)
        return reader.digest.hexdigest()

    def _write(self, key: str, fill: Callable[[BinaryIO], str]) -> None:
        """Write through a temporary file; ``fill`` writes the bytes and returns their SHA-256.
        An immutable key is linked into place (link fails if the name exists: no window in
        which another writer's bytes could be replaced), any other key renamed over."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as handle:
                    digest = fill(handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                if is_immutable(key):
                    self._link_new(key, Path(tmp), path, digest)
                else:
                    os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except OSError as exc:
            if disk_full(exc):
                raise DiskFull(f"cannot write object: {exc.strerror}", subject=key) from exc
            raise StorageUnavailable(f"cannot write object: {exc.strerror}", subject=key) from exc

    @staticmethod
    def _link_new(key: str, tmp: Path, path: Path, digest: str) -> None:
        try:
            os.link(tmp, path)
            return
        except FileExistsError:
            pass
        except OSError as exc:  # a file system without hard links: check, then rename (racy)
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            if not path.exists():
                os.replace(tmp, path)
                return
        if file_sha256(path) != digest:
            raise ObjectConflict(
                "refused: the store already holds other bytes under this key", subject=key
            ) from None

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFound("no such object", subject=key) from exc
        except OSError as exc:
            raise StorageUnavailable(f"cannot read object: {exc.strerror}", subject=key) from exc

    def get_file(self, key: str, path: Path) -> None:
        try:
            source = self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise ObjectNotFound("no such object", subject=key) from exc
        except OSError as exc:
            raise StorageUnavailable(f"cannot read object: {exc.strerror}", subject=key) from exc
        with source, write_local(path) as write:
            while True:
                try:
                    chunk = source.read(FileReader.CHUNK)
                except OSError as exc:
                    raise StorageUnavailable(
                        f"cannot read object: {exc.strerror}", subject=key
                    ) from exc
                if not chunk:
                    return
                write(chunk)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        base = self.root
        if not base.is_dir():
            return
        for dirpath, _dirs, files in os.walk(base):
            for name in sorted(files):
                if name.startswith(".tmp-"):
                    continue
                key = Path(dirpath, name).relative_to(base).as_posix()
                if key.startswith(prefix):
                    yield key

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot delete object: {exc.strerror}", subject=key) from exc

    def stat(self, key: str) -> ObjectInfo:
        try:
            return self._info(key, self._path(key).stat())
        except FileNotFoundError as exc:
            raise ObjectNotFound("no such object", subject=key) from exc
        except OSError as exc:
            raise StorageUnavailable(f"cannot stat object: {exc.strerror}", subject=key) from exc

    def scan(self, prefix: str = "") -> Iterator[ObjectInfo]:
        for key in self.list(prefix):
            try:
                yield self._info(key, self._path(key).stat())
            except FileNotFoundError:
                continue  # removed since it was listed

    @staticmethod
    def _info(key: str, st: os.stat_result) -> ObjectInfo:
        # No content hash here: size and nanosecond mtime change whenever the file is rewritten.
        etag = f"{st.st_size:x}-{st.st_mtime_ns:x}"
        modified = dt.datetime.fromtimestamp(st.st_mtime, dt.UTC)
        return ObjectInfo(key=key, size=st.st_size, etag=etag, modified=modified)


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@contextmanager
def read_local(path: Path, expected: str | None) -> Iterator[FileReader]:
    """A FileReader on the local file at ``path``, for ``put_file``."""
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise InputChanged("the file is gone", subject=str(path)) from exc
    except OSError as exc:
        raise local_file_error(exc, str(path)) from exc
    with handle:
        yield FileReader(handle, str(path), expected)


@contextmanager
def write_local(path: Path) -> Iterator[Callable[[bytes], None]]:
    """Write an object's bytes to the local file at ``path`` (``get_file``): what fails here
    is this machine's disk (``local_file_error``), never the store."""
    try:
        handle = path.open("wb")
    except OSError as exc:
        raise local_file_error(exc, str(path)) from exc

    def write(data: bytes) -> None:
        try:
            handle.write(data)
        except OSError as exc:
            raise local_file_error(exc, str(path)) from exc

    try:
        yield write
    finally:
        try:
            handle.close()  # flushes: a full disk may first show here
        except OSError as exc:
            raise local_file_error(exc, str(path)) from exc
