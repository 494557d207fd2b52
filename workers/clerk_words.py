"""What a clerk reads about an outcome: each reason and status in plain words (English ids,
translated by the catalogue of workers/i18n.py), for the desk and the CLI alike."""

from __future__ import annotations

from collections.abc import Callable

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

STATUSES = ("received", "processing", "retrying", "digitised", "reused", "quarantined", "failed")


def reason_words(reason: str | None, gettext: Callable[[str], str]) -> str:
    if not reason:
        return ""
    text = REASONS.get(reason)
    return gettext(text) if text else reason


def reason_in(lang: str) -> Callable[[str | None], str]:
    return lambda reason: reason_words(reason, translations(lang).gettext)


def action_in(lang: str) -> Callable[[str], str]:
    gettext = translations(lang).gettext
    return lambda action: gettext(ACTIONS[action]) if action in ACTIONS else action
