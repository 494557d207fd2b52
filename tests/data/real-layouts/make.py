"""Lay out real Vietnamese administrative texts in the layout of Decree 30/2020, Appendix I, as
LibreOffice documents (FODT), each with a red round seal and a blue signature over its signer
block; then `soffice --headless --convert-to pdf` makes the PDFs (see README.md).

    python tests/data/real-layouts/make.py [NAME ...]   # NAME.fodt for every (or each named)
                                                        # NAME.layout.json here

The text is real (sources in README.md); the layout is made here: A4, margins 20/20/30/15 mm,
Liberation Serif (the metrics of Times New Roman, which Debian cannot ship), 13-14 pt as the
Appendix prescribes. Not a test: run by hand when the material changes.
"""

from __future__ import annotations

import base64
import io
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"


@dataclass(frozen=True)
class Doc:
    name: str
    organ: list[str]  # the agency block, upper case, parent first
    number: str
    place_date: str
    type_name: str | None  # None: a công văn (its subject under the number)
    subject: list[str]
    preamble: list[str]  # centred lines under the subject (the issuer, "Kính gửi: ...")
    body: list[str]
    # the foot (Nơi nhận and the signer block); empty when the source gives only page 1
    recipients: list[str] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    position: str = ""
    signer: str = ""
    seal_text: str = ""
    seed: int = 0  # of the seal and signature drawing: the same ink each time the file is made


def _p(style: str, text: str) -> str:
    # a line break inside one paragraph ('ỦY BAN NHÂN DÂN' over 'TỈNH ...': one agency, two lines)
    lines = escape(text).replace("\n", "<text:line-break/>")
    return f'<text:p text:style-name="{style}">{lines}</text:p>'


def _seal_and_signature(seal_text: str, seed: int) -> str:
    """A PNG (base64) of a red seal with a blue scrawl across it, transparent elsewhere."""
    from samplegen.ink import seal_ink, signature

    rng = random.Random(seed)
    size = 420  # pixels for 35 mm at about 300 dpi
    ink = seal_ink(seal_text, size, Path(FONT), rng)
    image = Image.new("RGBA", (size + 200, size), (0, 0, 0, 0))
    red = Image.new("RGBA", (size, size), (200, 30, 40, 255))
    image.paste(red, (0, 0), ink.point(lambda v: v * 0.85))
    pen = Image.new("RGBA", image.size, (0, 0, 0, 0))
    signature(ImageDraw.Draw(pen), rng, image.width * 0.62, size * 0.55, 300)
    image.alpha_composite(pen)
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


STYLES = """
<office:font-face-decls>
 <style:font-face style:name="Liberation Serif" svg:font-family="'Liberation Serif'"
   style:font-family-generic="roman" style:font-pitch="variable"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties fo:margin-top="0mm" fo:margin-bottom="0mm"/>
  <style:text-properties style:font-name="Liberation Serif" fo:font-size="14pt" fo:language="vi"
    fo:country="VN"/>
 </style:default-style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="A4">
  <style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm"
    fo:margin-top="20mm" fo:margin-bottom="20mm" fo:margin-left="30mm" fo:margin-right="15mm"/>
 </style:page-layout>
 <style:style style:name="Head" style:family="table">
  <style:table-properties style:width="165mm" table:align="center"/>
 </style:style>
 <style:style style:name="Head.A" style:family="table-column">
  <style:table-column-properties style:column-width="62mm"/>
 </style:style>
 <style:style style:name="Head.B" style:family="table-column">
  <style:table-column-properties style:column-width="103mm"/>
 </style:style>
 <style:style style:name="Foot.A" style:family="table-column">
  <style:table-column-properties style:column-width="85mm"/>
 </style:style>
 <style:style style:name="Foot.B" style:family="table-column">
  <style:table-column-properties style:column-width="80mm"/>
 </style:style>
 <style:style style:name="OrganTop" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="13pt"/>
 </style:style>
 <style:style style:name="Organ" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="13pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Motto" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="13pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Motto2" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Rule" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="8pt"/>
 </style:style>
 <style:style style:name="Number" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="2mm"/>
  <style:text-properties fo:font-size="13pt"/>
 </style:style>
 <style:style style:name="Vv" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="1mm"/>
  <style:text-properties fo:font-size="12pt"/>
 </style:style>
 <style:style style:name="Date" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="2mm"/>
  <style:text-properties fo:font-size="14pt" fo:font-style="italic"/>
 </style:style>
 <style:style style:name="Type" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="8mm"/>
  <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Subject" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Centre" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="5mm" fo:margin-bottom="3mm"/>
  <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Body" style:family="paragraph">
  <style:paragraph-properties fo:text-align="justify" fo:text-indent="10mm"
    fo:margin-top="1.5mm" fo:margin-bottom="1.5mm" fo:line-height="115%"/>
  <style:text-properties fo:font-size="14pt"/>
 </style:style>
 <style:style style:name="To" style:family="paragraph">
  <style:paragraph-properties fo:margin-top="6mm"/>
  <style:text-properties fo:font-size="12pt" fo:font-weight="bold" fo:font-style="italic"/>
 </style:style>
 <style:style style:name="Item" style:family="paragraph">
  <style:text-properties fo:font-size="11pt"/>
 </style:style>
 <style:style style:name="Title" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="TitleTop" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="6mm"/>
  <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Signer" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center" fo:margin-top="28mm"/>
  <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
 </style:style>
 <style:style style:name="Ink" style:family="graphic">
  <style:graphic-properties style:wrap="run-through" style:run-through="foreground"
    style:vertical-pos="from-top" style:vertical-rel="paragraph"
    style:horizontal-pos="from-left" style:horizontal-rel="paragraph"/>
 </style:style>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="A4"/>
</office:master-styles>
"""

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<office:document'
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    ' xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
    ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
    ' xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">'
)


def _header(doc: Doc) -> str:
    left = [_p("OrganTop", doc.organ[0])] if len(doc.organ) > 1 else []
    left += [_p("Organ", line) for line in doc.organ[len(left) :]]
    left += [_p("Rule", "―――――――"), _p("Number", f"Số: {doc.number}")]
    if doc.type_name is None:
        left += [_p("Vv", line) for line in doc.subject]
    right = [
        _p("Motto", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        _p("Motto2", "Độc lập - Tự do - Hạnh phúc"),
        _p("Rule", "―――――――――――――――――"),
        _p("Date", doc.place_date),
    ]
    return (
        '<table:table table:style-name="Head"><table:table-column table:style-name="Head.A"/>'
        '<table:table-column table:style-name="Head.B"/><table:table-row>'
        f"<table:table-cell>{''.join(left)}</table:table-cell>"
        f"<table:table-cell>{''.join(right)}</table:table-cell>"
        "</table:table-row></table:table>"
    )


def _footer(doc: Doc, seed: int) -> str:
    left = [_p("To", "Nơi nhận:")] + [_p("Item", item) for item in doc.recipients]
    # Decree 30/2020, art. 33: the seal covers about the left third of the signature, which
    # sits in the space under the title lines (about 5 mm each after a 6 mm gap); the head who
    # signs in person has no authority line, only the position
    titles = [*doc.authority, doc.position]
    top = 5 * len(titles) + 1
    ink = (
        '<draw:frame draw:style-name="Ink" draw:name="ink" text:anchor-type="paragraph"'
        f' svg:x="6mm" svg:y="{top}mm" svg:width="52mm" svg:height="35mm" draw:z-index="1">'
        f'<draw:image><office:binary-data>{_seal_and_signature(doc.seal_text, seed)}'
        "</office:binary-data></draw:image></draw:frame>"
    )
    right = [_p("TitleTop", titles[0]).replace("</text:p>", ink + "</text:p>")]
    right += [_p("Title", line) for line in titles[1:]]
    right.append(_p("Signer", doc.signer))
    return (
        '<table:table table:style-name="Head"><table:table-column table:style-name="Foot.A"/>'
        '<table:table-column table:style-name="Foot.B"/><table:table-row>'
        f"<table:table-cell>{''.join(left)}</table:table-cell>"
        f"<table:table-cell>{''.join(right)}</table:table-cell>"
        "</table:table-row></table:table>"
    )


def fodt(doc: Doc, seed: int) -> str:
    parts = [_header(doc)]
    if doc.type_name is not None:
        parts.append(_p("Type", doc.type_name))
        parts += [_p("Subject", line) for line in doc.subject]
    parts += [_p("Centre", line) for line in doc.preamble]
    parts += [_p("Centre" if line.isupper() else "Body", line) for line in doc.body]
    if doc.signer:
        parts.append(_footer(doc, seed))
    body = "".join(parts)
    return f"{HEAD}{STYLES}<office:body><office:text>{body}</office:text></office:body></office:document>\n"


def main(names: list[str]) -> None:
    for path in sorted(HERE.glob("*.layout.json")):
        doc = Doc(**json.loads(path.read_text(encoding="utf-8")))
        if names and doc.name not in names:
            continue
        (HERE / f"{doc.name}.fodt").write_text(fodt(doc, doc.seed), encoding="utf-8")
        print("wrote", doc.name + ".fodt")


if __name__ == "__main__":
    main(sys.argv[1:])
