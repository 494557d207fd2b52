"""Object keys: validation of anything that comes from outside, and the layout of our prefixes.

intake/<agency>/<dossier>/...
originals/<agency>/<yyyy>/<dossier>/<sha256>.<ext>
results/<agency>/<yyyy>/<dossier>/<document>.v<N>.pdf (+ .json)
quarantine/<reason>/<agency>/<dossier>/<sha256>/<file name> (+ <file name>.error.json)

Keys under ``originals/``, ``results/`` and ``quarantine/`` name one content for ever (the
stores refuse to replace it with different bytes); only ``intake/`` is the clerks' to rewrite.
A quarantine key holds the SHA-256 of the bytes, so two rejected files never share a key
unless they are the same bytes.
"""

from __future__ import annotations

import re
import unicodedata

from schemas.errors import InvalidObjectKey

MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255
_EXTENSION = re.compile(r"^[a-z0-9]{1,8}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
IMMUTABLE_ROLES = ("originals", "results", "quarantine")
# room after a quarantined file's name for ".error.json" and a report number (".error.99.json")
_REPORT_SUFFIX_BYTES = 16


def validate_segment(segment: str, *, what: str = "name") -> str:
    """One path segment from outside (a file or folder name). Returns it NFC-normalised."""
    if not isinstance(segment, str) or not segment:
        raise InvalidObjectKey(f"empty {what}")
    segment = unicodedata.normalize("NFC", segment)
    if segment in {".", ".."}:
        raise InvalidObjectKey(f"{what} {segment!r} is a relative path step")
    if "/" in segment or "\\" in segment:
        raise InvalidObjectKey(f"{what} {segment!r} contains a path separator")
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in segment):
        raise InvalidObjectKey(f"{what} {segment!r} contains control or unassigned characters")
    if segment != segment.strip():
        raise InvalidObjectKey(f"{what} {segment!r} has leading or trailing spaces")
    if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
        raise InvalidObjectKey(f"{what} is longer than {MAX_SEGMENT_BYTES} bytes")
    return segment


def validate_key(key: str) -> str:
    """A whole key from outside: relative, '/'-separated, every segment valid."""
    if not isinstance(key, str) or not key:
        raise InvalidObjectKey("empty object key")
    if key.startswith("/"):
        raise InvalidObjectKey(f"object key {key!r} is absolute")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidObjectKey(f"object key is longer than {MAX_KEY_BYTES} bytes")
    return "/".join(validate_segment(part, what="key segment") for part in key.split("/"))


def safe_name(text: str, fallback: str = "document") -> str:
    """A key segment from any name: ASCII letters, digits, '.', '_' and '-' only."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = folded.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_only).strip("-.")[:100]
    return slug or fallback


def file_segment(name: str) -> str:
    """A file name from outside kept as it is when it is a valid segment, made safe otherwise."""
    try:
        return validate_segment(name, what="file name")
    except InvalidObjectKey:
        return safe_name(name, "file")


def original_key(agency: str, year: int, dossier: str, sha256: str, extension: str) -> str:
    if not _SHA256.match(sha256):
        raise InvalidObjectKey(f"not a SHA-256 hex digest: {sha256!r}")
    if not _EXTENSION.match(extension):
        raise InvalidObjectKey(f"bad file extension {extension!r}")
    return validate_key(f"originals/{agency}/{year:04d}/{dossier}/{sha256}.{extension}")


def result_key(agency: str, year: int, dossier: str, document: str, version: int) -> str:
    return validate_key(f"results/{agency}/{year:04d}/{dossier}/{document}.v{version}.pdf")


def sidecar_key(result: str) -> str:
    return result.removesuffix(".pdf") + ".json"


def is_immutable(key: str) -> bool:
    """Whether the object under ``key`` may never be replaced with different bytes."""
    return key.partition("/")[0] in IMMUTABLE_ROLES


def _fit(segment: str, limit: int) -> str:
    """``segment`` cut to ``limit`` UTF-8 bytes, keeping its extension when it has one."""
    if len(segment.encode("utf-8")) <= limit:
        return segment
    stem, dot, ext = segment.rpartition(".")
    tail = f".{ext}" if dot and stem and len(ext) <= 8 else ""
    head = segment[: len(segment) - len(tail)] if tail else segment
    room = limit - len(tail.encode("utf-8"))
    cut = head.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .")
    return (cut or "file") + tail


def quarantine_key(reason: str, agency: str, dossier: str, sha256: str, file_name: str) -> str:
    """Where a rejected file's bytes go: its SHA-256 as a folder, its name (made a valid
    segment, cut to leave room for the report's suffix) inside it."""
    if not _SHA256.match(sha256):
        raise InvalidObjectKey(f"not a SHA-256 hex digest: {sha256!r}")
    nfc = unicodedata.normalize("NFC", file_name)
    name = file_segment(_fit(nfc, MAX_SEGMENT_BYTES - _REPORT_SUFFIX_BYTES))
    return validate_key(f"quarantine/{reason}/{agency}/{dossier}/{sha256}/{name}")


def quarantine_report_key(key: str, number: int = 1) -> str:
    """The error report beside quarantined bytes: ``<name>.error.json``, then
    ``<name>.error.2.json`` ... for later rejections of the same bytes under the same key."""
    suffix = ".error.json" if number == 1 else f".error.{number}.json"
    return validate_key(key + suffix)
