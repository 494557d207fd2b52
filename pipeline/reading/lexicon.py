"""Vietnamese words Tesseract reads as other words, set right by the words around them.

    respell(texts)   -> {n: new text} for the words of a reading (in reading order) that the
                        lexicon says were misread; every other word stays as it was
    alternatives(w)  -> the syllables a lowercase syllable w may have been misread from
    restored(w)      -> the syllables w may be with marks it lost restored (for capitals)

Two confusions of Tesseract's ``vie`` model leave a real syllable for another real one, so no
rule on the syllable alone can see them: the bar of đ (a bilevel scan's d grows one, "sử đụng";
or đ loses it) and the tone mark stacked over â ê ô ă (lost, "thâm quyên", or read as its
neighbour, "đề" for "để", "Bồ" for "Bổ"). The alternatives of a syllable are the known
syllables one such edit away: d and đ swapped at its start, or another tone (none, sắc, huyền,
hỏi, ngã) over its â ê ô ă; never the nặng dot below, which is not lost that way.

Evidence, in this order, none of it from the material sohoa is measured on:
- compound words (``lexicon_data/vi-words.txt``: pyvi's word list, MIT): a word is changed
  only when, as read, it makes a compound with neither neighbour (nor with any alternative of
  theirs), and exactly one alternative makes one ("sử đụng" -> "sử dụng", "thâm quyên" ->
  "thẩm quyền"); a neighbour that already makes a compound on its other side, as read, lends
  no evidence ("chuyển mục đích" is not "chuyên mục"), nor does one beyond punctuation;
- the frequency of syllables (``lexicon_data/vi-syllable-freq.tsv``: wordfreq's Vietnamese
  list, CC-BY-SA 4.0), a guard: the alternative is never more than 10 times rarer than the word
  as read ("được" is never "dược" for "dược tính"); and, with no compound on either side for
  any reading, a word becomes an alternative 100 times more frequent ("Điêu 5" -> "Điều 5").
Codes, numbers and Roman numerals are left alone; case and punctuation are kept.

Capitals (a trích yếu, a title, a signer block) lose or swap more marks than lower case:
"THỰC HIẸN", "KET LUẠN ... VE". A word in capitals (two letters or more) that the rule above
leaves as it is, whose lowercase is no known syllable or makes no compound with its neighbours,
is respelt to a restored form (``restored``: the known syllables that keep every mark it was
read with and add any others: a vowel's hat, breve or horn, a tone, the bar of đ) when exactly
one of them makes a compound with a neighbour, as that neighbour was read or as one of its own
restored forms, and it passes the frequency guard above; or, standing between two words in
capitals with no punctuation, when no restored form makes a compound and the commonest is 100
times commoner than the word as read ("HỌP VE ĐỀ ÁN" -> "VỀ"). It is written in capitals. Capitals
next to capitals are taken as words here (a line in capitals is no name), but for the three
after a unit (TỈNH, HUYỆN, XÃ, PHƯỜNG, QUẬN, THÀNH PHỐ, THỊ TRẤN: a place's name); a capital
word with no Vietnamese mark is left to this rule alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("lexicon_data")
_TONES = {"\u0300", "\u0309", "\u0303", "\u0301", "\u0323"}  # huyền, hỏi, ngã, sắc, nặng
_ABOVE = ("\u0301", "\u0300", "\u0309", "\u0303")  # sắc, huyền, hỏi, ngã; never nặng's dot
_STACKED = set("âêôă")  # a tone over these sits on the first mark: Tesseract loses it
_MARKS = set("ăâêôơưđ")
RARER = 100  # centibels: an alternative at most 10 times rarer than the word as read
COMMONER = 200  # with no compound either way: an alternative at least 100 times commoner
_UNKNOWN = -900  # the frequency of a syllable wordfreq does not list (below all it lists)
_CORE = re.compile(r"^(\W*)(\w+)(\W*)$")
_ROMAN = re.compile(r"^[IVXLCDM]+$")


@dataclass(frozen=True)
class Lexicon:
    syllables: frozenset[str]  # every syllable of the word list
    pairs: frozenset[tuple[str, str]]  # syllables that stand next to each other in a word
    freq: dict[str, int]  # syllable -> centibels (100 x log10 of its frequency)
    bare: dict[str, tuple[str, ...]]  # letters without any mark -> the syllables spelt so


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_NEIGHBOURS = re.compile(r"(?<!\w)(?=(\w+) (\w+))")  # each word and the word after it


@cache
def lexicon() -> Lexicon:
    """The word list and the frequencies, read once per process."""
    text = _nfc((DATA / "vi-words.txt").read_text(encoding="utf-8")).lower()
    pairs = frozenset(m.groups() for m in _NEIGHBOURS.finditer(text))
    syllables = frozenset(w for w in text.split() if w.isalpha())
    rows = (DATA / "vi-syllable-freq.tsv").read_text(encoding="utf-8").split()
    freq = dict(zip(rows[::2], map(int, rows[1::2]), strict=True))
    bare: dict[str, list[str]] = {}
    for syllable in sorted(syllables):
        bare.setdefault(_unmarked(syllable), []).append(syllable)
    return Lexicon(syllables, pairs, freq, {k: tuple(v) for k, v in bare.items()})


def _unmarked(syllable: str) -> str:
    """The letters without any mark: "trường" -> "truong", "đề" -> "de"."""
    letters = unicodedata.normalize("NFD", syllable.replace("đ", "d"))
    return "".join(c for c in letters if not unicodedata.combining(c))


def _marks(syllable: str) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    """(its tones, the other marks of each letter: hat, breve, horn, the bar of đ)."""
    tones, letters = set(), []
    for letter in syllable:
        marks = set(unicodedata.normalize("NFD", letter)[1:])
        marks |= {"bar"} if letter == "đ" else set()
        tones |= marks & _TONES
        letters.append(frozenset(marks - _TONES))
    return frozenset(tones), tuple(letters)


@cache
def restored(syllable: str) -> tuple[str, ...]:
    """The known syllables spelt with the letters of ``syllable`` (lowercase, NFC) that keep
    every mark it has and add others: a vowel's hat, breve or horn, a tone, the bar of đ."""
    tones, letters = _marks(syllable)
    found = []
    for other in lexicon().bare.get(_unmarked(syllable), ()):
        their_tones, theirs = _marks(other)
        more = len(their_tones) + sum(map(len, theirs)) > len(tones) + sum(map(len, letters))
        if more and tones <= their_tones and len(theirs) == len(letters):
            if all(a <= b for a, b in zip(letters, theirs, strict=True)):
                found.append(other)  # never the same marks moved: "hòa" is "hoà" spelt old
    return tuple(found)


@cache
def alternatives(syllable: str) -> tuple[str, ...]:
    """The known syllables one confusion away from ``syllable`` (lowercase, NFC): d and đ
    swapped at its start, or another tone over its â ê ô ă (never the nặng dot)."""
    known = lexicon().syllables
    found = []
    if syllable[:1] in ("d", "đ"):
        found.append({"d": "đ", "đ": "d"}[syllable[0]] + syllable[1:])
    letters = unicodedata.normalize("NFD", syllable)
    tones = [c for c in letters if c in _TONES]
    bare = _nfc("".join(c for c in letters if c not in _TONES))
    at = next((n for n, c in enumerate(bare) if c in _STACKED), None)
    if at is not None and tones in ([], *([t] for t in _ABOVE)):
        for tone in ("", *_ABOVE):
            if [tone] != tones and (tone or tones):
                found.append(bare[:at] + _nfc(bare[at] + tone) + bare[at + 1 :])
    return tuple(a for a in found if a in known and a != syllable)


@dataclass(frozen=True)
class _Word:
    lead: str
    core: str  # as read
    trail: str
    low: str  # the core in lowercase: what the lexicon is asked


def _word(text: str, bare_capitals: bool = False) -> _Word | None:
    """The text as a word the lexicon may speak of, or None (a code, a number, a mark; unless
    ``bare_capitals``, capitals without a Vietnamese mark)."""
    found = _CORE.match(_nfc(text))
    if found is None:
        return None
    lead, core, trail = found.groups()
    if any(c.isdigit() or c == "_" for c in core) or _ROMAN.match(core):
        return None
    marked = (_MARKS | _TONES) & set(unicodedata.normalize("NFD", core.lower()))
    if core.isupper() and not marked and not bare_capitals:
        return None  # capitals with no Vietnamese mark: an abbreviation, perhaps no word
    if not (core.islower() or core.isupper() or core[1:].islower()):
        return None  # mixed case: not a word read cleanly
    return _Word(lead, core, trail, core.lower())


def _in_name(words: Sequence[_Word | None], n: int) -> bool:
    """Whether word n and a neighbour both begin with a capital: perhaps a name ("Lê Tấn
    Dũng" is no "Lễ Tân"), which the lexicon neither changes nor takes as evidence."""
    near = [words[m] for m in (n - 1, n, n + 1) if 0 <= m < len(words)]
    capital = [w is not None and w.core[0].isupper() for w in near]
    return capital[1 if n > 0 else 0] and sum(capital) > 1


_UNITS = {"tỉnh", "huyện", "quận", "xã", "phường", "phố", "trấn"}  # thành phố, thị trấn, ...
_NAME_WORDS = 3  # "BÀ RỊA - VŨNG TÀU": a place's name, in words after its unit


def _named(words: Sequence[_Word | None], n: int) -> bool:
    """Whether word n, in capitals, may be part of a place's name: one of the words in
    capitals after a unit ("TỈNH THANH HÓA" is no "tỉnh thành", "HUYỆN LONG THÀNH" no
    "lòng thành"), which the capitals rule neither changes nor takes as evidence."""
    for back in range(1, _NAME_WORDS + 1):
        between = words[max(0, n - back + 1) : n + 1]
        if any(w is None or not w.core.isupper() for w in between) or n - back < 0:
            return False
        unit = words[n - back]
        if unit is not None and unit.low in _UNITS and not unit.trail:
            return True
    return False


def _recased(syllable: str, core: str) -> str:
    if core.isupper() and len(core) > 1:
        return syllable.upper()
    return syllable[0].upper() + syllable[1:] if core[0].isupper() else syllable


class _Context:
    """The words of a reading and the compounds they make with their neighbours."""

    def __init__(self, words: list[_Word | None], lex: Lexicon, capitals: bool = False) -> None:
        self.words, self.lex, self.capitals = words, lex, capitals

    def variants(self, word: _Word) -> tuple[str, ...]:
        """What a neighbour may have been read from: its alternatives, or with ``capitals``
        its restored forms where it is in capitals."""
        if self.capitals and word.core.isupper():
            return restored(word.low)
        return alternatives(word.low)

    def joined(self, left: int, right: int) -> bool:
        """Whether words left and right (= left + 1) stand together, no punctuation between."""
        if left < 0 or right >= len(self.words):
            return False
        a, b = self.words[left], self.words[right]
        return a is not None and b is not None and not a.trail and not b.lead

    def compound(self, left: int, right: int) -> bool:
        if not self.joined(left, right):
            return False
        a, b = self.words[left], self.words[right]
        return a is not None and b is not None and (a.low, b.low) in self.lex.pairs

    def support(self, n: int, syllable: str, lend: bool) -> int:
        """2 for each neighbour the syllable makes a compound with as that neighbour was
        read, 1 for one it makes a compound with only as an alternative of that neighbour.
        Unless ``lend``, a neighbour bound to its other neighbour by a compound lends none."""
        score, pairs = 0, self.lex.pairs
        for other, far in ((n - 1, n - 2), (n + 1, n + 2)):
            if not self.joined(min(n, other), max(n, other)):
                continue
            if not lend and self.compound(min(other, far), max(other, far)):
                continue
            word = self.words[other]
            assert word is not None
            spell = (lambda x: (x, syllable)) if other < n else (lambda x: (syllable, x))
            if spell(word.low) in pairs:
                score += 2
            elif any(spell(x) in pairs for x in self.variants(word)):
                score += 1
        return score

    def best(self, n: int) -> str | None:
        """The alternative word n is respelt to, or None (see the module's docstring)."""
        word = self.words[n]
        if word is None or not alternatives(word.low):
            return None
        freq = self.lex.freq
        read = freq.get(word.low, _UNKNOWN)
        if self.support(n, word.low, lend=True):
            return None  # as read, it makes a compound: it stays
        scored = sorted(((self.support(n, a, lend=False), a) for a in alternatives(word.low)))
        top, choice = scored[-1]
        if top:
            unique = len(scored) == 1 or scored[-2][0] < top
            return choice if unique and freq.get(choice, _UNKNOWN) >= read - RARER else None
        if any(self.support(n, a, lend=True) for a in alternatives(word.low)):
            return None  # some compound, if not one to trust: frequency alone does not decide
        common = max(alternatives(word.low), key=lambda a: freq.get(a, _UNKNOWN))
        return common if freq.get(common, _UNKNOWN) >= read + COMMONER else None


    def restore(self, n: int) -> str | None:
        """The restored form word n (in capitals) is respelt to, or None (the docstring)."""
        word, freq = self.words[n], self.lex.freq
        if word is None or len(word.core) < 2 or not word.core.isupper():
            return None
        if word.low in self.lex.syllables and self.support(n, word.low, lend=True):
            return None  # a syllable making a compound as read: it stays
        forms, read = restored(word.low), freq.get(word.low, _UNKNOWN)
        making = [r for r in forms if self.support(n, r, lend=True)]
        if not making and forms and self.amid_capitals(n):
            common = max(forms, key=lambda a: freq.get(a, _UNKNOWN))
            return common if freq.get(common, _UNKNOWN) >= read + COMMONER else None
        if len(making) != 1 or not self.support(n, making[0], lend=False):
            return None
        return None if freq.get(making[0], _UNKNOWN) < read - RARER else making[0]

    def amid_capitals(self, n: int) -> bool:
        """Whether word n stands between two words in capitals, no punctuation between."""
        if not (self.joined(n - 1, n) and self.joined(n, n + 1)):
            return False
        return all(w is not None and w.core.isupper() for w in self.words[n - 1 : n + 2])


def respell(texts: Sequence[str]) -> dict[int, str]:
    """{n: new text} for the words (in reading order) the lexicon sets right."""
    read = [_word(t) for t in texts]
    words = [None if _in_name(read, n) else w for n, w in enumerate(read)]
    capital = [
        _word(t, bare_capitals=True) if t.isupper() else w
        for t, w in zip(texts, words, strict=True)
    ]
    named = [
        w is not None and w.core.isupper() and _named(capital, n) for n, w in enumerate(capital)
    ]
    capital = [None if name else w for name, w in zip(named, capital, strict=True)]
    context = _Context(words, lexicon())
    capitals = _Context(capital, lexicon(), capitals=True)
    changed = {}
    for n, word in enumerate(capital):
        choice = context.best(n) or capitals.restore(n)
        if word is not None and choice is not None:
            changed[n] = word.lead + _recased(choice, word.core) + word.trail
    return changed
