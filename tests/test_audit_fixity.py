"""`sohoa audit` and `sohoa fixity` on a real digitise run."""

from __future__ import annotations

from tests.conftest import encode, text_image
from tests.test_digitise_e2e import HEADER, sohoa


def test_audit_and_fixity(tmp_path):
    inbox = tmp_path / "ho-so-kiem-tra"
    inbox.mkdir()
    (inbox / "trang.png").write_bytes(encode(text_image(HEADER[:8]), "PNG"))
    data = tmp_path / "data"
    assert sohoa("digitise", str(inbox), data=data).returncode == 0

    history = sohoa("audit", "ho-so-kiem-tra", data=data)
    assert history.returncode == 0, history.stderr
    for stage in ("inspect", "ocr", "sign", "verify", "store-result"):
        assert stage in history.stdout
    assert sohoa("audit", "no-such-dossier", data=data).returncode == 1

    clean = sohoa("fixity", data=data)
    assert clean.returncode == 0 and "2 objects checked, 0 problems" in clean.stdout

    result = next((data / "objects" / "results").rglob("*.pdf"))
    original = next((data / "objects" / "originals").rglob("*.png"))
    result.write_bytes(result.read_bytes() + b"%tampered\n")
    original.unlink()
    broken = sohoa("fixity", data=data)
    assert broken.returncode == 1
    assert "2 problems" in broken.stdout
    assert "missing" in broken.stdout and "changed" in broken.stdout
