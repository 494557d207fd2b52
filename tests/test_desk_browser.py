"""The desk in a real browser: Debian's chromium, driven by Playwright (never downloaded),
against ``sohoa serve`` on the embedded defaults as a real process. A clerk logs in, uploads a
folder, follows the dossier until it is digitised, searches without diacritics, downloads and
verifies the result, and tries a quarantined file again. Screenshots are kept in
tests/artefacts/ (look at them)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import encode, text_image
from tests.services import (
    REPO,
    answers,
    free_port,
    sohoa_env,
    start_sohoa,
    stop_process,
    wait_until,
)

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = REPO / "tests" / "artefacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--lang=vi-VN",
]
AGENCY = "000.17.22.H56"
PASSWORD = "mật khẩu của chị An"
DOSSIER = "000.17.22.H56-260301-0042"
DECREE = [
    "CHÍNH PHỦ          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Số: 49/2026/NĐ-CP        Độc lập - Tự do - Hạnh phúc",
    "Hà Nội, ngày 05 tháng 02 năm 2026",
    "NGHỊ ĐỊNH",
    "Quy định chi tiết về số hóa hồ sơ thủ tục hành chính",
    "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;",
]


@pytest.fixture
def desk_server(tmp_path):
    env = sohoa_env(SOHOA_DATA=str(tmp_path / "data"), SOHOA_JOBS="1")
    secret = tmp_path / "password"
    secret.write_text(PASSWORD)
    for user, role, name in (("an", "clerk", "Nguyễn Thị An"), ("quan-tri", "admin", "Quản trị")):
        add = ["users", "add", user, "--role", role, "--agency", AGENCY, "--name", name]
        added = subprocess.run(
            [sys.executable, "-m", "workers.cli", *add, "--password-file", str(secret)],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert added.returncode == 0, added.stdout + added.stderr
    port = free_port()
    server = start_sohoa(["serve", "--port", str(port)], env, tmp_path / "desk.log")
    try:
        wait_until(lambda: answers(port), timeout=60, what="the desk answering")
        yield f"http://127.0.0.1:{port}", tmp_path
    finally:
        stop_process(server)
        print((tmp_path / "desk.log").read_text(errors="replace")[-3000:])


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "upload" / DOSSIER
    folder.mkdir(parents=True)
    (folder / "nghi-dinh.png").write_bytes(encode(text_image(DECREE), "PNG"))
    (folder / "to-khai.png").write_bytes(b"\x89PNG\r\n\x1a\n this scan was cut short")
    return folder


def _shot(page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"desk-{name}.png"), full_page=True)


@pytest.mark.slow
def test_a_clerk_uploads_follows_searches_verifies_and_retries(desk_server):
    # scripts/install.sh installs Debian's chromium: its absence is a failure, never a skip
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run scripts/install.sh"
    from playwright.sync_api import sync_playwright

    base, tmp_path = desk_server
    folder = _folder(tmp_path)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(  # a Vietnamese clerk's browser: dates read dd/mm/yyyy
            viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="vi-VN"
        )
        page.goto(f"{base}/dossiers")
        assert page.url.endswith("/login")
        page.fill("input[name=username]", "an")
        page.fill("input[name=password]", PASSWORD)
        page.click("form.login button")
        assert page.url.endswith("/dossiers") and "Nguyễn Thị An" in page.inner_text("header")

        page.goto(f"{base}/upload")
        page.set_input_files("#folder", str(folder))
        page.click("form.upload button")
        # the follow page refreshes until the dossier is done, then opens it
        page.wait_for_url(re.compile(r"/dossiers/\d+$"), timeout=240_000)
        text = page.inner_text("main")
        assert DOSSIER in text and "bị cách ly" in text and "đã số hóa" in text
        # the clerk's file, what is wrong with it and where, in words; no path of sohoa's own
        assert "to-khai.png: Tệp ảnh bị hỏng (không đọc được trang 1)" in text
        assert "sohoa-intake" not in text and "/tmp/" not in text
        page.click("details.page summary >> nth=0")  # the page image beside its text
        page.wait_for_function(
            "() => { const i = document.querySelector('details.page img');"
            " return i && i.complete && i.naturalWidth > 100; }"
        )
        _shot(page, "dossier")

        page.fill("header input[name=q]", "nghi dinh 49")
        page.click("header form.search button")
        hits = page.inner_text("ol.hits")
        assert DOSSIER in hits and "49/2026/NĐ-CP" in hits
        _shot(page, "search")

        page.click("ol.hits li a >> nth=0")
        with page.expect_download() as download:
            page.click("text=PDF đã ký số")
        pdf = Path(download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf

        page.click('a[href^="/verify?document="] >> nth=0')
        verdict = page.inner_text("p.verdict")
        assert "Không bị thay đổi kể từ khi ký" in page.inner_text("p.summary")
        assert "Hợp lệ" in verdict or "Không hợp lệ" in verdict  # a verdict in words
        assert "TOTAL_" in page.inner_text("details pre") or "indication" in page.content()
        _shot(page, "verify")
        behind = page.request.get(page.url + "&format=json").json()
        assert behind["status"] == "signed" and behind["signatures"][0]["intact"] is True

        page.goto(f"{base}/quarantine")
        listed = page.inner_text("main")
        assert "to-khai.png: Tệp ảnh bị hỏng (không đọc được trang 1)" in listed
        assert "sohoa-intake" not in listed and "/tmp/" not in listed
        _shot(page, "quarantine")
        page.click("text=Xử lý lại >> nth=0")
        assert re.search(r"/dossiers/\d+$", page.url)

        def retried() -> bool:
            page.reload()
            history = page.inner_text("table.history")
            return "Nguyễn Thị An (an)" in history and history.count("bị cách ly") >= 2

        wait_until(retried, timeout=180, interval=2, what="the retry recorded and run")
        actions = page.inner_text("table.audit")  # the desk's own actions, with the user
        assert "tải PDF đã ký số" in actions and "xử lý lại" in actions and "an" in actions

        admin = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        admin.goto(f"{base}/login")
        admin.fill("input[name=username]", "quan-tri")
        admin.fill("input[name=password]", PASSWORD)
        admin.click("form.login button")
        admin.goto(f"{base}/audit")  # the audit trail: every action, with its user
        trail = admin.inner_text("table.audit")
        for said in ("đăng nhập", "tải lên", "tìm kiếm", "tải PDF đã ký số", "kiểm tra chữ ký"):
            assert said in trail, said
        assert "q=nghi dinh 49" in trail and "thêm tài khoản" in trail
        _shot(admin, "audit")
        browser.close()
