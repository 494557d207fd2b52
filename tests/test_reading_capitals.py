"""Words in capitals whose marks Tesseract lost or swapped ("THỰC HIẸN", "KET LUẠN"), restored
by the compound they make with a neighbour (pipeline.reading.lexicon, ``restored``): each rule
on sohoa's own cached readings of real pages (tests/data/readings, see its README) and on text
made up here."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.reading.lexicon import lexicon, respell, restored
from pipeline.reading.syllables import with_tones
from tests.test_reading_syllables import _reading

READINGS = Path(__file__).parent / "data" / "readings"


def _respelt(text: str) -> str:
    words = text.split()
    return " ".join(respell(words).get(n, w) for n, w in enumerate(words))


def _changes(name: str) -> list[tuple[str, str]]:
    """(as read, respelt) for the words of a cached reading the lexicon respells."""
    words = (READINGS / name).read_text(encoding="utf-8").split()
    return [(words[n], new) for n, new in sorted(respell(words).items())]


def test_restored_forms_keep_every_mark_read_and_add_others() -> None:
    assert restored("hiẹn") == ("hiện",)  # the dot kept, the hat added
    assert set(restored("ket")) == {"két", "kẹt", "kết"}
    assert "đề" in restored("đe") and "dề" not in restored("đe")  # the bar is never taken off
    assert restored("hòa") == ()  # "hoà" moves the mark and adds none: no restoration
    assert restored("thực") == ()


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("KẾ HOẠCH THỰC HIẸN", "KẾ HOẠCH THỰC HIỆN"),  # no syllable: the one restoration
        ("KET LUAN", "KẾT LUẬN"),  # no mark at all, each restored by the other's restoration
        ("QUY ĐINH CHUNG", "QUY ĐỊNH CHUNG"),
        ("TRÁCH NHIEM CỦA", "TRÁCH NHIỆM CỦA"),
        ("CHỦ TICH", "CHỦ TỊCH"),
        ("NGUYEN TẮC", "NGUYÊN TẮC"),
        ("ĐÈ ÁN", "ĐỀ ÁN"),  # a syllable (đè) making no compound, restored
        ("TÂM NHÌN ĐẾN", "TẦM NHÌN ĐẾN"),
        ("TÂM NHÌN XA", "TÂM NHÌN XA"),  # "nhìn" is bound to "xa": it lends no evidence
        ("KT. BỘ TRƯƠNG, CHU NHIỆM", "KT. BỘ TRƯỞNG, CHỦ NHIỆM"),  # punctuation kept
        ("THỊ TRƯƠNG", "THỊ TRƯƠNG"),  # thị trường and thị trưởng: two, none chosen
        ("CÔNG TAC QUẢN LÝ", "CÔNG TAC QUẢN LÝ"),  # công tác and công tắc: two
        ("CỘNG HÒA XÃ HỘI", "CỘNG HÒA XÃ HỘI"),  # makes a compound as read: it stays
        ("UBND TỈNH", "UBND TỈNH"),  # an abbreviation has no restoration
        ("Kết luận THONG", "Kết luận THONG"),  # no restoration makes a compound with "luận"
        ("QUYET", "QUYET"),  # alone: no evidence
        ("CUỘC HỌP VE ĐỀ ÁN", "CUỘC HỌP VỀ ĐỀ ÁN"),  # no compound: "về" 100x commoner than "ve"
        ("cuộc họp VE đề án", "cuộc họp VE đề án"),  # not between capitals: frequency is not enough
        ("CÁC BỘ: CA, TC, XD", "CÁC BỘ: CA, TC, XD"),  # punctuation between: not enough
        ("UBND TỈNH THANH HÓA SỞ", "UBND TỈNH THANH HÓA SỞ"),  # a place's name: no "tỉnh thành"
        ("UBND HUYỆN LONG THÀNH PHÒNG", "UBND HUYỆN LONG THÀNH PHÒNG"),  # no "lòng thành"
        ("PHỐ HÀ NỘI VỀ THỰC HIẸN", "PHỐ HÀ NỘI VỀ THỰC HIỆN"),  # a name: three words at most
    ],
)
def test_a_word_in_capitals_is_restored_by_the_compound_it_makes(read: str, meant: str) -> None:
    assert _respelt(read) == meant


def test_a_restoration_far_rarer_than_the_word_as_read_is_not_taken() -> None:
    """'BAY NAY': only 'bấy nay' makes a compound, but 'bấy' is more than 10 times rarer than
    'bay' as read (the frequency guard)."""
    lex = lexicon()
    assert [r for r in restored("bay") if (r, "nay") in lex.pairs] == ["bấy"]
    assert lex.freq["bấy"] < lex.freq["bay"] - 100
    assert _respelt("BAY NAY") == "BAY NAY"


def test_a_word_in_capitals_restored_keeps_what_tesseract_read() -> None:
    out = with_tones(_reading([["THỰC", "HIẸN", "ĐÓNG", "GÓP"]]))
    assert [w.text for w in out.words] == ["THỰC", "HIỆN", "ĐÓNG", "GÓP"]
    assert [w.read_as for w in out.words] == [None, "HIẸN", None, None]


def test_a_real_subject_in_capitals_with_a_mark_lost_is_restored() -> None:
    """CT 13, grey300: '... NHẰM' / 'THỰC HIẸN ĐÓNG GÓP ...' in its trích yếu: 'hiẹn' is no
    syllable, 'hiện' its one restoration, 'thực hiện' a compound. Nothing else on the page."""
    assert _changes("ct-13-grey300-p001.txt") == [("HIẸN", "HIỆN")]


def test_a_real_subject_in_capitals_that_lost_most_marks_is_restored_where_certain() -> None:
    """TB 467, bw200: 'KET LUẠN CUỘC HỌP VE ĐE AN PHAT TRIEN THỊ TRƯƠNG CÁC-' / 'BON TẠI VIET
    NAM'. 'VE' and 'VIET' make no compound in any spelling: between capitals, the commonest
    (100x 've'; 'viet' is no syllable). 'TRƯƠNG' makes two (thị trường, thị trưởng): it
    stays. 'CỘNG HÒA' above stays (the old 'hoà' adds no mark)."""
    assert _changes("tb-467-bw200-p001.txt") == [
        ("KET", "KẾT"),
        ("LUẠN", "LUẬN"),
        ("VE", "VỀ"),
        ("ĐE", "ĐỀ"),
        ("AN", "ÁN"),
        ("PHAT", "PHÁT"),
        ("TRIEN", "TRIỂN"),
        ("VIET", "VIỆT"),
    ]


def test_a_real_syllable_in_capitals_making_no_compound_is_restored() -> None:
    """A syllable read for another: TB 467 grey300 'ĐÈ AN' (đè), NQ 12 bw200 'TÂM NHÌN' (tâm),
    the signer block of TB 467 grey300 page 3, 'KT. BỘ TRƯƠNG, CHU NHIỆM' (chu)."""
    assert ("ĐÈ", "ĐỀ") in _changes("tb-467-grey300-p001.txt")
    assert ("TÂM", "TẦM") in _changes("nq-12-bw200-p001.txt")
    assert _changes("tb-467-grey300-p003.txt") == [
        ("TRƯƠNG,", "TRƯỞNG,"),
        ("CHU", "CHỦ"),
        ("NHIEM", "NHIỆM"),  # 'HU NHIEM' / 'J' under the seal (PHÓ CHỦ NHIỆM): the commonest
    ]


def test_real_pages_with_nothing_in_capitals_to_restore_are_left_as_they_are() -> None:
    """The national motto in capitals on every page 1 ('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM')
    and the organ lines read right: none is changed."""
    for name in ("qd-2200-bw200-p001.txt", "cv-3320-grey300-p001.txt", "tt-21-bw200-p001.txt"):
        assert _changes(name) == []
