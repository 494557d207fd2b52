"""What a clerk reads about an outcome: each reason and status in plain words (English ids,
translated by the catalogue of workers/i18n.py), for the desk and the CLI alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemas.states import DocumentStatus, DossierStatus
from workers.i18n import translations

REASONS = {
    "unsupported": "The file is not a scan we can read (PDF, PNG, JPEG or TIFF)",
    "corrupt": "The file is damaged (it cannot be read)",
    "encrypted": "The PDF is protected by a password",
    "empty": "The file is empty",
    "too-large": "The file is too large",
    "invalid-manifest": "The dossier's manifest.json is wrong",
    "link-outside": "A link points outside the dossier",
    "not-a-file": "Not a regular file",
    "invalid-key": "The file or folder name is not allowed",
    "not-found": "The file was not found",
    "signature-invalid": "The signature on the PDF is not valid",
    "signature-failed": "The PDF's signature does not verify (changed after signing or forged)",
    "object-conflict": "Other bytes are already stored under this name (nothing was replaced)",
    "signing-key": "The signing key could not be used",
    "configuration": "The settings are wrong",
    "input-changed": "The file changed while it was being read",
    "ocr-failed": "The text could not be read",
    "ocr-timeout": "Reading the text took too long",
    "internal-error": "An internal error",
    "time-limit": "The dossier took too long",
    "disk-full": "The disk of the computer doing the work is full (nothing is lost: it can run "
    "again once space is freed)",
    "local-disk": "A file on the computer doing the work could not be read or written (it can "
    "run again)",
    "local-file-refused": "The computer doing the work may not use one of its own files or "
    "folders (permissions)",
    "storage-unavailable": "The document store did not answer (it can be tried again)",
    "warehouse-unavailable": "The database did not answer (it can be tried again)",
    "queue-unavailable": "The work queue did not answer (it can be tried again)",
    "timestamp-unavailable": "The time-stamping service did not answer (it can be tried again)",
    "revocation-unavailable": "The certificate status service (OCSP or CRL) did not answer (it "
    "can be tried again)",
    "retryable": "A service did not answer (it can be tried again)",
    "busy": "Another run is digitising the same document right now",
    "permanent": "The file cannot be digitised",
    "error": "An error",
    "run-stopped": "The run working on it stopped (it can be run again)",
    "claim-released": "Taken back by hand from the run that held it (it can be run again)",
}

ACTIONS = {  # storage/audit.py's actions, as the audit trail shows them
    "login": "logged in",
    "login-failed": "failed login",
    "logout": "logged out",
    "search": "searched",
    "download-result": "downloaded the signed PDF",
    "download-sidecar": "downloaded the metadata",
    "download-original": "downloaded the original",
    "upload": "uploaded",
    "retry": "tried again",
    "accept": "accepted as is",
    "reuse": "reused in the dossier",
    "verify": "verified a signature",
    "user-added": "account added",
    "user-disabled": "account disabled",
    "user-enabled": "account enabled",
}

STEPS = {  # the history's stages and outcomes (events), as a clerk reads them
    "inspect": "file check",
    "store-originals": "originals stored",
    "ocr": "text reading",
    "extract": "fields",
    "assemble": "searchable PDF",
    "sign": "digital signature",
    "verify": "signature check",
    "store-result": "result stored",
    "quarantine": "quarantine",
    "job": "dossier",
    "desk": "desk",
    "reuse": "reuse",
    "dedupe": "duplicate check",
    "ok": "done",
    "error": "error",
    "recorded": "recorded",
    "refused": "refused",
    "retry": "try again",
    "accepted": "accepted as is",
    "claim": "claim on the document",
    "released": "given up",
    "duplicate": "same file as an earlier one",
    "reused-result": "earlier result reused",
    "signature": "signature",
    "skipped": "skipped (done already)",
    "unconfirmed": "not confirmed",
}

# every status the warehouse can hold (schemas/states.py), each with its words in the catalogue
STATUSES = tuple(dict.fromkeys(s.value for s in (*DossierStatus, *DocumentStatus)))


DAMAGED_PAGE = {  # a damaged file whose page is known, by what it is
    "image": "The image file is damaged (page %(page)d cannot be read)",
    "pdf": "The PDF file is damaged (page %(page)d cannot be read)",
    "": "The file is damaged (page %(page)d cannot be read)",
}
ON_PAGE = "%(reason)s (page %(page)d)"
PHRASES = (*DAMAGED_PAGE.values(), ON_PAGE)
_IMAGES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def reason_words(
    reason: str | None, gettext: Callable[[str], str], page: int | None = None, file: str = ""
) -> str:
    """The reason as a clerk says it, with the page when it is known: "Tệp ảnh bị hỏng (không
    đọc được trang 1)". An unknown reason is said as it is."""
    if not reason:
        return ""
    text = REASONS.get(reason)
    if text is None:
        return reason
    if page is None:
        return gettext(text)
    if reason == "corrupt":
        name = file.lower()
        kind = "image" if name.endswith(_IMAGES) else "pdf" if name.endswith(".pdf") else ""
        return gettext(DAMAGED_PAGE[kind]) % {"page": page}
    return gettext(ON_PAGE) % {"reason": gettext(text), "page": page}


def why_words(
    reason: str | None, inputs: list[dict[str, Any]] | None, gettext: Callable[[str], str]
) -> str:
    """Why a document is in quarantine, for a clerk: the file of theirs that was refused (as
    they named it) and the reason in words; never a path of sohoa's own."""
    refused = [i for i in inputs or [] if i.get("refused")]
    if not refused:
        return reason_words(reason, gettext)
    return "; ".join(
        f"{i.get('name', '')}: {reason_words(reason, gettext, i.get('page'), i.get('name', ''))}"
        for i in refused
    )


def reason_in(lang: str) -> Callable[[str | None], str]:
    return lambda reason: reason_words(reason, translations(lang).gettext)


def why_in(lang: str) -> Callable[[Any], str]:
    """A template filter: a document row's ``error_reason`` and ``inputs`` in words."""
    return lambda doc: why_words(doc.error_reason, doc.inputs, translations(lang).gettext)


def action_in(lang: str) -> Callable[[str], str]:
    gettext = translations(lang).gettext
    return lambda action: gettext(ACTIONS[action]) if action in ACTIONS else action


def detail_words(detail: str | None, gettext: Callable[[str], str]) -> tuple[str, str]:
    """A history event's detail as (clerk's words, technical rest): "corrupt: a.png: cannot
    identify image file" is ("The file is damaged ...", "a.png: cannot identify image file")
    in the clerk's language. A detail with no known reason first is all technical."""
    code, sep, rest = (detail or "").partition(": ")
    if sep and code in REASONS:
        return reason_words(code, gettext), rest
    return "", detail or ""


def detail_in(lang: str) -> Callable[[str | None], tuple[str, str]]:
    return lambda detail: detail_words(detail, translations(lang).gettext)


def step_in(lang: str) -> Callable[[str], str]:
    """A template filter: an event's stage or outcome in words (a status as STATUSES says it);
    one it does not know is shown as it is."""
    gettext = translations(lang).gettext
    return lambda step: gettext(STEPS.get(step, step)) if step else ""
