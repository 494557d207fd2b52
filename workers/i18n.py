"""What a clerk reads, in Vietnamese first: one gettext catalogue (``workers/locale/<lang>/
LC_MESSAGES/sohoa.po``, compiled to ``.mo`` with Babel and committed beside it) for the desk's
pages and the CLI's clerk-facing messages. ``SOHOA_LANG=vi|en`` (Settings.lang) chooses.
English is the message ids themselves; ``python -m workers.i18n`` recompiles the .mo files."""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "sohoa"
LANGUAGES = ("vi", "en")  # en: the message ids themselves


@cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE, languages=[lang])


def compile_catalogues() -> list[Path]:
    """.po -> .mo for every language (Babel's compiler)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalogue)
        written.append(po.with_suffix(".mo"))
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(path)
