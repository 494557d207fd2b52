"""Helpers shared by the tests of the distributed deployment: small dossiers, a deployment of
real services for one test (S3 on moto, PostgreSQL, Redis), and waiting on the warehouse."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from storage import migrations
from storage.database import engine_for
from storage.tables import documents, dossiers
from storage.warehouse import Warehouse
from tests.conftest import encode, text_image
from tests.services import S3Place, sohoa_env, wait_until

AGENCY = "000.17.22.H56"


def page(title: str, number: str = "05") -> bytes:
    """A small, quick page (100 dpi, A5-ish) with a Vietnamese header."""
    lines = [
        "UBND TỈNH ĐỒNG NAI",
        f"Số: {number}/2024/QĐ-UBND",
        "Biên Hòa, ngày 05 tháng 02 năm 2024",
        "QUYẾT ĐỊNH",
        title,
    ]
    return encode(text_image(lines, size=(700, 500), dpi=100, font_size=20), "PNG")


def drop_folder(store, folder: str, pages: dict[str, bytes], manifest: dict | None = None) -> str:
    prefix = f"intake/{AGENCY}/{folder}/"
    for name, data in pages.items():
        store.put(prefix + name, data)
    if manifest is not None:  # last: it seals the folder
        store.put(prefix + "manifest.json", json.dumps(manifest, ensure_ascii=False).encode())
    return prefix


@dataclass
class Deployment:
    s3: S3Place
    warehouse_url: str
    queue_url: str
    data: Path
    namespace: str = "sohoa"

    def env(self, **extra: str) -> dict[str, str]:
        values = dict(self.s3.env())
        values.update(
            SOHOA_WAREHOUSE_URL=self.warehouse_url,
            SOHOA_QUEUE__URL=self.queue_url,
            SOHOA_QUEUE__NAMESPACE=self.namespace,
            SOHOA_DATA=str(self.data),
            SOHOA_QUEUE__MIN_BACKOFF_S="1",
            SOHOA_QUEUE__MAX_BACKOFF_S="4",
            SOHOA_QUEUE__HEARTBEAT_TIMEOUT_S="5",
            SOHOA_WATCH__STABLE_S="0",
        )
        values.update(extra)
        return sohoa_env(**values)

    def settings(self, **extra: str):
        from schemas.settings import load_settings

        env = {k: v for k, v in self.env(**extra).items() if k.startswith("SOHOA_")}
        return load_settings(env)

    def warehouse(self) -> Warehouse:
        return Warehouse.open(self.warehouse_url)

    def store(self):
        return self.s3.store()


def deployment(
    s3: S3Place, warehouse_url: str, queue_url: str, data: Path, namespace: str = "sohoa"
) -> Deployment:
    engine = engine_for(warehouse_url)
    migrations.upgrade(engine)
    engine.dispose()
    return Deployment(s3, warehouse_url, queue_url, data, namespace)


def dossier_statuses(warehouse: Warehouse) -> dict[str, str]:
    with warehouse.transaction() as conn:
        return dict(conn.execute(sa.select(dossiers.c.code, dossiers.c.status)).all())


def wait_for_statuses(warehouse: Warehouse, expected: dict[str, str], timeout: float = 180):
    def reached():
        found = dossier_statuses(warehouse)
        return found if all(found.get(k) == v for k, v in expected.items()) else None

    return wait_until(reached, timeout=timeout, interval=0.25, what=f"dossiers {expected}")


def document_rows(warehouse: Warehouse) -> list[dict]:
    with warehouse.transaction() as conn:
        return [
            dict(r._mapping) for r in conn.execute(sa.select(documents).order_by(documents.c.id))
        ]
