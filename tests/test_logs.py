import logging

from workers.logs import MaskPersonalIds, mask_identifiers


def test_cccd_and_cmnd_are_masked_other_numbers_are_not():
    text = "chủ hồ sơ 079203001234, CMND 025123456, mã 000.17.22.H56-240315-0001, năm 2024"
    masked = mask_identifiers(text)
    assert "079203001234" not in masked and "079******234" in masked
    assert "025123456" not in masked and "025***456" in masked
    assert "000.17.22.H56-240315-0001" in masked and "2024" in masked
    assert mask_identifiers("0792030012345") == "0792030012345"  # 13 digits: a tax code


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
