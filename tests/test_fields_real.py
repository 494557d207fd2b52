"""Fields and phrase corrections on real readings: sohoa's own Tesseract readings of scanned
real pages, kept in tests/data/readings (see its README), beside generated pages' text.

Real material: Nghị định 49/2026/NĐ-CP (pages 1 and 29 as the Government portal scans them,
bw200, and an office scan, grey300); Công văn 7991/BGDĐT-GDTrH and Quyết định 2827/QĐ-BGDĐT
(real text laid out here in the Decree 30 layout with a seal over the signer block,
tests/data/real-layouts)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from pipeline.metadata.extract import extract
from pipeline.metadata.phrases import correct_page, correct_text
from pipeline.reading.evaluate import phrase_effect
from samplegen.text import compose
from schemas.results import PageText

DATA = Path(__file__).parent / "data"
READINGS = DATA / "readings"


def reading(name: str) -> str:
    return (READINGS / f"{name}.txt").read_text(encoding="utf-8")


def truth(name: str) -> dict:
    if name == "decree-49":
        return json.loads((DATA / "decree-49-2026-ND-CP.fields.json").read_text("utf-8"))
    return json.loads((DATA / "real-layouts" / f"{name}.fields.json").read_text("utf-8"))


def corrected(name: str) -> str:
    return correct_text(reading(name))[0]


# -- the signer block --------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["bw200", "grey300"])
def test_a_seal_over_the_signer_block_leaves_authority_and_position(style: str) -> None:
    """Decree 49, last page: seal noise between the authority and the position and glued to
    the front of the position ('ỐNG HIEHÓ THỦ TƯỚNG'); under KT. THỦ TƯỚNG, a deputy signs."""
    found = extract(corrected(f"decree-49-{style}-p029"))
    want = truth("decree-49")
    assert found.signing_authority == want["signing_authority"] == "TM. CHÍNH PHỦ KT. THỦ TƯỚNG"
    assert found.signer_position == want["signer_position"] == "PHÓ THỦ TƯỚNG"
    assert found.confidence["signer_position"] <= 0.6  # its PHÓ inferred from KT.: less sure
    assert len(found.recipients) == 16  # as printed; the seal's and signature's marks left out
    assert found.recipients[0] == "Ban Bí thư Trung ương Đảng"
    assert found.recipients[-1] == "Lưu: VT, NN (2b)"
    assert "Văn phòng Quốc hội" in found.recipients  # was '...; Xin' and '...; 1z'
    assert not any(set(r) & set("#%¿“”=<>~;") for r in found.recipients), found.recipients


def test_generated_recipients_keep_their_words_and_lose_the_noise() -> None:
    text = "Nơi nhận:\n- Như trên;  ' Sài mì\n- Sở Tư pháp, 7 #iz\n~ UBND tỉnh;\n- Lưu: VT, VP(KSTTHC)."
    found = extract(text)
    assert found.recipients == ("Như trên", "Sở Tư pháp", "UBND tỉnh", "Lưu: VT, VP (KSTTHC)")


def test_the_deputy_under_kt_is_named_in_full_when_the_seal_ate_its_front() -> None:
    """Công văn 7991, bw200: 'TL. BỘ TRƯỞNG / KT. VỤ TRƯỞNG ...' and only 'TRƯỞNG' left of the
    position line under the seal: the deputy of a VỤ TRƯỞNG is a PHÓ VỤ TRƯỞNG."""
    found = extract(corrected("cv-7991-bw200-p001"))
    assert found.signer_position == truth("cv-7991-2024-bgddt")["signer_position"]
    assert found.signing_authority.startswith("TL. BỘ TRƯỞNG KT. VỤ TRƯỞNG VỤ GIÁO DỤC")
    assert found.signer_name == "Đỗ Đức Quế"


def test_a_position_glued_to_the_seal_marks_before_it() -> None:
    """Công văn 7991, grey300: the position line read as 'co Ö`VÌTRƯỞNG'."""
    found = extract(corrected("cv-7991-grey300-p001"))
    assert found.signer_position == "PHÓ VỤ TRƯỞNG"
    assert found.confidence["signer_position"] == 0.5
    made = extract("Nơi nhận:\n- Như trên;\n\nKT. GIÁM ĐỐC\nxy ÁÄGIÁM ĐỐC\n\nLê Văn Ba")
    assert made.signer_position == "PHÓ GIÁM ĐỐC"


def test_a_generated_signer_block_with_noise_before_the_position() -> None:
    text = (
        "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\n"
        "sag87 ^ 7. ˆ\nỐNG HIEHÓ CHỦ TỊCH\nTM, vn\nNguyễn Văn An"
    )
    found = extract(text)
    assert found.signing_authority == "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH"
    assert found.signer_position == "PHÓ CHỦ TỊCH"
    assert found.signer_name == "Nguyễn Văn An"
    head = extract("Nơi nhận:\n- Như trên;\n\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nLê Văn Ba")
    assert head.signer_position == "CHỦ TỊCH"  # TM. alone: the head signs, no deputy
    assert head.confidence["signer_position"] > found.confidence["signer_position"]


def test_kt_bo_truong_is_signed_by_a_thu_truong_not_a_pho() -> None:
    found = extract("Nơi nhận:\n- Như trên;\n\nKT. BỘ TRƯỞNG\nxy TRƯỞNG\n\nLê Tấn Dũng")
    assert found.signer_position == "THỨ TRƯỞNG"


def test_the_name_that_ends_the_page_when_the_titles_are_lost_under_the_seal() -> None:
    """Quyết định 2827, bw200: the seal hides KT. BỘ TRƯỞNG / THỨ TRƯỞNG from Tesseract (and
    from plain Tesseract alike); the signer's name still ends the page."""
    found = extract(corrected("qd-2827-bw200-p002"))
    assert found.signer_name == truth("qd-2827-2025-bgddt")["signer_name"]
    assert found.confidence["signer_name"] <= 0.5
    assert found.signing_authority is None and found.signer_position is None


# -- the header --------------------------------------------------------------------------------


def test_a_speck_read_as_a_word_inside_the_agency_name_is_left_out() -> None:
    """Generated (DejaVu Serif, degraded): 'ỦY BAN NHÂN DÂN . TĨNH ...'; the real headers read
    right are not touched."""
    made = extract(". ỦY BAN NHÂN DÂN . CỘNG HÒA XÃ HỘI\nTĨNH BÀ RỊA - VŨNG TÀU\n\nSố: 12/QĐ-UBND\n")
    assert made.organ_name == "ỦY BAN NHÂN DÂN TỈNH BÀ RỊA - VŨNG TÀU"
    for name, want in (("cv-7991-grey300-p001", "cv-7991-2024-bgddt"),):
        assert extract(corrected(name)).organ_name == truth(want)["organ_name"]
    assert extract(corrected("decree-49-bw200-p001")).organ_name == "CHÍNH PHỦ"


def test_a_two_letter_type_abbreviation_a_letter_off_follows_the_type_line() -> None:
    """Generated (DejaVu Serif): 'Số: 873/CI-UBND' under CHỈ THỊ is 873/CT-UBND; real: decree
    49's 49/2026/NĐ-CP under NGHỊ ĐỊNH as read, and CV 7991's BGDĐT-GDTrH (no type line)."""
    made = extract("UBND TỈNH ĐỒNG NAI\n\nSố: 873/CI-UBND\n\nCHỈ THỊ\nVề việc tăng cường\n")
    assert made.number_and_symbol == "873/CT-UBND"
    decree = extract(corrected("decree-49-bw200-p001"))
    assert decree.number_and_symbol == "49/2026/NĐ-CP"
    assert extract(corrected("cv-7991-bw200-p001")).code_notation == "BGDĐT-GDTrH"


def test_a_cong_van_subject_goes_on_past_the_date_line_read_between() -> None:
    found = extract(corrected("cv-7991-bw200-p001"))
    want = truth("cv-7991-2024-bgddt")
    assert found.subject == want["subject"] and found.type_name == "CÔNG VĂN"


def test_a_date_read_onto_the_end_of_the_subject_line_is_cut_off() -> None:
    found = extract(corrected("cv-7991-grey300-p001"))
    want = truth("cv-7991-2024-bgddt")
    assert found.subject == want["subject"]
    assert found.place == want["place"] and str(found.issued_date) == want["issued_date"]


def test_generated_cong_van_subject_over_a_date_line() -> None:
    text = (
        "SỞ Y TẾ\n\nSố: 12/SYT-VP\nV/v tăng cường phòng chống\n\nĐồng Nai, ngày 03 tháng 04 "
        "năm 2024\n\ndịch bệnh mùa mưa\n\nKính gửi: Các bệnh viện"
    )
    found = extract(text)
    assert found.subject == "V/v tăng cường phòng chống dịch bệnh mùa mưa"
    glued = extract("SỞ Y TẾ\nV/v tăng cường kiểm tra Biên Hòa, ngày 03 tháng 04 năm 2024")
    assert glued.subject == "V/v tăng cường kiểm tra" and glued.place == "Biên Hòa"


# -- phrase correction -------------------------------------------------------------------------


def test_the_decree_subject_is_right_once_its_formula_words_are_corrected() -> None:
    """Tesseract reads 'Quy định chi tiết' as '... chỉ tiết' and 'Luật Đất đai' as 'Đắt đai'."""
    text, corrections = correct_text(reading("decree-49-bw200-p001"))
    assert extract(reading("decree-49-bw200-p001")).subject != truth("decree-49")["subject"]
    assert extract(text).subject == truth("decree-49")["subject"]
    assert all(c.original != c.corrected for c in corrections)
    assert {c.original for c in corrections} >= {"thi hành Luật Đât đai;"}


def test_type_names_in_prose_get_their_diacritics_back_and_nothing_else() -> None:
    """Decree 49 bw200, p. 1: 'của Nghị quyêt số 254/2025/QH15' as read; the generated pages
    and decree 49's prose keep what only looks like a type name or an organ."""
    fixed = correct_text(reading("decree-49-bw200-p001"))[0]
    assert "của Nghị quyết số 254/20235/QH15 của Quốc hội" in fixed  # the number is not ours
    assert correct_text("của Chính phú quy định về giá")[0] == "của Chính phủ quy định về giá"
    for line in (
        "Các trường hợp đang xác định giá đất",  # decree 49 p. 26: no 'hợp đồng'
        "PHÒNG TƯ PHÁP",  # a generated agency: no 'THÔNG TƯ'
        "một cửa liên thông, bảo",  # a generated line: no 'THÔNG BÁO' across a comma
        "Nghị lịnh",  # prose: diacritics (and Đ/D) only, no letter off
    ):
        assert correct_text(line) == (line, ()), line


def test_corrections_are_kept_with_the_original_and_measured_against_truth() -> None:
    page = PageText(index=0, source="ocr", text="CỘNG HÒA XÃ HỘI CHU NGHĨA VIỆT NAM\nNoi nhận:")
    fixed = correct_page(page)
    assert fixed.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nNơi nhận:"
    assert [c.original for c in fixed.corrections] == [page.text.split("\n")[0], "Noi nhận:"]
    assert phrase_effect("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nNơi nhận:", fixed) == (2, 0)
    assert phrase_effect("CỘNG HÒA XÃ HỘI CHU NGHĨA VIỆT NAM\nNơi nhận:", fixed) == (1, 1)
    layer = PageText(index=0, source="text-layer", text="Noi nhận:")
    assert correct_page(layer) is layer  # a text layer is what the file says


def test_a_word_is_changed_only_in_its_phrase_and_context() -> None:
    unchanged = [
        "chỉ tiết kiệm được một phần",  # 'chỉ tiết' outside 'quy định chi tiết'
        "Ông Noi nhận hồ sơ",  # 'Nơi nhận' only at the start of a line
        "Quyết định này có hiệu lực",  # a type name only as a line of its own
        "TM, vn",  # an authority mark only before an upper-case title
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",  # HOÀ and HÒA are both right
        "CỘNG HOA",  # HÒA or HOÀ: not certain which
        "Ủy ban nhân dân tỉnh",
        # decree 49, p. 3, as printed (its own slip) and as read: prose keeps its slips
        "định chấp thuận nhà đầu tư thì Hội dồng nhân dân cấp tỉnh xem xét việc thu hồi",
    ]
    for line in unchanged:
        assert correct_text(line) == (line, ()), line
    assert correct_text("QUYÉT ĐỊNH")[0] == "QUYẾT ĐỊNH"
    assert correct_text("- Luru: VT, VP.")[0] == "- Lưu: VT, VP."
    # sohoa samples pages read by Tesseract: ',' read as ';', 'VT,' as 'VI'
    assert correct_text("- Lưu: VT; TCCB.")[0] == "- Lưu: VT, TCCB."
    assert correct_text("- Lưu: VI KGVX.")[0] == "- Lưu: VT, KGVX."
    assert correct_text("- Lưu: VŨ VP.")[0] == "- Lưu: VT, VP."  # DejaVu Serif pages
    assert correct_text("- TT Tỉnh ủy, T HĐND tỉnh;")[0] == "- TT. Tỉnh ủy, TT. HĐND tỉnh;"
    cv = reading("cv-7991-bw200-p001")  # 'TT. Phạm Ngọc Thưởng': a person, left alone
    assert "- TT. Phạm Ngọc Thưởng (để báo cáo);" in correct_text(cv)[0].split("\n")
    assert correct_text("- Lưu: VT, NN (2b).") == ("- Lưu: VT, NN (2b).", ())  # decree 49
    assert correct_text("KT: GIÁM ĐỐC")[0] == "KT. GIÁM ĐỐC"
    assert correct_text("HỘI DỒNG NHÂN DÂN TỈNH")[0] == "HỘI ĐỒNG NHÂN DÂN TỈNH"
    assert correct_text("Ủy ban nhân dan tỉnh")[0] == "Ủy ban nhân dân tỉnh"
    assert correct_text("UY BAN NHAN DAN")[0] == "UY BAN NHÂN DÂN"  # ỦY or UỶ: not certain
    assert correct_text("CHU TICH")[0] == "CHU TICH"  # no word right to lean on


def test_generated_texts_are_never_changed() -> None:
    """The generator prints every phrase right: correction must leave its texts alone."""
    for seed in range(40):
        content = compose(random.Random(seed))
        lines = [
            *content.agency_lines,
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            content.number_line,
            content.type_name or "",
            content.subject,
            *(p.text for p in content.body),
            "Nơi nhận:",
            *content.recipients,
            *content.signer_lines,
            content.signer_name,
        ]
        text = "\n".join(lines)
        assert correct_text(text) == (text, ()), seed
