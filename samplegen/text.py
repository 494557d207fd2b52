"""Words of the synthetic documents: agencies, places, numbers, dates and administrative prose.

Pure: a seeded ``random.Random`` in, NFC text out; ``samplegen.samples`` lays it out. The
patterns follow docs/DOMAIN.md (Decree 30/2020/NĐ-CP, Appendix I and III). Thư công and công
văn have no type abbreviation, so their ký hiệu is ``<agency>-<unit>`` like ``123/UBND-VP``.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

from samplegen.words import (
    ACTIONS,
    BASES,
    DEFAULT_SUBJECTS,
    DEPARTMENTS,
    DOCUMENT_TYPES,
    GIVEN,
    HEADINGS,
    MIDDLE,
    OFFICES,
    PROVINCES,
    RECIPIENTS,
    SENTENCES,
    SUBJECTS,
    SURNAMES,
    TOPICS,
    UNITS,
)


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "regular"  # regular | bold | italic | bolditalic
    align: str = "justify"  # justify | center | left
    indent: bool = True  # first-line indent
    optional: bool = False  # may be dropped to make the body fit its page(s)


@dataclass(frozen=True)
class Content:
    """Everything printed on one document, before layout. All strings NFC."""

    agency_parent: str | None  # "UBND TỈNH ĐỒNG NAI", printed above the agency
    agency_lines: tuple[str, ...]  # the agency's name as printed, bold
    code_number: str  # "05"
    code_notation: str  # "2024/QĐ-UBND": everything after the first slash
    place: str
    issued: dt.date
    type_name: str | None  # None for a công văn
    subject: str  # trích yếu; "V/v ..." for a công văn
    body: tuple[Paragraph, ...]
    recipients: tuple[str, ...]  # Nơi nhận items
    signer_lines: tuple[str, ...]  # "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"
    signer_name: str
    seal_text: str  # around the ring of the seal

    @property
    def organ_name(self) -> str:
        return " ".join(self.agency_lines)

    @property
    def number_line(self) -> str:
        return f"Số: {self.code_number}/{self.code_notation}"

    @property
    def date_line(self) -> str:
        return format_date_line(self.place, self.issued)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def format_date_line(place: str, date: dt.date) -> str:
    """'Biên Hòa, ngày 05 tháng 02 năm 2024': day < 10 and months 1-2 are zero-padded."""
    day = f"{date.day:02d}" if date.day < 10 else str(date.day)
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"{place}, ngày {day} tháng {month} năm {date.year}"


def format_code_number(number: int) -> str:
    """Numbers below 10 get a leading zero (Decree 30/2020, Appendix I)."""
    return f"{number:02d}"


def grouped(number: int) -> str:
    """Thousands separated by dots, the Vietnamese way: 11705 -> '11.705'."""
    return f"{number:,}".replace(",", ".")


def break_balanced(text: str, max_chars: int) -> tuple[str, ...]:
    """Split a header line in two at the space that best balances the halves, if too long."""
    if len(text) <= max_chars or " " not in text:
        return (text,)
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: max(i, len(text) - i - 1))
    return text[:cut], text[cut + 1 :]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _bare(unit: str) -> str:
    """'huyện Long Thành' -> 'Long Thành': the place name printed before the date."""
    for prefix in ("thị xã ", "huyện ", "xã "):
        unit = unit.removeprefix(prefix)
    return unit


CHAIR = (("CHỦ TỊCH",), ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"))


@dataclass(frozen=True)
class _Where:
    level: str  # Tỉnh | Thành phố
    province: str
    capital: str
    district: str
    commune: str

    @property
    def province_up(self) -> str:
        return f"{self.level} {self.province}".upper()


def _agency(rng: random.Random, abbr: str | None) -> dict:
    level, province, capital, districts, communes = rng.choice(PROVINCES)
    where = _Where(level, province, capital, rng.choice(districts), rng.choice(communes))
    kind = "hdnd" if abbr == "NQ" else rng.choice(("ubnd", "so", "so", "huyen", "phong", "xa"))
    if kind == "hdnd":
        return _council(rng, where)
    if kind in ("ubnd", "huyen", "xa"):
        return _committee(rng, where, kind)
    if kind == "so":
        return _department(rng, where)
    return _office(rng, where)


def _council(rng: random.Random, w: _Where) -> dict:
    return dict(
        level="province",
        parent=None,
        lines=("HỘI ĐỒNG NHÂN DÂN", w.province_up),
        abbr="HĐND",
        place=w.capital,
        area=f"{w.level} {w.province}",
        org=f"Hội đồng nhân dân {w.level} {w.province}",
        signer=rng.choice(CHAIR),
        seal=f"HỘI ĐỒNG NHÂN DÂN {w.province_up}",
    )


def _committee(rng: random.Random, w: _Where, kind: str) -> dict:
    area = {"ubnd": f"{w.level} {w.province}", "huyen": w.district, "xa": w.commune}[kind]
    place = {"ubnd": w.capital, "huyen": _bare(w.district), "xa": _bare(w.commune)}[kind]
    signer = rng.choice(CHAIR)
    if rng.random() < 0.7:
        signer = ("TM. ỦY BAN NHÂN DÂN", *signer)
    return dict(
        level={"ubnd": "province", "huyen": "district", "xa": "commune"}[kind],
        parent=None,
        lines=("ỦY BAN NHÂN DÂN", area.upper()),
        abbr="UBND",
        place=place,
        area=area,
        org=f"Ủy ban nhân dân {area}",
        signer=signer,
        seal=f"ỦY BAN NHÂN DÂN {area.upper()}",
    )


def _department(rng: random.Random, w: _Where) -> dict:
    name, short = rng.choice(DEPARTMENTS)
    signer = rng.choice((("GIÁM ĐỐC",), ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")))
    return dict(
        level="department",
        parent=f"UBND {w.province_up}",
        lines=break_balanced(name.upper(), 26),
        abbr=short,
        place=w.capital,
        area=f"{w.level} {w.province}",
        org=name,
        signer=signer,
        seal=f"{name.upper()} {w.province_up}",
    )


def _office(rng: random.Random, w: _Where) -> dict:
    name, short = rng.choice(OFFICES)
    signer = rng.choice((("TRƯỞNG PHÒNG",), ("KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG")))
    return dict(
        level="district",
        parent=f"UBND {w.district.upper()}",
        lines=break_balanced(name.upper(), 26),
        abbr=short,
        place=_bare(w.district),
        area=w.district,
        org=name,
        signer=signer,
        seal=f"{name.upper()} {w.district.upper()}",
    )


class _Prose:
    """Sentences drawn without repetition until the stock runs out, then from a new shuffle."""

    def __init__(self, rng: random.Random, slots: dict) -> None:
        self._rng, self._slots, self._stock = rng, slots, []

    def __call__(self, count: int) -> str:
        out = []
        for _ in range(count):
            if not self._stock:
                self._stock = self._rng.sample(SENTENCES, len(SENTENCES))
            out.append(self._stock.pop().format(**self._slots))
        return " ".join(out)


def _decision_body(rng, abbr, agency, slots, prose, subject, sections) -> list[Paragraph]:
    head = {"department": "GIÁM ĐỐC ", "district": "TRƯỞNG "}.get(agency["level"], "")
    if agency["abbr"] in ("UBND", "HĐND"):
        head = ""
    word = "Nghị quyết" if abbr == "NQ" else "Quyết định"
    paras = [Paragraph(head + agency["org"].upper(), "bold", "center", False)]
    bases = sorted(rng.sample(range(len(BASES)), rng.randint(2, 4)))
    paras += [Paragraph(BASES[i], "italic") for i in bases]
    when = f"ngày {rng.randint(10, 28)} tháng {slots['month']} năm {slots['year']}"
    if abbr == "NQ":
        paras.append(
            Paragraph(
                f"Xét Tờ trình số {rng.randint(10, 300)}/TTr-UBND {when} của Ủy ban nhân dân "
                f"{slots['area']}; Báo cáo thẩm tra của Ban Kinh tế - Ngân sách; ý kiến thảo luận "
                "của đại biểu Hội đồng nhân dân tại kỳ họp.",
                "italic",
            )
        )
    else:
        paras.append(
            Paragraph(
                f"Theo đề nghị của Chánh Văn phòng tại Tờ trình số "
                f"{rng.randint(10, 300)}/TTr-{agency['abbr']} {when}.",
                "italic",
            )
        )
    enact = "QUYẾT NGHỊ:" if abbr == "NQ" else "QUYẾT ĐỊNH:"
    paras.append(Paragraph(enact, "bold", "center", False))
    action = subject.removeprefix("Về việc ").removeprefix("Về ")
    paras.append(
        Paragraph(f"Điều 1. {action[0].upper()}{action[1:]} (chi tiết kèm theo {word} này).")
    )
    paras += [
        Paragraph(f"{i + 1}. {prose(rng.randint(1, 2))}", optional=i > 0) for i in range(sections)
    ]
    paras.append(Paragraph(f"Điều 2. {word} này có hiệu lực kể từ ngày ký."))
    paras.append(
        Paragraph(
            f"Điều 3. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị và cá nhân có "
            f"liên quan chịu trách nhiệm thi hành {word} này./."
        )
    )
    return paras


def _plain_body(rng, type_name, abbr, agency, slots, prose, sections) -> list[Paragraph]:
    paras = []
    if abbr == "TTr":
        to = "Hội đồng nhân dân" if agency["abbr"] == "UBND" else "Ủy ban nhân dân"
        paras.append(Paragraph(f"Kính gửi: {to} {slots['area']}", "regular", "center", False))
    elif type_name is None or abbr in ("GM", "GGT"):
        paras.append(
            Paragraph(
                f"Kính gửi: Các cơ quan, đơn vị trên địa bàn {slots['area']}",
                "regular",
                "center",
                False,
            )
        )
    kind = (type_name or "công văn").lower()
    paras.append(
        Paragraph(
            f"Thực hiện chỉ đạo của cấp có thẩm quyền về {slots['topic']}, "
            f"{agency['org']} ban hành {kind} với các nội dung như sau:"
        )
    )
    headings = HEADINGS.get(abbr or "", ())
    starts = {round(j * sections / len(headings)): h for j, h in enumerate(headings)}
    number = 0
    for i in range(sections):
        if i in starts:  # a heading is dropped together with the item that follows it
            paras.append(Paragraph(starts[i], "bold", "left", True, optional=i > 0))
            number = 0
        number += 1
        paras.append(Paragraph(f"{number}. {prose(rng.randint(1, 3))}", optional=i > 0))
    paras.append(
        Paragraph(
            f"Trên đây là {kind} của {agency['org']}, đề nghị các cơ quan, đơn vị "
            f"quan tâm, phối hợp thực hiện./."
        )
    )
    return paras


def compose(rng: random.Random, *, long: bool = False) -> Content:
    """One document's content; ``long`` gives enough body for a second page."""
    type_name, abbr, _ = rng.choices(DOCUMENT_TYPES, weights=[t[2] for t in DOCUMENT_TYPES])[0]
    agency = _agency(rng, abbr)
    issued = dt.date(rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28))
    number = rng.randint(1, 40) if rng.random() < 0.5 else rng.randint(41, 2500)
    if abbr is None:
        notation = f"{agency['abbr']}-{rng.choice(UNITS)}"
    elif abbr in ("QĐ", "NQ", "CT") and rng.random() < 0.5:
        notation = f"{issued.year}/{abbr}-{agency['abbr']}"
    else:
        notation = f"{abbr}-{agency['abbr']}"
    slots = dict(
        topic=rng.choice(TOPICS),
        action=rng.choice(ACTIONS),
        area=agency["area"],
        org=agency["org"],
        year=issued.year,
        year5=issued.year + 5,
        month=issued.month,
        day=rng.randint(15, 25),
        pct=rng.randint(70, 99),
        pct2=rng.randint(2, 15),
        n=grouped(n := rng.randint(800, 20000)),
        m=grouped(m := rng.randint(n // 2, n)),
        k=grouped(n - m),
        leader=f"Phó Chủ tịch UBND {agency['area']}",
        period=rng.choice(
            (f"6 tháng đầu năm {issued.year}", f"năm {issued.year - 1}", f"quý I năm {issued.year}")
        ),
    )
    subject = rng.choice(SUBJECTS.get(abbr, DEFAULT_SUBJECTS) if type_name else SUBJECTS[None])
    subject = subject.format(**slots)
    sections = rng.randint(9, 12) if long else rng.randint(2, 4)
    prose = _Prose(rng, slots)
    if abbr in ("QĐ", "NQ"):
        body = _decision_body(rng, abbr, agency, slots, prose, subject, sections)
    else:
        body = _plain_body(rng, type_name, abbr, agency, slots, prose, sections)
    recipients = (
        "- Như trên;",
        *rng.sample(RECIPIENTS[agency["level"]], rng.randint(2, 4)),
        f"- Lưu: VT, {rng.choice(UNITS)}.",
    )
    return Content(
        agency_parent=nfc(agency["parent"]) if agency["parent"] else None,
        agency_lines=tuple(nfc(line) for line in agency["lines"]),
        code_number=format_code_number(number),
        code_notation=nfc(notation),
        place=nfc(agency["place"]),
        issued=issued,
        type_name=nfc(type_name) if type_name else None,
        subject=nfc(subject),
        body=tuple(Paragraph(nfc(p.text), p.style, p.align, p.indent, p.optional) for p in body),
        recipients=tuple(nfc(r) for r in recipients),
        signer_lines=tuple(nfc(s) for s in agency["signer"]),
        signer_name=nfc(_name(rng)),
        seal_text=nfc(agency["seal"]),
    )
