"""The sohoa error tree and the exit codes it maps to.

    SohoaError
    ├─ InternalError         a failure of sohoa's own (a bug, its own signature that does not
    │                        verify): never the input's fault, never retried; the document is
    │                        ``failed`` with reason ``internal-error``, the CLI exits 70
    │    ObjectConflict      a write would replace a stored object with other bytes (refused)
    ├─ ConfigurationError    settings that make no sense, a tool that is missing: the operator's
    │    SigningKeyError     to fix; never retried, the input is kept (``failed``), exit 8
    │                        (the signing key or certificate cannot be used)
    │    LocalFileRefused    a local file or folder sohoa may not write or read (permissions,
    │                        a read-only file system)
    ├─ PermanentError        bad input or policy: never retried, the input is quarantined
    │    UnsupportedInput    not an image or PDF we accept
    │    CorruptInput        truncated, damaged, unparsable
    │    EncryptedInput      a PDF we may not open
    │    EmptyInput          zero pages / zero bytes
    │    InputTooLarge       over the byte or pixel limit
    │    InvalidManifest     manifest.json that does not validate
    │    LinkOutside         a symbolic link leading out of the dossier folder
    │    NotAFile            a FIFO, device or socket in place of a file
    │    InvalidObjectKey    a key from outside with '..', an absolute path, control characters
    │    ObjectNotFound      no object under that key
    │    SignatureInvalid    a signed input that cannot be kept as it is
    │    SignatureFailed     a signed input whose signature fails (TOTAL_FAILED, unreadable)
    └─ RetryableError        a service or resource failed: retried, then ``failed``
         StorageUnavailable, WarehouseUnavailable (connection, serialisation), OcrFailed,
         OcrTimeout, TimestampUnavailable, RevocationUnavailable, QueueUnavailable, DocumentBusy,
         LocalDiskError (a local file could not be read or written: this machine's disk, never
         the store's), DiskFull (no space left on it)

Every error carries a short machine ``reason`` (used as the quarantine folder name) and the
process exit code that the CLI returns for it. Adapters translate backend exceptions into this
tree at their boundary; callers never match on message text.
"""

from __future__ import annotations

import errno
import functools
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of the ``sohoa`` CLI. 2 is reserved for usage errors (click)."""

    OK = 0
    FAILED = 1  # a retryable failure (run again); verify: a signature failed
    USAGE = 2
    INDETERMINATE = 3  # verify: intact but not trusted, or the verdict cannot be reached
    NO_SIGNATURE = 4  # verify: the file has no signature at all
    UNREADABLE = 5  # verify: the file cannot be read or is not a PDF
    ENCRYPTED = 6  # verify: the file is encrypted
    REJECTED = 7  # digitise: some inputs were quarantined
    CONFIG = 8  # bad settings or signing key
    CHANGED = 9  # fixity: a stored object's bytes are not those recorded
    MISSING = 10  # fixity: a recorded object is gone; audit: no such dossier
    INTERNAL = 70  # a failure of sohoa's own (a bug): never mapped to success
    INTERRUPTED = 130  # Ctrl-C (SIGINT)


class SohoaError(Exception):
    """Base of every error sohoa raises on purpose."""

    reason = "error"
    exit_code = ExitCode.INTERNAL

    def __init__(
        self, message: str, *, subject: str | None = None, page: int | None = None
    ) -> None:
        self.message = message
        self.subject = subject  # usually the file name the error is about
        self.page = page  # the page of that file (1-based), when it is about one
        super().__init__(f"{subject}: {message}" if subject else message)

    def about(self, subject: str) -> SohoaError:
        """Name the file this error is about, unless it already names one."""
        if self.subject is None:
            self.subject = subject
            self.args = (f"{subject}: {self.message}",)
        return self

    def __reduce__(self):  # type: ignore[no-untyped-def]  # survive the process pool intact
        return (
            functools.partial(type(self), subject=self.subject, page=self.page),
            (self.message,),
        )


class InternalError(SohoaError):
    """A failure of sohoa's own: a bug, or its own output that does not hold. Retrying the
    same code cannot help and the input is not at fault: the document is ``failed`` (kept,
    re-runnable once the bug is fixed), never quarantined."""

    reason = "internal-error"
    exit_code = ExitCode.INTERNAL


class ObjectConflict(InternalError):
    """A store refused to replace an object with different bytes: stored objects are never
    overwritten. The earlier bytes stay; the document is ``failed``."""

    reason = "object-conflict"


class OwnSignatureInvalid(InternalError):
    """sohoa's freshly signed output did not verify (for a reason other than a revocation
    source that did not answer, which is RevocationUnavailable)."""

    reason = "internal-error"


class ConfigurationError(SohoaError):
    """Settings that make no sense, a tool that is missing, a key that cannot sign: not the
    input's fault and not a passing outage. The document is ``failed`` (re-runnable once the
    operator fixed it), never quarantined; the CLI exits 8."""

    reason = "configuration"
    exit_code = ExitCode.CONFIG


class SigningKeyError(ConfigurationError):
    reason = "signing-key"


class LocalFileRefused(ConfigurationError):
    """The operating system refuses sohoa a local file or folder (permissions, a read-only
    file system): the operator's to fix; neither the store's fault nor the input's."""

    reason = "local-file-refused"


class PermanentError(SohoaError):
    """Retrying cannot help: bad input or policy."""

    reason = "permanent"
    exit_code = ExitCode.REJECTED


class UnsupportedInput(PermanentError):
    reason = "unsupported"


class CorruptInput(PermanentError):
    reason = "corrupt"


class EncryptedInput(PermanentError):
    reason = "encrypted"


class EmptyInput(PermanentError):
    reason = "empty"


class InputTooLarge(PermanentError):
    reason = "too-large"


class InvalidManifest(PermanentError):
    reason = "invalid-manifest"


class LinkOutside(PermanentError):
    """A symbolic link in a dossier folder that leads out of it: never followed."""

    reason = "link-outside"


class NotAFile(PermanentError):
    """A FIFO, device or socket where a scan was expected: never opened."""

    reason = "not-a-file"


class InvalidObjectKey(PermanentError):
    reason = "invalid-key"


class ObjectNotFound(PermanentError):
    reason = "not-found"


class SignatureInvalid(PermanentError):
    """A signed input that cannot be kept as it is (e.g. with other files in one document)."""

    reason = "signature-invalid"


class SignatureFailed(PermanentError):
    """A signed input whose signature failed verification (TOTAL_FAILED: tampered, forged,
    malformed) or cannot be read at all. The message carries the verifier's words."""

    reason = "signature-failed"


class RetryableError(SohoaError):
    """A service or resource failed; the same work may succeed later."""

    reason = "retryable"
    exit_code = ExitCode.FAILED


class StorageUnavailable(RetryableError):
    reason = "storage-unavailable"


class WarehouseUnavailable(RetryableError):
    """The warehouse cannot be reached, or a transaction lost a race (serialisation, deadlock,
    a locked SQLite file). A wrong column or a broken constraint is an InternalError."""

    reason = "warehouse-unavailable"


class InputChanged(RetryableError):
    """A local input file was rewritten while it was digitised: run again once it is still."""

    reason = "input-changed"


class OcrFailed(RetryableError):
    reason = "ocr-failed"


class OcrTimeout(RetryableError):
    reason = "ocr-timeout"


class QueueUnavailable(RetryableError):
    """The message broker (Redis) cannot be reached."""

    reason = "queue-unavailable"


class DocumentBusy(RetryableError):
    """Another run holds the same document (same bytes, same pipeline version) right now."""

    reason = "busy"


class TimestampUnavailable(RetryableError):
    """The time-stamping service did not answer, or answered with an error."""

    reason = "timestamp-unavailable"


class RevocationUnavailable(RetryableError):
    """The signer's OCSP responder or CRL could not be reached to check revocation."""

    reason = "revocation-unavailable"


class LocalDiskError(RetryableError):
    """A local file (a spool, a temporary file, an input being stored) could not be read or
    written: this machine's disk, never the object store's nor the input's fault."""

    reason = "local-disk"


class DiskFull(LocalDiskError):
    """No space left on a local disk (the temporary or spool folder, the embedded store's
    folder). Nothing is lost: the input stays where it was, the work is retried (the CLI: run
    again) once space is freed."""

    reason = "disk-full"


_FULL = frozenset((errno.ENOSPC, errno.EDQUOT))
_REFUSED = frozenset((errno.EACCES, errno.EPERM, errno.EROFS))


def local_file_error(exc: OSError, subject: str) -> SohoaError:
    """What an OS error on a local file means (by its errno, never its text): DiskFull,
    LocalFileRefused, else LocalDiskError. ``subject``: the file."""
    said = exc.strerror or exc.__class__.__name__
    if exc.errno in _FULL:
        return DiskFull("no space left on the local disk", subject=subject)
    if exc.errno in _REFUSED:
        return LocalFileRefused(f"the local file cannot be used: {said}", subject=subject)
    return LocalDiskError(f"the local file cannot be read or written: {said}", subject=subject)


def disk_full(exc: BaseException) -> bool:
    """True for an OS error that says a disk is full (ENOSPC, EDQUOT)."""
    return isinstance(exc, OSError) and exc.errno in _FULL
