"""``sohoa trust``: the trust profiles shipped with sohoa.

sohoa trust list [--profile vn]     each certificate, its pinned SHA-256 and its expiry
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from asn1crypto import x509 as asn1_x509
from rich.markup import escape
from rich.table import Table

from schemas.errors import ExitCode, SohoaError
from workers.cli import DataOption, console, settings_for
from workers.trust.crl_store import crl_urls, refresh
from workers.trust.store import anchors, load_profile

trust_app = typer.Typer(
    help="Trust profiles shipped with sohoa (pinned certification authorities).",
    no_args_is_help=True,
)
ProfileOption = Annotated[str, typer.Option("--profile", metavar="NAME", help="trust profile (vn)")]


@trust_app.command("list")
def list_anchors(profile: ProfileOption = "vn") -> None:
    """Each certificate of PROFILE: role, subject, SHA-256 (checked against the pinned value),
    expiry; a warning 90 days before a certificate expires."""
    now = dt.datetime.now(dt.UTC)
    try:
        rows = anchors(profile, now)
    except SohoaError as exc:
        console.print("[red]error:[/red] %s" % escape(str(exc)))
        raise typer.Exit(int(exc.exit_code)) from exc
    table = Table(title="trust profile %s: %d certificates, SHA-256 pinned" % (profile, len(rows)))
    for column in ("file", "role", "subject", "SHA-256", "expires", "warning"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row.file,
            row.role,
            escape(row.subject),
            row.sha256,
            row.not_after.date().isoformat(),
            row.warning or "",
        )
    console.print(table)
    console.print(
        "Compare the SHA-256 values with those the authorities publish before relying on them."
    )
    expiring = [r for r in rows if r.warning]
    for row in expiring:
        console.print("[yellow]warning:[/yellow] %s %s" % (row.file, row.warning))
    raise typer.Exit(int(ExitCode.OK))


def _signer_certs(pdfs: list[Path]) -> list[asn1_x509.Certificate]:
    """The signers' certificates (and those embedded with them) of signed PDFs."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    certs = []
    for pdf in pdfs:
        try:
            with pdf.open("rb") as handle:
                for emb in PdfFileReader(handle, strict=False).embedded_signatures:
                    certs += [emb.signer_cert, *emb.other_embedded_certs]
        except Exception as exc:  # a file that cannot be read names no CRL
            console.print("[yellow]warning:[/yellow] %s: %s" % (escape(str(pdf)), exc))
    return certs


@trust_app.command("refresh")
def refresh_crls(
    profile: Annotated[
        str | None, typer.Option("--profile", metavar="NAME", help="trust profile (vn)")
    ] = None,
    url: Annotated[
        list[str] | None, typer.Option("--url", help="a CRL URL to fetch as well (repeatable)")
    ] = None,
    from_pdf: Annotated[
        list[Path] | None,
        typer.Option(
            "--from-pdf", metavar="PDF", help="fetch the CRLs its signers' certificates name"
        ),
    ] = None,
    data: DataOption = None,
) -> None:
    """Fetch the CRLs named in the trust profile's certificates (and in the signers'
    certificates of --from-pdf files) into SOHOA_CRL_DIR (default DATA/crls), where
    sohoa verify finds them. Says each CRL's nextUpdate, and when one is already stale."""
    settings = settings_for(data=data)
    now = dt.datetime.now(dt.UTC)
    try:
        name = profile or settings.trust_profile
        certs = list(_signer_certs(list(from_pdf or [])))
        if name:
            shipped = load_profile(name)
            certs += [asn1_x509.Certificate.load(d) for d in shipped.roots + shipped.intermediates]
    except SohoaError as exc:
        console.print("[red]error:[/red] %s" % escape(str(exc)))
        raise typer.Exit(int(exc.exit_code)) from exc
    urls = crl_urls(certs) + [u for u in url or [] if u not in crl_urls(certs)]
    if not urls:
        console.print("[red]error:[/red] no CRL to fetch: name --profile, --from-pdf or --url")
        raise typer.Exit(int(ExitCode.USAGE))
    folder = settings.resolved_crl_dir
    results = refresh(urls, folder, settings.signing.fetch_timeout_s, now)
    table = Table(title="CRLs in %s" % folder)
    for column in ("URL", "issuer", "next update", "state"):
        table.add_column(column, overflow="fold")
    for got in results:
        state = got.error and "NOT fetched: %s" % got.error or ("STALE" if got.stale else "fresh")
        when = got.next_update.isoformat() if got.next_update else ""
        table.add_row(escape(got.url), escape(got.issuer or ""), when, escape(state))
    console.print(table)
    fetched = [r for r in results if r.error is None]
    for got in fetched:
        if got.stale:
            console.print(
                "[yellow]warning:[/yellow] %s is stale since %s" % (got.url, got.next_update)
            )
    raise typer.Exit(int(ExitCode.OK if fetched else ExitCode.FAILED))


def register(app: typer.Typer) -> None:
    app.add_typer(trust_app, name="trust")
