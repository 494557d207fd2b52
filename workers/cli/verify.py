"""``sohoa verify``: check the signatures of PDF files, for a clerk or for a script.

Files, folders (every ``*.pdf`` below them) or an object-store prefix (``--prefix``); the
report per signature follows ETSI EN 319 102-1; ``--json`` prints a VerifyOutput
(``schemas/verify-output.schema.json``); several files end with a summary table.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.signatures.verification import VerifyPolicy, load_certificates, load_crls, verify_pdf
from pipeline.signatures.verify_verdict import ModificationPolicy
from schemas.errors import ConfigurationError, ExitCode, SohoaError
from schemas.verification import (
    VerificationReport,
    VerifyOutput,
    VerifySummary,
)
from workers.cli import DataOption, console, settings_for
from workers.cli.verify_inputs import checked_file, pdfs_in
from workers.cli.verify_print import print_report, summary_table
from workers.i18n import translations
from workers.logs import for_humans
from workers.signing import process_key as keys
from workers.trust.crl_store import stored_crls
from workers.trust.store import load_profile

log = logging.getLogger(__name__)

# The order in which exit codes win when several files are checked: the last is the worst.
SEVERITY = (
    ExitCode.OK,
    ExitCode.INDETERMINATE,
    ExitCode.NO_SIGNATURE,
    ExitCode.ENCRYPTED,
    ExitCode.UNREADABLE,
    ExitCode.FAILED,
)
CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")

HELP = """Check the signatures in PDF files: intact, trusted, what changed after signing.

FILE may be a PDF or a folder (every *.pdf below it); --prefix checks every PDF under a
prefix of the object store instead. Per signature: the ETSI EN 319 102-1 indication and
sub-indication, the PAdES level reached, coverage, changes after signing, signer and trust
path, signing time, timestamps and revocation status.

Trust: --trust, --trust-dir and --trust-profile (vn: the VGCA and Vietnam National Root CA
certificates shipped with sohoa, SHA-256 pinned; also SOHOA_TRUST_PROFILE); without them
SOHOA_TRUST_PEM, else the roots inside the agency's PKCS#12, else this installation's
development CA (never created by this command).
Revocation: from the OCSP responses and CRLs in the file, the CRLs given with --crl and those
sohoa trust refresh stored (SOHOA_CRL_DIR, default DATA/crls); --allow-fetch asks the sources
named in the certificates. A CRL whose validity does not cover the validation time gives
INDETERMINATE, never a pass. Without any trust root every signature is at best INDETERMINATE.

Exit codes (several files: the worst wins, in the order listed from worst to best):

\b
  70  INTERNAL       a bug in sohoa; never a success
   8  CONFIG         bad settings or an unreadable --trust file
   2  USAGE          a wrong command line
   1  FAILED         a signature failed: changed after signing, broken or forged
   5  UNREADABLE     not a PDF, or too damaged to read
   6  ENCRYPTED      an encrypted PDF that cannot be checked
   4  NO_SIGNATURE   the file has no signature at all
   3  INDETERMINATE  intact, but the signer is not trusted (or no verdict can be reached)
   0  OK             every file has at least one signature and all passed
"""

QUIET_LOGGERS = ("pyhanko", "pyhanko_certvalidator", "pypdf", "fontTools")


FilesArgument = Annotated[
    list[Path] | None,
    typer.Argument(metavar="FILE", help="PDF files or folders", show_default=False),
]
PrefixOption = Annotated[
    str | None,
    typer.Option("--prefix", help="check every PDF under this object-store prefix"),
]
TrustOption = Annotated[
    list[Path] | None,
    typer.Option("--trust", metavar="PEM", help="trusted root certificate(s), repeatable"),
]
TrustDirOption = Annotated[
    Path | None,
    typer.Option("--trust-dir", metavar="DIR", help="every .pem/.crt/.cer/.der in DIR"),
]
TrustProfileOption = Annotated[
    str | None,
    typer.Option(
        "--trust-profile",
        metavar="NAME",
        help="authorities shipped with sohoa, pinned (vn: VGCA, Vietnam National Root "
        "CA); see sohoa trust list",
    ),
]
CrlOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--crl",
        metavar="FILE|DIR",
        help="CRLs you downloaded (repeatable); also those sohoa trust refresh stored",
    ),
]
AtOption = Annotated[
    str | None,
    typer.Option("--at", metavar="TIME", help="validation time, ISO 8601 (default now)"),
]
AllowFetchOption = Annotated[
    bool,
    typer.Option("--allow-fetch", help="fetch OCSP responses and CRLs over the network"),
]
SoftRevocationOption = Annotated[
    bool,
    typer.Option(
        "--soft-revocation", help="accept a signer whose revocation cannot be checked"
    ),
]
AllowFormFillingOption = Annotated[
    bool,
    typer.Option(help="accept form fields filled after signing, where DocMDP permits"),
]
AllowAnnotationsOption = Annotated[
    bool,
    typer.Option(help="accept comments added after signing, where DocMDP permits"),
]
AsJsonOption = Annotated[
    bool, typer.Option("--json", help="print a JSON VerifyOutput on stdout")
]


def worst(codes: list[ExitCode]) -> ExitCode:
    """The most severe exit code; an unknown one counts as INTERNAL, none as NO_SIGNATURE."""
    if not codes:
        return ExitCode.NO_SIGNATURE
    if any(code not in SEVERITY for code in codes):
        return ExitCode.INTERNAL
    return max(codes, key=SEVERITY.index)


def _summary(reports: list[VerificationReport], code: ExitCode) -> VerifySummary:
    counts = Counter(r.exit_code.name for r in reports)
    return VerifySummary(files=len(reports), by_outcome=dict(counts), exit_code=int(code))


def _sources(
    paths: list[Path], prefix: str | None, data: Path | None
) -> Iterator[tuple[str, object]]:
    """(name, the file or an UNREADABLE report) for every file to check; an object is
    downloaded to a temporary file, checked before the next one replaces it."""
    settings = settings_for(data=data)
    for path in pdfs_in(paths):
        yield str(path), checked_file(path, settings.limits)
    if prefix is not None:
        from storage import places

        store = places.store(settings)
        with tempfile.TemporaryDirectory(prefix="sohoa-verify-") as folder:
            local = Path(folder, "object.pdf")
            for key in store.list(prefix):
                if key.lower().endswith(".pdf"):
                    store.get_file(key, local)
                    checked = checked_file(local, settings.limits)
                    if isinstance(checked, VerificationReport):
                        checked = checked.model_copy(update={"file": key})
                    yield key, checked


@dataclass(frozen=True)
class Trust:
    """What verification trusts: roots, and CAs that only help build chains."""

    roots: list[bytes]
    intermediates: list[bytes]
    crls: list[bytes]
    """--crl files and folders, and the CRLs sohoa trust refresh stored."""


def _trust_files(trust: list[Path] | None, trust_dir: Path | None) -> list[bytes]:
    files = list(trust or [])
    if trust_dir is not None:
        if not trust_dir.is_dir():
            raise ConfigurationError("--trust-dir %s is not a folder" % trust_dir)
        files += sorted(p for p in trust_dir.iterdir() if p.suffix.lower() in CERT_SUFFIXES)
        if not files:
            raise ConfigurationError("--trust-dir %s holds no certificate" % trust_dir)
    blobs = []
    for path in files:
        try:
            blobs.append(path.read_bytes())
        except OSError as exc:
            raise ConfigurationError(
                "cannot read trust file %s: %s" % (path, exc.strerror)
            ) from exc
    return blobs


def _trust(
    trust: list[Path] | None,
    trust_dir: Path | None,
    profile: str | None,
    crl: list[Path] | None,
    data: Path | None,
) -> Trust:
    """--trust/--trust-dir and the trust profile (option, else SOHOA_TRUST_PROFILE); with
    neither, the installation's default roots. CRLs: --crl and the stored ones."""
    blobs = _trust_files(trust, trust_dir)
    settings = settings_for(data=data)
    stored = settings.resolved_crl_dir
    crls = stored_crls([*(crl or []), *([stored] if stored.is_dir() else [])])
    load_crls(crls)  # a junk CRL is a CONFIG error too
    profile = profile or settings.trust_profile
    shipped = load_profile(profile) if profile else None
    if not blobs and shipped is None:
        blobs = list(keys.trust_roots(settings_for(data=data)))
    load_certificates(blobs)  # a junk certificate is a CONFIG error, before any file is read
    if shipped is None:
        return Trust(blobs, [], crls)
    return Trust(blobs + list(shipped.roots), list(shipped.intermediates), crls)


def _moment(at: str | None) -> dt.datetime | None:
    if at is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigurationError("--at %r is not an ISO 8601 time" % at) from exc
    if moment.tzinfo is None:
        raise ConfigurationError("--at %r needs a time zone, e.g. +07:00 or Z" % at)
    return moment


@contextmanager
def _quiet() -> Iterator[None]:
    """pyHanko and pypdf log every finding with a traceback; the report already says it."""
    quiet = {name: logging.getLogger(name) for name in QUIET_LOGGERS}
    levels = {name: logger.level for name, logger in quiet.items()}
    for logger in quiet.values():
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for name, logger in quiet.items():
            logger.setLevel(levels[name])


def register(app: typer.Typer) -> None:
    @app.command("verify", help=HELP)
    def verify(
        files: FilesArgument = None,
        prefix: PrefixOption = None,
        trust: TrustOption = None,
        trust_dir: TrustDirOption = None,
        trust_profile: TrustProfileOption = None,
        crl: CrlOption = None,
        at: AtOption = None,
        allow_fetch: AllowFetchOption = False,
        soft_revocation: SoftRevocationOption = False,
        allow_form_filling: AllowFormFillingOption = False,
        allow_annotations: AllowAnnotationsOption = False,
        as_json: AsJsonOption = False,
        data: DataOption = None,
    ) -> None:
        with _quiet():
            code = _run(
                files or [],
                prefix,
                (trust, trust_dir, trust_profile, crl),
                at,
                allow_fetch,
                VerifyPolicy(
                    revocation="soft-fail" if soft_revocation else "hard-fail",
                    modifications=ModificationPolicy(allow_form_filling, allow_annotations),
                ),
                as_json,
                data,
            )
        raise typer.Exit(int(code))


def _say(
    reports: list[VerificationReport],
    code: ExitCode,
    moment: dt.datetime,
    allow_fetch: bool,
    as_json: bool,
    data: Path | None,
) -> None:
    """The reports as JSON on stdout, or as text in the clerk's language."""
    if as_json:
        output = VerifyOutput(
            validation_time=moment,
            allow_fetch=allow_fetch,
            reports=tuple(reports),
            summary=_summary(reports, code),
        )
        sys.stdout.write(json.dumps(output.model_dump(mode="json"), ensure_ascii=False, indent=2))
        sys.stdout.write("\n")
    else:
        out = Console(highlight=False)
        _ = translations(settings_for(data=data).lang).gettext
        for report in reports:
            print_report(out, report, _)
        if len(reports) > 1:
            summary_table(out, reports, _)


def _run(
    files: list[Path],
    prefix: str | None,
    trust_options: tuple[list[Path] | None, Path | None, str | None, list[Path] | None],
    at: str | None,
    allow_fetch: bool,
    policy: VerifyPolicy,
    as_json: bool,
    data: Path | None,
) -> ExitCode:
    try:
        if not files and prefix is None:
            console.print("[red]error:[/red] name a FILE, a folder or --prefix")
            return ExitCode.USAGE
        moment = _moment(at) or dt.datetime.now(dt.UTC)
        chosen = _trust(*trust_options, data)
        if not chosen.roots:
            console.print("[yellow]warning:[/yellow] no trust root: nothing can be trusted")
        fetchers = keys.fetcher_factory(settings_for(data=data)) if allow_fetch else None
        reports = [
            content
            if isinstance(content, VerificationReport)
            else verify_pdf(
                content,  # type: ignore[arg-type]
                name=name,
                trust_roots=chosen.roots,
                other_certs=chosen.intermediates,
                crls=chosen.crls,
                at=moment,
                policy=policy,
                fetchers=fetchers,
            )
            for name, content in _sources(files, prefix, data)
        ]
        code = worst([r.exit_code for r in reports])
        _say(reports, code, moment, allow_fetch, as_json, data)
        return code
    except typer.Exit as exc:  # settings_for's own exit with CONFIG
        return ExitCode(exc.exit_code)
    except SohoaError as exc:
        console.print("[red]error:[/red] %s" % escape(for_humans(str(exc))))
        return exc.exit_code
    except Exception:  # fail closed: a bug is never a success
        log.exception("sohoa verify crashed")
        return ExitCode.INTERNAL
