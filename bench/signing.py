"""Benchmark (not a test): sign and verify time per PAdES level on a 10-page result.

    /work/venv/bin/python bench/signing.py [--pages 10] [--repeat 5]

Builds a scan-like PDF (one JPEG per page, about 2 MB for 10 pages, like a digitised dossier),
serves the certomancer test PKI on loopback (OCSP, CRLs, TSA), then per level signs the same
file ``--repeat`` times and verifies the result as many times; prints the median and the
spread. B-B and B-T are verified with fetching allowed (they carry no revocation data), B-LT
and B-LTA offline, from their own DSS. Wall-clock figures; never asserted anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from pipeline.signatures.signing import SigningProfile, load_signer, sign_pdf  # noqa: E402
from pipeline.signatures.verification import verify_pdf  # noqa: E402
from schemas.settings import Settings  # noqa: E402
from schemas.signing import SigningLevel  # noqa: E402
from workers.signing.dev_pki import serve_test_pki  # noqa: E402
from workers.signing.process_key import fetcher_factory, validation_context_factory  # noqa: E402


def scan_like_pdf(pages: int) -> bytes:
    """Pages of noisy grey 'scanned' text at 150 dpi, JPEG-compressed, as one PDF."""
    images = []
    for number in range(pages):
        image = Image.effect_noise((1240, 1754), 18).convert("RGB")
        draw = ImageDraw.Draw(image)
        for line in range(40):
            draw.text((110, 120 + 38 * line), "Trang %d dòng %d - hồ sơ thử" % (number, line))
        images.append(image.filter(ImageFilter.GaussianBlur(0.6)))
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=150, quality=80)
    # rewritten by pypdf, as pipeline/reading/searchable_pdf.py writes results (Pillow's xref is not strict)
    result = io.BytesIO()
    PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue()))).write(result)
    return result.getvalue()


def timed(action, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    pdf = scan_like_pdf(args.pages)
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp, serve_test_pki(Path(tmp)) as pki:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        password = (Path(tmp) / "signers.password").read_bytes()
        signer = load_signer(
            (Path(tmp) / "signer.p12").read_bytes(), password, now=dt.datetime.now(dt.UTC)
        )
        roots = [pki.cert_pem("root")]
        print(
            "input: %d pages, %.2f MB; %d runs per figure"
            % (args.pages, len(pdf) / 1e6, args.repeat)
        )
        print("%-6s %10s %14s %14s" % ("level", "size KB", "sign ms", "verify ms"))
        for level in SigningLevel:
            profile = SigningProfile(
                level=level,
                timestamper=HTTPTimeStamper(pki.tsa_url) if level.needs_tsa else None,
                validation_context=validation_context_factory(roots, settings),
            )
            sign_times, signed = timed(
                lambda p=profile: sign_pdf(pdf, signer, profile=p), args.repeat
            )
            fetchers = None if level.needs_revocation_data else fetcher_factory(settings)
            verify_times, report = timed(
                lambda s=signed, f=fetchers: verify_pdf(
                    s, name="bench", trust_roots=roots, fetchers=f
                ),
                args.repeat,
            )
            assert report.ok, report  # type: ignore[union-attr]
            print(
                "%-6s %10.0f %8.0f ±%-4.0f %8.0f ±%-4.0f"
                % (
                    level.value,
                    (len(signed) - len(pdf)) / 1024,  # type: ignore[arg-type]
                    statistics.median(sign_times),
                    statistics.pstdev(sign_times),
                    statistics.median(verify_times),
                    statistics.pstdev(verify_times),
                )
            )
        print("size KB: bytes the signature adds to the input")


if __name__ == "__main__":
    main()
