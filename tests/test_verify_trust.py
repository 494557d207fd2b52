"""Vietnamese trust out of the box: the ``vn`` profile's pinned anchors, ``sohoa trust list``,
and the real decree 49 verified with them (tests/data/decree-49-2026-ND-CP.pdf)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from schemas.errors import ConfigurationError, ExitCode
from schemas.verification import VerifyOutput
from tests.cli_harness import cli
from tests.conftest import REPO
from workers.trust import store as trust_store

DECREE = REPO / "tests" / "data" / "decree-49-2026-ND-CP.pdf"
FINGERPRINTS = REPO / "workers" / "trust" / "vn" / "FINGERPRINTS.txt"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    return cli(monkeypatch)


def test_the_pins_are_the_published_fingerprints() -> None:
    """The pins in code are FINGERPRINTS.txt's values, file by file."""
    published = {
        line.split()[0]: line.split()[1].replace(":", "")
        for line in FINGERPRINTS.read_text().splitlines()
        if line.strip()
    }
    assert trust_store.PINS["vn"] == published


def test_the_vn_profile_has_four_roots_and_four_cas() -> None:
    profile = trust_store.load_profile("vn")
    assert (len(profile.roots), len(profile.intermediates)) == (4, 4)


def test_a_certificate_that_does_not_match_its_pin_is_refused(monkeypatch) -> None:
    pins = dict(trust_store.PINS["vn"])
    pins["vgca-root-g2.pem"] = "00" * 32
    monkeypatch.setitem(trust_store.PINS, "vn", pins)
    with pytest.raises(ConfigurationError, match="vgca-root-g2.pem .*refusing"):
        trust_store.load_profile("vn")


def test_an_unknown_profile_is_a_config_error(run) -> None:
    result = run("verify", DECREE, "--trust-profile", "xx")
    assert result.exit_code == ExitCode.CONFIG and "unknown trust profile" in result.output


def test_trust_list_shows_every_anchor_and_its_expiry(run) -> None:
    result = run("trust", "list", env={"COLUMNS": "250"})
    assert result.exit_code == ExitCode.OK, result.output
    for file, pin in trust_store.PINS["vn"].items():
        assert file in result.output and pin in result.output
    assert "2048-08-14" in result.output  # VGCA root G2


def test_expiry_is_warned_90_days_ahead() -> None:
    g1_end = dt.datetime(2030, 3, 5, 5, 45, 57, tzinfo=dt.UTC)
    rows = {r.file: r for r in trust_store.anchors("vn", g1_end - dt.timedelta(days=30))}
    assert rows["vgca-root-g1.pem"].warning == "expires in 30 days"
    assert rows["vgca-root-g2.pem"].warning is None
    rows = {r.file: r for r in trust_store.anchors("vn", g1_end + dt.timedelta(days=1))}
    assert rows["vgca-root-g1.pem"].warning == "EXPIRED"


@pytest.mark.parametrize("how", ["option", "setting"])
def test_decree_49_is_intact_and_trusted_but_revocation_unknown_offline(run, how) -> None:
    """A real VGCA G2 signature: the chain reaches RootCA G2 through the shipped CA; offline
    and without a CRL its revocation cannot be known: INDETERMINATE/TRY_LATER, never a pass."""
    if how == "option":
        result = run("verify", DECREE, "--trust-profile", "vn", "--json")
    else:
        result = run("verify", DECREE, "--json", env={"SOHOA_TRUST_PROFILE": "vn"})
    assert result.exit_code == ExitCode.INDETERMINATE, result.output
    (report,) = VerifyOutput.model_validate_json(result.stdout).reports
    (sig,) = report.signatures
    assert (sig.intact, sig.valid, sig.coverage) == (True, True, "ENTIRE_FILE")
    assert sig.sub_indication == "TRY_LATER"
    assert "RootCA chuyên dùng Chính phủ G2" in sig.trust_path[-1]
    assert "CHÍNH PHỦ" in (sig.signer or "")
    assert json.loads(result.stdout)["reports"][0]["signatures"][0]["revocation"]["status"] == (
        "unknown"
    )


def test_decree_49_in_words_for_a_clerk(run) -> None:
    """The first line says unchanged, who, trusted or not, what is missing; the claimed time
    (7 h ahead of the timestamp: local time written as UTC) is a note, the timestamp rules."""
    result = run("verify", DECREE, "--trust-profile", "vn", env={"COLUMNS": "400"})
    lines = [line.strip() for line in result.output.splitlines()]
    first = lines[lines.index(next(x for x in lines if x.startswith("signature "))) + 1]
    assert first.startswith("Unchanged since it was signed; signed by CHÍNH PHỦ on 2026-01-31")
    assert "chains to RootCA chuyên dùng Chính phủ G2" in first
    assert "revocation not checked: no CRL" in first and "--crl" in first
    assert any("+7 h apart" in x and "time zone" in x for x in lines)
    assert len(lines) <= 25  # one screen


@pytest.mark.parametrize(
    ("claimed", "words"),
    [
        (dt.timedelta(hours=7, seconds=-11), "+7 h apart, most likely a clock or time zone"),
        (dt.timedelta(hours=-1, minutes=2), "-1 h apart"),
        (dt.timedelta(minutes=17), "17 min apart"),
        (dt.timedelta(minutes=4), None),
    ],
)
def test_claimed_time_against_the_timestamp(claimed, words) -> None:
    from pipeline.signatures.verify_facts import time_notes

    stamped = dt.datetime(2026, 1, 31, 15, 32, 29, tzinfo=dt.UTC)
    notes = time_notes(stamped + claimed, stamped)
    if words is None:
        assert notes == ()
    else:
        (note,) = notes
        assert words in note and "the timestamp's time is used" in note
    assert time_notes(None, stamped) == () == time_notes(stamped, None)
