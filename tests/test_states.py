"""The ordered enums of schemas/states.py and the warehouse's CHECK constraints built on them."""

from __future__ import annotations

import importlib
import json

import pytest

from schemas.signing import SigningLevel
from schemas.states import Coverage, DocumentStatus, DossierStatus, ModificationLevel
from schemas.verification import SignatureReport, Indication
from storage.tables import documents, dossiers

MIGRATION = importlib.import_module("storage.migrations.versions.0009_known_statuses")


def test_members_order_by_their_place_not_alphabetically() -> None:
    assert Coverage.ENTIRE_REVISION < Coverage.ENTIRE_FILE  # "ENTIRE_F..." < "ENTIRE_R..."
    assert SigningLevel.B_T < SigningLevel.B_LT < SigningLevel.B_LTA  # "B-T" > "B-LT"
    assert ModificationLevel.FORM_FILLING > ModificationLevel.LTA_UPDATES
    assert max(DocumentStatus.FAILED, DocumentStatus.DIGITISED) is DocumentStatus.FAILED
    assert sorted(SigningLevel, reverse=True)[0] is SigningLevel.B_LTA


def test_members_are_their_values() -> None:
    assert DocumentStatus.DIGITISED == "digitised" and f"{DossierStatus.FAILED}" == "failed"
    assert json.dumps([SigningLevel.B_LT]) == '["B-LT"]'
    assert DossierStatus("retrying") is DossierStatus.RETRYING


def test_final_states() -> None:
    assert [s.value for s in DossierStatus if s.final] == ["digitised", "quarantined", "failed"]
    final = [s.value for s in DocumentStatus if s.final]
    assert final == ["digitised", "reused", "quarantined", "failed"]


def test_a_report_holds_enums_and_writes_their_values() -> None:
    report = SignatureReport(
        field_name="Signature1",
        indication=Indication.TOTAL_PASSED,
        intact=True,
        valid=True,
        trusted=True,
        coverage="ENTIRE_FILE",
        modification_level="NONE",
        level="B-LT",
    )
    assert report.coverage is Coverage.ENTIRE_FILE and report.level is SigningLevel.B_LT
    dumped = json.loads(report.model_dump_json())
    assert (dumped["coverage"], dumped["level"]) == ("ENTIRE_FILE", "B-LT")


def test_the_migration_knows_what_the_enums_and_tables_know() -> None:
    """0009 writes its sets out; they must stay those of the enums and of storage/tables.py."""
    assert MIGRATION.KNOWN["dossiers"] == tuple(DossierStatus)
    assert MIGRATION.KNOWN["documents"] == tuple(DocumentStatus)
    for table in (dossiers, documents):
        (check,) = [c for c in table.constraints if c.name == MIGRATION.check_name(table.name)]
        assert str(check.sqltext) == MIGRATION.condition(table.name)


@pytest.mark.parametrize(
    ("outcomes", "final"),
    [
        (("digitised", "already-digitised", "reused"), DossierStatus.DIGITISED),
        (("quarantined", "digitised"), DossierStatus.QUARANTINED),
        (("quarantined", "failed", "digitised"), DossierStatus.FAILED),
        ((), DossierStatus.DIGITISED),
    ],
)
def test_a_dossier_ends_as_the_worst_of_its_documents(outcomes, final) -> None:
    from workers.job.context import DocumentOutcome
    from workers.job.dossier import final_status

    found = final_status([DocumentOutcome("d", f"doc{i}", s, ()) for i, s in enumerate(outcomes)])
    assert found is final
