"""A dossier's history says a failure's reason in the clerk's language; the library's own
English words stay beside it as the technical rest, never instead of it."""

from __future__ import annotations

import ast
from pathlib import Path

from dramatiq.middleware import TimeLimitExceeded

from schemas.errors import SohoaError
from storage.queue import failure_reason
from workers.clerk_words import REASONS, STATUSES, STEPS, detail_words
from workers.i18n import translations

REPO = Path(__file__).resolve().parents[1]


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


def _said_in_code() -> tuple[set[str], set[str]]:
    """The history's stages and outcomes the code writes (``add_event``, ``timer(...)``,
    ``stage=``/``outcome=``), and the reasons it gives by name (``reason=``, a parameter
    ``reason``'s default), read from the source with ``ast``."""
    steps, reasons = set(), set()
    for path in sorted(REPO.glob("*/**/*.py")):
        if path.relative_to(REPO).parts[0] not in ("storage", "workers", "pipeline"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                said = {"add_event": node.args[1:3], "timer": node.args[:1]}.get(name, [])
                steps |= {a.value for a in said if isinstance(a, ast.Constant)}
                for k in node.keywords:
                    if isinstance(k.value, ast.Constant) and isinstance(k.value.value, str):
                        if k.arg in ("stage", "outcome"):
                            steps.add(k.value.value)
                        elif k.arg == "reason":
                            reasons.add(k.value.value)
            elif isinstance(node, ast.FunctionDef):
                arguments = node.args.args + node.args.kwonlyargs
                defaults = [None] * (len(node.args.args) - len(node.args.defaults))
                defaults += node.args.defaults + node.args.kw_defaults
                reasons |= {
                    d.value
                    for a, d in zip(arguments, defaults, strict=True)
                    if a.arg == "reason" and isinstance(d, ast.Constant) and d.value
                }
    return steps, reasons


def _errors(kind: type[SohoaError]) -> list[type[SohoaError]]:
    return [kind, *(k for sub in kind.__subclasses__() for k in _errors(sub))]


def test_every_reason_a_failure_is_recorded_with_has_the_clerks_words():
    """An outage, a busy document, a run stopped: the history's detail starts with a reason,
    and a clerk reads it in Vietnamese, not the library's English alone."""
    _steps, named = _said_in_code()
    reasons = {e.reason for e in _errors(SohoaError)} | named
    reasons |= {failure_reason(TimeLimitExceeded()), failure_reason(ValueError())}
    assert {"storage-unavailable", "run-stopped", "claim-released", "time-limit"} <= reasons
    assert sorted(r for r in reasons if r not in REASONS) == []
    vi = translations("vi").gettext
    words, technical = detail_words("storage-unavailable: intake/a.png: S3 unreachable", vi)
    assert words == vi(REASONS["storage-unavailable"]) != REASONS["storage-unavailable"]
    assert technical == "intake/a.png: S3 unreachable"


def test_every_stage_and_outcome_of_the_history_has_the_clerks_words():
    steps, _reasons = _said_in_code()
    assert {"claim", "released", "ocr", "dedupe", "skipped"} <= steps
    assert sorted(s for s in steps if s not in STEPS and s not in STATUSES) == []
