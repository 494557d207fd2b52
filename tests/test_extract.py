"""Metadata parsers: the first cut (the [reading] issue raises the bar)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract import DOCUMENT_TYPES, extract, find_date, find_number, fold, merge_manifest
from schemas.document import MetadataFields

HEADER = """UBND TỈNH ĐỒNG NAI
SỞ TƯ PHÁP

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: {number}
{place}, ngày {d:02d} tháng {m:02d} năm {y}

{type}
{subject}

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"""


def test_clean_header():
    text = HEADER.format(
        number="05/2024/QĐ-UBND",
        place="Biên Hòa",
        d=5,
        m=2,
        y=2024,
        type="QUYẾT ĐỊNH",
        subject="Về việc ban hành quy chế làm việc",
    )
    meta = extract(text)
    assert meta.code_number == "05" and meta.code_notation == "2024/QĐ-UBND"
    assert meta.number_and_symbol == "05/2024/QĐ-UBND"
    assert meta.issued_date == dt.date(2024, 2, 5) and meta.place == "Biên Hòa"
    assert meta.type_name == "QUYẾT ĐỊNH" and meta.organ_name == "SỞ TƯ PHÁP"
    assert meta.subject == "Về việc ban hành quy chế làm việc"
    assert set(meta.confidence) >= {"code_number", "issued_date", "type_name", "organ_name"}


def test_tesseract_slips_are_tolerated():
    text = HEADER.format(
        number="05/2024/QD-UBND",
        place="Biên Hòa",
        d=5,
        m=2,
        y=2024,
        type="QUYET DINH",
        subject="Về việc ban hành quy chế",
    )
    text = text.replace("Số:", "Sô:").replace("tháng", "thang")
    meta = extract(text)
    assert meta.code_notation == "2024/QĐ-UBND" and meta.type_name == "QUYẾT ĐỊNH"
    assert meta.issued_date == dt.date(2024, 2, 5)
    assert meta.confidence["type_name"] < 0.9


def test_cong_van_subject():
    text = (
        "UBND HUYỆN X\nVĂN PHÒNG\n\nSố: 123/UBND-VP\nV/v triển khai số hóa hồ sơ\n\nKính gửi: ..."
    )
    meta = extract(text)
    assert meta.code_notation == "UBND-VP" and meta.subject == "V/v triển khai số hóa hồ sơ"
    assert meta.type_name == "CÔNG VĂN"


def test_manifest_wins_and_disagreement_is_kept():
    found = extract(
        HEADER.format(
            number="05/2024/QĐ-UBND",
            place="Biên Hòa",
            d=5,
            m=2,
            y=2024,
            type="QUYẾT ĐỊNH",
            subject="Về việc X",
        )
    )
    merged = merge_manifest(found, MetadataFields(code_number="06"))
    assert merged.code_number == "06" and merged.sources["code_number"] == "manifest"
    assert merged.disagreements == {"code_number": "05"}
    assert merged.code_notation == "2024/QĐ-UBND"


@given(
    st.dates(min_value=dt.date(1945, 9, 2), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["Hà Nội", "Biên Hòa", "Thủ Dầu Một", "Huế"]),
    st.booleans(),
)
def test_any_date_round_trips(date, place, pad):
    day = f"{date.day:02d}" if pad else str(date.day)
    found = find_date(f"{place}, ngày {day} tháng {date.month:02d} năm {date.year}")
    assert found is not None and found[0] == date and found[1] == place


@given(
    st.integers(1, 99999), st.sampled_from(["QĐ-UBND", "TTr-UBND", "STTTT-CNTT&BCVT", "UBND-VP"])
)
def test_any_number_round_trips(number, notation):
    assert find_number(f"Số: {number}/{notation}")[:2] == (str(number), notation)


def test_every_type_is_recognised_even_without_diacritics():
    for name in DOCUMENT_TYPES:
        assert extract(f"A\n\n{fold(name)}\nVề việc x").type_name == name


def test_the_type_decides_between_d_and_đ_in_the_symbol():
    contract = extract("Số: 12/HD-UBND\n\nHỢP ĐỒNG\nVề việc thuê")
    guide = extract("Số: 12/HD-UBND\n\nHƯỚNG DẪN\nVề việc thuê")
    report = extract("Số: 3/Ttr-UBND\n\nTỜ TRÌNH\nVề việc x")
    assert contract.code_notation == "HĐ-UBND" and guide.code_notation == "HD-UBND"
    assert report.code_notation == "TTr-UBND"
