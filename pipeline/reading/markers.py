"""The letters of a list's items (a) b) c) d) đ) e) ...) set right by the items around them.

    relettered(texts, starts) -> {n: new text} for the item markers of a reading misread

A Vietnamese legal text numbers the points of a clause a) b) c) d) đ) e) g) h) i) k) ...,
each at the start of its line; a quoted amendment ("“d) ...") numbers its own. Tesseract reads
c) as e) and d) as đ) (a bilevel d grows the bar) or đ) as d): one letter of the marker's two,
and no rule on the marker alone can tell. Its neighbours can: the markers of the page's lines,
in reading order (quoted ones a sequence of their own), each the letter after the one before
or a new list's a). The markers are set to the letters that break that order the fewest times,
with the fewest changes; they change only where that breaks it fewer times than the reading.
Nothing else on the page is looked at; a page with one marker keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

LETTERS = "a b c d đ e g h i k l m n o p q r s t u v x y".split()
_NEXT = dict(zip(LETTERS, LETTERS[1:], strict=False))
_MISREAD = {"c": "e", "e": "c", "d": "đ", "đ": "d"}  # each letter and what it is read as
_MARKER = re.compile(r"^([“\"(]?)([a-zđ])\)$")


def _follows(before: str, after: str) -> bool:
    return after == _NEXT.get(before) or after == "a"


def _breaks(letters: Sequence[str]) -> int:
    return sum(not _follows(a, b) for a, b in zip(letters, letters[1:], strict=False))


def best_order(letters: Sequence[str]) -> list[str]:
    """The letters with misread ones set right: fewest breaks of the order, then fewest
    changes (a dynamic programme over each marker read as it is or as what it is read for)."""
    if not letters:
        return []
    paths = {o: ((0, int(o != letters[0])), [o]) for o in _options(letters[0])}
    for read in letters[1:]:
        paths = {
            o: min(
                ((b + (not _follows(p, o)), c + int(o != read)), [*path, o])
                for p, ((b, c), path) in paths.items()
            )
            for o in _options(read)
        }
    return min(paths.values())[1]


def _options(letter: str) -> list[str]:
    return [letter, _MISREAD[letter]] if letter in _MISREAD else [letter]


def relettered(texts: Sequence[str], starts: Sequence[bool]) -> dict[int, str]:
    """{n: new text} for the list markers (the first word of a line, ``starts[n]``) misread."""
    sequences: dict[str, list[tuple[int, str, str]]] = {"": [], "quoted": []}
    for n, (text, start) in enumerate(zip(texts, starts, strict=True)):
        found = _MARKER.match(text) if start else None
        if found:
            quote, letter = found.groups()
            sequences["quoted" if quote else ""].append((n, quote, letter))
    changed = {}
    for items in sequences.values():
        letters = [letter for _, _, letter in items]
        better = best_order(letters)
        if _breaks(better) < _breaks(letters):
            for (n, quote, letter), new in zip(items, better, strict=True):
                if new != letter:
                    changed[n] = f"{quote}{new})"
    return changed
