import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from pipeline.indicators.register_file import parse_register

HEADER = (
    "dossier_code,agency,procedure_code,received_at,channel,components,"
    "components_digitised,components_reused,result_issued_electronically\n"
)


def test_csv_good_and_bad_rows_with_line_numbers():
    text = HEADER + (
        "000.17.22.H56-240315-0001,000.17.22.H56,2.002622,2024-03-15,counter,2,2,0,có\n"
        "000.17.22.H56-240315-0002,000.17.22.H56,2.002622,2024-03-15,fax,2,2,0,no\n"
        "BAD,000.17.22.H56,2.002622,2024-03-15,online,1,0,0,0\n"
        "000.17.22.H56-240316-0003,000.17.22.H56,2.002622,2024-03-16T08:30:00,online,1,3,0,0\n"
        "000.17.22.H56-240316-0004,000.17.22.H56,1.1,2024-03-16,post,1,1,1,yes,extra\n"
        "000.17.22.H56-240317-0005,000.17.22.H56,1.1,2024-03-17,,,,,\n"
    )
    good, bad = parse_register(text.encode(), "register.csv")
    assert [r.line for r in good] == [2, 7]
    assert good[0].entry.result_issued_electronically is True
    assert good[1].entry.channel == "counter" and good[1].entry.components == 0
    assert good[0].entry.received_day == dt.date(2024, 3, 15)
    reasons = {r.line: r.reason for r in bad}
    assert set(reasons) == {3, 4, 5, 6}
    assert "channel" in reasons[3] and "dossier_code" in reasons[4]
    assert "components_digitised is larger" in reasons[5] and "more cells" in reasons[6]


def test_json_register():
    items = [
        {
            "dossier_code": "000.17.22.H56-240315-0001",
            "agency": "000.17.22.H56",
            "procedure_code": "2.002622",
            "received_at": "2024-03-15",
            "components": 1,
        },
        {"dossier_code": "000.17.22.H56-240315-0002"},
    ]
    good, bad = parse_register(json.dumps(items).encode(), "r.json")
    assert [r.line for r in good] == [1] and [r.line for r in bad] == [2]
    assert "agency" in bad[0].reason


@given(st.text(max_size=300))
def test_any_text_is_parsed_or_rejected_row_by_row(text):
    good, bad = parse_register((HEADER + text).encode(), "fuzz.csv")
    assert all(r.line >= 2 for r in good + bad)
