"""Where sohoa keeps things, opened from Settings the same way by every command and worker:
the object store (a folder, or S3 with ``Settings.s3``'s credentials and buckets) and the
warehouse (SQLite, or PostgreSQL with ``Settings.warehouse_password_file``).

    places.store(settings) -> ObjectStore
    places.warehouse(settings) -> Warehouse

A command that opened either from a URL alone would miss the credentials a deployment gives
in files (``sohoa fixity`` once got S3's 403 that way): use these instead."""

from __future__ import annotations

from schemas.settings import Settings
from storage.objects import ObjectStore, open_store
from storage.warehouse import Warehouse


def store(settings: Settings) -> ObjectStore:
    return open_store(settings.resolved_store_url, settings.s3)


def warehouse(settings: Settings) -> Warehouse:
    return Warehouse.open(
        settings.resolved_warehouse_url, password_file=settings.warehouse_password_file
    )
