"""Fields of real texts the extractor had never seen: NQ 115/NQ-CP, QĐ 707/QĐ-TTg, TT 21/2026/
TT-BCT, TT 37/2026/TT-BCA and KH 173/KH-UBND (Hà Nội), laid out in tests/data/real-layouts (page 1
of each, as its source transcribes it: no signer block). Their blind figure was taken before any
of their readings was looked at (53/56, /work/notes/report-fields.md); the two rules below came
after, each on a real reading and on a made-up text.

The readings are sohoa's own (tests/data/readings, see its README), read at main d5e9443."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.metadata.extract import extract
from pipeline.metadata.extract_repair import respell_from_body
from pipeline.metadata.extract_text import clean
from pipeline.metadata.phrases import correct_text

DATA = Path(__file__).parent / "data"
UNSEEN = {  # reading's short name -> real-layouts name, pages
    "nq-115": ("nq-115-2026-cp", 2),
    "qd-707": ("qd-707-2026-ttg", 1),
    "tt-21": ("tt-21-2026-bct", 1),
    "tt-37": ("tt-37-2026-bca", 2),
    "kh-173": ("kh-173-2026-ubnd-hanoi", 2),
}
FIELDS = ("issued_date", "type_name", "organ_name", "place", "subject")


def read(name: str, style: str) -> str:
    """A document as eval reads it: its pages' readings, fixed phrases corrected, joined."""
    pages = UNSEEN[name][1]
    texts = [
        (DATA / "readings" / f"{name}-{style}-p{n:03d}.txt").read_text(encoding="utf-8")
        for n in range(1, pages + 1)
    ]
    return "\n\n".join(correct_text(t)[0] for t in texts)


def truth(name: str) -> dict:
    path = DATA / "real-layouts" / f"{UNSEEN[name][0]}.fields.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("style", ["bw200", "grey300"])
@pytest.mark.parametrize("name", sorted(UNSEEN))
def test_every_header_field_of_a_text_never_tuned_on(name: str, style: str) -> None:
    found = extract(read(name, style))
    want = truth(name)
    printed = [f for f in FIELDS if f in want]  # KH 173's date is left blank, as signed
    assert {f: str(getattr(found, f) or "") for f in printed} == {f: want[f] for f in printed}
    if "code_number" in want:  # left blank in KH 173 (signed digitally): no truth to meet
        assert (found.code_number, found.code_notation) == (
            want["code_number"],
            want["code_notation"],
        )


# -- a trích yếu word that is no Vietnamese syllable, respelt from the body said once ----------


def test_a_subject_word_no_syllable_takes_the_body_spelling_said_once() -> None:
    """QĐ 707, bw200: 'chuãn bị cho đánh giá' in the trích yếu; Điều 1 says 'chuẩn bị cho
    đánh giá' once. 'chuãn' is no syllable, 'chuẩn' is: the body's spelling wins."""
    text = read("qd-707", "bw200")
    assert "2026 - 2030, chuãn bị cho" in text  # the reading as Tesseract gave it
    found = extract(text)
    assert found.subject == truth("qd-707")["subject"]
    assert found.confidence["subject"] < 0.9  # respelt: less sure


def test_a_subject_word_that_is_a_syllable_needs_the_body_twice() -> None:
    """Made up: 'hoach' (no syllable) takes the body's 'hoạch' said once; 'chê' (a syllable,
    'quy chê' for 'quy chế') waits for the body to say 'chế' twice; a body spelling with
    fewer marks is never taken."""
    once = "Điều 1. Phê duyệt kế hoạch ban hành quy chế làm việc của Ủy ban."
    subject = "Phê duyệt kế hoach ban hành quy chê làm việc"
    assert respell_from_body(subject, once) == (
        "Phê duyệt kế hoạch ban hành quy chê làm việc",
        1,
    )
    twice = once + " Điều 2. Phê duyệt kế hoạch ban hành quy chế làm việc."
    assert respell_from_body(subject, twice) == (
        "Phê duyệt kế hoạch ban hành quy chế làm việc",
        2,
    )
    fewer = "Điều 1. Về việc phê duyệt chuan bị cho kỳ họp."
    assert respell_from_body("Về việc phê duyệt chuẩn bị cho kỳ họp", fewer) == (
        "Về việc phê duyệt chuẩn bị cho kỳ họp",
        0,
    )


# -- a quotation that ends the trích yếu keeps its closing mark -------------------------------


@pytest.mark.parametrize("style", ["bw200", "grey300"])
def test_a_subject_ending_in_a_quotation_keeps_its_closing_mark(style: str) -> None:
    """KH 173: 'Tổ chức "Festival Thăng Long - Hà Nội lần thứ II, năm 2026"', the closing mark
    read as '"' (bw200) or '”' (grey300); it was taken for a stray mark at the line's end."""
    found = extract(read("kh-173", style))
    assert found.subject == truth("kh-173")["subject"]
    assert found.subject.endswith('năm 2026"')


def test_clean_keeps_a_mark_that_closes_or_opens_a_quotation_of_the_field() -> None:
    assert clean('V/v tổ chức "Ngày hội"; ') == 'V/v tổ chức "Ngày hội"'
    assert clean("V/v tổ chức “Ngày hội”.") == "V/v tổ chức “Ngày hội”."
    assert clean('Tổ chức "Tuần lễ 2026”') == 'Tổ chức "Tuần lễ 2026"'  # spelt as it opened
    assert clean('"Tuần lễ" năm 2026;') == '"Tuần lễ" năm 2026'
    assert clean('- Như trên; "') == "Như trên"  # a lone mark is still stray
    assert clean("Lưu: VT, VP.”") == "Lưu: VT, VP."
