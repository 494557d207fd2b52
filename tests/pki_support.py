"""Shared helpers for tests that need the certomancer test PKI served on loopback.

Import the fixture into a test module (``from tests.pki_support import served_pki_fixture``),
then ask for ``served_pki``; each module
then gets its own PKI and server on a free 127.0.0.1 port (about a third of a second).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.signatures.signing import SigningProfile, load_signer
from schemas.settings import Settings
from schemas.signing import SigningLevel
from workers.signing.dev_pki import TestPki, serve_test_pki
from workers.signing.process_key import fetcher_factory, validation_context_factory

FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")


@dataclass(frozen=True)
class Served:
    pki: TestPki
    password: bytes
    created: dt.datetime

    @property
    def roots(self) -> list[bytes]:
        return [self.pki.cert_pem("root")]

    def p12(self, label: str = "signer") -> bytes:
        return (self.pki.directory / ("%s.p12" % label)).read_bytes()

    def signer(self, label: str = "signer", now: dt.datetime | None = None):
        return load_signer(self.p12(label), self.password, now=now or dt.datetime.now(dt.UTC))

    def profile(self, level: SigningLevel, **kwargs: object) -> SigningProfile:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        timestamper = HTTPTimeStamper(self.pki.tsa_url, timeout=5) if level.needs_tsa else None
        return SigningProfile(
            level=level,
            timestamper=timestamper,
            validation_context=validation_context_factory(self.roots, Settings()),
            **kwargs,  # type: ignore[arg-type]
        )

    @property
    def fetchers(self):
        return fetcher_factory(Settings())


@pytest.fixture(scope="module", name="served_pki")
def served_pki_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.UTC)
    with serve_test_pki(directory, now=now) as pki:
        yield Served(pki, (directory / "signers.password").read_bytes(), now)


@contextmanager
def silent_tsa() -> Iterator[str]:
    """A TSA URL on loopback whose server accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d/tsa" % listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return "http://127.0.0.1:%d/tsa" % port


def byte_ranges(data: bytes) -> list[tuple[int, int, int, int]]:
    found = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    return [tuple(int(x) for x in f) for f in found]  # type: ignore[misc]


def extract_cms(data: bytes, br: tuple[int, int, int, int]) -> tuple[bytes, bytes]:
    """(DER CMS, signed bytes): the DER length is parsed, trailing zeros are never stripped."""
    a, b, c, d = br
    hex_contents = data[a + b : c]
    assert hex_contents[:1] == b"<" and hex_contents[-1:] == b">"
    raw = bytes.fromhex(hex_contents[1:-1].decode("ascii"))
    assert raw[0] == 0x30, "CMS must start with a SEQUENCE"
    if raw[1] < 0x80:
        length = 2 + raw[1]
    else:
        n = raw[1] & 0x7F
        length = 2 + n + int.from_bytes(raw[2 : 2 + n], "big")
    assert length <= len(raw)
    return raw[:length], data[a : a + b] + data[c : c + d]


def pdfsig(path: Path) -> str:
    assert shutil.which("pdfsig"), "poppler-utils (pdfsig) must be installed"
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return out.stdout


def openssl_cms_verify(der: bytes, content: bytes, ca_pem: bytes, tmp: Path, *extra: str):
    (tmp / "sig.der").write_bytes(der)
    (tmp / "content.bin").write_bytes(content)
    (tmp / "ca.pem").write_bytes(ca_pem)
    command = ["openssl", "cms", "-verify", "-inform", "DER", "-in", "sig.der", "-binary"]
    command += ["-content", "content.bin", "-CAfile", "ca.pem", "-out", os.devnull, *extra]
    return subprocess.run(command, cwd=tmp, capture_output=True, text=True, timeout=60)
