"""`sohoa audit --check`: dossiers whose documents do not add up, on both warehouses; and the
command's exit code on an embedded one."""

from __future__ import annotations

import pytest

from storage.consistency import inconsistent_dossiers
from storage.warehouse import Warehouse
from tests.test_digitise_e2e import sohoa

AGENCY = "000.17.22.H56"


def _doc(name: str, **values):
    return dict(name=name, input_sha256=name * 8, pipeline_version="1", inputs=[], **values)


def build(w: Warehouse) -> None:
    """One dossier of each kind: fine, and each way of not adding up."""
    ok = w.ensure_dossier(AGENCY, "ok", source="t")
    w.record_document(ok, **_doc("a"), status="digitised", result_key="results/a.pdf")
    w.record_document(ok, **_doc("b"), status="reused")
    w.set_dossier_status(ok, "digitised")
    empty = w.ensure_dossier(AGENCY, "empty", source="t")  # what global dedupe left behind
    w.set_dossier_status(empty, "digitised")
    stuck = w.ensure_dossier(AGENCY, "stuck", source="t")
    w.record_document(stuck, **_doc("c"), status="processing")
    w.set_dossier_status(stuck, "digitised")
    mixed = w.ensure_dossier(AGENCY, "mixed", source="t")
    w.record_document(mixed, **_doc("d"), status="digitised")  # and no result
    w.set_dossier_status(mixed, "quarantined")
    registered = w.ensure_dossier(AGENCY, "registered", source="t")  # nothing to say yet
    assert registered


def test_every_dossier_that_does_not_add_up_is_found(warehouse):  # noqa: F811
    build(warehouse)
    found = {(i.dossier, i.problem) for i in inconsistent_dossiers(warehouse)}
    assert found == {
        ("empty", "digitised with 0 documents"),
        ("stuck", "document 'c' is processing"),
        ("mixed", "document 'd' is digitised without a result"),
        ("mixed", "no document is quarantined"),
    }


@pytest.mark.parametrize("broken", [True, False])
def test_the_command_reports_them_with_its_exit_code(tmp_path, broken):
    data = tmp_path / "data"
    w = Warehouse.open(f"sqlite:///{(data / 'warehouse.sqlite')}")
    if broken:
        build(w)
    w.engine.dispose()
    done = sohoa("audit", "--check", data=data)
    assert done.returncode == (1 if broken else 0), done.stdout + done.stderr
    assert ("4 problems" if broken else "0 problems") in done.stdout
    assert ("empty: digitised with 0 documents" in done.stdout) is broken
