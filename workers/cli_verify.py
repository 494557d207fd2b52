"""``sohoa verify FILE...``: check the signatures of PDF files, for a clerk or for a script."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pipeline.verification import load_certificates, verify_pdf
from schemas.errors import ConfigurationError, ExitCode, SohoaError
from schemas.results import FileStatus, Indication, VerificationReport
from workers import keys
from workers.cli import DataOption, console, settings_for

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

HELP = """Check the signatures in PDF files: intact, trusted, what changed after signing.

Trust: the certificates in --trust; by default SOHOA_TRUST_PEM, else the roots inside the
agency's PKCS#12, else this installation's development CA (never created by this command).
Without any trust root every signature is at best INDETERMINATE.

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

QUIET_LOGGERS = ("pyhanko", "pyhanko_certvalidator", "pypdf")
_STYLE = {
    Indication.TOTAL_PASSED: "green",
    Indication.INDETERMINATE: "yellow",
    Indication.TOTAL_FAILED: "red",
}


def worst(codes: list[ExitCode]) -> ExitCode:
    """The most severe exit code; an unknown one counts as INTERNAL, none as NO_SIGNATURE."""
    if not codes:
        return ExitCode.NO_SIGNATURE
    if any(code not in SEVERITY for code in codes):
        return ExitCode.INTERNAL
    return max(codes, key=SEVERITY.index)


def _print_report(out: Console, report: VerificationReport) -> None:
    code = report.exit_code
    colour = "green" if code is ExitCode.OK else "red" if code is ExitCode.FAILED else "yellow"
    out.print("[bold]%s[/bold]: [%s]%s[/%s]" % (escape(report.file), colour, code.name, colour))
    if report.detail:
        out.print("  %s" % escape(report.detail))
    if report.status is not FileStatus.SIGNED:
        return
    for sig in report.signatures:
        style = _STYLE[sig.indication]
        out.print(
            "  signature [bold]%s[/bold]: [%s]%s[/%s]"
            % (escape(sig.field_name), style, sig.indication.value, style)
        )
        rows = [
            ("intact", "yes" if sig.intact and sig.valid else "NO"),
            ("trusted signer", "yes" if sig.trusted else "no"),
            ("coverage", sig.coverage),
            ("changes after signing", sig.modification_level or "unknown"),
            ("signer", sig.signer or "unknown"),
            ("signing time", sig.signing_time.isoformat() if sig.signing_time else "unknown"),
        ]
        for label, value in rows:
            out.print("    %-22s %s" % (label + ":", escape(value)))
        for reason in sig.reasons:
            out.print("    [%s]- %s[/%s]" % (style, escape(reason), style))


def _read_report(path: Path, roots: list[bytes]) -> VerificationReport:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return VerificationReport(
            file=str(path), status=FileStatus.UNREADABLE, detail="cannot open: %s" % exc.strerror
        )
    return verify_pdf(data, name=str(path), trust_roots=roots)


def _trust(trust: list[Path] | None, data: Path | None) -> list[bytes]:
    if trust:
        blobs = []
        for path in trust:
            try:
                blobs.append(path.read_bytes())
            except OSError as exc:
                raise ConfigurationError(
                    "cannot read --trust %s: %s" % (path, exc.strerror)
                ) from exc
    else:
        blobs = list(keys.trust_roots(settings_for(data=data)))
    load_certificates(blobs)  # a junk certificate is a CONFIG error, before any file is read
    return blobs


def register(app: typer.Typer) -> None:
    @app.command("verify", help=HELP)
    def verify(
        files: Annotated[
            list[Path],
            typer.Argument(metavar="FILE", help="PDF files to check", show_default=False),
        ],
        trust: Annotated[
            list[Path] | None,
            typer.Option("--trust", metavar="PEM", help="trusted root certificate(s), repeatable"),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="print a JSON list of reports on stdout")
        ] = False,
        data: DataOption = None,
    ) -> None:
        # pyHanko and pypdf log every finding with a traceback; the report already says it
        quiet = {name: logging.getLogger(name) for name in QUIET_LOGGERS}
        levels = {name: logger.level for name, logger in quiet.items()}
        for logger in quiet.values():
            logger.setLevel(logging.CRITICAL)
        try:
            roots = _trust(trust, data)
            if not roots:
                console.print("[yellow]warning:[/yellow] no trust root: nothing can be trusted")
            reports = [_read_report(path, roots) for path in files]
            if as_json:
                dumps = [r.model_dump(mode="json") for r in reports]
                sys.stdout.write(json.dumps(dumps, ensure_ascii=False, indent=2) + "\n")
            else:
                out = Console(highlight=False)
                for report in reports:
                    _print_report(out, report)
            code = worst([r.exit_code for r in reports])
        except typer.Exit:  # settings_for's own exit with CONFIG
            raise
        except SohoaError as exc:
            console.print("[red]error:[/red] %s" % escape(str(exc)))
            code = exc.exit_code
        except Exception:  # fail closed: a bug is never a success
            log.exception("sohoa verify crashed")
            code = ExitCode.INTERNAL
        finally:
            for name, logger in quiet.items():
                logger.setLevel(levels[name])
        raise typer.Exit(int(code))
