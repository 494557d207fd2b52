"""sohoa verify beside poppler's pdfsig and pyHanko's own validation, on real and attack files.

    PYTHONPATH=. python bench/verify_compare.py [--trust PEM]... [--trust-profile vn] FILE...

Per file: pdfsig's words per signature (its exit code is not a verdict), pyHanko 0.38's bottom
line per signature (non-strict reader, its default difference policy, soft revocation, the same
trust roots, no fetching), and sohoa's indications, exit code and CPU seconds. Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import time
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from pipeline.signatures.verification import load_certificates, verify_pdf
from workers.trust.store import load_profile


def pdfsig(path: Path) -> str:
    try:
        out = subprocess.run(
            ["pdfsig", str(path)], capture_output=True, text=True, timeout=120
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return "error: %s" % exc
    sigs = [ln.split(":", 1)[1].strip() for ln in out.splitlines() if "Signature Validation:" in ln]
    certs = [
        ln.split(":", 1)[1].strip() for ln in out.splitlines() if "Certificate Validation:" in ln
    ]
    if not sigs:
        return "no signature found"
    words = [
        "%s / cert: %s" % (s.rstrip("."), c.rstrip(".")) for s, c in zip(sigs, certs, strict=False)
    ]
    return "; ".join(
        "%s x%d" % (w, words.count(w)) if words.count(w) > 1 else w for w in dict.fromkeys(words)
    )


async def _pyhanko(path: Path, roots, others) -> str:
    with path.open("rb") as handle:
        try:
            reader = PdfFileReader(handle, strict=False)
            sigs = reader.embedded_signatures
        except Exception as exc:
            return "unreadable (%s)" % str(exc)[:60]
        if not sigs:
            return "no signature found"
        words = []
        for emb in sigs:
            context = ValidationContext(trust_roots=roots, other_certs=others, allow_fetching=False)
            try:
                status = await async_validate_pdf_signature(emb, signer_validation_context=context)
                words.append(
                    "%s (intact %s, %s)"
                    % (
                        "PASS" if status.bottom_line else "fail",
                        "yes" if status.intact else "NO",
                        getattr(status.modification_level, "name", status.modification_level),
                    )
                )
            except Exception as exc:
                words.append("error: %s" % str(exc)[:70])
        counted = {w: words.count(w) for w in words}
        return "; ".join("%s x%d" % (w, n) if n > 1 else w for w, n in counted.items())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--trust", action="append", type=Path, default=[])
    parser.add_argument("--trust-profile")
    args = parser.parse_args()
    roots = [p.read_bytes() for p in args.trust]
    others: list[bytes] = []
    if args.trust_profile:
        profile = load_profile(args.trust_profile)
        roots += list(profile.roots)
        others += list(profile.intermediates)
    print("| file | pdfsig | pyHanko (non-strict, default policy) | sohoa | sohoa CPU s |")
    print("|---|---|---|---|---|")
    for path in args.files:
        started = time.process_time()
        report = verify_pdf(path, name=path.name, trust_roots=roots, other_certs=others)
        seconds = time.process_time() - started
        sigs = [
            s.indication.value.replace("TOTAL_", "")
            + ("/" + s.sub_indication if s.sub_indication else "")
            for s in report.signatures
        ]
        counted = {s: sigs.count(s) for s in sigs}
        ours = "; ".join("%s x%d" % (s, n) if n > 1 else s for s, n in counted.items())
        ours = "%s: %s" % (report.exit_code.name, ours or report.status.value)
        theirs = asyncio.run(_pyhanko(path, load_certificates(roots), load_certificates(others)))
        print("| %s | %s | %s | %s | %.2f |" % (path.name, pdfsig(path), theirs, ours, seconds))


if __name__ == "__main__":
    main()
