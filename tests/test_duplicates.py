"""A document belongs to its dossier: the same scan in two dossiers, a stray copy of it, and a
re-run with a newer pipeline. The worker's runtime runs in-process (file store, SQLite, a
development key, real Tesseract)."""

from __future__ import annotations

import dataclasses

import pytest

from schemas.messages import IntakeMessage, RedigitiseMessage
from schemas.settings import load_settings
from storage.consistency import inconsistent_dossiers
from storage.history import dossier_history
from tests.distributed import AGENCY, document_rows, dossier_statuses, drop_folder, page
from workers.queue.redigitise import Selection, select
from workers.queue.runtime import WorkerRuntime

SCAN = page("Về việc cấp giấy phép xây dựng")
a_code, b_code = f"{AGENCY}-240315-0001", f"{AGENCY}-240316-0001"


def runtime_for(tmp_path, **env: str) -> WorkerRuntime:
    settings = load_settings({"SOHOA_DATA": str(tmp_path / "data"), **env})
    return dataclasses.replace(WorkerRuntime.from_settings(settings), pipeline_version="1")


def drop(runtime: WorkerRuntime, folder: str, day: str) -> str:
    manifest = {
        "dossier_code": f"{AGENCY}-{day}-0001",
        "received_date": f"20{day[:2]}-{day[2:4]}-{day[4:]}",
        "documents": [{"name": "giay-phep", "files": ["trang-1.png"]}],
    }
    prefix = drop_folder(runtime.store, folder, {"trang-1.png": SCAN}, manifest)
    return prefix


def rows_by_dossier(runtime: WorkerRuntime) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for row in document_rows(runtime.warehouse):
        found.setdefault(row["dossier_id"], []).append(row)
    return found


def results(runtime: WorkerRuntime) -> list[str]:
    return sorted(k for k in runtime.store.list("results/") if k.endswith(".pdf"))


@pytest.fixture
def first(tmp_path):
    runtime = runtime_for(tmp_path)
    assert runtime.digitise(IntakeMessage(unit=drop(runtime, "a", "240315")), owner="m-a") == (
        "digitised"
    )
    return runtime


def test_the_same_scan_in_a_second_dossier_gets_its_own_row_and_result(first):
    runtime = first
    assert runtime.digitise(IntakeMessage(unit=drop(runtime, "b", "240316")), owner="m-b") == (
        "digitised"
    )
    a, b = (rows_by_dossier(runtime)[i] for i in sorted(rows_by_dossier(runtime)))
    assert [r["status"] for r in a] == ["digitised"] and [r["status"] for r in b] == ["digitised"]
    assert a[0]["input_sha256"] == b[0]["input_sha256"]
    assert b[0]["duplicate_of"] == a[0]["id"] and a[0]["duplicate_of"] is None
    assert a[0]["result_key"] != b[0]["result_key"]  # each signed for its own dossier
    assert [k.split("/")[3] for k in results(runtime)] == [
        f"{AGENCY}-240315-0001",
        f"{AGENCY}-240316-0001",
    ]
    assert inconsistent_dossiers(runtime.warehouse) == []
    (line,) = [h for h in dossier_history(runtime.warehouse, b_code) if h.stage == "dedupe"]
    assert line.detail == f"same bytes as document 'giay-phep' of dossier {a_code} (#{a[0]['id']})"


def test_reuse_links_the_second_dossier_to_the_first_result(first, tmp_path):
    reuse = dataclasses.replace(
        first,
        settings=load_settings({"SOHOA_DATA": str(tmp_path / "data"), "SOHOA_DUPLICATES": "reuse"}),
    )
    assert reuse.digitise(IntakeMessage(unit=drop(reuse, "b", "240316")), owner="m-b") == (
        "digitised"
    )
    a, b = (rows_by_dossier(reuse)[i] for i in sorted(rows_by_dossier(reuse)))
    assert b[0]["status"] == "digitised" and b[0]["duplicate_of"] == a[0]["id"]
    assert b[0]["result_key"] == a[0]["result_key"] and len(results(reuse)) == 1
    # the second dossier keeps its own copy of its input bytes
    (original,) = [i["original_key"] for i in b[0]["inputs"]]
    assert f"{AGENCY}-240316-0001" in original and reuse.store.get(original) == SCAN
    assert list(reuse.store.list("intake/")) == []


def test_a_quarantined_stray_copy_leaves_the_first_dossier_alone(first):
    runtime = first
    before = rows_by_dossier(runtime)
    runtime.store.put("intake/stray.png", SCAN)  # outside an agency folder: refused
    assert runtime.digitise(IntakeMessage(unit="intake/stray.png"), owner="m-s") == "quarantined"
    after = rows_by_dossier(runtime)
    first_id = min(before)
    assert after[first_id] == before[first_id]  # not moved, not rewritten
    (stray,) = after[max(after)]
    assert stray["status"] == "quarantined" and stray["duplicate_of"] == before[first_id][0]["id"]
    statuses = dossier_statuses(runtime.warehouse)
    assert statuses == {f"{AGENCY}-240315-0001": "digitised", "stray": "quarantined"}
    # a newer pipeline re-runs everything: the stray copy never becomes a result
    newer = dataclasses.replace(runtime, pipeline_version="2")
    for dossier_id in select(runtime.warehouse, Selection()):
        newer.digitise(RedigitiseMessage(dossier_id=dossier_id), owner=f"r-{dossier_id}")
    assert [k.split("/")[3] for k in results(runtime)] == [f"{AGENCY}-240315-0001"] * 2
    assert dossier_statuses(runtime.warehouse)["stray"] == "quarantined"
    assert inconsistent_dossiers(runtime.warehouse) == []
