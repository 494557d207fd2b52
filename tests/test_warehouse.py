"""Warehouse contract, the same tests over SQLite and PostgreSQL (a real server on loopback)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import storage.register_store  # noqa: F401  - its tables are part of the declared schema
from schemas.errors import ConfigurationError, DocumentBusy, WarehouseUnavailable
from storage import migrations
from storage.batches import Batches, pipeline_versions, select_dossiers
from storage.database import engine_for
from storage.dates import day_in_vietnam, start_of_day
from storage.identity import reusable_result
from storage.intake_ledger import IntakeLedger
from storage.search import is_search_table
from storage.tables import metadata
from storage.warehouse import Warehouse
from tests.services import REPO, sohoa_env

AGENCY = "000.17.22.H56"


def _doc(sha="a" * 64, version="1", name="quyet-dinh"):
    return dict(name=name, input_sha256=sha, pipeline_version=version, inputs=[])


def _declared(name, type_, parent_names):
    return not (type_ == "table" and is_search_table(name))


def test_migrations_build_exactly_the_declared_schema(warehouse):
    with warehouse.engine.connect() as conn:
        opts = {"compare_type": True, "include_name": _declared}  # the search index is by hand
        context = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(context, metadata) == []
    assert migrations.current(warehouse.engine) == migrations.head()


def test_postgresql_must_be_upgraded_by_the_command(postgres_url, tmp_path):
    with pytest.raises(ConfigurationError, match="sohoa db upgrade"):
        Warehouse.open(postgres_url)
    env = sohoa_env(SOHOA_WAREHOUSE_URL=postgres_url, SOHOA_DATA=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "workers.cli", "db", "upgrade"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "-> " + migrations.head() in done.stdout
    Warehouse.open(postgres_url).engine.dispose()


def test_a_spine_warehouse_is_stamped_then_upgraded(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = engine_for(url)
    migrations.upgrade(engine, migrations.BASELINE)
    with engine.begin() as conn:  # what the spine's create_all left: tables, no version
        conn.execute(sa.text("DROP TABLE alembic_version"))
        conn.execute(
            sa.text(
                "INSERT INTO dossiers (agency, code, status, received_at, updated_at) "
                "VALUES ('000.17.22.H56', 'd1', 'digitised', '2024-03-15', '2024-03-15')"
            )
        )
    engine.dispose()
    w = Warehouse.open(url)
    assert migrations.current(w.engine) == migrations.head()
    assert [
        r["code"] for r in w.rows(sa.table("dossiers", sa.column("code"), sa.column("id")))
    ] == ["d1"]


def test_unreachable_postgresql_is_warehouse_unavailable():
    from tests.services import free_port

    with pytest.raises(WarehouseUnavailable):
        Warehouse.open(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing")


def test_a_document_is_claimed_by_one_run_at_a_time(warehouse):
    d = warehouse.ensure_dossier("000.17.22.H56", "d1", source="test")
    first = warehouse.claim_document(d, owner="message-1", lease_s=600, **_doc())
    assert first.status == "processing" and first.lease_owner == "message-1"
    with pytest.raises(DocumentBusy):
        warehouse.claim_document(d, owner="message-2", lease_s=600, **_doc())
    again = warehouse.claim_document(d, owner="message-1", lease_s=600, **_doc())  # redelivered
    assert again.id == first.id
    warehouse.record_document(d, **_doc(), status="failed")
    taken = warehouse.claim_document(d, owner="message-2", lease_s=600, **_doc())  # released
    assert taken.lease_owner == "message-2"
    warehouse.record_document(d, **_doc(), status="digitised")
    done = warehouse.claim_document(d, owner="message-3", lease_s=600, **_doc())
    assert done.status == "digitised" and done.lease_owner is None


def test_an_expired_claim_can_be_taken_over(warehouse):
    d = warehouse.ensure_dossier("000.17.22.H56", "d1", source="test")
    warehouse.claim_document(d, owner="vanished", lease_s=-1, **_doc())
    assert warehouse.claim_document(d, owner="next", lease_s=600, **_doc()).lease_owner == "next"


def test_the_same_bytes_in_another_dossier_are_a_document_of_that_dossier(warehouse):
    a = warehouse.ensure_dossier("000.17.22.H56", "a", source="t")
    b = warehouse.ensure_dossier("000.17.22.H56", "b", source="t")
    stray = warehouse.ensure_dossier("000.00.00.H00", "stray", source="t")
    first = warehouse.claim_document(a, owner="m-a", lease_s=60, **_doc())
    warehouse.record_document(a, **_doc(), status="digitised", result_key="results/a.v1.pdf")
    copy = warehouse.claim_document(b, owner="m-b", lease_s=60, **_doc())
    assert (copy.dossier_id, copy.status, copy.duplicate_of) == (b, "processing", first.id)
    warehouse.record_document(stray, **_doc(name="dossier"), status="quarantined")
    (kept,) = warehouse.documents_of(a)  # the stray copy wrote its own row, not the first's
    assert (kept["id"], kept["status"], kept["result_key"]) == (
        first.id,
        "digitised",
        "results/a.v1.pdf",
    )
    (quarantined,) = warehouse.documents_of(stray)
    assert quarantined["duplicate_of"] == first.id
    assert reusable_result(warehouse, "a" * 64, "1")["id"] == first.id
    assert reusable_result(warehouse, "a" * 64, "2") is None
    newer = warehouse.claim_document(a, owner="m-2", lease_s=60, **_doc(version="2"))
    assert newer.duplicate_of is None  # a re-digitisation of the same document is no copy


def test_received_at_comes_from_the_dossier_not_from_processing(warehouse):
    day = dt.date(2024, 3, 15)
    uploaded = dt.datetime(2024, 3, 20, 2, 30, tzinfo=dt.UTC)
    stated = warehouse.ensure_dossier(AGENCY, "stated", source="t", received_on=day)
    assert warehouse.dossier(stated).received_at == start_of_day(day)
    assert day_in_vietnam(warehouse.dossier(stated).received_at) == day
    dropped = warehouse.ensure_dossier(AGENCY, "dropped", source="t", uploaded_at=uploaded)
    assert warehouse.dossier(dropped).received_at == uploaded
    later = uploaded + dt.timedelta(days=3)  # a redelivery or a second drop keeps the first
    warehouse.ensure_dossier(AGENCY, "dropped", source="t", uploaded_at=later)
    assert warehouse.dossier(dropped).received_at == uploaded
    warehouse.ensure_dossier(AGENCY, "dropped", source="t", received_on=day)  # its manifest
    assert warehouse.dossier(dropped).received_at == start_of_day(day)
    code = f"{AGENCY}-240314-0001"
    storage.register_store.register_dossier(warehouse, _entry(code, "2024-03-14T09:15:00"))
    registered = warehouse.ensure_dossier(
        AGENCY, code, source="t", uploaded_at=uploaded, received_on=dt.date(2024, 3, 14)
    )
    moment = dt.datetime(2024, 3, 14, 2, 15, tzinfo=dt.UTC)  # 09:15 in Vietnam: kept
    assert warehouse.dossier(registered).received_at == moment
    code = f"{AGENCY}-240315-0002"  # through intake first, then registered another day
    manifest = {"received_date": day.isoformat()}
    other = warehouse.ensure_dossier(AGENCY, code, source="t", manifest=manifest, received_on=day)
    storage.register_store.register_dossier(warehouse, _entry(code, "2024-03-14T09:15:00"))
    assert warehouse.dossier(other).received_at == start_of_day(day)  # the manifest's day


def _entry(code: str, received: str):
    from schemas.register import RegisterEntry

    return RegisterEntry.model_validate(
        dict(
            dossier_code=code,
            agency=AGENCY,
            procedure_code="1.000001",
            received_at=received,
            channel="counter",
            components=1,
            components_digitised=0,
            components_reused=0,
            result_is_document=True,
            result_issued_electronically=False,
        )
    )


def test_0004_lets_two_dossiers_hold_the_same_bytes(warehouse_url):
    engine = engine_for(warehouse_url)
    migrations.upgrade(engine, "0003")
    now = dt.datetime(2024, 3, 15, tzinfo=dt.UTC)
    doc = dict(name="x", status="digitised", input_sha256="a" * 64, pipeline_version="1")
    doc.update(inputs="[]", created_at=now, updated_at=now)
    rows = sa.table("documents", sa.column("dossier_id"), *map(sa.column, doc))

    def insert(conn, dossier_id):
        with conn.begin_nested():
            conn.execute(rows.insert().values(dossier_id=dossier_id, **doc))

    with engine.begin() as conn:
        for code in ("a", "b"):
            conn.execute(
                sa.text(
                    "INSERT INTO dossiers (agency, code, status, received_at, updated_at) "
                    "VALUES ('A', :code, 'digitised', :now, :now)"
                ),
                dict(code=code, now=now),
            )
        insert(conn, 1)
        with pytest.raises(sa.exc.IntegrityError):  # 0003: one row per bytes, any dossier
            insert(conn, 2)
    migrations.upgrade(engine)
    with engine.begin() as conn:
        insert(conn, 2)  # 0004: the same bytes in another dossier are its own document
        with pytest.raises(sa.exc.IntegrityError):  # but once per dossier, name, version
            insert(conn, 2)
    copy = Warehouse(engine).claim_document(1, owner="m", lease_s=60, **_doc(name="y"))
    assert copy.duplicate_of == 1
    engine.dispose()


def test_result_versions_count_per_dossier_and_name(warehouse):
    d = warehouse.ensure_dossier("000.17.22.H56", "d1", source="test")
    v1 = warehouse.claim_document(d, owner="a", lease_s=60, **_doc(version="1"))
    assert warehouse.claim_result_version(v1.id) == 1
    assert warehouse.claim_result_version(v1.id) == 1  # kept: a crashed run comes back to it
    v2 = warehouse.claim_document(d, owner="b", lease_s=60, **_doc(version="2"))
    assert warehouse.claim_result_version(v2.id) == 2
    other = warehouse.claim_document(
        d, owner="c", lease_s=60, **_doc(sha="b" * 64, name="to-trinh")
    )
    assert warehouse.claim_result_version(other.id) == 1


def test_concurrent_version_claims_never_collide(warehouse):
    d = warehouse.ensure_dossier("000.17.22.H56", "d1", source="test")
    ids = [
        warehouse.claim_document(d, owner=f"o{i}", lease_s=60, **_doc(version=str(i))).id
        for i in range(1, 7)
    ]
    got: list[int] = []
    threads = [
        threading.Thread(target=lambda i=i: got.append(warehouse.claim_result_version(i)))
        for i in ids
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(got) == [1, 2, 3, 4, 5, 6]


def test_failing_a_dossier_fails_what_is_unfinished(warehouse):
    d = warehouse.ensure_dossier("000.17.22.H56", "d1", source="intake/000.17.22.H56/d1/")
    warehouse.claim_document(d, owner="m", lease_s=60, **_doc())
    warehouse.record_document(
        d, **_doc(sha="c" * 64, name="done"), status="digitised", result_version=1
    )
    warehouse.fail_dossier(d, "storage-unavailable", "retries exhausted")
    statuses = {doc["name"]: doc["status"] for doc in warehouse.documents_of(d)}
    assert statuses == {"quyet-dinh": "failed", "done": "digitised"}
    row = warehouse.dossier(d)
    assert (row.status, row.error_reason) == ("failed", "storage-unavailable")
    assert warehouse.find_dossier_by_source("intake/000.17.22.H56/d1/") == d


def test_selection_by_agency_dates_and_status(warehouse):
    a = warehouse.ensure_dossier("000.17.22.H56", "a", source="t")
    b = warehouse.ensure_dossier("000.17.22.H56", "b", source="t")
    c = warehouse.ensure_dossier("000.00.00.H00", "c", source="t")
    warehouse.set_dossier_status(b, "failed")
    warehouse.record_document(c, **_doc(), status="quarantined")
    assert select_dossiers(warehouse) == [a, b, c]
    assert select_dossiers(warehouse, agency="000.17.22.H56") == [a, b]
    assert select_dossiers(warehouse, statuses=("failed",)) == [b]
    assert select_dossiers(warehouse, statuses=("quarantined",)) == [c]
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert select_dossiers(warehouse, since=tomorrow) == []
    assert select_dossiers(warehouse, until=tomorrow) == [a, b, c]
    assert pipeline_versions(warehouse, [c]) == {c: {"1"}}


def test_batches_move_forward_and_report_progress(warehouse):
    ids = [warehouse.ensure_dossier("000.17.22.H56", f"d{i}", source="t") for i in range(3)]
    batches = Batches(warehouse)
    batch = batches.create({"status": "all"}, ids, "2")
    assert batches.find_open({"status": "all"}, "2") == batch
    assert batches.find_open({"status": "failed"}, "2") is None
    batches.mark_enqueued(batch, ids[0])
    batches.finish_item(batch, ids[0], "digitised")
    batches.mark_enqueued(batch, ids[0])  # a late duplicate does not move it back
    progress = batches.progress(batch)
    assert (progress.total, progress.done, progress.complete) == (3, 1, False)
    assert batches.items(batch, ("pending",)) == ids[1:]
    for i in ids[1:]:
        batches.finish_item(batch, i, "failed")
    assert batches.progress(batch).outcomes == {"digitised": 1, "failed": 2}
    batches.close(batch)
    assert batches.find_open({"status": "all"}, "2") is None


def test_the_intake_ledger_sends_a_version_once(warehouse):
    ledger = IntakeLedger(warehouse)
    now = dt.datetime.now(dt.UTC)
    seen = ledger.observe("intake/000.17.22.H56/a.png", "v1", now)
    assert seen.state == "waiting"
    assert (
        ledger.observe("intake/000.17.22.H56/a.png", "v1", now + dt.timedelta(1)).first_seen_at
        == seen.first_seen_at
    )
    assert ledger.mark_ready("intake/000.17.22.H56/a.png", "v1")
    assert not ledger.mark_ready("intake/000.17.22.H56/a.png", "v1")  # a second watcher loses
    assert ledger.ready_unsent() == [("intake/000.17.22.H56/a.png", "v1")]
    ledger.mark_enqueued("intake/000.17.22.H56/a.png", "v1", "msg-1", now)
    assert ledger.observe("intake/000.17.22.H56/a.png", "v1", now).state == "enqueued"
    ledger.observe("intake/000.17.22.H56/b.png", "v1", now)
    assert ledger.forget_waiting(set()) == 1  # b was overwritten before it was ready
    assert ledger.states() == {("intake/000.17.22.H56/a.png", "v1"): "enqueued"}


BAD_ROWS = {
    "dossiers": "INSERT INTO dossiers (agency, code, status, received_at, updated_at) "
    "VALUES ('A', :code, :status, :now, :now)",
    "documents": "INSERT INTO documents (dossier_id, name, status, input_sha256, "
    "pipeline_version, inputs, created_at, updated_at) "
    "VALUES (:dossier, :code, :status, 'a', '1', '[]', :now, :now)",
}


@pytest.mark.parametrize("table", sorted(BAD_ROWS))
def test_the_database_refuses_an_unknown_status(warehouse, table):
    """The CHECK constraint itself: raw SQL, past the warehouse's own ValueError."""
    dossier = warehouse.ensure_dossier(AGENCY, "d1", source="test")
    now = dt.datetime(2024, 3, 15, tzinfo=dt.UTC)
    known = dict(dossier=dossier, code="ok", status="failed", now=now)
    with warehouse.engine.begin() as conn:
        conn.execute(sa.text(BAD_ROWS[table]), known)  # a known status goes in
    for status in ("done", "Digitised", ""):
        with pytest.raises(sa.exc.IntegrityError), warehouse.engine.begin() as conn:
            conn.execute(sa.text(BAD_ROWS[table]), dict(known, code=status or "x", status=status))
    with pytest.raises(sa.exc.IntegrityError), warehouse.engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {table} SET status = 'signed'"))


def test_the_warehouse_refuses_an_unknown_status_before_the_database(warehouse):
    dossier = warehouse.ensure_dossier(AGENCY, "d1", source="test")
    with pytest.raises(ValueError, match="done"):
        warehouse.set_dossier_status(dossier, "done")
    with pytest.raises(ValueError, match="signed"):
        warehouse.record_document(dossier, status="signed", **_doc())


def test_0009_stops_at_a_status_it_does_not_know(warehouse_url):
    engine = engine_for(warehouse_url)
    migrations.upgrade(engine, "0008")
    now = dt.datetime(2024, 3, 15, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(sa.text(BAD_ROWS["dossiers"]), dict(code="a", status="done", now=now))
    with pytest.raises(ConfigurationError, match="dossiers hold statuses .* done"):
        migrations.upgrade(engine)
    assert migrations.current(engine) == "0008"
    engine.dispose()
