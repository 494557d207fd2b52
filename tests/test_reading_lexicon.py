"""Words Tesseract reads as other words (d for đ, a tone over â ê ô ă lost or misread) set right
by the compound words around them (pipeline.reading.lexicon, through syllables.with_tones): on
readings made up here, on a generated page and on a real page of decree 49."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from pipeline.reading.evaluate import respelt_effect
from pipeline.reading.lexicon import alternatives, lexicon, respell
from pipeline.reading.markers import best_order, relettered
from pipeline.reading.normalise import softened
from pipeline.reading.ocr import ocr_page
from pipeline.reading.syllables import with_tones
from samplegen.office_scans import STYLES, scan_page
from samplegen.page_layout import find_fonts
from schemas.results import PageText, Word
from schemas.settings import OcrSettings
from tests.test_reading_syllables import _reading, real_lines  # noqa: F401 (a fixture)

DECREE = Path(__file__).parent / "data" / "decree-49-2026-ND-CP.pdf"


def _respelt(text: str) -> str:
    words = text.split()
    return " ".join(respell(words).get(n, w) for n, w in enumerate(words))


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("quyền sử đụng đất", "quyền sử dụng đất"),  # a bilevel d grown a bar
        ("đại điện theo", "đại diện theo"),
        ("Hội dồng nhân dân", "Hội đồng nhân dân"),  # the bar lost
        ("thâm quyên của", "thẩm quyền của"),  # both tones lost, both words set right
        ("Bồ sung", "Bổ sung"),  # the hỏi read as a huyền; the capital kept
        ("Sử đụng đất", "Sử dụng đất"),
        ("SỬ ĐỤNG ĐẤT", "SỬ ĐỤNG ĐẤT"),  # capitals next to capitals: perhaps a name
        ("(sử đụng)", "(sử dụng)"),  # punctuation kept
        ("quyền sử dụng đất", "quyền sử dụng đất"),  # already right
        ("đất thì được tính là", "đất thì được tính là"),  # "dược tính" is a word: too rare
        ("cho phép chuyển mục đích", "cho phép chuyển mục đích"),  # "mục" is bound to "đích"
        ("sử, đụng", "sử, đụng"),  # no compound across punctuation
        ("Bộ Nông nghiệp", "Bộ Nông nghiệp"),  # the nặng dot is never taken for a lost mark
        ("mã DN đăng", "mã DN đăng"),  # capitals without a Vietnamese mark: left alone
        ("Phần VI", "Phần VI"),  # a Roman numeral is no word
        ("BỘ TRƯỞNG Lê Tấn Dũng", "BỘ TRƯỞNG Lê Tấn Dũng"),  # a name, no "lễ tân" (QĐ 2827)
        ("quy định vê đất đai", "quy định về đất đai"),  # no compound: "về" 100x commoner
        ("tương tự đê xác định.", "tương tự để xác định."),
        ("Nghị quyết sô 254/2025/QH15", "Nghị quyết số 254/2025/QH15"),
        ("theo Điêu 5", "theo Điêu 5"),  # "điều" commoner, but not 100 times: left alone
        ("số 12/2025/NĐ-CP đụng", "số 12/2025/NĐ-CP đụng"),  # no word next to it: no evidence
        ("", ""),
    ],
)
def test_a_word_is_set_right_by_the_compound_it_makes(read: str, meant: str) -> None:
    assert _respelt(read) == meant


def test_alternatives_are_one_confusion_away() -> None:
    assert alternatives("đụng") == ("dụng",)
    assert set(alternatives("thâm")) == {"thấm", "thầm", "thẩm", "thẫm"}  # never "thậm"
    assert alternatives("bộ") == ()  # the dot below: no alternative
    assert alternatives("chi") == ()  # no â ê ô ă, no d: no alternative


def test_the_lexicon_is_read_from_the_files_shipped_beside_it() -> None:
    lex = lexicon()
    assert ("sử", "dụng") in lex.pairs and ("thẩm", "quyền") in lex.pairs
    assert ("sử", "đụng") not in lex.pairs
    assert lex.freq["được"] > lex.freq["dược"] + 100


def test_a_word_set_right_keeps_what_tesseract_read() -> None:
    out = with_tones(_reading([["quyền", "sử", "đụng"], ["đât", "có", "thâm", "quyên"]]))
    assert [w.text for w in out.words] == ["quyền", "sử", "dụng", "đất", "có", "thẩm", "quyền"]
    assert [w.read_as for w in out.words] == [None, None, "đụng", "đât", None, "thâm", "quyên"]
    assert out.text == "quyền sử dụng\n\nđất có thẩm quyền"
    shown = PdfReader(io.BytesIO(out.text_pdf)).pages[0].get_contents().get_data()
    for word in ("dụng", "thẩm", "quyền"):
        assert (word + " ").encode("utf-16-be").hex().upper().encode() in shown
    assert "đụng".encode("utf-16-be").hex().upper().encode() not in shown


GENERATED = [
    "Ủy ban nhân dân tỉnh có thẩm quyền quyết định việc sử dụng đất đai,",
    "đồng ý chuyển mục đích sử dụng đất và bổ sung điều kiện đầu tư xây dựng.",
]


@pytest.mark.contract
def test_a_generated_page_read_right_is_left_as_it_is() -> None:
    font = ImageFont.truetype(str(find_fonts()["regular"]), 34)
    page = Image.new("L", (1500, 170), 255)
    for n, line in enumerate(GENERATED):
        ImageDraw.Draw(page).text((30, 30 + 60 * n), line, font=font, fill=0)
    read = ocr_page(page, 300, OcrSettings())
    assert read.text.split() == " ".join(GENERATED).split()  # Tesseract reads it right
    out = with_tones(read)
    assert out is read  # and nothing of it is changed


@pytest.mark.contract
def test_a_generated_misprint_is_read_and_set_right() -> None:
    font = ImageFont.truetype(str(find_fonts()["regular"]), 34)
    page = Image.new("L", (1500, 110), 255)
    ImageDraw.Draw(page).text((30, 30), "có thâm quyên quyết định việc sử đụng đất", font=font)
    out = with_tones(ocr_page(page, 300, OcrSettings()))
    assert "có thẩm quyền quyết định việc sử dụng đất" in out.text
    assert {w.read_as for w in out.words} == {None, "thâm", "quyên", "đụng"}


@pytest.mark.contract
def test_a_real_bilevel_d_read_as_d_bar_is_set_right(real_lines: Image.Image) -> None:
    read = ocr_page(real_lines, 200, OcrSettings())  # read as it is, not softened
    assert "vôn băng quyền sử đụng đât" in read.text  # what Tesseract's vie model reads there
    assert "loại đât thu hôi" in read.text
    out = with_tones(read)
    assert "vốn băng quyền sử dụng đất" in out.text  # "băng": no compound says "bằng"
    assert "loại đất thu hồi" in out.text
    respelt = [(w.read_as, w.text) for w in out.words if w.read_as]
    assert respelt == [
        ("vôn", "vốn"),
        ("đụng", "dụng"),
        ("đât", "đất"),  # the stop's tone (syllables.stop_tone)
        ("đât", "đất"),
        ("hôi", "hồi"),
    ]
    layer = subprocess.run(
        ["pdftotext", "-", "-"], input=out.text_pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert "quyền sử dụng đất" in layer and "đụng" not in layer


def test_the_eval_counts_what_each_respelt_word_fixed_and_broke() -> None:
    def word(text: str, read_as: str | None = None) -> Word:
        return Word(text=text, confidence=90.0, box=(0, 0, 1, 1), read_as=read_as)

    words = (word("quyền"), word("sử"), word("dụng", "đụng"), word("Lễ", "Lê"), word("Tấn"))
    page = PageText(index=0, source="ocr", text="quyền sử dụng\nLễ Tấn", words=words)
    assert respelt_effect("quyền sử dụng Lê Tấn", page) == (1, 1)
    assert respelt_effect("quyền sử dụng Lê Tấn", page.model_copy(update={"text": "x"})) == (0, 0)


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("a b e", "a b c"),  # c read as e
        ("e đ a b", "c d a b"),  # a page that starts inside a list
        ("a b c đ a", "a b c d a"),  # d read as đ
        ("c đ e g", "c đ e g"),  # a d) lost: as many breaks either way, nothing changed
        ("b c d đ e", "b c d đ e"),  # already in order
        ("đ a", "đ a"),  # a list ended by đ): nothing breaks the order
        ("a", "a"),
        ("", ""),
    ],
)
def test_list_letters_follow_each_other(read: str, meant: str) -> None:
    assert best_order(read.split()) == meant.split()


def test_a_misread_list_marker_is_set_right_by_the_markers_around_it() -> None:
    texts = ["a)", "Đất", "b)", "Nhà", "e)", "cây", "d)", "ở", "“đ)", "x", "“e)", "y", "e)"]
    starts = [n % 2 == 0 for n in range(len(texts))]
    # the unquoted a) b) e) d) e): c read as e, the first e) only; the quoted “đ) “e) in order
    assert relettered(texts, starts) == {4: "c)"}
    assert relettered(["xem", "d)"], [True, False]) == {}  # not at a line's start: no marker


@pytest.mark.contract
def test_a_real_page_read_as_sohoa_reads_it_is_set_right() -> None:
    """Decree 49, page 18, bw200, softened as the page stage softens it: nine words read as
    other words, each set right as the decree prints it; nothing else changed."""
    with Image.open(io.BytesIO(scan_page(DECREE, 18, STYLES["bw200"]))) as page:
        lines = page.convert("L").crop((0, 270, page.width, 820))
    read = ocr_page(softened(lines, 200), 200, OcrSettings())
    assert "b) Bồ sung khoản 1a" in read.text and "e) Bô sung khoản 3" in read.text
    out = with_tones(read)
    assert [(w.read_as, w.text) for w in out.words if w.read_as] == [
        ("Bồ", "Bổ"),  # a) Bổ sung điểm g1
        ("Bồ", "Bổ"),
        ("thấm", "thẩm"),  # thẩm quyền
        ("bôi", "bồi"),  # bồi thường
        ("hồ", "hỗ"),  # hỗ trợ
        ("hôi", "hồi"),  # thu hồi
        ("đât.”.", "đất.”."),  # the stop's tone
        ("e)", "c)"),  # after a) and b)
        ("Bô", "Bổ"),
    ]
    assert "c) Bổ sung khoản 3 vào sau khoản 2" in out.text


@pytest.mark.contract
def test_a_generated_list_marker_misprinted_is_set_right() -> None:
    font = ImageFont.truetype(str(find_fonts()["regular"]), 34)
    page = Image.new("L", (1500, 230), 255)
    for n, line in enumerate(["a) Đất ở;", "b) Đất trồng lúa;", "e) Đất rừng."]):
        ImageDraw.Draw(page).text((30, 30 + 60 * n), line, font=font, fill=0)
    out = with_tones(ocr_page(page, 300, OcrSettings()))
    assert out.text.split("\n")[-1].startswith("c) Đất rừng")
    assert [(w.read_as, w.text) for w in out.words if w.read_as] == [("e)", "c)")]
