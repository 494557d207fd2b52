"""Synthetic scans of Vietnamese administrative documents, with their ground truth.

    generate_documents(count, seed, dpi) -> SampleDocument, one at a time (deterministic)
    write_document(doc, directory)       -> <name>.png|.jpg|.tif and <name>.truth.json

The words come from ``samplegen.text``; ``samplegen.page_layout`` lays them out on an A4 page in
the shape of Decree 30/2020 Appendix I (agency block top left, motto top right, number and date on
one level, type and trích yếu centred, body, Nơi nhận bottom left, signer bottom right under a
red seal), then imitates a scanner. Formats rotate png, jpeg, tiff (tiff: two pages). Conditions
come in shuffled blocks of six, in proportion to ``clean_ratio`` and ``turned_ratio``:
clean (no defect), degraded (skew, blur, noise, tint, JPEG artefacts), turned (degraded and
turned by 90, 180 or 270 degrees).

Truth conventions are those of ``schemas.results.PageText``: ``rotation`` is the clockwise turn
that makes the page upright; ``skew`` the counter-clockwise angle that straightens it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

from samplegen.ink import Defects, degrade
from samplegen.page_layout import FONT_DIRS, Fonts, find_fonts, render
from samplegen.text import compose
from schemas.document import MetadataFields

Format = Literal["png", "jpeg", "tiff"]
Condition = Literal["clean", "degraded", "turned"]
FORMATS: tuple[Format, ...] = ("png", "jpeg", "tiff")
SUFFIXES = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif"}
@dataclass(frozen=True)
class SamplePage:
    image: Image.Image
    text: str  # exact printed text in reading order, one printed line per line, NFC
    defects: Defects

    @property
    def rotation(self) -> int:
        return self.defects.rotation

    @property
    def skew(self) -> float:
        return self.defects.skew

    @property
    def degraded(self) -> bool:
        return self.defects.degraded


@dataclass(frozen=True)
class SampleDocument:
    name: str
    format: Format
    condition: Condition
    pages: tuple[SamplePage, ...]
    fields: MetadataFields

    def truth(self) -> dict:
        """The JSON-ready ground truth written next to the image."""
        return {
            "name": self.name,
            "file": self.name + SUFFIXES[self.format],
            "format": self.format,
            "condition": self.condition,
            "fields": self.fields.model_dump(mode="json"),
            "pages": [
                {
                    "index": i,
                    "text": p.text,
                    "width_px": p.image.width,
                    "height_px": p.image.height,
                    "defects": asdict(p.defects),
                }
                for i, p in enumerate(self.pages)
            ],
        }


def _conditions(seed: int, clean_ratio: float, turned_ratio: float) -> Iterator[Condition]:
    """Blocks of six by systematic sampling, shuffled: 1/3 clean, 1/6 turned -> 2, 1, 3."""
    block = 0
    while True:
        rng = random.Random(f"sohoa-samples:{seed}:conditions:{block}")
        u = rng.random()
        picks: list[Condition] = [
            "clean"
            if v < clean_ratio
            else "turned"
            if v < clean_ratio + turned_ratio
            else "degraded"
            for v in ((u + k) / 6 for k in range(6))
        ]
        rng.shuffle(picks)
        yield from picks
        block += 1


def generate_documents(
    count: int,
    seed: int,
    dpi: int = 300,
    *,
    clean_ratio: float = 1 / 3,
    turned_ratio: float = 1 / 6,
    font_dirs: Sequence[Path] = FONT_DIRS,
) -> Iterator[SampleDocument]:
    """``count`` documents, one at a time; the same arguments give the same documents."""
    if not (0 <= clean_ratio and 0 <= turned_ratio and clean_ratio + turned_ratio <= 1):
        raise ValueError("clean_ratio and turned_ratio must be >= 0 and sum to at most 1")
    if not 50 <= dpi <= 1200:
        raise ValueError("dpi must be between 50 and 1200")
    paths = find_fonts(font_dirs)
    fonts = Fonts(paths, dpi)
    conditions = _conditions(seed, clean_ratio, turned_ratio)
    for index in range(count):
        rng = random.Random(f"sohoa-samples:{seed}:{index}")
        fmt = FORMATS[index % len(FORMATS)]
        condition = next(conditions)
        content = compose(rng, long=fmt == "tiff")
        pages = []
        for page in render(content, fonts, rng, 2 if fmt == "tiff" else 1, paths["seal"]):
            if condition == "clean":
                image, defects = page.image, Defects(False, dpi=dpi)
            else:
                image, defects = degrade(page.image, rng, dpi, condition == "turned")
            pages.append(SamplePage(image, "\n".join(page.lines), defects))
        fields = MetadataFields(
            code_number=content.code_number,
            code_notation=content.code_notation,
            issued_date=content.issued,
            place=content.place,
            type_name=content.type_name or "CÔNG VĂN",  # loại văn bản; no type line printed
            organ_name=content.organ_name,
            parent_organ_name=content.agency_parent,
            subject=content.subject,
            signing_authority=" ".join(s for s in content.signer_lines if "." in s) or None,
            signer_position=next((s for s in content.signer_lines[::-1] if "." not in s), None),
            signer_name=content.signer_name,
            recipients=tuple(r.removeprefix("- ").rstrip(";.") for r in content.recipients),
        )
        yield SampleDocument(f"sample-{seed}-{index + 1:03d}", fmt, condition, tuple(pages), fields)


def write_document(doc: SampleDocument, directory: Path) -> list[Path]:
    """Write ``scans/<name>.<ext>`` and ``truth/<name>.truth.json`` under ``directory``, so that
    the scans folder can be digitised as it is; return both paths."""
    (directory / "scans").mkdir(parents=True, exist_ok=True)
    (directory / "truth").mkdir(parents=True, exist_ok=True)
    image_path = directory / "scans" / (doc.name + SUFFIXES[doc.format])
    first, *rest = [p.image for p in doc.pages]
    dpi = (doc.pages[0].defects.dpi,) * 2
    if doc.format == "png":
        first.save(image_path, "PNG", dpi=dpi, compress_level=3)
    elif doc.format == "jpeg":
        first.save(image_path, "JPEG", dpi=dpi, quality=90)
    else:
        first.save(
            image_path,
            "TIFF",
            dpi=dpi,
            save_all=True,
            append_images=rest,
            compression="tiff_lzw",
            tiffinfo={317: 2},
        )  # LZW, horizontal predictor
    truth_path = directory / "truth" / f"{doc.name}.truth.json"
    truth_path.write_text(
        json.dumps(doc.truth(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return [image_path, truth_path]
