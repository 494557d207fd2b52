"""Metadata parsers: fields of a Vietnamese administrative document read from OCR text, with
Tesseract's known slips (Đ as D, lost diacritics, split symbols, glued words)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pipeline.metadata.extract import (
    DOCUMENT_TYPES,
    archival_metadata,
    extract,
    find_number,
    fold,
    merge_manifest,
)
from pipeline.metadata.extract_header import ABBREVIATIONS, find_date, spell_notation
from pipeline.metadata.extract_text import fold_chars, lines_of
from schemas.document import ArchivalMetadata, MetadataFields

HEADER = """UBND TỈNH ĐỒNG NAI
SỞ TƯ PHÁP

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: {number}

{place}, ngày {d:02d} tháng {m:02d} năm {y}

{type}
{subject}

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"""

FOOTER = """

Trên đây là quyết định của Sở Tư pháp./.

Nơi nhận:
- Như trên;
- UBND tỉnh (để b/c);
- Lưu: VT, VP.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Nguyễn Thị Thu Hà"""


def header(**kw: object) -> str:
    values = dict(
        number="05/2024/QĐ-UBND",
        place="Biên Hòa",
        d=5,
        m=2,
        y=2024,
        type="QUYẾT ĐỊNH",
        subject="Về việc ban hành quy chế làm việc",
    )
    values.update(kw)
    return HEADER.format(**values)


def test_clean_header_and_footer():
    meta = extract(header() + FOOTER)
    assert meta.code_number == "05" and meta.code_notation == "2024/QĐ-UBND"
    assert meta.number_and_symbol == "05/2024/QĐ-UBND"
    assert meta.issued_date == dt.date(2024, 2, 5) and meta.place == "Biên Hòa"
    assert meta.type_name == "QUYẾT ĐỊNH"
    assert meta.organ_name == "SỞ TƯ PHÁP" and meta.parent_organ_name == "UBND TỈNH ĐỒNG NAI"
    assert meta.subject == "Về việc ban hành quy chế làm việc"
    assert meta.signing_authority == "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"
    assert meta.signer_position == "PHÓ CHỦ TỊCH"
    assert meta.signer_name == "Nguyễn Thị Thu Hà"
    assert meta.recipients == ("Như trên", "UBND tỉnh (để b/c)", "Lưu: VT, VP")
    assert set(meta.confidence) == set(meta.model_dump(exclude_none=True)) - {
        "confidence",
        "sources",
        "disagreements",
    }
    assert all(0 < c <= 1 for c in meta.confidence.values())
    assert set(meta.sources.values()) == {"ocr"}


def test_tesseract_slips_are_tolerated():
    text = header(number="05 /2024/ QD - UBND", type="QUYET DINH", subject="Về việc x")
    text = text.replace("Số:", "Sô:").replace("tháng", "thang").replace("ngày", "ngay")
    meta = extract(text)
    assert meta.code_notation == "2024/QĐ-UBND" and meta.type_name == "QUYẾT ĐỊNH"
    assert meta.issued_date == dt.date(2024, 2, 5)


def test_lost_slash_and_glued_number():
    assert extract("Số: 16NQ-HĐND\n\nNGHỊ QUYẾT\nVề x").number_and_symbol == "16/NQ-HĐND"
    assert extract("Số:05/QĐ-UBND\n\nQUYẾT ĐỊNH\nVề x").number_and_symbol == "05/QĐ-UBND"
    assert find_number("S6: 123/HD/NN")[:2] == ("123", "HD/NN")


def test_without_diacritics_the_confidence_is_lower():
    clean = extract(header(type="CHỈ THỊ", number="05/UBND-VP"))
    slipped = extract(header(type="CHI THI", number="05/UBND-VP"))
    assert clean.type_name == slipped.type_name == "CHỈ THỊ"
    assert slipped.confidence["type_name"] < clean.confidence["type_name"]


def test_type_and_symbol_that_agree_raise_the_confidence():
    agree = extract(header(type="KẾ HOẠCH", number="12/KH-UBND"))
    disagree = extract(header(type="KẾ HOẠCH", number="12/BC-UBND"))
    assert agree.confidence["type_name"] > disagree.confidence["type_name"]


def test_type_line_must_be_upper_case():
    text = "Số: 3/UBND-VP\nV/v góp ý dự thảo\n\nKính gửi: x\n\nthực hiện theo quy định.\n"
    meta = extract(text)
    assert meta.type_name == "CÔNG VĂN" and meta.subject == "V/v góp ý dự thảo"


def test_cong_van_subject_over_two_lines():
    text = (
        "ỦY BAN NHÂN DÂN\nHUYỆN CƯ KUIN\n\nSố: 33/UBND-HCTH\n\nCư Kuin, ngày 11 tháng 9 năm 2024"
        "\n\nV/v góp ý dự thảo Kế hoạch\nquản lý, sử dụng đất đai\n\nKính gửi: Các cơ quan"
    )
    meta = extract(text)
    assert meta.subject == "V/v góp ý dự thảo Kế hoạch quản lý, sử dụng đất đai"
    assert meta.type_name == "CÔNG VĂN" and meta.organ_name == "ỦY BAN NHÂN DÂN HUYỆN CƯ KUIN"
    assert meta.parent_organ_name is None and meta.place == "Cư Kuin"


def test_lost_v_in_v_slash_v():
    assert extract("Số: 1/UBND-VP\nV/ góp ý x\n\nKính gửi: y").subject == "V/v góp ý x"


def test_agency_name_over_two_lines_under_its_parent():
    text = "UBND TỈNH ĐỒNG NAI\nSỞ NÔNG NGHIỆP VÀ\nPHÁT TRIỂN NÔNG THÔN\n\nSố: 32/QĐ-SNN\n"
    meta = extract(text)
    assert meta.organ_name == "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN"
    assert meta.parent_organ_name == "UBND TỈNH ĐỒNG NAI"


def test_header_columns_read_as_one_line():
    text = (
        "UBND TỈNH KHÁNH HÒA CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "SỞ Y TẾ Độc lập - Tự do - Hạnh phúc\n\n"
        "Số: 7/TB-SYT Nha Trang, ngày 9 tháng 3 năm 2023\n\nTHÔNG BÁO\nVề việc x\n"
    )
    meta = extract(text)
    assert meta.organ_name == "SỞ Y TẾ" and meta.parent_organ_name == "UBND TỈNH KHÁNH HÒA"
    assert meta.code_notation == "TB-SYT" and meta.place == "Nha Trang"
    assert meta.issued_date == dt.date(2023, 3, 9)


def test_lost_diacritics_in_agency_phrases_are_restored_but_not_in_place_names():
    meta = extract("UY BAN NHAN DAN\nTINH HÀ TĨNH\n\nSố: 1/QĐ-UBND\n")
    assert meta.organ_name == "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH"
    meta = extract("UBND THÀNH PHO HÀ NỘI\nSỞ Y TẾ\n\nSố: 1/QĐ-SYT\n")
    assert meta.parent_organ_name == "UBND THÀNH PHỐ HÀ NỘI"


def test_signer_block_read_beside_noi_nhan():
    text = "Nơi nhận: KT. GIÁM ĐỐC\n- Như trên; PHÓ GIÁM ĐỐC\n- Lưu: VT, VP.\n\nĐỗ Thị Thu Quang"
    meta = extract(text)
    assert meta.signing_authority == "KT. GIÁM ĐỐC"
    assert meta.signer_name == "Đỗ Thị Thu Quang"
    assert meta.recipients == ("Như trên", "Lưu: VT, VP")


def test_signer_title_slips_and_signature_noise():
    text = "Nơi nhận:\n- Như trên;\n\nKT: GLIÁM ĐỐC\n-,PHO GIAM DOC\n\nBulb Pes\n\nĐỉnh Hữu Long"
    meta = extract(text)
    assert meta.signing_authority == "KT. GIÁM ĐỐC" and meta.signer_position == "PHÓ GIÁM ĐỐC"
    assert meta.signer_name == "Đinh Hữu Long" and meta.confidence["signer_name"] >= 0.9


def test_manifest_wins_and_disagreement_is_kept():
    found = extract(header())
    merged = merge_manifest(found, MetadataFields(code_number="06"))
    assert merged.code_number == "06" and merged.sources["code_number"] == "manifest"
    assert merged.confidence["code_number"] == 1.0
    assert merged.disagreements == {"code_number": "05"}
    assert merged.code_notation == "2024/QĐ-UBND" and merged.sources["code_notation"] == "ocr"


def test_manifest_that_agrees_records_no_disagreement():
    merged = merge_manifest(extract(header()), MetadataFields(type_name="QUYẾT ĐỊNH"))
    assert merged.disagreements == {} and merged.sources["type_name"] == "manifest"


def test_archival_metadata_takes_the_text_fields():
    meta = extract(header())
    record = archival_metadata(meta, page_amount=2, file_code="000.00.00.H00.2024.01")
    assert isinstance(record, ArchivalMetadata)
    dumped = record.model_dump(by_alias=True, mode="json")
    assert dumped["CodeNumber"] == "05" and dumped["TypeName"] == "QUYẾT ĐỊNH"
    assert dumped["PageAmount"] == 2 and dumped["Language"] == "Tiếng Việt"
    assert len(dumped) == 22


def test_every_type_is_recognised_even_without_diacritics():
    for name in DOCUMENT_TYPES:
        assert extract(f"Số: 1/X-Y\n\n{fold(name)}\nVề việc x").type_name == name


def test_the_type_decides_between_d_and_đ_in_the_symbol():
    contract = extract("Số: 12/HD-UBND\n\nHỢP ĐỒNG\nVề việc thuê")
    guide = extract("Số: 12/HD-UBND\n\nHƯỚNG DẪN\nVề việc thuê")
    report = extract("Số: 3/Ttr-UBND\n\nTỜ TRÌNH\nVề việc x")
    assert contract.code_notation == "HĐ-UBND" and guide.code_notation == "HD-UBND"
    assert report.code_notation == "TTr-UBND"


def test_agency_initials_spell_the_symbol():
    assert spell_notation("TTr-SKHDT", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ") == "TTr-SKHĐT"
    assert spell_notation("HD-STTTI", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG") == "HD-STTTT"
    assert spell_notation("QĐĐ-UBND") == "QĐ-UBND"
    assert spell_notation("26/GGI-SYT", "SỞ Y TẾ", "GIẤY GIỚI THIỆU") == "26/GGT-SYT"
    assert spell_notation("UBND-GGI", None, "GIẤY GIỚI THIỆU") == "UBND-GGI"  # not its place
    assert spell_notation("15/NQ-HDND") == "15/NQ-HĐND"


# Property tests: any well-formed value survives the round trip, also without diacritics.


@given(
    st.dates(min_value=dt.date(1945, 9, 2), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["Hà Nội", "Biên Hòa", "Thủ Dầu Một", "Huế", "Buôn Ma Thuột"]),
    st.booleans(),
    st.booleans(),
)
def test_any_date_round_trips(date, place, pad, strip_marks):
    day = f"{date.day:02d}" if pad else str(date.day)
    line = f"{place}, ngày {day} tháng {date.month:02d} năm {date.year}"
    if strip_marks:
        line = line.replace("ngày", "ngay").replace("tháng", "thang").replace("năm", "nam")
    found = find_date(lines_of(line))
    assert found is not None and found.value == (date, place)


@given(
    st.integers(1, 99999),
    st.sampled_from(["QĐ-UBND", "TTr-UBND", "STTTT-CNTT&BCVT", "UBND-VP", "2024/NQ-HĐND"]),
    st.sampled_from(["Số: {}/{}", "Số:{}/{}", "Số {}/{}", "Sô: {} / {}", "Số: {}/ {}"]),
)
def test_any_number_round_trips(number, notation, shape):
    assert find_number(shape.format(number, notation))[:2] == (str(number), notation)


@given(st.sampled_from(sorted(ABBREVIATIONS.items())), st.integers(1, 999), st.booleans())
def test_symbol_abbreviation_follows_the_type(item, number, lose_d):
    type_name, abbr = item
    printed = abbr.replace("Đ", "D") if lose_d else abbr
    meta = extract(f"Số: {number}/{printed}-UBND\n\n{type_name}\nVề việc x")
    assert meta.code_notation == f"{abbr}-UBND" and meta.type_name == type_name


@given(st.text(alphabet="ĐđÀàẢảẤấỆệỠỡỰựƯưƠơABCxyz ,.-", max_size=40))
def test_fold_keeps_one_character_per_character(text):
    assert len(fold_chars(text)) == len(text)
    assert fold_chars(text).isascii() or not text.isascii()


@given(st.text(max_size=300))
def test_extract_never_raises_on_any_text(text):
    meta = extract(text)
    assert all(0 <= c <= 1 for c in meta.confidence.values())


def test_subject_goes_on_past_a_line_that_only_looks_like_the_body():
    text = (
        "Số: 1/QĐ-UBND\n\nQUYẾT ĐỊNH\nVề việc phê duyệt Kế hoạch cấp, quản lý\ncăn cước năm 2022\n"
    )
    assert extract(text).subject == "Về việc phê duyệt Kế hoạch cấp, quản lý căn cước năm 2022"
    body = "Số: 1/QĐ-UBND\n\nQUYẾT ĐỊNH\nVề việc x\nCăn cứ Luật Tổ chức chính quyền địa phương;"
    assert extract(body).subject == "Về việc x"


def test_a_place_name_is_no_number_and_dashes_are_dashes():
    meta = extract("ỦY BAN NHÂN DÂN\nXÃ SUỐI TÂN\n\nSố: 2472/UBND-TCCB\n")
    assert meta.organ_name == "ỦY BAN NHÂN DÂN XÃ SUỐI TÂN"
    assert meta.number_and_symbol == "2472/UBND-TCCB"
    assert find_number("Số: 1715/CTr--UBND")[:2] == ("1715", "CTr-UBND")
    meta = extract("Số: 1715/CIr – UBND\n\nCHƯƠNG TRÌNH\nVề x\n\n“TRƯỞNG PHÒNG\n\nLê Văn An")
    assert meta.number_and_symbol == "1715/CTr-UBND"
    assert meta.signer_position == "TRƯỞNG PHÒNG"


def test_a_real_decree_gives_every_field():
    """Nghị định 49/2026/NĐ-CP (tests/data/README.md): the text layer of its first and last
    pages; the fields as printed (fields.json, typed by hand from the PDF)."""
    import json
    from pathlib import Path

    from samplegen.office_scans import page_truth

    data = Path(__file__).parent / "data"
    pdf = data / "decree-49-2026-ND-CP.pdf"
    truth = json.loads((data / "decree-49-2026-ND-CP.fields.json").read_text(encoding="utf-8"))
    found = extract(page_truth(pdf, 1) + "\n\n" + page_truth(pdf, 29))
    for name, want in truth.items():
        got = getattr(found, name)
        assert str(got) == want, (name, got)
    assert found.recipients[-1] == "Lưu: VT, NN (2b)" and len(found.recipients) == 16


def test_signer_name_read_at_the_end_of_a_recipient_line():
    """Nơi nhận beside the signer block, read across: the name ends an item's line."""
    text = HEADER.format(
        number="12/QĐ-UBND", place="Biên Hòa", d=3, m=4, y=2024, type="QUYẾT ĐỊNH",
        subject="Về việc giao chỉ tiêu",
    ) + (
        "\n\nNơi nhận: KT. GIÁM ĐỐC\n- Như Điều 3; PHÓ GIÁM ĐỐC\n- Lưu: VT.\n"
        "- UBND tỉnh (b/c); Lê Thị Hoa\n"
    )  # fmt: skip
    found = extract(text)
    assert found.signer_name == "Lê Thị Hoa"
    assert found.recipients == ("Như Điều 3", "Lưu: VT", "UBND tỉnh (b/c)")
