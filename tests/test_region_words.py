"""Which words a region swallows, and the reading without them (pipeline.reading.region_words).
Pure: readings are built here, as Tesseract's TSV would give them; the words are those
Tesseract read from decree 49's page 29 (bw200) in and around its seal."""

from __future__ import annotations

import pytest

from pipeline.reading.ocr import OcrOutput
from pipeline.reading.region_words import is_word, set_apart, stamp_phrases, without_words
from pipeline.reading.regions import Found
from schemas.results import Word


@pytest.mark.parametrize(
    "token",
    ["Chính", "phủ;", "TƯỚNG", "Nghị", "định", "HĐND,", "TTg,", "151/2025/NĐ-CP", "(2b).", "-",
     "Ủy", "Quốc", "hội;", "xã", "giữa", "nghiêng", "khuỷu", "05/02/2026", "VT,", "b)", "đ)"],
)  # fmt: skip
def test_words_of_the_decree_are_words(token: str) -> None:
    assert is_word(token)


@pytest.mark.parametrize(
    "token", ["phủ;¿", "#iz", "sag8701006/", "HIEHÓ", "„Z⁄⁄Z", "vn", "cm", "i6", "B0i)", "Š", "^",
              "tHỦ", "xẽế", "n£NHÓ", "——‡"],
)  # fmt: skip
def test_what_a_seal_or_a_stroke_reads_as_is_not(token: str) -> None:
    assert not is_word(token)


def _reading(rows: list[tuple[str, float, tuple[int, int, int, int], int]]) -> OcrOutput:
    words = tuple(Word(text=t, confidence=c, box=b) for t, c, b, _ in rows)
    lines = tuple(line for *_, line in rows)
    text_lines: dict[int, list[str]] = {}
    for t, _, _, line in rows:
        text_lines.setdefault(line, []).append(t)
    text = "\n".join(" ".join(v) for _, v in sorted(text_lines.items()))
    return OcrOutput(text, words, None, b"", lines)


# words of decree 49's page 29 at 200 dpi (bw200), as Tesseract read them; the seal's box
# there is (894, 650) to (1222, 978)
P29 = [
    ("-", 96.0, (279, 690, 8, 3), 0), ("Các", 96.0, (295, 680, 38, 20), 0),
    ("thuộc", 95.0, (760, 680, 60, 26), 0), ("Chính", 93.0, (830, 680, 58, 20), 0),
    ("phủ;¿", 12.5, (889, 690, 52, 28), 0), ("+.", 32.5, (975, 696, 16, 23), 0),
    ("trực", 96.0, (740, 728, 45, 24), 1), ("thuộc", 95.0, (790, 728, 60, 26), 1),
    ("trun:", 83.4, (864, 728, 48, 18), 1), ("đườn", 0.0, (918, 718, 62, 35), 1),
    ("Sài", 50.3, (919, 786, 35, 51), 2),
    ("TM,", 36.2, (1093, 738, 49, 31), 3), ("vn", 12.4, (1161, 740, 39, 23), 3),
    ("PHÓ", 96.0, (1010, 666, 70, 25), 4), ("THỦ", 93.3, (1203, 666, 76, 25), 4),
    ("TƯỚNG", 94.0, (1290, 666, 120, 25), 4),
]  # fmt: skip
SEAL = Found("seal", (894, 650, 1222, 978), 0.97, "round ring")


def test_a_seal_swallows_its_noise_and_leaves_the_print_under_it() -> None:
    out, (region,) = set_apart(_reading(P29), [SEAL], (1.0, 1.0))
    assert region.kind == "seal" and region.box == (894, 650, 328, 328)
    assert set(region.words) == {"phủ;¿", "+.", "đườn", "Sài", "TM,", "vn"}
    assert out.text.split("\n") == [
        "- Các thuộc Chính", "trực thuộc trun:", "PHÓ THỦ TƯỚNG",
    ]  # fmt: skip
    assert [w.text for w in out.words] == " ".join(out.text.split("\n")).split()


def test_a_sure_word_in_a_line_of_the_seals_own_goes_with_its_noise() -> None:
    """'TM,' alone would stay if Tesseract were sure of it; in a line of the seal's own whose
    other word is noise, it goes too."""
    rows = [r if r[0] != "TM," else ("TM,", 90.0, r[2], r[3]) for r in P29]
    _, (region,) = set_apart(_reading(rows), [SEAL], (1.0, 1.0))
    assert "TM," in region.words


def test_factor_maps_work_pixels_to_read_pixels() -> None:
    small = Found("seal", (447, 325, 611, 489), 0.97, "round ring")
    _, (region,) = set_apart(_reading(P29), [small], (2.0, 2.0))
    assert region.box == (894, 650, 328, 328)


STAMP = [
    ("CÔNG", 90.0, (200, 100, 70, 22), 0), ("VĂN", 91.0, (280, 100, 60, 22), 0),
    ("ĐẾN", 92.0, (350, 100, 60, 22), 0),
    ("Số:", 93.0, (200, 140, 40, 22), 1), ("303", 80.0, (250, 140, 50, 22), 1),
    ("Ngày:", 93.0, (202, 180, 60, 22), 2), ("14/6/2026", 70.0, (270, 180, 110, 22), 2),
    ("Điều", 96.0, (200, 400, 50, 22), 3), ("5.", 96.0, (260, 400, 20, 22), 3),
]  # fmt: skip


def test_a_received_stamp_is_found_by_its_phrases_and_every_word_of_it_goes() -> None:
    reading = _reading(STAMP)
    (stamp,) = stamp_phrases(reading.words, reading.lines, 22)
    assert stamp.kind == "received-stamp" and stamp.box == (200, 100, 410, 202)
    out, (region,) = set_apart(reading, [], (1.0, 1.0))
    assert region.words == ("CÔNG", "VĂN", "ĐẾN", "Số:", "303", "Ngày:", "14/6/2026")
    assert out.text == "Điều 5."


def test_a_frame_no_phrase_confirms_is_no_stamp() -> None:
    """A framed 'Mẫu số 01' or a small table's cell: a frame with words that are not the
    stamp's keeps its words and is not recorded."""
    rows = [("Mẫu", 96.0, (210, 110, 50, 22), 0), ("số", 96.0, (270, 110, 30, 22), 0),
            ("01", 96.0, (310, 110, 30, 22), 0)]  # fmt: skip
    frame = Found("received-stamp", (100, 50, 200, 100), 0.5, "rectangular frame")
    out, regions = set_apart(_reading(rows), [frame], (2.0, 2.0))
    assert regions == () and out.text == "Mẫu số 01"


def test_lowercase_den_in_a_sentence_is_no_stamp() -> None:
    rows = [("đến", 96.0, (200, 100, 40, 22), 0), ("nay", 96.0, (250, 100, 40, 22), 0),
            ("Số", 96.0, (200, 140, 40, 22), 1), ("liệu", 96.0, (250, 140, 40, 22), 1)]  # fmt: skip
    reading = _reading(rows)
    assert stamp_phrases(reading.words, reading.lines, 22) == []


def test_without_words_keeps_the_blank_between_blocks() -> None:
    words = tuple(Word(text=t, confidence=90.0, box=(0, 0, 1, 1)) for t in "a b c d".split())
    out = OcrOutput("a b\n\nc\nd", words, 90.0, b"", (0, 0, 1, 2))
    assert without_words(out, {1}).text == "a\n\nc\nd"
    assert without_words(out, {2}).text == "a b\n\nd"
    assert without_words(out, {0, 1}).text == "c\nd"
    assert without_words(out, {3}).lines == (0, 0, 1)


# words of decree 49's page 1 at 200 dpi (bilevel: bench/regions.py's page, decree 49's own
# signature laid over it; sohoa found it at (942, 486)-(1268, 614)), as Tesseract read them
P1_SIGNED = [
    ("một", 96.2, (958, 496, 27, 35), 13), ("số", 87.7, (995, 496, 31, 28), 13),
    ("diện", 92.4, (1041, 496, 54, 30), 13), ("cốt", 41.5, (1119, 492, 41, 29), 13),
    ("Nghị", 41.5, (1195, 497, 58, 34), 13), ("quyết", 53.7, (1263, 496, 89, 35), 13),
    ("Lời", 55.1, (955, 542, 17, 9), 14), ("4<", 25.7, (1018, 519, 46, 29), 14),
    ("2", 12.8, (1157, 533, 73, 15), 14), ("K", 0.0, (1250, 516, 12, 45), 14),
    ("số", 75.2, (1029, 550, 30, 19), 15), ("cơ", 89.1, (1069, 550, 27, 19), 15),
    ("chế,", 25.9, (1138, 552, 4, 5), 15), ("nh", 96.4, (1230, 542, 35, 26), 15),
    ("sách", 96.9, (1281, 542, 66, 43), 15),
    ("chức", 20.4, (907, 586, 71, 28), 16), ("tỉ", 0.0, (1031, 595, 9, 18), 16),
    ("hành", 96.9, (1052, 586, 81, 27), 16), ("Luật", 93.3, (1146, 586, 79, 35), 16),
]  # fmt: skip
SIGNATURE = Found("signature", (942, 486, 1268, 614), 1.0, "pen strokes")


def test_a_signature_swallows_its_strokes_and_leaves_the_words_under_it() -> None:
    """Sure words stay, though their whole line lies inside the signature; so does a doubtful
    syllable that makes a compound word with its neighbour as read ("Nghị quyết", "cơ
    chế"); what the strokes read as goes ("4<", "K", "nh"), and so do doubtful syllables
    that make none ("cốt" beside "diện", "chức" beside "tỉ": print lost to the strokes)."""
    out, (region,) = set_apart(_reading(P1_SIGNED), [SIGNATURE], (1.0, 1.0))
    assert region.kind == "signature"
    assert region.words == ("cốt", "4<", "2", "K", "nh", "chức", "tỉ")
    kept = [w.text for w in out.words]
    assert kept == ["một", "số", "diện", "Nghị", "quyết", "Lời", "số", "cơ", "chế,", "sách",
                    "hành", "Luật"]  # fmt: skip


def test_a_doubtful_syllable_under_a_signature_stays_only_in_a_compound() -> None:
    """Built here (as sohoa's generator would lay a signer block): "nhân dân" read doubtful
    under the strokes stays; "ha" and "hp", a stroke read as two syllables, go."""
    rows = [
        ("ỦY", 91.0, (100, 100, 40, 20), 0), ("BAN", 92.0, (150, 100, 50, 20), 0),
        ("nhân", 31.0, (210, 100, 50, 20), 0), ("dân", 35.0, (270, 100, 40, 20), 0),
        ("ha", 20.0, (100, 140, 40, 20), 1), ("hp", 12.0, (150, 140, 40, 20), 1),
    ]  # fmt: skip
    signature = Found("signature", (90, 90, 320, 170), 1.0, "pen strokes")
    out, (region,) = set_apart(_reading(rows), [signature], (1.0, 1.0))
    assert [w.text for w in out.words] == ["ỦY", "BAN", "nhân", "dân"]
    assert region.words == ("ha", "hp")


# words of decree 49's page 13 at 200 dpi (grey: bench/regions.py's page, a generated received
# stamp laid over its print, its frame found at (670, 458)-(1134, 666) and its own phrases
# not read), as Tesseract read them
P13_STAMPED = [
    ("khơi", 12.1, (627, 474, 104, 27), 6), ("Đất", 74.0, (694, 511, 55, 35), 7),
    ("|tiềms", 23.9, (688, 555, 64, 36), 8), ("sun", 92.7, (687, 612, 53, 46), 9),
    ("(luXiirẩÖN", 20.2, (752, 474, 195, 28), 14), ("thường", 93.3, (954, 474, 110, 35), 14),
    ("chẩm", 92.7, (1079, 474, 83, 34), 14), ("quy", 96.3, (1178, 483, 56, 26), 14),
    ("được", 96.7, (830, 519, 76, 34), 15), ("tính", 96.5, (918, 519, 60, 27), 15),
    ("vào", 96.4, (990, 520, 54, 27), 15), ("thí", 64.6, (1134, 519, 29, 27), 15),
    ("một", 55.6, (766, 612, 66, 46), 17), ("số", 96.3, (841, 622, 30, 36), 17),
    ("điều", 91.9, (881, 622, 66, 36), 17), ("Nghị", 97.0, (1022, 631, 76, 27), 17),
    ("định", 94.3, (1138, 631, 40, 26), 17),
]  # fmt: skip


def test_a_black_frame_laid_across_lines_of_print_is_a_stamp() -> None:
    """No phrase of the stamp was read and its ink is grey, but lines of print run across its
    sides ("khơi", "chẩm"): it was laid over the page. Its noise goes, the print stays,
    "số" in a sentence too (a stamp prints "Số:")."""
    frame = Found("received-stamp", (670, 458, 1134, 666), 0.5, "rectangular frame")
    out, (region,) = set_apart(_reading(P13_STAMPED), [frame], (1.0, 1.0))
    assert region.kind == "received-stamp" and region.cue.endswith("laid over print")
    assert {"|tiềms", "(luXiirẩÖN"} <= set(region.words)
    assert {"thường", "được", "số", "điều", "Nghị"} <= {w.text for w in out.words}


def test_a_frame_round_its_own_words_is_no_stamp_however_many_lines() -> None:
    """Built here: a printed box of three lines, every word inside it (a table's cell)."""
    rows = [(text, 96.0, (120 + 60 * (n % 3), 60 + 30 * (n // 3), 50, 22), n // 3)
            for n, text in enumerate(["Mẫu", "số", "01", "Ban", "hành", "kèm", "theo", "Thông",
                                      "tư"])]  # fmt: skip
    frame = Found("received-stamp", (100, 50, 320, 150), 0.5, "rectangular frame")
    out, regions = set_apart(_reading(rows), [frame], (1.0, 1.0))
    assert regions == () and len(out.words) == 9
