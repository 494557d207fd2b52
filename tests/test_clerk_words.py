"""The CLI's digitise summary says a quarantine reason as a clerk would, in SOHOA_LANG."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.services import REPO, sohoa_env


@pytest.mark.parametrize(
    ("lang", "words"),
    [("vi", "Tệp bị hỏng (không đọc được)"), ("en", "The file is damaged (it cannot be read)")],
)
def test_the_digitise_summary_says_why_in_words(tmp_path, lang, words):
    scans = tmp_path / "in"
    scans.mkdir()
    (scans / "to-khai.png").write_bytes(b"\x89PNG\r\n\x1a\n cut short")
    done = subprocess.run(
        [sys.executable, "-m", "workers.cli", "digitise", str(scans)],
        env=sohoa_env(SOHOA_DATA=str(tmp_path / "data"), SOHOA_LANG=lang, SOHOA_JOBS="1"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 7, done.stdout + done.stderr  # input rejected
    assert words in " ".join(done.stdout.split()), done.stdout
    assert "corrupt" in done.stdout  # the technical reason is still there
