"""Where sohoa keeps things, opened from Settings the same way by every command and worker:
the object store (a folder, or S3 with ``Settings.s3``'s credentials and buckets) and the
warehouse (SQLite, or PostgreSQL with ``Settings.warehouse_password_file``).

    places.store(settings) -> ObjectStore
    places.open_store(url, s3) -> ObjectStore   (by URL: file:// or s3://)
    places.warehouse(settings) -> Warehouse
    places.existing_warehouse(settings) -> Warehouse   (a command that only reads)

A command that opened either from a URL alone would miss the credentials a deployment gives
in files (``sohoa fixity`` once got S3's 403 that way): use these instead."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import sqlalchemy as sa

from schemas.errors import ConfigurationError
from schemas.settings import S3Settings, Settings
from storage.objects import FileObjectStore, ObjectStore
from storage.warehouse import Warehouse


def store(settings: Settings) -> ObjectStore:
    return open_store(settings.resolved_store_url, settings.s3)


def warehouse(settings: Settings) -> Warehouse:
    return Warehouse.open(
        settings.resolved_warehouse_url, password_file=settings.warehouse_password_file
    )


def existing_warehouse(settings: Settings) -> Warehouse:
    """The warehouse for a command that only reads (``sohoa search``): an embedded SQLite file
    that is not there is a wrong ``--data`` or URL, said as such, never a new empty warehouse
    that answers "nothing found"."""
    url = settings.resolved_warehouse_url
    if url.startswith("sqlite:"):
        path = Path(sa.engine.make_url(url).database or "")
        if not path.is_file():
            raise ConfigurationError(
                "no warehouse there: nothing was digitised with these settings"
                " (--data, SOHOA_DATA, SOHOA_WAREHOUSE_URL)",
                subject=str(path),
            )
    return warehouse(settings)


def open_store(url: str, s3: S3Settings | None = None) -> ObjectStore:
    """An object store by URL: ``file:///abs/dir``, or ``s3://host:port[/bucket]`` (MinIO),
    with credentials and buckets from ``s3`` (``Settings.s3``)."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return FileObjectStore(Path(unquote(parsed.netloc + parsed.path)))
    if parsed.scheme == "s3":
        from storage.s3 import S3ObjectStore  # the minio SDK only where it is used

        return S3ObjectStore.from_url(url, s3 or S3Settings())
    scheme = parsed.scheme
    raise ConfigurationError(f"unsupported object store URL scheme {scheme!r} (file://, s3://)")
