"""Reading accuracy against ground truth: CER, WER, field accuracy, sohoa beside plain Tesseract.

    load_truth(directory)                 -> TruthDocument per DIR/truth/<name>.truth.json
                                             (``sohoa samples``; real material: evaluate_real)
    page_tasks(doc, directory, ocr, lim)  -> the PageTasks the job would run for that scan
    score_document(doc, pages, plain)     -> DocumentScore (edit counts per page, sohoa's and
                                             plain Tesseract's, fields right)
    summarise(scores)                     -> Report: one Split per condition, and all together

Text is compared after ``normalise_for_cer``: NFC, every run of white space one space. Line
breaks do not count, reading order does: a block read out of place costs its length twice.
CER and WER are micro averages (edits summed over pages / reference length summed over pages).
Fields are compared after ``normalise_field`` (NFC, case folded, every run of white space one
space).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from pipeline.inputs.files import inspect, load_image_page, rasterise_pdf_page
from pipeline.metadata.extract import extract
from pipeline.metadata.phrases import correct_page
from pipeline.reading.ocr import plain_tesseract
from pipeline.reading.page import PageResult, PageTask
from schemas.document import DocumentMetadata
from schemas.results import PageText
from schemas.settings import InputLimits, OcrSettings

CONDITIONS = ("clean", "degraded", "turned")  # the generated sets' page classes, in this order
# Fields scored, each a name on DocumentMetadata (number = số and ký hiệu together).
FIELDS = ("number", "issued_date", "type_name", "organ_name", "place", "subject")
FLOOR_FIELDS = ("number", "issued_date", "type_name", "organ_name")
OPTIONAL_FIELDS = (
    "parent_organ_name",
    "signing_authority",
    "signer_position",
    "signer_name",
    "recipients",
)


@dataclass(frozen=True)
class TruthPage:
    index: int
    text: str
    rotation: int | None  # None: not known (a real scan)
    skew: float | None
    file: str | None = None  # the page's own image file, when each page is a file


@dataclass(frozen=True)
class TruthDocument:
    name: str
    file: str
    condition: str
    fields: dict[str, object]
    pages: tuple[TruthPage, ...]


@dataclass(frozen=True)
class PageScore:
    char_edits: int
    chars: int
    word_edits: int
    words: int
    rotation_ok: bool | None  # None: the truth does not say
    skew_error: float | None
    plain_char_edits: int | None = None  # plain Tesseract's reading of the same page
    plain_word_edits: int | None = None
    phrase_fixed: int = 0  # characters the phrase correction put right (measured, not used)
    phrase_broken: int = 0  # characters it put wrong
    respelt_fixed: int = 0  # characters the syllable rules put right (syllables, lexicon)
    respelt_broken: int = 0


@dataclass(frozen=True)
class DocumentScore:
    name: str
    condition: str
    pages: tuple[PageScore, ...]
    fields: dict[str, bool]  # field -> read right; only fields the truth has
    misread: dict[str, tuple[str, str]]  # field -> (truth, read), for the report


@dataclass(frozen=True)
class Split:
    """Totals over the pages (and documents) of one condition."""

    name: str
    documents: int
    pages: int
    cer: float | None
    wer: float | None
    rotation_ok: int
    rotation_known: int  # pages whose truth says which way is up
    max_skew_error: float
    plain_cer: float | None = None  # plain Tesseract on the same pages
    plain_wer: float | None = None
    field_right: dict[str, int] = field(default_factory=dict)
    field_total: dict[str, int] = field(default_factory=dict)
    phrase_fixed: int = 0
    phrase_broken: int = 0
    respelt_fixed: int = 0
    respelt_broken: int = 0

    def accuracy(self, name: str) -> float | None:
        total = self.field_total.get(name, 0)
        return self.field_right.get(name, 0) / total if total else None

    @property
    def ratio(self) -> float | None:
        """sohoa's CER over plain Tesseract's (below 1: sohoa reads better)."""
        if self.cer is None or self.plain_cer is None:
            return None
        return self.cer / self.plain_cer if self.plain_cer else float(self.cer > 0) * 99.0

    def floor_accuracy(self) -> float | None:
        """All floor fields together: right readings / readings expected."""
        total = sum(self.field_total.get(n, 0) for n in FLOOR_FIELDS)
        right = sum(self.field_right.get(n, 0) for n in FLOOR_FIELDS)
        return right / total if total else None


@dataclass(frozen=True)
class Report:
    splits: tuple[Split, ...]  # CONDITIONS present, then "all"
    documents: tuple[DocumentScore, ...]

    def split(self, name: str) -> Split | None:
        return next((s for s in self.splits if s.name == name), None)


def load_truth(directory: Path) -> list[TruthDocument]:
    """Every DIR/truth/*.truth.json, in name order; ValueError names a file that is not truth."""
    docs = []
    for path in sorted((directory / "truth").glob("*.truth.json")):
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            pages = tuple(
                TruthPage(
                    int(p["index"]),
                    unicodedata.normalize("NFC", p["text"]),
                    int(p["defects"]["rotation"]),
                    float(p["defects"]["skew"]),
                )
                for p in raw["pages"]
            )
            docs.append(
                TruthDocument(raw["name"], raw["file"], raw["condition"], raw["fields"], pages)
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: not a sohoa samples truth file ({exc})") from exc
    return docs


def page_tasks(
    doc: TruthDocument, directory: Path, ocr: OcrSettings, limits: InputLimits
) -> list[PageTask]:
    """The page tasks the job would run for the document's scan, in page order."""
    if all(p.file for p in doc.pages):  # a real set: one image file per page
        tasks = []
        for page in doc.pages:
            data = (directory / str(page.file)).read_bytes()
            kind = inspect(data, limits).kind
            tasks.append(PageTask(str(page.file), data, kind, 0, page.index, ocr, limits))
        return tasks
    path = directory / "scans" / doc.file
    data = path.read_bytes()
    kind = inspect(data, limits)
    return [
        PageTask(doc.file, data, kind.kind, index, index, ocr, limits)
        for index in range(kind.page_count)
    ]


def plain_reading(task: PageTask) -> str:
    """Plain Tesseract's text of the task's page, decoded as the job decodes it."""
    if task.kind == "pdf":
        image, dpi = rasterise_pdf_page(task.source, task.index, task.ocr.raster_dpi, task.limits)
    else:
        image, dpi = load_image_page(task.source, task.index, task.limits)
    return plain_tesseract(image, dpi, task.ocr)


_SPACE = re.compile(r"\s+")


def normalise_for_cer(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalise_field(value: object) -> str:
    """The value as printed: NFC, one space for any run of white space, list items joined."""
    if isinstance(value, list | tuple):
        return " | ".join(normalise_for_cer(str(v)) for v in value)
    return normalise_for_cer(str(value)) if value is not None else ""


def edits(reference: str, hypothesis: str) -> tuple[int, int, int, int]:
    """(character edits, reference characters, word edits, reference words)."""
    ref, hyp = normalise_for_cer(reference), normalise_for_cer(hypothesis)
    ref_words, hyp_words = ref.split(), hyp.split()
    return (
        Levenshtein.distance(ref, hyp),
        len(ref),
        Levenshtein.distance(ref_words, hyp_words),
        len(ref_words),
    )


def field_value(meta: DocumentMetadata, name: str) -> object:
    if name == "number":
        return meta.number_and_symbol
    return getattr(meta, name, None)


def _truth_value(fields: dict[str, object], name: str) -> object:
    if name == "number":
        number, notation = fields.get("code_number"), fields.get("code_notation")
        return f"{number}/{notation}" if number and notation else number or notation
    return fields.get(name)


def phrase_effect(truth: str, page: PageText) -> tuple[int, int]:
    """(characters fixed, characters broken) by each of the page's phrase corrections, each
    applied alone to the text as read; measured against the truth, never used to decide."""
    if not page.corrections:
        return 0, 0
    lines = page.text.split("\n")
    for c in page.corrections:
        lines[c.line] = c.original
    reference = normalise_for_cer(truth)
    before = Levenshtein.distance(reference, normalise_for_cer("\n".join(lines)))
    fixed = broken = 0
    for c in page.corrections:
        one = list(lines)
        one[c.line] = c.corrected
        gain = before - Levenshtein.distance(reference, normalise_for_cer("\n".join(one)))
        fixed, broken = fixed + max(0, gain), broken + max(0, -gain)
    return fixed, broken


def respelt_effect(truth: str, page: PageText) -> tuple[int, int]:
    """(characters fixed, characters broken) by the words the reading respelt (``Word.read_as``:
    the stop's tone, the lexicon), each put back alone as Tesseract read it; measured against
    the truth, never used to decide. Measured on a page whose text holds its words one for
    one, on the words a phrase correction left as they were."""
    tokens = page.text.split()
    if len(tokens) != len(page.words):
        return 0, 0
    respelt = [
        n for n, w in enumerate(page.words) if w.read_as and tokens[n] == w.text != w.read_as
    ]
    if not respelt:
        return 0, 0
    reference = normalise_for_cer(truth)
    now = Levenshtein.distance(reference, " ".join(tokens))
    fixed = broken = 0
    for n in respelt:
        as_read = " ".join([*tokens[:n], str(page.words[n].read_as), *tokens[n + 1 :]])
        gain = Levenshtein.distance(reference, as_read) - now
        fixed, broken = fixed + max(0, gain), broken + max(0, -gain)
    return fixed, broken


def score_document(
    doc: TruthDocument, pages: Sequence[PageResult], plain: Sequence[str] | None = None
) -> DocumentScore:
    """Scores of sohoa's reading of the document's pages (its fixed phrases corrected, as the
    job stores them) and, with ``plain``, of plain Tesseract's reading of the same pages."""
    if len(pages) != len(doc.pages) or (plain is not None and len(plain) != len(pages)):
        raise ValueError(f"{doc.name}: {len(pages)} pages read, the truth has {len(doc.pages)}")
    read = [correct_page(r.page) for r in pages]
    page_scores = []
    for n, (truth, page) in enumerate(zip(doc.pages, read, strict=True)):
        ce, chars, we, words = edits(truth.text, page.text)
        pce, _, pwe, _ = edits(truth.text, plain[n]) if plain is not None else (None, 0, None, 0)
        page_scores.append(
            PageScore(
                ce,
                chars,
                we,
                words,
                None if truth.rotation is None else page.rotation == truth.rotation,
                None if truth.skew is None else round(abs(page.skew - truth.skew), 2),
                pce,
                pwe,
                *phrase_effect(truth.text, page),
                *respelt_effect(truth.text, page),
            )
        )
    found = extract("\n\n".join(p.text for p in read))
    right, misread = {}, {}
    for name in (*FIELDS, *OPTIONAL_FIELDS):
        expected = _truth_value(doc.fields, name)
        if expected is None:
            continue
        got = normalise_field(field_value(found, name))
        right[name] = got.casefold() == normalise_field(expected).casefold()
        if not right[name]:
            misread[name] = (normalise_field(expected), got)
    return DocumentScore(doc.name, doc.condition, tuple(page_scores), right, misread)


def _split(name: str, scores: Iterable[DocumentScore]) -> Split:
    scores = list(scores)
    pages = [p for s in scores for p in s.pages]
    chars, words = sum(p.chars for p in pages), sum(p.words for p in pages)
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for s in scores:
        for f, ok in s.fields.items():
            total[f] = total.get(f, 0) + 1
            right[f] = right.get(f, 0) + int(ok)
    plain = all(p.plain_char_edits is not None for p in pages)
    return Split(
        name=name,
        documents=len(scores),
        pages=len(pages),
        cer=sum(p.char_edits for p in pages) / chars if chars else None,
        wer=sum(p.word_edits for p in pages) / words if words else None,
        rotation_ok=sum(bool(p.rotation_ok) for p in pages),
        rotation_known=sum(p.rotation_ok is not None for p in pages),
        max_skew_error=max((p.skew_error for p in pages if p.skew_error is not None), default=0.0),
        plain_cer=sum(p.plain_char_edits or 0 for p in pages) / chars if chars and plain else None,
        plain_wer=sum(p.plain_word_edits or 0 for p in pages) / words if words and plain else None,
        field_right=right,
        field_total=total,
        phrase_fixed=sum(p.phrase_fixed for p in pages),
        phrase_broken=sum(p.phrase_broken for p in pages),
        respelt_fixed=sum(p.respelt_fixed for p in pages),
        respelt_broken=sum(p.respelt_broken for p in pages),
    )


def summarise(scores: Sequence[DocumentScore]) -> Report:
    """One split per page class (the generated conditions first, then others as they come)."""
    seen = [c for c in CONDITIONS if any(s.condition == c for s in scores)]
    seen += list(dict.fromkeys(s.condition for s in scores if s.condition not in CONDITIONS))
    splits = [_split(c, (s for s in scores if s.condition == c)) for c in seen]
    splits.append(_split("all", scores))
    return Report(tuple(splits), tuple(scores))
