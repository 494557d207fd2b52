import logging

import pytest

from workers.logs import MaskPersonalIds, for_humans, mask_identifiers


def test_cccd_and_cmnd_are_masked_other_numbers_are_not():
    text = "chủ hồ sơ 079203001234, CMND 025123456, mã 000.17.22.H56-240315-0001, năm 2024"
    masked = mask_identifiers(text)
    assert "079203001234" not in masked and "079******234" in masked
    assert "025123456" not in masked and "025***456" in masked
    assert "000.17.22.H56-240315-0001" in masked and "2024" in masked
    assert "240315-0001" in mask_identifiers("mã H56-240315-0001")  # a dossier's number


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("CCCD 001 203 004 567.", "CCCD 001 *** *** 567."),
        ("CCCD 001.203.004.567", "CCCD 001.***.***.567"),
        ("CCCD 0012 0300 4567", "CCCD 001* **** *567"),
        ("MST 0101234567-001", "MST 010*******-001"),
        ("MST 0101234567", "MST 010****567"),
        ("MST 0101234567001", "MST 010*******001"),
        ("scan_079203001234.pdf", "scan_079******234.pdf"),
        ("ngày 15.03.2024, 1.000.000.000 đồng, 12 trang", None),
        ("000.17.22.H56 2024-03-15", None),
    ],
)
def test_spaced_dotted_and_tax_code_forms_are_masked(text, masked):
    assert mask_identifiers(text) == (masked or text)


def test_a_newline_in_a_file_name_cannot_forge_a_log_line(caplog):
    caplog.handler.addFilter(MaskPersonalIds())
    forged = "scan.pdf\n2026-12-01 10:00:00 INFO workers.job all documents digitised\x1b[2K"
    logging.getLogger("sohoa.test").warning("file %s quarantined", forged)
    assert caplog.text.count("\n") == 1  # the record's own end
    assert "scan.pdf\\n2026-12-01" in caplog.text and "\\x1b[2K" in caplog.text
    assert for_humans("a\tb") == "a\tb"  # a tab stays


def test_the_filter_masks_arguments_and_tracebacks(caplog):
    logger = logging.getLogger("sohoa.test")
    caplog.handler.addFilter(MaskPersonalIds())
    try:
        raise ValueError("owner 001099012345 rejected")
    except ValueError:
        logger.exception("dossier %s owner %s", "d1", "001099012345")
    record = caplog.records[-1]
    assert "001099012345" not in caplog.text and "001******345" in caplog.text
    assert record.getMessage() == "dossier d1 owner 001******345"
