"""Personal data outside the logs: the embedded warehouse's file mode, the digitise summary."""

from __future__ import annotations

import stat
from pathlib import Path

from storage.warehouse import Warehouse
from workers.cli.digitise import _summarise
from workers.job.context import DocumentOutcome


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_embedded_warehouse_is_private(tmp_path):
    data = tmp_path / "sohoa-data"
    warehouse = Warehouse.open(f"sqlite:///{data / 'warehouse.sqlite'}")
    warehouse.ensure_dossier("000.17.22.H56", "d1", source="test")  # writes the WAL too
    assert _mode(data) == 0o700 and _mode(data / "warehouse.sqlite") == 0o600
    assert _mode(data / "warehouse.sqlite-wal") == 0o600
    warehouse.engine.dispose()


def test_an_existing_readable_warehouse_is_made_private(tmp_path):
    path = tmp_path / "warehouse.sqlite"
    path.touch(mode=0o644)
    path.chmod(0o644)
    Warehouse.open(f"sqlite:///{path}").engine.dispose()
    assert _mode(path) == 0o600


def test_the_summary_masks_identifiers_and_shows_names_on_one_line(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # no folding: each value is read whole
    outcomes = [
        DocumentOutcome(
            "ho-so-1",
            "cccd_079203001234",
            "digitised",
            ("cccd_079203001234.png",),
            pages=1,
            result_key="results/000.17.22.H56/2024/ho-so-1/cccd_079203001234.v1.pdf",
        ),
        DocumentOutcome(
            "ho-so-1",
            "mst 0101234567-001\nforged: 1 digitised [red]x",
            "quarantined",
            ("a.pdf",),
            quarantine_keys=("quarantine/bad/001 203 004 567.pdf",),
            reason="bad",
            message="cannot read 001.203.004.567.pdf",
        ),
    ]
    _summarise(outcomes, Path("/data"), "en")
    out = capsys.readouterr().out
    for identifier in ("079203001234", "0101234567", "001 203 004 567", "001.203.004.567"):
        assert identifier not in out
    assert "079******234" in out and "001 *** *** 567" in out and "010*******-001" in out
    assert "\\nforged" in out and "[red]x" in out  # escaped, and not taken as markup
    assert "data in /data" in out


def test_verify_masks_identifiers_in_file_names(tmp_path):
    import subprocess
    import sys

    from tests.services import REPO, sohoa_env

    named = tmp_path / "cccd 079203001234.pdf"
    named.write_bytes(b"%PDF-1.7 not really")
    done = subprocess.run(
        [sys.executable, "-m", "workers.cli", "verify", str(named), "--data", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        env=sohoa_env(),
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 5, done.stdout + done.stderr  # unreadable, and said so
    assert "079203001234" not in done.stdout + done.stderr
    assert "079******234" in done.stdout + done.stderr
