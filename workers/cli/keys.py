"""``sohoa keys``: inspect the signing key (operators) and make a test PKI (development only).

    sohoa keys inspect [--pkcs12 FILE --password-file FILE | --pkcs11-module LIB ...]
    sohoa keys test-pki DIR [--serve --host 127.0.0.1 --port 9077]

``inspect`` shows subject, issuer, chain, validity, key usage and revocation status (asked of
the OCSP responder or CRL the certificate names, unless --no-revocation), warns when expiry is
closer than SOHOA_SIGNING__EXPIRY_WARNING_DAYS, and exits 8 (CONFIG) when the key cannot sign
today: unreadable, expired, not yet valid, revoked or not meant for signing.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from pyhanko.sign import signers
from rich.console import Console
from rich.markup import escape

from pipeline.signatures.online import revocation_status
from pipeline.signatures.signers import RevocationCheck, check_certificate, open_pkcs11_signer
from schemas.errors import ExitCode, SigningKeyError, SohoaError
from schemas.settings import Settings
from workers.cli import DataOption, console, settings_for
from workers.signing import process_key as keys


Pkcs12Option = Annotated[
    Path | None, typer.Option(help="a PKCS#12 file (default: the configured key)")
]
PasswordFileOption = Annotated[Path | None, typer.Option(help="its password, in a file")]
Pkcs11ModuleOption = Annotated[
    Path | None,
    typer.Option(help="PKCS#11 library (token, PIN file, labels: SOHOA_SIGNING__*)"),
]
RevocationOption = Annotated[
    bool, typer.Option(help="ask the certificate's OCSP responder or CRL")
]
AsJsonOption = Annotated[bool, typer.Option("--json", help="print JSON on stdout")]
DirectoryArgument = Annotated[Path, typer.Argument(help="where to write it (or serve it from)")]
ServeOption = Annotated[
    bool, typer.Option(help="serve OCSP, CRLs and a TSA until Ctrl-C")
]
HostOption = Annotated[str, typer.Option(help="loopback address to serve on")]
PortOption = Annotated[int, typer.Option(help="port to serve on")]


@dataclass(frozen=True)
class KeyDescription:
    """What an operator needs to know about a signing key (no secret in it)."""

    source: str
    subject: str
    issuer: str
    serial: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    days_left: int
    key_usage: tuple[str, ...]
    extended_key_usage: tuple[str, ...]
    chain: tuple[str, ...]
    revocation: RevocationCheck | None
    problems: tuple[str, ...]
    """Why this key cannot sign now (expired, not yet valid, revoked, not for signing)."""
    warnings: tuple[str, ...]


def _usages(cert: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    usage = cert.key_usage_value.native if cert.key_usage_value is not None else set()
    extended = cert.extended_key_usage_value
    return tuple(sorted(usage)), tuple(sorted(extended.native)) if extended is not None else ()


def describe_key(
    signer: signers.Signer,
    source: str,
    settings: Settings,
    *,
    now: dt.datetime,
    ask_revocation: bool,
    roots: Sequence[bytes] = (),
) -> KeyDescription:
    """Describe the certificate of ``signer`` at ``now``; ask its OCSP/CRL when told to."""
    cert = signer.signing_cert
    chain_certs = [c for c in signer.cert_registry if c != cert]
    problems: list[str] = []
    try:
        check_certificate(cert, now)
    except SigningKeyError as exc:
        problems.append(exc.message)
    revocation = None
    if ask_revocation:
        anchors = list(roots) + [keys.pem_of(c) for c in chain_certs if c.self_signed]
        new_context = keys.validation_context_factory(anchors, settings)
        revocation = revocation_status(cert, chain_certs, new_context)
        if revocation.status == "revoked":
            problems.append("the certificate was %s" % revocation.detail)
    days = (cert.not_valid_after - now).days
    warnings = []
    if not problems and days < settings.signing.expiry_warning_days:
        warnings.append(
            "the certificate expires in %d days, on %s: renew it now"
            % (days, cert.not_valid_after.date().isoformat())
        )
    if revocation is not None and revocation.status == "unknown":
        warnings.append("revocation status unknown: %s" % revocation.detail)
    usage, extended = _usages(cert)
    return KeyDescription(
        source=source,
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial="%x" % cert.serial_number,
        valid_from=cert.not_valid_before,
        valid_until=cert.not_valid_after,
        days_left=days,
        key_usage=usage,
        extended_key_usage=extended,
        chain=tuple(c.subject.human_friendly for c in chain_certs),
        revocation=revocation,
        problems=tuple(problems),
        warnings=tuple(warnings),
    )


def _pkcs12_signer(path: Path, password_file: Path | None) -> signers.Signer:
    data = keys.read_file(path, "PKCS#12 file")
    password = keys.read_password(password_file)
    try:
        return signers.SimpleSigner.load_pkcs12_data(data, (), passphrase=password or None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            "cannot open the PKCS#12 key: wrong password or damaged file", subject=str(path)
        ) from exc


def _print(out: Console, info: KeyDescription) -> None:
    rows = [
        ("key", info.source),
        ("subject", info.subject),
        ("issuer", info.issuer),
        ("serial", info.serial),
        ("valid from", info.valid_from.isoformat()),
        ("valid until", "%s (%d days left)" % (info.valid_until.isoformat(), info.days_left)),
        ("key usage", ", ".join(info.key_usage) or "-"),
        ("extended key usage", ", ".join(info.extended_key_usage) or "-"),
        ("chain", " -> ".join(info.chain) or "-"),
    ]
    if info.revocation is not None:
        rows.append(("revocation", "%s: %s" % (info.revocation.status, info.revocation.detail)))
    for label, value in rows:
        out.print("%-20s %s" % (label + ":", escape(value)))
    for warning in info.warnings:
        out.print("[yellow]warning:[/yellow] %s" % escape(warning))
    for problem in info.problems:
        out.print("[red]cannot sign:[/red] %s" % escape(problem))


def _inspect(
    settings: Settings,
    pkcs12: Path | None,
    password_file: Path | None,
    pkcs11_module: Path | None,
    ask_revocation: bool,
) -> KeyDescription:
    now = dt.datetime.now(dt.UTC)
    signing = settings.signing
    module = pkcs11_module or (None if pkcs12 else signing.pkcs11_module)
    roots = keys.trust_roots(settings) if settings.trust_pem else ()
    if module is not None:
        pin = keys.read_password(signing.pkcs11_pin_file).decode() or None
        token = open_pkcs11_signer(
            module,
            token_label=signing.pkcs11_token_label,
            pin=pin,
            key_label=signing.pkcs11_key_label,
            cert_label=signing.pkcs11_cert_label,
            now=None,
        )
        try:
            source = "PKCS#11 token %s, key %s" % (
                signing.pkcs11_token_label or "(first)",
                signing.pkcs11_key_label,
            )
            return describe_key(
                token.signer, source, settings, now=now, ask_revocation=ask_revocation, roots=roots
            )
        finally:
            token.close()
    path = pkcs12 or settings.signing_pkcs12
    secret = password_file if pkcs12 else settings.signing_password_file
    if path is None:  # the development key, if this installation has one; never created here
        path = settings.keys_dir / keys.DEV_PKCS12_FILE
        secret = settings.keys_dir / keys.DEV_PASSWORD_FILE
    signer = _pkcs12_signer(path, secret)
    return describe_key(
        signer, "PKCS#12 %s" % path, settings, now=now, ask_revocation=ask_revocation, roots=roots
    )


def _serve_forever(directory: Path, host: str, port: int) -> None:
    from workers.signing.dev_pki import serve_test_pki

    with serve_test_pki(directory, host=host, port=port) as pki:
        console.print("serving OCSP, CRLs and the TSA at %s (Ctrl-C stops)" % pki.url_prefix)
        console.print("SOHOA_SIGNING__TSA_URL=%s" % pki.tsa_url)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


def register(app: typer.Typer) -> None:
    keys_app = typer.Typer(
        help="Inspect the signing key; create a test PKI (development only).",
        no_args_is_help=True,
    )
    app.add_typer(keys_app, name="keys")

    @keys_app.command("inspect")
    def inspect(
        pkcs12: Pkcs12Option = None,
        password_file: PasswordFileOption = None,
        pkcs11_module: Pkcs11ModuleOption = None,
        revocation: RevocationOption = True,
        as_json: AsJsonOption = False,
        data: DataOption = None,
    ) -> None:
        """Subject, issuer, chain, validity, key usage and revocation status of a signing key.

        Exit codes: 0 the key can sign (warnings may say it expires soon); 8 it cannot.
        """
        settings = settings_for(data=data)
        try:
            info = _inspect(settings, pkcs12, password_file, pkcs11_module, revocation)
        except SohoaError as exc:
            console.print("[red]error:[/red] %s" % escape(str(exc)))
            raise typer.Exit(int(exc.exit_code)) from exc
        if as_json:
            sys.stdout.write(json.dumps(asdict(info), default=str, ensure_ascii=False, indent=2))
            sys.stdout.write("\n")
        else:
            _print(Console(highlight=False), info)
        raise typer.Exit(int(ExitCode.CONFIG if info.problems else ExitCode.OK))

    @keys_app.command("test-pki")
    def test_pki(
        directory: DirectoryArgument,
        serve: ServeOption = False,
        host: HostOption = "127.0.0.1",
        port: PortOption = 9077,
    ) -> None:
        """DEVELOPMENT ONLY: a root, an issuing CA, signers (valid, expired, revoked,
        expiring), a TSA, an OCSP responder and CRLs, made with certomancer."""
        from workers.signing.dev_pki import write_test_pki

        try:
            if not (directory / "certomancer.yml").exists():
                prefix = "http://%s:%d" % (host, port)
                write_test_pki(directory, now=dt.datetime.now(dt.UTC), url_prefix=prefix)
                console.print(
                    "test PKI written to %s (TEST ONLY, never for real documents)" % directory
                )
                for name in sorted(p.name for p in directory.iterdir() if p.is_file()):
                    console.print("  %s" % name)
            if serve:
                _serve_forever(directory, host, port)
        except SohoaError as exc:
            console.print("[red]error:[/red] %s" % escape(str(exc)))
            raise typer.Exit(int(exc.exit_code)) from exc
