"""Make pipeline/reading/lexicon_data/ from two packages' files (run by hand, never at run time).

    python scripts/make_lexicon.py PYVI_WHEEL WORDFREQ_WHEEL

PYVI_WHEEL: pyvi-0.1.1-py2.py3-none-any.whl (PyPI; MIT): its ``pyvi/models/words.txt``, a
Vietnamese word list (one word a line, compound words as their syllables with spaces), is
copied as it is, with the package's licence beside it.
WORDFREQ_WHEEL: wordfreq-3.1.1-py3-none-any.whl (PyPI; its data CC-BY-SA 4.0): from
``wordfreq/data/small_vi.msgpack.gz`` every entry of letters only, with its frequency in
centibels (wordfreq's own unit: 100 x log10 of the frequency) as a tab-separated line.
Needs ``msgpack`` (``pip install msgpack``).
"""

from __future__ import annotations

import gzip
import io
import sys
import unicodedata
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "pipeline" / "reading" / "lexicon_data"


def main(pyvi: Path, wordfreq: Path) -> None:
    import msgpack  # only here: the product never reads msgpack

    with zipfile.ZipFile(pyvi) as wheel:
        (OUT / "vi-words.txt").write_bytes(wheel.read("pyvi/models/words.txt"))
        (OUT / "LICENSE-pyvi.txt").write_bytes(wheel.read("pyvi-0.1.1.dist-info/LICENSE.txt"))
    with zipfile.ZipFile(wordfreq) as wheel:
        packed = gzip.GzipFile(fileobj=io.BytesIO(wheel.read("wordfreq/data/small_vi.msgpack.gz")))
        header, *buckets = msgpack.unpackb(packed.read(), raw=False)
    assert header == {"format": "cB", "version": 1}, header
    lines = []
    for bucket, words in enumerate(buckets):  # bucket n: the words of -n centibels
        for word in words:
            word = unicodedata.normalize("NFC", word)
            if word.isalpha():
                lines.append(f"{word}\t{-bucket}\n")
    (OUT / "vi-syllable-freq.tsv").write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
