import pytest
from pydantic import ValidationError

from schemas.errors import ConfigurationError
from schemas.settings import load_settings


def test_environment_and_overrides():
    s = load_settings({"SOHOA_JOBS": "3", "SOHOA_OCR__TIMEOUT_S": "12", "HOME": "/x"}, agency="000.17.22.H56")
    assert s.jobs == 3 and s.ocr.timeout_s == 12 and s.agency == "000.17.22.H56"
    assert s.resolved_warehouse_url.startswith("sqlite:///")
    assert s.resolved_store_url.startswith("file:///")


@pytest.mark.parametrize(
    "env",
    [{"SOHOA_JBOS": "2"}, {"SOHOA_OCR__TIMEOUT": "2"}, {"SOHOA_JOBS": "zero"}, {"SOHOA_JOBS": "0"}],
)
def test_unknown_or_bad_settings_name_the_variable(env):
    with pytest.raises(ConfigurationError) as caught:
        load_settings(env)
    assert next(iter(env)).removeprefix("SOHOA_").split("__")[0] in str(caught.value)


@pytest.mark.parametrize("agency", ["a/b/c", "../000.17.22.H56", "000.17.22.H56/x", ""])
def test_the_agency_must_be_an_agency_code(agency):
    with pytest.raises(ConfigurationError) as caught:
        load_settings({}, agency=agency)
    assert "SOHOA_AGENCY" in str(caught.value)


def test_settings_are_frozen():
    s = load_settings({})
    with pytest.raises(ValidationError):
        s.jobs = 5  # type: ignore[misc]


def test_ocr_processes_and_limits_are_bounded():
    with pytest.raises(ConfigurationError, match="SOHOA_JOBS"):
        load_settings({"SOHOA_JOBS": "100000"})
    assert load_settings({"SOHOA_JOBS": "64"}).jobs == 64
    s = load_settings({"SOHOA_LIMITS__MAX_HEX_STRING": "5000", "SOHOA_LIMITS__MIN_PAGE_PX": "1"})
    assert (s.limits.max_hex_string, s.limits.min_page_px) == (5000, 1)
    with pytest.raises(ConfigurationError, match="SOHOA_LIMITS__MAX_MANIFEST_DEPTH"):
        load_settings({"SOHOA_LIMITS__MAX_MANIFEST_DEPTH": "0"})


def test_a_signature_spec_is_frozen_and_closed() -> None:
    import datetime as dt

    import pydantic

    from pipeline.signatures.signing import sign_pdf
    from schemas.signing import SignatureSpec

    spec = SignatureSpec(reason="số hoá", location="000.17.22.H56")
    assert spec.field_name == "Signature1" and spec.signing_time is None
    with pytest.raises(pydantic.ValidationError):
        spec.reason = "other"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="resaon"):
        SignatureSpec(resaon="typo")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError, match="timezone"):
        SignatureSpec(signing_time=dt.datetime(2026, 12, 7, 12, 0))
    with pytest.raises(TypeError, match="reason"):
        sign_pdf(b"%PDF-1.7", None, reason="not a keyword any more")  # type: ignore[arg-type,call-arg]
