"""Fields on real layouts the first set did not have, each rule on a real reading and on a
generated text: a trích yếu printed in capitals (QĐ 3218/QĐ-UBND Quảng Bình, NQ 12/NQ-CP),
specks before the type line, a signer block split across two pages with the recipient list
running on past it (NQ 12), a title whose line the seal cut (CV 7991, QĐ 3218), and words the
document says twice (the subject restated in Điều 1, the drafting unit in the ký hiệu).

The readings are sohoa's own (tests/data/readings, see its README) of the texts laid out in
tests/data/real-layouts. QĐ 1680, CV 3722 and TB 453 were held out while the rules above the
last section were written; the last section's rules came after their readings were looked at
(so they are held out no more; /work/notes/report-fields.md has both figures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.metadata.extract import extract
from pipeline.metadata.extract_repair import (
    complete_title,
    drop_from_body,
    fill_from_body,
    respell_from_body,
    spell_storage_units,
)
from pipeline.metadata.phrases import correct_text

DATA = Path(__file__).parent / "data"


def read(name: str, style: str, pages: int) -> str:
    """A document as eval reads it: its pages' readings, fixed phrases corrected, joined."""
    texts = [
        (DATA / "readings" / f"{name}-{style}-p{n:03d}.txt").read_text(encoding="utf-8")
        for n in range(1, pages + 1)
    ]
    return "\n\n".join(correct_text(t)[0] for t in texts)


def truth(stem: str) -> dict:
    return json.loads((DATA / "real-layouts" / f"{stem}.fields.json").read_text("utf-8"))


QD_3218, NQ_12 = "qd-3218-2024-ubnd-quangbinh", "nq-12-2023-cp"
STYLES = ("bw200", "grey300")


@pytest.mark.parametrize("style", STYLES)
def test_every_field_of_a_provincial_decision_with_its_subject_in_capitals(style: str) -> None:
    """QĐ 3218: 'c . QUYẾT ĐỊNH' / '`. QUYẾTĐỊNH _' (specks, a lost space), its subject in
    capitals over four lines up to the issuer's line, 'THẤM QUYỀN' read for THẨM QUYỀN (Điều 1
    says 'thẩm quyền'), 'HỦ TỊCH' left of PHÓ CHỦ TỊCH under the seal (bw200), and 'CHỦ
    TỊCH' read beside '- Bộ NN&PTNT;' (grey300)."""
    found = extract(read("qd-3218", style, 2))
    want = truth(QD_3218)
    assert found.type_name == want["type_name"]
    assert found.subject == want["subject"]
    assert found.confidence["subject"] < 0.8  # capitals, one word respelt: less sure
    assert found.signing_authority == want["signing_authority"]
    assert found.signer_position == want["signer_position"]
    assert list(found.recipients) == want["recipients"]


@pytest.mark.parametrize("style", STYLES)
def test_a_resolution_whose_signer_block_runs_onto_the_next_page(style: str) -> None:
    """NQ 12: TM. CHÍNH PHỦ over 'THỦ' (bw200) or 'THỦ TƯỚÓ' (grey300), the name on page 2
    under the rest of the list; the subject's seven lines lost 'ĐẾN' at a line's start."""
    found = extract(read("nq-12", style, 2))
    want = truth(NQ_12)
    assert found.subject == want["subject"]
    assert found.signing_authority == want["signing_authority"]
    assert found.signer_position == want["signer_position"] == "THỦ TƯỚNG"
    assert found.confidence["signer_position"] == 0.5  # from a piece of the line: less sure
    assert found.signer_name == want["signer_name"]
    assert len(found.recipients) == len(want["recipients"]) == 16
    assert found.recipients[-1] == "Lưu: VT, QHĐP (3)Q.Cường"
    if style == "bw200":  # 'TGĐ Cống | TTĐT': the item's fixed phrase across its two lines
        assert list(found.recipients) == want["recipients"]


def test_generated_type_line_with_specks_and_subject_in_capitals() -> None:
    text = (
        "ỦY BAN NHÂN DÂN\nHUYỆN ĐỊNH QUÁN\n\nSố: 15/QĐ-UBND\n\n"
        "', QUYẾTĐỊNH _\nVỀ VIỆC THÀNH LẬP TỔ CÔNG TÁC\nRÀ SOÁT ĐẤT CÔNG\n"
        "ỦY BAN NHÂN DÂN HUYỆN ĐỊNH QUÁN\n\nCăn cứ Luật Tổ chức chính quyền địa phương;"
    )
    found = extract(text)
    assert found.type_name == "QUYẾT ĐỊNH"
    assert found.subject == "VỀ VIỆC THÀNH LẬP TỔ CÔNG TÁC RÀ SOÁT ĐẤT CÔNG"
    lone = extract("SỞ Y TẾ\n\nSố: 3/QĐ-SYT\n\nQUYẾT ĐỊNH\nGIÁM ĐỐC SỞ Y TẾ\n\nCăn cứ Luật;")
    assert lone.subject is None  # under the type, the issuer's line: no subject printed


def test_a_subject_word_takes_the_bodys_spelling_only_when_certain() -> None:
    """Capitals take the body's lower-case spelling; lower case only when the body says it
    twice; never a spelling with fewer marks (decree 49: the body's 'cơ chê', twice)."""
    assert respell_from_body("THUỘC THẤM QUYỀN GIẢI QUYẾT", "thuộc thẩm quyền giải quyết") == (
        "THUỘC THẨM QUYỀN GIẢI QUYẾT",
        1,
    )
    body = "của Bộ Giáo dục và Đào tạo; của Bộ Giáo dục và Đào tạo."
    assert respell_from_body("của Bộ Giáo dục và Đảo tạo", body)[0].endswith("Đào tạo")
    assert respell_from_body("của Bộ Giáo dục và Đảo tạo", body[:28])[1] == 0  # once only
    chê = "quy định một số cơ chê, chính sách; quy định một số cơ chê, chính sách"
    assert respell_from_body("quy định một số cơ chế, chính sách", chê)[1] == 0
    real = extract(read("qd-2827", "bw200", 1))  # 'Đảo tạo' under eight 'Đào tạo'
    assert real.subject.endswith("của Bộ Giáo dục và Đào tạo")
    decree = extract(correct_text((DATA / "readings" / "decree-49-bw200-p001.txt").read_text())[0])
    assert "một số cơ chế, chính sách" in decree.subject


def test_a_word_lost_from_a_subject_in_capitals_comes_back_from_the_body() -> None:
    body = "Điều 1. phát triển Thủ đô Hà Nội đến năm 2030, tầm nhìn đến năm 2045."
    subject = "PHÁT TRIỂN THỦ ĐÔ HÀ NỘI NĂM 2030, TẦM NHÌN"
    assert fill_from_body(subject, body) == ("PHÁT TRIỂN THỦ ĐÔ HÀ NỘI ĐẾN NĂM 2030, TẦM NHÌN", 1)
    assert fill_from_body(subject.title(), body)[1] == 0  # capitals only
    assert fill_from_body(subject, body.replace("đến năm 2030", "năm 2030"))[1] == 0


def test_a_title_line_cut_by_the_seal_is_completed_from_the_documents_own_words() -> None:
    """CV 7991: 'KT. VỤ TRƯỞNG VỤ GIÁO DỤC' over 'HỌC' ('TRUNG' under the seal); the letter
    says '(qua Vụ Giáo dục Trung học)'."""
    for style in STYLES:
        found = extract(correct_text(read("cv-7991", style, 1))[0])
        assert found.signing_authority == truth("cv-7991-2024-bgddt")["signing_authority"]
    title = "KT. GIÁM ĐỐC SỞ NÔNG NGHIỆP VÀ"
    text = "Sở Nông nghiệp và Phát triển nông thôn chủ trì."
    assert complete_title(title, "NÔNG THÔN", text) == title + " PHÁT TRIỂN NÔNG THÔN"
    assert complete_title(title, "NÔNG THÔN", "Sở Tài chính chủ trì.") is None
    made = extract(
        f"Nơi nhận:\n- Như trên;\n\n{title}\nNÔNG THÔN\nPHÓ GIÁM ĐỐC\n\nLê Văn Ba\n"
        "\n" + text
    )
    assert made.signing_authority == title  # the text after the block is not 'its own words'


def test_the_title_under_the_authority_from_what_the_seal_left_of_it() -> None:
    made = "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\n{}\n{}\n\nTrần Văn Hai"
    assert extract(made.format("KT. GIÁM ĐỐC", "IÁM ĐỐC")).signer_position == "PHÓ GIÁM ĐỐC"
    assert extract(made.format("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊ")).signer_position == "CHỦ TỊCH"
    tm_kt = extract(made.format("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH", "PHÓ"))
    assert tm_kt.signer_position == "PHÓ CHỦ TỊCH"
    assert extract(made.format("TM. ỦY BAN NHÂN DÂN", "PHÓ")).signer_position is None
    assert extract(made.format("TL. CHỦ TỊCH", "HÁNH VĂN")).signer_position is None


def test_a_recipient_list_goes_on_past_the_signers_lines_and_no_further() -> None:
    text = (
        "Nơi nhận:\n- Như trên;\n- Sở Tài chính;\n\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n,\n\n"
        "- UBND các xã;\n- Lưu: VT.\n\nNguyễn Văn An\n\nPHỤ LỤC\n- Danh mục một;"
    )
    found = extract(text)
    assert found.recipients == ("Như trên", "Sở Tài chính", "UBND các xã", "Lưu: VT")
    marks = extract("Nơi nhận:\n- Như trên;\n\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n~ ;ỳ\n\nLê Văn Ba")
    assert marks.recipients == ("Như trên",)  # a seal's '~' is no dash
    beside = extract("Nơi nhận: KT. CHỦ TỊCH\n- Như Điều 4; ,\n- Sở Y tế; CHỦ TỊCH\n\nLê Ba")
    assert beside.recipients == ("Như Điều 4", "Sở Y tế")


def test_the_drafting_unit_in_luu_is_spelt_as_the_ky_hieu_spells_it() -> None:
    """CV 7991: 'Lưu: VT, Vụ GDTTH.' under 7991/BGDĐT-GDTrH (read so in both scans)."""
    for style in STYLES:
        found = extract(correct_text(read("cv-7991", style, 1))[0])
        assert found.recipients[-1] == "Lưu: VT, Vụ GDTrH"
    items = ("Như trên", "Lưu: VT, KHTC, PC")
    assert spell_storage_units(("Lưu: VT, KHTT",), "UBND-KHTC") == ("Lưu: VT, KHTC",)
    assert spell_storage_units(items, "UBND-KHTC") == items  # right already: unchanged
    assert spell_storage_units(("Sở KHTT",), "UBND-KHTC") == ("Sở KHTT",)  # not the Lưu item
    assert spell_storage_units(("Lưu: VT, VP",), "QĐ-UBND") == ("Lưu: VT, VP",)


def test_cong_ttdt_is_a_fixed_phrase_of_the_recipient_list() -> None:
    assert correct_text("- Cống TTĐT tỉnh;")[0] == "- Cổng TTĐT tỉnh;"
    assert correct_text("- Cống thoát nước;") == ("- Cống thoát nước;", ())


QD_729, QD_2280 = "qd-729-2026-ttg", "qd-2280-2026-ubnd-hanoi"


@pytest.mark.parametrize("style", STYLES)
def test_a_decision_signed_digitally_has_its_number_and_date_left_blank(style: str) -> None:
    """QĐ 2280 (UBND Hà Nội): 'Số: /QĐ-UBND' and 'Hà Nội, ngày tháng năm 2026' as printed
    (the number and date are in the digital signature): the agency ends above the number
    line, the place is read, and no number or date is made up."""
    found = extract(read("qd-2280", style, 2))
    want = truth(QD_2280)
    assert found.organ_name == want["organ_name"] and found.place == want["place"]
    assert found.code_number is None and found.issued_date is None
    made = extract("SỞ Y TẾ\nSố:     /TB-SYT\n\nĐồng Nai, ngày    tháng    năm 2026\n\nTHÔNG BÁO\n")
    assert made.organ_name == "SỞ Y TẾ" and made.place == "Đồng Nai"
    assert made.issued_date is None and made.code_number is None


@pytest.mark.parametrize("style", STYLES)
def test_a_list_item_cut_in_two_by_the_signer_block_is_joined_again(style: str) -> None:
    """QĐ 2280: the item '- VP UBĐT: ... NNMT, TH,' ends page 2's left column where the signer
    block begins; Tesseract reads 'ĐT, KGVX, ...;' and '- Lưu: VT, ĐT (M).' after the name.
    Its '; (để b/c)' notes are printed, not a seal's marks; 'PHÓ CHỦ' is a piece of PHÓ CHỦ
    TỊCH, and the lines after the name name no position."""
    found = extract(read("qd-2280", style, 2))
    want = truth(QD_2280)
    assert list(found.recipients) == want["recipients"]
    assert found.signing_authority == want["signing_authority"]
    assert found.signer_position == want["signer_position"]
    assert found.signer_name == want["signer_name"]
    text = (
        "Nơi nhận:\n- Như trên;\n- Các phòng: TH, KT,\n\nKT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n"
        "Lê Văn Ba\n\nNC, VX;\n- Lưu: VT (để b/c); (2b)\n\nPHỤ LỤC\n- Mục một;"
    )
    made = extract(text)
    assert made.recipients == ("Như trên", "Các phòng: TH, KT, NC, VX", "Lưu: VT (để b/c); (2b)")
    assert made.signer_name == "Lê Văn Ba"


@pytest.mark.parametrize("style", STYLES)
def test_under_kt_with_the_position_line_lost_the_deputy_signs(style: str) -> None:
    """QĐ 729/QĐ-TTg: 'KT. THỦ TƯỚNG' then the name at once (bw200: 'PHÓ THỦ TƯỚNG' lost
    under the seal), or 'Ủ TƯỚNG' (grey300). 'Cống TTĐTCP' and 'TGĐÐ' in the list."""
    found = extract(read("qd-729", style, 1))
    want = truth(QD_729)
    assert found.signer_position == want["signer_position"] == "PHÓ THỦ TƯỚNG"
    assert found.confidence["signer_position"] <= 0.5
    assert list(found.recipients) == want["recipients"]
    made = "Nơi nhận:\n- Như trên;\n\n{}\nTrần Văn Hai"
    assert extract(made.format("KT. CỤC TRƯỞNG")).signer_position == "PHÓ CỤC TRƯỞNG"
    assert extract(made.format("KT. BỘ TRƯỞNG")).signer_position == "THỨ TRƯỞNG"
    # a head of two titles: whose deputy signs is not certain
    assert extract(made.format("KT. BỘ TRƯỞNG, CHỦ NHIỆM")).signer_position is None
    assert extract(made.format("TM. ỦY BAN NHÂN DÂN")).signer_position is None  # KT. lost?


def test_the_portal_in_a_recipient_list() -> None:
    assert correct_text("TGĐÐ Cống TTĐTCP;")[0] == "TGĐ Cổng TTĐTCP;"
    assert correct_text("- Cống số 3 TTĐT;") == ("- Cống số 3 TTĐT;", ())
    assert correct_text("TGĐĐ Công ty;") == ("TGĐĐ Công ty;", ())


# -- written after the held-out readings were looked at ----------------------------------------

QD_1680, CV_3722 = "qd-1680-2017-ubnd-namdinh", "cv-3722-2026-vpcp"
TB_453 = "tb-453-2026-ubnd-hanoi"


@pytest.mark.parametrize("style", STYLES)
def test_a_long_v_v_in_its_narrow_column_and_a_subject_right_over_the_body(style: str) -> None:
    """CV 3722: the V/v over six lines of the left column, 'Bến Thành - Suối' / 'Tiên đến
    ...' (a name cut at a line's end), the date line read between. TB 453: no issuer's line,
    the body's 'Nhân dịp ...' right under 'Về việc treo cờ Tổ quốc'."""
    assert extract(read("cv-3722", style, 1)).subject == truth(CV_3722)["subject"]
    assert extract(read("tb-453", style, 1)).subject == truth(TB_453)["subject"]
    made = extract(
        "SỞ Y TẾ\nSố: 5/SYT-VP\nV/v kiểm tra cơ sở khám bệnh tại\n\nĐồng Nai, ngày 3 tháng 4 "
        "năm 2024\n\nthành phố Biên Hòa - Long\nKhánh và huyện Định Quán\n\nKính gửi: Các phòng"
    )
    assert made.subject == (
        "V/v kiểm tra cơ sở khám bệnh tại thành phố Biên Hòa - Long Khánh và huyện Định Quán"
    )
    notice = extract("SỞ Y TẾ\n\nTHÔNG BÁO\nVề việc nghỉ lễ\nNhân dịp lễ Quốc khánh, Sở thông báo")
    assert notice.subject == "Về việc nghỉ lễ"
    county = extract("UBND TỈNH A\n\nQUYẾT ĐỊNH\nVề việc khen thưởng\nNhân dân xã Bình Minh\n\n")
    assert county.subject == "Về việc khen thưởng Nhân dân xã Bình Minh"  # no opener: goes on


@pytest.mark.parametrize("style", STYLES)
def test_specks_of_two_letters_and_a_title_piece_after_marks(style: str) -> None:
    """QĐ 1680: 'L n QUYẾT ĐỊNH ch na' (bw200) is the type line; 'SN TỊCH' (grey300) under TM.
    ỦY BAN NHÂN DÂN is the end of CHỦ TỊCH."""
    found = extract(read("qd-1680", style, 1))
    want = truth(QD_1680)
    assert (found.type_name, found.subject) == (want["type_name"], want["subject"])
    assert found.signer_position == want["signer_position"]
    made = "Nơi nhận:\n- Như trên;\n\nTM. ỦY BAN NHÂN DÂN\n{}\nLê Văn Ba"
    assert extract(made.format("ÁÂ TỊCH")).signer_position == "CHỦ TỊCH"
    assert extract(made.format("PHÓ GIÁM")).signer_position is None
    assert extract("UBND TỈNH A\nSố: 1/QĐ-UBND\n\nđỗ QUYẾT ĐỊNH Ki\nVề việc\n").type_name == (
        "QUYẾT ĐỊNH"
    )
    assert extract("SỞ A\nSố: 2/ĐA-SA\n\nĐỀ ÁN\nVề việc\n").type_name == "ĐỀ ÁN"


def test_an_item_ended_a_block_apart() -> None:
    """TB 453 grey300: '- VPUB: ... phòng: KGVX,' then a blank line, then 'TH, HC-QT, ...;'."""
    found = extract(read("tb-453", "grey300", 1))
    assert list(found.recipients) == truth(TB_453)["recipients"]
    text = "Nơi nhận:\n- Như trên;\n- Các phòng: TH,\n\nKT, VX;\n- Lưu: VT.\n\nKT. GIÁM ĐỐC"
    made = extract(text)
    assert made.recipients == ("Như trên", "Các phòng: TH, KT, VX", "Lưu: VT")
    done = extract("Nơi nhận:\n- Như trên;\n- Sở Y tế.\n\nBan hành kèm theo;\n\nKT. GIÁM ĐỐC")
    assert done.recipients == ("Như trên", "Sở Y tế")  # the item had ended: nothing joined


# -- readings of main at 4c98d29 (the regions and lexicon of other work changed them) ----------


def test_a_title_line_in_the_header_is_no_signers_position() -> None:
    """QĐ 729 bw200 at 4c98d29: the authority and position lines are gone from the text (set
    apart with the signature); 'THỦ TƯỚNG CHÍNH PHỦ' heads the page: no position is made of it."""
    text = (DATA / "readings" / "qd-729-bw200-p001-4c98d29.txt").read_text(encoding="utf-8")
    found = extract(correct_text(text)[0])
    assert found.signer_position is None and found.signer_name == "Lê Minh Hưng"
    made = extract(
        "BỘ Y TẾ\n\nGIÁM ĐỐC SỞ Y TẾ\nĐiều 1. Giao.../.\n\nNơi nhận:\n- Như trên;\n\nLê Văn Ba"
    )
    assert made.signer_position is None
    head = extract("Điều 1. Giao.../.\n\nNơi nhận:\n- Như trên;\n\nGIÁM ĐỐC\n\nLê Văn Ba")
    assert head.signer_position == "GIÁM ĐỐC"  # below the body's end: the head signs


@pytest.mark.parametrize("style", STYLES)
def test_a_subject_in_capitals_split_by_a_blank_line_and_two_capitals_speck(style: str) -> None:
    """QĐ 3218 at 4c98d29: 'SỐ. - QUYẾTĐỊNH _ - -' (bw200), a blank line after '... BAN HÀNH
    / MỚI' (grey300)."""
    name = f"qd-3218-{style}-p001-4c98d29.txt"
    page = (DATA / "readings" / name).read_text(encoding="utf-8")
    found = extract(correct_text(page)[0])
    want = truth(QD_3218)
    assert (found.type_name, found.subject) == (want["type_name"], want["subject"])
    made = extract("SỞ A\nSố: 3/QĐ-SA\n\nVỀ. QUYẾT ĐỊNH\nVỀ VIỆC GIAO\n\nĐẤT Ở\n\nGIÁM ĐỐC SỞ A\n")
    assert (made.type_name, made.subject) == ("QUYẾT ĐỊNH", "VỀ VIỆC GIAO ĐẤT Ở")


def test_a_lone_letter_read_into_the_subject_is_left_out_where_the_body_says_it_without() -> None:
    """Decree 49 bw200 page 1 at 4c98d29: 'hướng dẫn một số ó điều của Nghị quyết'; its
    preamble says 'hướng dẫn một số điều của Nghị quyết'."""
    page = (DATA / "readings" / "decree-49-bw200-p001-4c98d29.txt").read_text(encoding="utf-8")
    decree = json.loads((DATA / "decree-49-2026-ND-CP.fields.json").read_text("utf-8"))
    assert extract(correct_text(page)[0]).subject == decree["subject"]
    body = "Điều 1. Quy chế này quy định việc tiếp nhận hồ sơ của công dân tại xã."
    assert drop_from_body("Về quy định việc y tiếp nhận hồ sơ", body) == (
        "Về quy định việc tiếp nhận hồ sơ",
        1,
    )
    assert drop_from_body("Về quy định việc y tiếp nhận hồ sơ", "Điều 1. Khác.")[1] == 0
