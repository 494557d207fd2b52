"""Object stores behind one small protocol. The embedded default is a directory (file://).

Writes are atomic (temporary file, fsync, rename), so a crash never leaves half an object
under a real key. OS errors become StorageUnavailable at this boundary.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from schemas.errors import ConfigurationError, ObjectNotFound, StorageUnavailable
from storage.keys import validate_key


class ObjectStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def list(self, prefix: str = "") -> Iterator[str]: ...
    def delete(self, key: str) -> None: ...


class FileObjectStore:
    """Objects as files under ``root``; keys map to relative paths."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"FileObjectStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageUnavailable(f"cannot write object: {exc.strerror}", subject=key) from exc

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFound("no such object", subject=key) from exc
        except OSError as exc:
            raise StorageUnavailable(f"cannot read object: {exc.strerror}", subject=key) from exc

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


def open_store(url: str) -> ObjectStore:
    """An object store by URL: ``file:///abs/dir`` (``s3://`` arrives with [distributed])."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return FileObjectStore(Path(unquote(parsed.netloc + parsed.path)))
    raise ConfigurationError(f"unsupported object store URL scheme {parsed.scheme!r} in {url!r}")
