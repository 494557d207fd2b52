"""The OCR process pool: a page error cancels the rest quietly and is raised once."""

from __future__ import annotations

import logging

import pytest

from pipeline.reading.page import PageTask
from schemas.errors import SohoaError
from schemas.settings import InputLimits, OcrSettings
from workers.job.page_pool import PagePool


def test_a_page_error_cancels_the_rest_without_callback_noise(caplog):
    tasks = [
        PageTask(f"broken-{i}.png", b"not an image", "png", 0, i, OcrSettings(), InputLimits())
        for i in range(1, 13)
    ]
    counted: list[int] = []
    caplog.set_level(logging.ERROR)
    with PagePool(1, on_page=counted.append) as pool, pytest.raises(SohoaError) as raised:
        pool.run(tasks)
    assert raised.value.subject and raised.value.subject.startswith("broken-")
    assert counted == []  # nothing was read, nothing counted
    noise = [r for r in caplog.records if "exception calling callback" in r.getMessage()]
    assert noise == []
