"""A failure of sohoa's own is never the clerk's input's fault: its fresh signature that cannot
be checked now (the OCSP responder went away between signing and verifying) is retryable, one
that does not verify, or a PDF of its own that cannot be signed, is an internal error. Either
way the document is ``failed`` (re-runnable) and nothing goes to quarantine.

Real parts: the certomancer PKI served on loopback (its OCSP responder really stops), pyHanko
signing and verifying, the embedded store and warehouse. The one fault that needs a bug is
made by an assembler that writes a broken PDF."""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.signatures.signing import make_dev_pki
from schemas.errors import (
    ConfigurationError,
    ExitCode,
    InternalError,
    PermanentError,
    RevocationUnavailable,
    SigningKeyError,
)
from schemas.settings import load_settings
from storage import places
from tests.pki_support import Served, served_pki_fixture  # noqa: F401 - served_pki
from tests.services import REPO, sohoa_env
from tests.test_signing import tiny_pdf
from workers.intake.folder import dossiers_from_paths
from workers.job import document as document_run
from workers.job.context import JobContext
from workers.job.dossier import digitise_dossier
from workers.queue.runtime import run_pages_inline
from workers.signing.dev_pki import serve_test_pki

TEXT = b"Cong van so 15/UBND-VP ve viec to chuc hop giao ban thang 3"


class StopAfterSigning:
    """Observer that runs ``then`` once the sign stage is over, before verify starts."""

    def __init__(self, then) -> None:
        self.then = then
        self.stages: list[tuple[str, str]] = []

    def stage(self, stage: str, seconds: float, outcome: str) -> None:
        self.stages.append((stage, outcome))
        if stage == "sign" and self.then is not None:
            self.then()
            self.then = None

    def document(self, outcome: str, pages: int) -> None:
        pass


def _dossier(tmp_path: Path, name: str = "cong-van.pdf"):
    inbox = tmp_path / "ho-so-loi-rieng"
    inbox.mkdir(exist_ok=True)
    (inbox / name).write_bytes(tiny_pdf(TEXT))  # a text layer: no OCR needed
    (dossier,) = dossiers_from_paths([inbox], load_settings({}, data=tmp_path / "data"))
    return dossier


def _context(tmp_path: Path, signer, roots, env=None, **extra) -> JobContext:
    settings = load_settings(env or {}, data=tmp_path / "data")
    return JobContext(
        settings,
        places.store(settings),
        places.warehouse(settings),
        signer,
        roots,
        run_pages_inline,
        **extra,
    )


def _nothing_quarantined(ctx: JobContext) -> None:
    assert list(ctx.store.list("quarantine/")) == []
    assert list(ctx.store.list("results/")) == []


def test_ocsp_gone_between_signing_and_verifying_is_retryable(tmp_path: Path) -> None:
    pki_dir = tmp_path / "pki"
    with contextlib.ExitStack() as served:
        pki = served.enter_context(serve_test_pki(pki_dir, now=dt.datetime.now(dt.UTC)))
        password = (pki_dir / "signers.password").read_bytes()
        signer = Served(pki, password, dt.datetime.now(dt.UTC)).signer()
        observer = StopAfterSigning(served.close)  # the PKI's HTTP server really stops
        ctx = _context(tmp_path, signer, [pki.cert_pem("root")], observer=observer)
        (outcome,) = digitise_dossier(_dossier(tmp_path), ctx)
    assert ("sign", "ok") in observer.stages and ("verify", "error") in observer.stages
    assert (outcome.status, outcome.reason) == ("failed", RevocationUnavailable.reason)
    assert "our own signature cannot be checked now" in (outcome.message or "")
    _nothing_quarantined(ctx)

    # Under the queue the same fault propagates for the broker to retry.
    with contextlib.ExitStack() as served:
        served.enter_context(serve_test_pki(pki_dir))
        queued = _context(
            tmp_path, signer, [pki.cert_pem("root")], observer=StopAfterSigning(served.close)
        )
        queued.retryable = "raise"
        with pytest.raises(RevocationUnavailable):
            digitise_dossier(_dossier(tmp_path), queued)
    _nothing_quarantined(queued)

    # The responder is back: the same input is digitised, once.
    with serve_test_pki(pki_dir):
        (again,) = digitise_dossier(
            _dossier(tmp_path), _context(tmp_path, signer, [pki.cert_pem("root")])
        )
    assert again.status == "digitised", again
    assert list(ctx.store.list("quarantine/")) == []


def test_own_signature_that_does_not_verify_is_internal(served_pki: Served, tmp_path: Path) -> None:
    """Trust roots that do not hold our signer's CA (and no revocation check before signing,
    which would refuse to sign): the signature is made, and does not verify."""
    other_ca = make_dev_pki(dt.datetime.now(dt.UTC)).ca_cert_pem
    env = {"SOHOA_SIGNING__CHECK_REVOCATION": "false"}
    ctx = _context(tmp_path, served_pki.signer(), [other_ca], env)
    (outcome,) = digitise_dossier(_dossier(tmp_path), ctx)
    assert (outcome.status, outcome.reason) == ("failed", InternalError.reason)
    assert "our own signature did not verify" in (outcome.message or "")
    _nothing_quarantined(ctx)
    intake = next(iter(_dossier(tmp_path).documents[0].files)).content
    assert Path(intake).exists()  # the clerk's file stays where it was


def test_a_pdf_of_our_own_that_cannot_be_signed_is_internal(
    served_pki: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_assemble = document_run.assemble

    def broken_assembler(parts, meta, *, now, out):  # a bug: the PDF is cut short
        real_assemble(parts, meta, now=now, out=out)
        out.write_bytes(out.read_bytes()[:200])

    monkeypatch.setattr(document_run, "assemble", broken_assembler)
    ctx = _context(tmp_path, served_pki.signer(), served_pki.roots)
    (outcome,) = digitise_dossier(_dossier(tmp_path), ctx)
    assert (outcome.status, outcome.reason) == ("failed", InternalError.reason)
    assert "cannot sign the PDF sohoa assembled" in (outcome.message or "")
    _nothing_quarantined(ctx)
    # Before: the same fault quarantined the clerk's good PDF as "corrupt" (exit 7).


def test_a_signing_key_that_cannot_sign_fails_the_document_keeps_the_input(
    served_pki: Served, tmp_path: Path
) -> None:
    """The PKI's OCSP responder says our signer was revoked: the operator's to fix, not the
    clerk's (before: the good input was quarantined as "signing-key")."""
    ctx = _context(tmp_path, served_pki.signer("signer-revoked"), served_pki.roots)
    (outcome,) = digitise_dossier(_dossier(tmp_path), ctx)
    assert (outcome.status, outcome.reason) == ("failed", SigningKeyError.reason)
    assert "revoked" in (outcome.message or "")
    _nothing_quarantined(ctx)
    assert issubclass(SigningKeyError, ConfigurationError)
    assert not issubclass(ConfigurationError, PermanentError)  # never quarantines an input


def test_digitise_exits_70_and_says_so_when_our_own_signature_fails(tmp_path: Path) -> None:
    """The command line: trust anchors (SOHOA_TRUST_PEM) that do not hold the development
    CA that signs. Before: exit 7, the clerk's PDF in quarantine/signature-invalid/."""
    inbox = tmp_path / "ho-so-cli"
    inbox.mkdir()
    (inbox / "cong-van.pdf").write_bytes(tiny_pdf(TEXT))
    other = tmp_path / "other-ca.pem"
    other.write_bytes(make_dev_pki(dt.datetime.now(dt.UTC)).ca_cert_pem)
    data = tmp_path / "data"
    env = sohoa_env(
        SOHOA_DATA=str(data), SOHOA_TRUST_PEM=str(other), SOHOA_JOBS="1", SOHOA_LANG="en"
    )
    done = subprocess.run(
        [sys.executable, "-m", "workers.cli", "digitise", str(inbox)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == ExitCode.INTERNAL, done.stdout + done.stderr
    assert "1 on an internal error of sohoa" in done.stdout
    assert "our own signature did not verify" in done.stdout
    assert "Traceback" in done.stderr  # for whoever fixes it
    assert not (data / "objects" / "quarantine").exists()
    assert (inbox / "cong-van.pdf").read_bytes() == tiny_pdf(TEXT)
