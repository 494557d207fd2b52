"""A synthetic document laid out on an A4 page, in the shape of Decree 30/2020 Appendix I: agency
block top left, motto top right, number and date on one level, type and trích yếu centred, body
(over two pages when it must), Nơi nhận bottom left, signer bottom right under a red seal.

    find_fonts(dirs) -> the Liberation fonts with Vietnamese glyphs, by style
    render(content, fonts, rng, pages, seal_font) -> the printed pages, before any scanner
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from samplegen.ink import seal_ink, signature, stamp
from samplegen.text import Content, Paragraph
from schemas.errors import ConfigurationError

FONT_FILES = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bolditalic": "LiberationSerif-BoldItalic.ttf",
    "seal": "LiberationSans-Bold.ttf",
}
FONT_DIRS = (  # Liberation 1.x (Debian 12 fonts-liberation) has no Vietnamese glyphs; 2.x has
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/liberation2"),
    Path("/usr/share/fonts/liberation"),
    Path("/usr/share/fonts/liberation-serif"),
    Path("/usr/local/share/fonts"),
    Path("/usr/share/fonts"),
)
VIETNAMESE_PROBE = "ĐđƯưƠơẤầẩẫậốồổỗộữựỳỹ"
INK = (24, 24, 28)


def covers_vietnamese(path: Path) -> bool:
    """Whether the font draws every probe letter as itself, not as the missing-glyph box."""
    font = ImageFont.truetype(str(path), 24)
    missing = bytes(font.getmask("\ue000"))
    return all(bytes(font.getmask(ch)) != missing for ch in VIETNAMESE_PROBE)


def find_fonts(search_dirs: Sequence[Path] = FONT_DIRS) -> dict[str, Path]:
    """Liberation fonts with Vietnamese glyphs by style; ConfigurationError says what is missing."""
    found: dict[str, Path] = {}
    too_old: list[Path] = []
    for style, name in FONT_FILES.items():
        for directory in search_dirs:
            hits = [directory / name] if (directory / name).is_file() else []
            if not hits and directory.is_dir() and directory.name == "fonts":
                hits = sorted(directory.rglob(name))
            for hit in hits:
                if covers_vietnamese(hit):
                    found[style] = hit
                    break
                too_old.append(hit)
            if style in found:
                break
    missing = sorted(FONT_FILES[s] for s in FONT_FILES if s not in found)
    if missing:
        old = f"; without Vietnamese glyphs: {', '.join(map(str, too_old))}" if too_old else ""
        raise ConfigurationError(
            f"fonts with Vietnamese glyphs not found: {', '.join(missing)} (looked in "
            f"{', '.join(str(d) for d in search_dirs)}{old}); install Liberation 2.x: the "
            "Debian package fonts-liberation2 (Debian 12) or fonts-liberation (Debian 13 and later)"
        )
    return found


class Fonts:
    def __init__(self, paths: dict[str, Path], dpi: int) -> None:
        self._paths, self.dpi = paths, dpi
        self._cache: dict[tuple[str, float], ImageFont.FreeTypeFont] = {}

    def __call__(self, style: str, pt: float) -> ImageFont.FreeTypeFont:
        key = (style, pt)
        if key not in self._cache:
            self._cache[key] = ImageFont.truetype(str(self._paths[style]), self.px(pt))
        return self._cache[key]

    def px(self, pt: float) -> int:
        return round(pt * self.dpi / 72)

    def mm(self, mm: float) -> int:
        return round(mm * self.dpi / 25.4)


@dataclass
class _Line:
    text: str
    style: str
    pt: float
    align: str  # left | center | justify
    indent: int = 0
    gap: int = 0  # space before the line, dropped at the top of a page


class Page:
    """One white A4 page that remembers the text it printed, in order."""

    def __init__(self, fonts: Fonts) -> None:
        self.f = fonts
        self.image = Image.new("RGB", (fonts.mm(210), fonts.mm(297)), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.lines: list[str] = []

    def height(self, pt: float, spacing: float = 1.2) -> int:
        return round(self.f.px(pt) * spacing)

    def text(
        self,
        text: str,
        style: str,
        pt: float,
        x0: int,
        x1: int,
        y: int,
        align: str = "center",
        indent: int = 0,
        spacing: float = 1.2,
    ) -> int:
        """Print one line between x0 and x1 with its top at y; return the y below it."""
        font = self.f(style, pt)
        base = y + round(self.f.px(pt) * 0.95)
        if align == "justify" and " " in text:
            words = text.split(" ")
            widths = [font.getlength(w) for w in words]
            gap = (x1 - x0 - indent - sum(widths)) / (len(words) - 1)
            x = float(x0 + indent)
            for word, width in zip(words, widths, strict=True):
                self.draw.text((round(x), base), word, font=font, fill=INK, anchor="ls")
                x += width + gap
        else:
            width = font.getlength(text)
            x = {"left": x0 + indent, "center": (x0 + x1 - width) / 2}.get(align, x0 + indent)
            self.draw.text((round(x), base), text, font=font, fill=INK, anchor="ls")
        self.lines.append(text)
        return y + self.height(pt, spacing)

    def rule(self, cx: float, y: int, width: float) -> None:
        self.draw.line(
            (round(cx - width / 2), y, round(cx + width / 2), y),
            fill=INK,
            width=max(1, self.f.px(0.6)),
        )


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, indent: int = 0) -> list[str]:
    lines, current, room = [], "", width - indent
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and font.getlength(trial) > room:
            lines.append(current)
            current, room = word, width
        else:
            current = trial
    return [*lines, current]


def _wrap_balanced(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Like _wrap, but two lines are cut where they come out most even (titles, subjects)."""
    lines = _wrap(text, font, width)
    if len(lines) != 2:
        return lines
    words = text.split()
    cuts = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    widest = {c: max(font.getlength(c[0]), font.getlength(c[1])) for c in cuts}
    fitting = [c for c in cuts if widest[c] <= width]
    return list(min(fitting, key=widest.__getitem__)) if fitting else lines


def _body_lines(paras: Sequence[Paragraph], fonts: Fonts, width: int, pt: float) -> list[_Line]:
    out: list[_Line] = []
    for para in paras:
        indent = fonts.mm(10) if para.indent else 0
        wrapped = _wrap(para.text, fonts(para.style, pt), width, indent)
        for i, text in enumerate(wrapped):
            align = "left" if para.align == "justify" and i == len(wrapped) - 1 else para.align
            out.append(
                _Line(
                    text,
                    para.style,
                    pt,
                    align,
                    indent if i == 0 else 0,
                    fonts.px(pt * 0.45) if i == 0 else 0,
                )
            )
    return out


def _paginate(
    lines: list[_Line], capacities: Sequence[int], page: Page
) -> list[list[_Line]] | None:
    """Split lines over pages of the given heights; None when they do not fit."""
    pages: list[list[_Line]] = [[]]
    used = 0
    for line in lines:
        need = page.height(line.pt, 1.3) + (line.gap if pages[-1] else 0)
        if used + need > capacities[len(pages) - 1]:
            if len(pages) == len(capacities):
                return None
            pages.append([])
            used, need = 0, page.height(line.pt, 1.3)
        pages[-1].append(line)
        used += need
    return pages


def _fit(
    body: Sequence[Paragraph],
    fonts: Fonts,
    width: int,
    pt: float,
    capacities: Sequence[int],
    page: Page,
) -> list[list[_Line]]:
    """Drop optional paragraphs from the end (a heading goes with its item) until all fits."""
    paras = list(body)
    while (pages := _paginate(_body_lines(paras, fonts, width, pt), capacities, page)) is None:
        optional = [i for i, p in enumerate(paras) if p.optional]
        if not optional:
            raise ValueError("the required body text does not fit the page")
        del paras[optional[-1]]
        last = optional[-1] - 1
        if last >= 0 and paras[last].optional and paras[last].style == "bold":
            del paras[last]  # an orphaned section heading
    return pages


def _header(page: Page, c: Content) -> int:
    """Agency and motto blocks, number and date, type and subject; return the y below."""
    f, mm = page.f, page.f.mm
    lx0, lx1, rx0, rx1 = mm(15), mm(95), mm(92), mm(202)
    y = mm(15)
    if c.agency_parent:
        y = page.text(c.agency_parent, "regular", 12.5, lx0, lx1, y)
    for line in c.agency_lines:
        y = page.text(line, "bold", 12.5, lx0, lx1, y)
    width = f("bold", 12.5).getlength(c.agency_lines[-1])
    page.rule((lx0 + lx1) / 2, y + mm(1.2), width * 0.4)
    left_y = y + mm(1.2)
    y = page.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "bold", 12.5, rx0, rx1, mm(15))
    motto = "Độc lập - Tự do - Hạnh phúc"
    y = page.text(motto, "bold", 13.5, rx0, rx1, y)
    page.rule((rx0 + rx1) / 2, y - mm(0.6), f("bold", 13.5).getlength(motto))
    y = max(left_y, y) + mm(4)
    page.text(c.number_line, "regular", 13, lx0, lx1, y)
    y = page.text(c.date_line, "italic", 13.5, rx0, rx1, y)
    if c.type_name is None:  # công văn: V/v under the number
        for line in _wrap_balanced(c.subject, f("regular", 12), mm(72)):
            y = page.text(line, "regular", 12, lx0, lx1, y, spacing=1.1)
        return y + mm(6)
    y = page.text(c.type_name, "bold", 14, 0, page.image.width, y + mm(7), spacing=1.25) + mm(0.5)
    for line in _wrap_balanced(c.subject, f("bold", 14), mm(140)):
        y = page.text(line, "bold", 14, 0, page.image.width, y, spacing=1.2)
    page.rule(page.image.width / 2, y + mm(1.5), mm(35))
    return y + mm(6)


def _footer_height(c: Content, fonts: Fonts) -> int:
    left = fonts.px(12) * 1.2 + len(c.recipients) * fonts.px(11) * 1.15
    right = len(c.signer_lines) * fonts.px(13) * 1.2 + fonts.mm(26) + fonts.px(14) * 1.2
    return round(max(left, right) + fonts.mm(3))


def _footer(page: Page, c: Content, y: int, rng: random.Random, seal_font: Path) -> None:
    """Nơi nhận bottom left, then the signer block bottom right under a signature and a seal."""
    mm = page.f.mm
    y0 = y + mm(3)
    y = page.text("Nơi nhận:", "bolditalic", 12, mm(28), mm(105), y0, "left")
    for item in c.recipients:
        y = page.text(item, "regular", 11, mm(28), mm(105), y, "left", spacing=1.15)
    sx0, sx1 = mm(108), mm(198)
    y = y0
    for line in c.signer_lines:
        y = page.text(line, "bold", 13, sx0, sx1, y)
    cx, gap_top = (sx0 + sx1) / 2, y
    signature(
        page.draw, rng, cx + mm(rng.uniform(-4, 8)), gap_top + mm(rng.uniform(11, 15)), page.f.dpi
    )
    page.text(c.signer_name, "bold", 14, sx0, sx1, gap_top + mm(26))
    diameter = mm(rng.uniform(33, 38))
    centre = (cx - mm(rng.uniform(7, 13)), gap_top + mm(rng.uniform(6, 11)))
    stamp(page.image, seal_ink(c.seal_text, diameter, seal_font, rng), centre, rng)


def render(
    content: Content, fonts: Fonts, rng: random.Random, pages: int, seal_font: Path
) -> list[Page]:
    mm = fonts.mm
    first = Page(fonts)
    body_top = _header(first, content)
    x0, x1, bottom = mm(30), mm(195), fonts.mm(297 - 20)
    footer = _footer_height(content, fonts)
    pt = 13.5 if pages == 1 else 14
    second = Page(fonts) if pages == 2 else None
    if second:
        top2 = second.text("2", "regular", 13, 0, second.image.width, mm(10)) + mm(5)
        capacities = [bottom - body_top, bottom - top2 - footer]
    else:
        capacities = [bottom - body_top - footer]
    chunks = _fit(content.body, fonts, x1 - x0, pt, capacities, first)
    printed = [first, second] if second else [first]
    tops = [body_top, top2] if second else [body_top]
    for page, lines, top in zip(printed, chunks + [[]], tops, strict=False):
        y = top
        for i, line in enumerate(lines):
            y += line.gap if i else 0
            y = page.text(line.text, line.style, line.pt, x0, x1, y, line.align, line.indent, 1.3)
    _footer(printed[-1], content, y, rng, seal_font)
    return printed
