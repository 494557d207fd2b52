"""The text report of ``sohoa verify``: per file, the document's state; per signature, the
clerk's sentence first, then the facts (``--json`` keeps every one of them)."""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.verify_words import common_name
from schemas.errors import ExitCode
from schemas.verification import FileStatus, Indication, SignatureReport, VerificationReport
from workers.logs import for_humans

_STYLE = {
    Indication.TOTAL_PASSED: "green",
    Indication.INDETERMINATE: "yellow",
    Indication.TOTAL_FAILED: "red",
}


def _when(moment: dt.datetime | None) -> str:
    return moment.isoformat() if moment else "unknown"


def _signature_rows(sig: SignatureReport) -> list[tuple[str, str]]:
    rows = [
        ("intact", "yes" if sig.intact and sig.valid else "NO"),
        ("trusted signer", "yes" if sig.trusted else "no"),
        ("PAdES level", sig.level or "not PAdES"),
        ("coverage", sig.coverage),
        ("changes after signing", sig.changes),
        ("signer", sig.signer or "unknown"),
        ("issued by", sig.signer_issuer or "unknown"),
        ("trust path", " <- ".join(common_name(s) for s in sig.trust_path) or "none"),
        ("signing time", "%s (%s)" % (_when(sig.signing_time), sig.signing_time_source)),
    ]
    if sig.revision is not None:
        final = "; covers the document as it is now" if sig.covers_final else ""
        rows.insert(4, ("signed revision", "%d%s" % (sig.revision, final)))
    for stamp in sig.timestamps:
        state = "valid" if stamp.ok else "NOT valid" if not stamp.intact else "untrusted"
        rows.append(("%s timestamp" % stamp.kind, "%s, %s" % (_when(stamp.time), state)))
    if sig.revocation is not None:
        revocation = sig.revocation.status
        if sig.revocation.revoked_at:
            revocation += " since %s" % sig.revocation.revoked_at.isoformat()
        rows.append(("revocation", "%s (%s)" % (revocation, sig.revocation.source)))
    return rows


def print_report(out: Console, report: VerificationReport) -> None:
    code = report.exit_code
    colour = "green" if code is ExitCode.OK else "red" if code is ExitCode.FAILED else "yellow"
    out.print(
        "[bold]%s[/bold]: [%s]%s[/%s]"
        % (escape(for_humans(report.file)), colour, code.name, colour)
    )
    if report.detail:
        out.print("  %s" % escape(report.detail))
    if report.active_content:  # a warning in any file, signed or not
        out.print("  [yellow]warning: active content[/yellow] (%d)" % len(report.active_content))
        for line in report.active_content:
            out.print("    [yellow]- %s[/yellow]" % escape(line))
    if report.status is not FileStatus.SIGNED:
        return
    for note in report.notes:
        out.print("  note: %s" % escape(note))
    whole = report.whole_document
    out.print(
        "  the document as it is now: %s"
        % ("signed by signature %s" % escape(whole) if whole else "no signature covers it")
    )
    for sig in report.signatures:
        style = _STYLE[sig.indication]
        verdict = sig.indication.value + ("/" + sig.sub_indication if sig.sub_indication else "")
        out.print(
            "  signature [bold]%s[/bold]: [%s]%s[/%s]"
            % (escape(sig.field_name), style, verdict, style)
        )
        if sig.summary:
            out.print("    [%s]%s[/%s]" % (style, escape(sig.summary), style))
        for note in sig.notes:
            out.print("    note: %s" % escape(note))
        for label, value in _signature_rows(sig):
            out.print("    %-22s %s" % (label + ":", escape(value)))
        for reason in sig.reasons:
            out.print("    [%s]- %s[/%s]" % (style, escape(reason), style))


def summary_table(out: Console, reports: list[VerificationReport]) -> None:
    table = Table(title="sohoa verify: %d files" % len(reports))
    for column in ("file", "outcome", "signatures", "level", "why"):
        table.add_column(column, overflow="fold")
    for report in reports:
        sigs = report.signatures
        why = next((r for s in sigs for r in s.reasons), report.detail or "")
        levels = ", ".join(sorted({str(s.level or "-") for s in sigs}))
        table.add_row(
            escape(for_humans(report.file)),
            report.exit_code.name,
            str(len(sigs)),
            levels,
            escape(why),
        )
    out.print(table)
