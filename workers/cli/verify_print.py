"""The text report of ``sohoa verify``: per file, the verdict in words and the document's
state; per signature, the clerk's sentence first, then the facts (``--json`` keeps every one of
them, in English). Words are SOHOA_LANG's (workers/locale); codes (TOTAL_PASSED, OK, PAdES
levels) and the verifier's own reasons stay as they are."""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.signatures.verify_words import Words, clerk_summary, common_name
from schemas.errors import ExitCode
from schemas.verification import FileStatus, Indication, SignatureReport, VerificationReport
from workers.logs import for_humans

_STYLE = {
    Indication.TOTAL_PASSED: "green",
    Indication.INDETERMINATE: "yellow",
    Indication.TOTAL_FAILED: "red",
}


def _when(moment: dt.datetime | None, _: Words) -> str:
    return moment.isoformat() if moment else _("unknown")


def _signature_rows(sig: SignatureReport, _: Words) -> list[tuple[str, str]]:
    unknown = _("unknown")
    rows = [
        (_("intact"), _("yes") if sig.intact and sig.valid else _("NO")),
        (_("trusted signer"), _("yes") if sig.trusted else _("no")),
        (_("PAdES level"), sig.level or _("not PAdES")),
        (_("coverage"), sig.coverage),
        (_("changes after signing"), sig.changes),
        (_("signer"), sig.signer or unknown),
        (_("issued by"), sig.signer_issuer or unknown),
        (_("trust path"), " <- ".join(common_name(s, _) for s in sig.trust_path) or _("none")),
        (_("signing time"), "%s (%s)" % (_when(sig.signing_time, _), sig.signing_time_source)),
    ]
    if sig.revision is not None:
        final = _("; covers the document as it is now") if sig.covers_final else ""
        rows.insert(4, (_("signed revision"), "%d%s" % (sig.revision, final)))
    for stamp in sig.timestamps:
        state = _("valid") if stamp.ok else _("NOT valid") if not stamp.intact else _("untrusted")
        rows.append((_("%s timestamp") % stamp.kind, "%s, %s" % (_when(stamp.time, _), state)))
    if sig.revocation is not None:
        revocation = sig.revocation.status
        if sig.revocation.revoked_at:
            revocation += _(" since %s") % sig.revocation.revoked_at.isoformat()
        rows.append((_("revocation"), "%s (%s)" % (revocation, sig.revocation.source)))
    return rows


def verdict_words(report: VerificationReport, _: Words) -> str:
    """The file's verdict in one sentence, as the desk says it."""
    if report.ok:
        return _("Valid: every signature is intact and trusted.")
    if report.status is FileStatus.NO_SIGNATURE:
        return _("The file carries no signature.")
    if report.status is not FileStatus.SIGNED:
        return _("The file could not be checked.")
    return _("Not valid: at least one signature does not pass.")


def print_report(out: Console, report: VerificationReport, _: Words = str) -> None:
    code = report.exit_code
    colour = "green" if code is ExitCode.OK else "red" if code is ExitCode.FAILED else "yellow"
    out.print(
        "[bold]%s[/bold]: [%s]%s[/%s] %s"
        % (
            escape(for_humans(report.file)),
            colour,
            code.name,
            colour,
            escape(verdict_words(report, _)),
        )
    )
    if report.detail:
        out.print("  %s" % escape(report.detail))
    if report.active_content:  # a warning in any file, signed or not
        warning = _("warning: active content")
        out.print("  [yellow]%s[/yellow] (%d)" % (warning, len(report.active_content)))
        for line in report.active_content:
            out.print("    [yellow]- %s[/yellow]" % escape(line))
    if report.status is not FileStatus.SIGNED:
        return
    for note in report.notes:
        out.print("  %s %s" % (_("note:"), escape(note)))
    whole = report.whole_document
    out.print(
        "  %s %s"
        % (
            _("the document as it is now:"),
            _("signed by signature %s") % escape(whole) if whole else _("no signature covers it"),
        )
    )
    for sig in report.signatures:
        style = _STYLE[sig.indication]
        verdict = sig.indication.value + ("/" + sig.sub_indication if sig.sub_indication else "")
        out.print(
            "  %s [bold]%s[/bold]: [%s]%s[/%s]"
            % (_("signature"), escape(sig.field_name), style, verdict, style)
        )
        if sig.summary:  # the clerk's sentence, in the clerk's words
            out.print("    [%s]%s[/%s]" % (style, escape(clerk_summary(sig, _)), style))
        for note in sig.notes:
            out.print("    %s %s" % (_("note:"), escape(note)))
        for label, value in _signature_rows(sig, _):
            out.print("    %-22s %s" % (label + ":", escape(value)))
        for reason in sig.reasons:
            out.print("    [%s]- %s[/%s]" % (style, escape(reason), style))


def summary_table(out: Console, reports: list[VerificationReport], _: Words = str) -> None:
    table = Table(title=_("sohoa verify: %d files") % len(reports))
    for column in (_("file"), _("outcome"), _("signatures"), _("level"), _("why")):
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
