"""Decision 766 indicators against figures computed by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.indicators.rates import AgencyTree, Rate, compute, parse_period, period_of
from schemas.indicators import Agency, DossierFacts

D = dt.date
# A province, one of its departments, a district (abolished on 2025-07-01 by the two-level
# reform) and a commune that was under the district and then directly under the province.
TREE = AgencyTree(
    [
        Agency("P", "UBND tỉnh", "province"),
        Agency("P.S", "Sở Tư pháp", "province", parent="P"),
        Agency("P.D", "UBND huyện", "district", parent="P", valid_to=D(2025, 7, 1)),
        Agency("P.D.C", "UBND xã", "commune", parent="P.D", valid_to=D(2025, 7, 1)),
        Agency("P.D.C", "UBND xã", "commune", parent="P", valid_from=D(2025, 7, 1)),
    ]
)


def dossier(code, agency, received, *, doc=True, comps=2, digitised=2, reused=0, result=True):
    return DossierFacts(code, agency, "1.000001", received, doc, comps, digitised, reused, result)


FIXTURE = [
    # code agency  received          result is doc, components, digitised, reused, e-result
    dossier("a", "P.S", D(2025, 3, 1)),  # 4.1 4.2
    dossier("b", "P.S", D(2025, 3, 2), digitised=1),  # 4.1
    dossier("c", "P.S", D(2025, 8, 9), result=False, reused=1),  # 4.3
    dossier("d", "P.D.C", D(2025, 5, 5), doc=False, comps=1, digitised=1),  # 4.2
    dossier("e", "P.D.C", D(2025, 9, 5), doc=False, comps=1, digitised=0, reused=2),  # 4.3
    dossier("f", "P.D", D(2025, 1, 1), comps=0, digitised=0),  # 4.1 4.2
]


def rows(by, grain="year"):
    return {
        (r.group, r.period, r.indicator): r.rate for r in compute(FIXTURE, TREE, by=by, grain=grain)
    }


def test_by_agency_sub_units_roll_up():
    got = rows("agency")
    # Sở: a, b, c. 4.1: a and b issued electronically; c has a document result not issued.
    assert got[("P.S", "2025", "4.1")] == Rate(2, 3)
    assert got[("P.S", "2025", "4.2")] == Rate(1, 3)
    assert got[("P.S", "2025", "4.3")] == Rate(1, 3)
    # The district: f itself, and d (its commune before July); e came after the reform.
    assert got[("P.D", "2025", "4.1")] == Rate(1, 1)
    assert got[("P.D", "2025", "4.2")] == Rate(2, 2)
    assert got[("P.D", "2025", "4.3")] == Rate(0, 2)
    # The province: everything.
    assert got[("P", "2025", "4.1")] == Rate(3, 4)
    assert got[("P", "2025", "4.2")] == Rate(3, 6)
    assert got[("P", "2025", "4.3")] == Rate(2, 6)


def test_by_level_follows_the_level_valid_that_day():
    got = rows("level")
    assert got[("province", "2025", "4.2")] == Rate(1, 3)
    assert got[("district", "2025", "4.2")] == Rate(1, 1)
    assert got[("commune", "2025", "4.2")] == Rate(1, 2)
    # No commune dossier's result is a document: an empty denominator is N/A, not 0%.
    assert got[("commune", "2025", "4.1")] == Rate(0, 0)
    assert got[("commune", "2025", "4.1")].percent is None


def test_by_quarter():
    got = rows("agency", "quarter")
    assert got[("P.S", "2025-Q1", "4.1")] == Rate(2, 2)
    assert got[("P.S", "2025-Q3", "4.1")] == Rate(0, 1)
    assert ("P.D", "2025-Q3", "4.2") not in got  # e belongs to the province by then


def test_two_decimals_and_scoring():
    assert Rate(2, 3).percent == Decimal("66.67")
    assert Rate(1, 3).percent == Decimal("33.33")
    assert Rate(4, 5).points(Decimal(10)) == Decimal("10.00")  # 80% earns full points
    assert Rate(3, 5).points(Decimal(10)) == Decimal("7.50")  # 60% x 10 / 80%
    assert Rate(0, 0).points() is None


@pytest.mark.parametrize(
    "text, start, end, grain",
    [
        ("2024", D(2024, 1, 1), D(2025, 1, 1), "year"),
        ("2024-Q4", D(2024, 10, 1), D(2025, 1, 1), "quarter"),
        ("2024-Q1", D(2024, 1, 1), D(2024, 4, 1), "quarter"),
        ("2024-12", D(2024, 12, 1), D(2025, 1, 1), "month"),
        ("2024-02", D(2024, 2, 1), D(2024, 3, 1), "month"),
    ],
)
def test_periods(text, start, end, grain):
    assert parse_period(text) == (start, end, grain)


@pytest.mark.parametrize("text", ["24", "2024-Q5", "2024-13", "2024-1", "Q1-2024", ""])
def test_bad_periods(text):
    with pytest.raises(ValueError):
        parse_period(text)


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)),
    st.sampled_from(["year", "quarter", "month"]),
)
def test_a_day_lies_in_its_period(day, grain):
    start, end, parsed = parse_period(period_of(day, grain))
    assert parsed == grain and start <= day < end
