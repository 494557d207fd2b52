"""Search over N digitised documents, measured: the embedded default (SQLite FTS5), or
PostgreSQL (tsvector, unaccent) with ``--postgres ADMIN_URL`` (a database of its own is created
there, migrated, and dropped afterwards).

Builds a fresh warehouse in a temporary folder with N documents (dossiers of 5), each indexed
by the same ``storage.search.index_document`` the warehouse calls when a document is recorded
digitised: Vietnamese text of ~120 words, a type, số/ký hiệu, subject. Then asks a mix of
questions (words without diacritics, a dossier code, a số/ký hiệu, a rare word, a common
word, a filter by agency) through ``storage.search.search`` with a clerk's scope, each
several times, and prints one JSON line: N, build seconds, median/p95/max milliseconds.

    python bench/search.py [--documents 100000] [--repeat 5]
                           [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from schemas.desk import SearchQuery  # noqa: E402
from storage.search import index_rows, search  # noqa: E402
from storage.tables import documents, dossiers  # noqa: E402
from storage.warehouse import Warehouse  # noqa: E402

TYPES = ["NGHỊ ĐỊNH", "QUYẾT ĐỊNH", "THÔNG BÁO", "GIẤY CHỨNG NHẬN", "TỜ TRÌNH", "BÁO CÁO"]
NOTATIONS = ["NĐ-CP", "QĐ-UBND", "TB-UBND", "TTr-UBND", "BC-UBND", "GCN-STNMT"]
WORDS = (
    "căn cứ luật tổ chức chính quyền địa phương ngày tháng năm quyết định về việc phê duyệt "
    "kế hoạch số hóa hồ sơ kết quả giải quyết thủ tục hành chính ủy ban nhân dân tỉnh huyện "
    "xã phường thị trấn giấy chứng nhận quyền sử dụng đất nhà ở tài sản gắn liền với đất cấp "
    "đổi cấp lại đăng ký biến động hộ kinh doanh doanh nghiệp đầu tư xây dựng giấy phép môi "
    "trường tài nguyên nước khoáng sản giáo dục y tế lao động thương binh xã hội văn hóa thể "
    "thao du lịch giao thông vận tải nông nghiệp phát triển nông thôn công thương tư pháp hộ "
    "tịch khai sinh kết hôn chứng thực bản sao điện tử chữ ký số cơ quan đơn vị cá nhân tổ "
    "chức trách nhiệm thi hành điều khoản hiệu lực kể từ ngày ký ban hành nơi nhận lưu văn thư"
).split()
AGENCIES = [f"000.{p:02d}.{d:02d}.H{c:02d}" for p, d, c in [(17, 22, 56), (30, 10, 10), (1, 1, 1)]]


def build(warehouse: Warehouse, count: int, rng: random.Random) -> tuple[str, str]:
    """Returns one dossier code and one số/ký hiệu that are in the warehouse."""
    now = dt.datetime.now(dt.UTC)
    with warehouse.transaction() as conn:
        batch: list = []
        for start in range(0, count, 5):
            agency = AGENCIES[(start // 5) % len(AGENCIES)]
            code = f"{agency}-26{(start // 5) % 12 + 1:02d}01-{start // 5 % 10000:04d}.{start}"
            dossier_id = conn.execute(
                dossiers.insert().values(
                    agency=agency,
                    code=f"{code}.{start}",
                    status="digitised",
                    source=code,
                    received_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key[0]
            for n in range(min(5, count - start)):
                kind = rng.randrange(len(TYPES))
                meta = {
                    "type_name": TYPES[kind],
                    "code_number": str(rng.randint(1, 999)),
                    "code_notation": f"{rng.randint(2015, 2026)}/{NOTATIONS[kind]}",
                    "issued_date": f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-10",
                    "subject": " ".join(rng.choices(WORDS, k=12)),
                }
                document_id = conn.execute(
                    documents.insert().values(
                        dossier_id=dossier_id,
                        name=f"tai-lieu-{n}",
                        status="digitised",
                        input_sha256=f"{start + n:064x}",
                        pipeline_version="1",
                        inputs=[],
                        metadata=meta,
                        result_key=f"results/{code}/{n}.pdf",
                        created_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]
                batch.append((document_id, code, meta, " ".join(rng.choices(WORDS, k=120))))
            if len(batch) >= 2000:
                index_rows(conn, batch)  # what the warehouse does per document, in batches
                batch = []
        index_rows(conn, batch)
    return code, f"{meta['code_number']}/{meta['code_notation']}"


QUERIES = [
    ("words without diacritics", dict(text="nghi dinh so hoa ho so")),
    ("one common word", dict(text="quyet dinh")),
    ("three words", dict(text="giay chung nhan quyen su dung dat")),
    ("a rare pair", dict(text="khoang san khai sinh")),
    ("one rare word", dict(text="khoang")),
    ("words + type filter", dict(text="ke hoach", type_name="QUYẾT ĐỊNH")),
    ("words + issued range", dict(text="moi truong", issued_from=dt.date(2024, 1, 1))),
]


def measure(warehouse: Warehouse, documents: int, repeat: int) -> dict:
    rng = random.Random(17)
    started = time.perf_counter()
    code, number = build(warehouse, documents, rng)
    built = time.perf_counter() - started
    queries = [
        ("số/ký hiệu", dict(text=number.replace("Đ", "D"))),
        ("a dossier code", dict(text=code)),
        *QUERIES,
    ]
    timings: dict[str, list[float]] = {}
    hits: dict[str, int] = {}
    for _ in range(repeat):
        for label, query in queries:
            for scope in (None, {AGENCIES[0]}):  # an admin, then a clerk of one agency
                t0 = time.perf_counter()
                with warehouse.transaction() as conn:
                    found = search(conn, SearchQuery(**query), scope)
                timings.setdefault(label, []).append((time.perf_counter() - t0) * 1000)
                if scope is None:  # what the admin finds (a clerk finds its agency's)
                    hits[label] = len(found)
    every = sorted(t for values in timings.values() for t in values)
    return {
        "warehouse": warehouse.engine.dialect.name,
        "documents": documents,
        "build_s": round(built, 1),
        "queries": len(every),
        "median_ms": round(statistics.median(every), 1),
        "p95_ms": round(every[int(len(every) * 0.95) - 1], 1),
        "max_ms": round(every[-1], 1),
        "median_ms_by_query": {k: round(statistics.median(v), 1) for k, v in timings.items()},
        "hits_by_query": hits,
    }


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database beside ``admin_url``'s, migrated; dropped afterwards."""
    import psycopg

    from storage import migrations
    from storage.database import engine_for

    name = f"sohoa_bench_search_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        engine = engine_for(url)
        migrations.upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="measure on PostgreSQL")
    args = parser.parse_args()
    if args.postgres:
        with postgres_database(args.postgres) as url:
            warehouse = Warehouse.open(url)
            figures = measure(warehouse, args.documents, args.repeat)
            warehouse.engine.dispose()
    else:
        with tempfile.TemporaryDirectory(prefix="sohoa-bench-search-") as folder:
            warehouse = Warehouse.open(f"sqlite:///{Path(folder) / 'warehouse.sqlite'}")
            figures = measure(warehouse, args.documents, args.repeat)
            warehouse.engine.dispose()
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
