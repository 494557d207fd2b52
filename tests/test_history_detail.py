"""A dossier's history says a failure's reason in the clerk's language; the library's own
English words stay beside it as the technical rest, never instead of it."""

from __future__ import annotations

from workers.clerk_words import detail_words
from workers.i18n import translations


def test_a_known_reason_first_is_said_in_words_and_the_rest_kept():
    vi = translations("vi").gettext
    words, technical = detail_words("corrupt: to-khai.png: cannot identify image file", vi)
    assert words == vi("The file is damaged (it cannot be read)") and words.startswith("Tệp")
    assert technical == "to-khai.png: cannot identify image file"


def test_a_detail_without_a_known_reason_is_all_technical():
    vi = translations("vi").gettext
    assert detail_words("q=nghi dinh 49", vi) == ("", "q=nghi dinh 49")
    assert detail_words("no-such-reason: x", vi) == ("", "no-such-reason: x")
    assert detail_words(None, vi) == ("", "")
