"""The CLI's digitise summary says a quarantine reason as a clerk would, in SOHOA_LANG: the
clerk's file name, what is wrong with it and on which page; never a path of sohoa's own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.services import REPO, sohoa_env


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("vi", "to-khai.png: Tệp ảnh bị hỏng (không đọc được trang 1)"),
        ("en", "to-khai.png: The image file is damaged (page 1 cannot be read)"),
    ],
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
    assert "sohoa-intake" not in done.stdout and "cannot identify image file '" not in done.stdout
    assert ("bị cách ly" in done.stdout) is (lang == "vi")  # the summary's words too
