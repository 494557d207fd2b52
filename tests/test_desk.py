"""The web desk over a real embedded warehouse and store: access by agency, CSRF, sessions,
quarantine actions, search and reuse, in Vietnamese."""

from __future__ import annotations

import hashlib
import re
import warnings

import pytest

from storage import tables
from storage.desk_queries import quarantined
from storage.users import authenticate, set_active
from tests.desk_support import AGENCY_A, PASSWORD, csrf_of, log_in, seeded_desk
from workers.desk import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


@pytest.fixture
def desk(tmp_path):
    settings, warehouse, store, ids = seeded_desk(tmp_path)
    app = create_app(settings)
    yield app, warehouse, store, ids
    app.state.desk.jobs.close()
    warehouse.engine.dispose()


def _session(client):
    """The session a client holds (its cookie's payload, unsigned)."""
    import base64
    import json

    cookie = client.cookies["sohoa_desk"]
    return json.loads(base64.b64decode(cookie.split(".")[0]))


def client_of(app, username):
    client = TestClient(app)
    answer, _ = log_in(client, username)
    assert answer.status_code == 303 and answer.headers["location"] == "/dossiers"
    return client


def test_a_clerk_of_a_sees_nothing_of_b_every_answer_404(desk):
    app, warehouse, store, ids = desk
    clerk = client_of(app, "clerk-a")
    (b_dossier, b_doc), (qb_dossier, qb_doc) = ids["b"], ids["qb"]
    token = csrf_of(clerk)
    for path in (
        f"/dossiers/{b_dossier}",
        f"/dossiers/{qb_dossier}",
        f"/documents/{b_doc}/result.pdf",
        f"/documents/{b_doc}/sidecar.json",
        f"/documents/{b_doc}/original/0",
        f"/documents/{qb_doc}/original/0",
        f"/verify?document={b_doc}",
        f"/documents/{b_doc}/page/0.png",
        "/indicators?agency=000.30.10.H10",
        "/indicators/report?agency=000.30.10.H10",
        "/follow?unit=intake/000.30.10.H10/000.30.10.H10-260301-0002/",
    ):
        assert clerk.get(path).status_code == 404, path
    for path, data in (
        (f"/documents/{qb_doc}/retry", {}),
        (f"/documents/{qb_doc}/accept", {"note": "x"}),
        (f"/documents/{b_doc}/reuse", {"dossier": "000.17.22.H56-260301-0001"}),
    ):
        assert clerk.post(path, data={"csrf": token, **data}).status_code == 404, path
    listing = clerk.get("/dossiers").text
    assert "000.17.22.H56-260301-0001" in listing and "000.30.10.H10" not in listing
    hits = clerk.get("/search", params={"q": "nghi dinh 49"}).text
    assert "000.17.22.H56-260301-0001" in hits and "000.30.10.H10" not in hits
    assert "000.30.10.H10" not in clerk.get("/quarantine").text
    # their own are there: the 404s above are about agency, not about the paths
    a_dossier, a_doc = ids["a"]
    assert clerk.get(f"/dossiers/{a_dossier}").status_code == 200
    assert clerk.get(f"/documents/{a_doc}/result.pdf").content.startswith(b"%PDF-1.7 signed")
    assert clerk.get(f"/documents/{a_doc}/original/0").content.startswith(b"%PDF-1.4 original")
    assert "Kiểm tra chữ ký" in clerk.get("/verify").text  # Vietnamese by default


def test_a_supervisor_sees_the_agencies_under_theirs_and_an_admin_all(desk):
    app, warehouse, store, ids = desk
    from storage.register_store import agencies
    from storage.users import add_user

    with warehouse.transaction() as conn:
        conn.execute(
            agencies.insert(),
            [
                dict(code="000.30.00.H00", name="Tỉnh B", level="province", parent_code=None),
                dict(
                    code="000.30.10.H10", name="Xã B", level="commune", parent_code="000.30.00.H00"
                ),
            ],
        )
    add_user(warehouse, "boss-b", "Lê Văn Cường", "supervisor", "000.30.00.H00", PASSWORD)
    boss = client_of(app, "boss-b")
    assert boss.get(f"/dossiers/{ids['b'][0]}").status_code == 200
    assert boss.get(f"/dossiers/{ids['a'][0]}").status_code == 404
    admin = client_of(app, "admin")
    assert admin.get(f"/dossiers/{ids['b'][0]}").status_code == 200


def test_forms_need_the_session_csrf_token_and_a_session(desk):
    app, warehouse, store, ids = desk
    anonymous = TestClient(app)
    answer = anonymous.get("/dossiers", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    clerk = client_of(app, "clerk-a")
    qa_doc = ids["qa"][1]
    assert clerk.post(f"/documents/{qa_doc}/accept", data={"note": "ok"}).status_code == 403
    forged = {"note": "ok", "csrf": "x" * 43}
    assert clerk.post(f"/documents/{qa_doc}/accept", data=forged).status_code == 403
    tampered = TestClient(app)
    tampered.cookies.set("sohoa_desk", clerk.cookies["sohoa_desk"][:-4] + "AAAA")
    assert tampered.get("/dossiers", follow_redirects=False).status_code == 303
    bad, _ = log_in(TestClient(app), "clerk-a", "wrong password!")
    assert bad.status_code == 401 and "Sai tên đăng nhập" in bad.text
    set_active(warehouse, "clerk-a", False)  # disabled: the open session stops at once
    assert clerk.get("/dossiers", follow_redirects=False).status_code == 303
    assert authenticate(warehouse, "clerk-a", PASSWORD) is None


def test_a_session_expires_after_its_max_age(desk):
    import base64
    import json
    import time

    from itsdangerous import TimestampSigner

    from workers.desk.auth import session_key

    app, warehouse, store, ids = desk
    settings = app.state.desk.settings
    clerk = client_of(app, "clerk-a")
    payload = base64.b64encode(json.dumps(_session(clerk)).encode())

    class SignedAt(TimestampSigner):
        at = 0

        def get_timestamp(self) -> int:
            return self.at

    signer = SignedAt(session_key(settings))
    for age, answer in ((settings.desk.session_max_age_s + 60, 303), (60, 200)):
        signer.at = int(time.time()) - age
        replayed = TestClient(app)
        replayed.cookies.set("sohoa_desk", signer.sign(payload).decode())
        assert replayed.get("/dossiers", follow_redirects=False).status_code == answer, age


def test_accept_as_is_closes_the_case_with_the_users_name(desk):
    app, warehouse, store, ids = desk
    clerk = client_of(app, "clerk-a")
    qa_dossier, qa_doc = ids["qa"]
    page = clerk.get("/quarantine").text
    assert "Tệp bị hỏng (không đọc được)" in page
    assert clerk.get(f"/documents/{qa_doc}/original/0").content == b"not a png"
    answer = clerk.post(
        f"/documents/{qa_doc}/accept",
        data={"note": "bản giấy rách, đã đối chiếu", "csrf": csrf_of(clerk)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert qa_doc not in [r.id for r in quarantined(warehouse, {AGENCY_A})]
    history = clerk.get(f"/dossiers/{qa_dossier}").text
    assert re.search(r"chấp nhận nguyên trạng.*Nguyễn Văn An \(clerk-a\): bản giấy rách", history, re.S)


def test_reuse_from_a_search_hit_is_a_reused_component(desk):
    app, warehouse, store, ids = desk
    clerk = client_of(app, "clerk-a")
    target_code = "000.17.22.H56-260302-0003"
    answer = clerk.post(
        f"/documents/{ids['a'][1]}/reuse",
        data={"dossier": target_code, "name": "nghi-dinh-49", "csrf": csrf_of(clerk)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    docs = {d["name"]: d for d in warehouse.documents_of(ids["qa"][0])}
    reused = docs["nghi-dinh-49"]
    assert reused["status"] == "reused"
    assert reused["reused_from"] == "000.17.22.H56-260301-0001/quyet-dinh"
    # exactly what a manifest entry with reused_from records (workers/job/reuse.py)
    identity = "reused\n000.17.22.H56\n000.17.22.H56-260302-0003\nnghi-dinh-49\n"
    identity += "000.17.22.H56-260301-0001/quyet-dinh"
    assert reused["input_sha256"] == hashlib.sha256(identity.encode()).hexdigest()
    assert (reused["role"], reused["page_count"], reused["inputs"]) == ("component", 0, [])
    events = [(e["stage"], e["outcome"]) for e in warehouse.rows(tables.events)]
    assert ("reuse", "recorded") in events and ("desk", "reuse") in events
    gone = clerk.post(  # a document that is not there cannot be reused
        "/documents/999999/reuse",
        data={"dossier": target_code, "csrf": csrf_of(clerk)},
        follow_redirects=False,
    )
    assert gone.status_code == 404


def test_upload_is_a_drop_into_the_intake_within_the_limits(tmp_path):
    # with a queue, the watcher picks the drop up: the desk only puts it into the intake
    settings, warehouse, store, ids = seeded_desk(tmp_path)
    settings = settings.model_copy(
        update={"queue": settings.queue.model_copy(update={"url": "redis://127.0.0.1:1/0"})}
    )
    limits = {"max_bytes": 1000, "max_manifest_bytes": 100}  # the intake's own settings
    settings = settings.model_copy(update={"limits": settings.limits.model_copy(update=limits)})
    app = create_app(settings)
    clerk = client_of(app, "clerk-a")
    token = csrf_of(clerk)

    def send(files, agency=AGENCY_A, **data):
        return clerk.post(
            "/upload",
            data={"agency": agency, "csrf": token, **data},
            files=files,
            follow_redirects=False,
        )

    folder = [
        ("files", ("HS-7/manifest.json", b'{"documents": []}', "application/json")),
        ("files", ("HS-7/trang-1.png", b"\x89PNG\r\n\x1a\n scan", "image/png")),
        ("files", ("HS-7/.DS_Store", b"\x00\x00\x00\x01Bud1", "application/octet-stream")),
    ]
    answer = send(folder)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/follow?unit=intake/{AGENCY_A}/HS-7/"
    assert store.get(f"intake/{AGENCY_A}/HS-7/trang-1.png") == b"\x89PNG\r\n\x1a\n scan"
    assert store.exists(f"intake/{AGENCY_A}/HS-7/manifest.json")
    assert not store.exists(f"intake/{AGENCY_A}/HS-7/.DS_Store")  # set aside, as folder intake
    # a stray non-scan file in a folder does not refuse the scans beside it: intake quarantines it
    stray = [
        ("files", ("HS-9/trang-1.png", b"\x89PNG\r\n\x1a\n scan", "image/png")),
        ("files", ("HS-9/Thumbs.db", b"\xd0\xcf\x11\xe0 ole", "application/octet-stream")),
    ]
    assert send(stray).status_code == 303
    assert store.get(f"intake/{AGENCY_A}/HS-9/trang-1.png") == b"\x89PNG\r\n\x1a\n scan"
    assert store.get(f"intake/{AGENCY_A}/HS-9/Thumbs.db") == b"\xd0\xcf\x11\xe0 ole"
    assert "Đang chờ" in clerk.get(answer.headers["location"]).text
    assert send([("files", ("lone.pdf", b"%PDF-1.4", "application/pdf"))]).status_code == 303
    assert store.get(f"intake/{AGENCY_A}/lone.pdf") == b"%PDF-1.4"
    assert send([("files", ("run.exe", b"MZ", "application/octet-stream"))]).status_code == 415
    # the type is what intake reads in the first bytes, not the name
    assert send([("files", ("scan.pdf", b"MZ", "application/pdf"))]).status_code == 415
    assert send([("files", ("scan.jpe", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"))]).status_code == 303
    big_manifest = ("HS-8/manifest.json", b"{" + b" " * 100 + b"}", "application/json")
    assert send([("files", big_manifest)]).status_code == 413
    assert send([("files", ("big.pdf", b"%" * 1001, "application/pdf"))]).status_code == 413
    assert send([("files", ("../x.pdf", b"%PDF", "application/pdf"))]).status_code == 400
    outside = send([("files", ("b.pdf", b"%PDF", "application/pdf"))], agency="000.30.10.H10")
    assert outside.status_code == 404
    assert not store.exists("intake/000.30.10.H10/b.pdf")
    assert not store.exists(f"intake/{AGENCY_A}/big.pdf")
    app.state.desk.jobs.close()


def test_verify_an_uploaded_pdf_says_the_verdict_in_words(desk):
    from tests.conftest import blank_pdf

    app, warehouse, store, ids = desk
    clerk = client_of(app, "clerk-a")
    pdf = ("file", ("don.pdf", blank_pdf(), "application/pdf"))
    assert clerk.post("/verify", files=[pdf]).status_code == 403  # no CSRF token
    page = clerk.post("/verify", data={"csrf": csrf_of(clerk)}, files=[pdf])
    assert page.status_code == 200
    assert "Tệp không có chữ ký số." in page.text and "&#34;no-signature&#34;" in page.text


def test_sohoa_lang_en_is_the_second_language(tmp_path):
    from tests.desk_support import settings_in

    app = create_app(settings_in(tmp_path, SOHOA_LANG="en"))
    page = TestClient(app).get("/login").text
    assert "User name" in page and "Tên đăng nhập" not in page
    assert "Tên đăng nhập" in TestClient(create_app(settings_in(tmp_path))).get("/login").text


def test_with_a_queue_try_again_is_a_redigitise_message(tmp_path, redis_url, queue_namespace):
    from storage.queue import DossierQueue
    from tests.desk_support import settings_in

    ids = seeded_desk(tmp_path)[3]
    settings = settings_in(
        tmp_path, SOHOA_QUEUE__URL=redis_url, SOHOA_QUEUE__NAMESPACE=queue_namespace
    )
    app = create_app(settings)
    clerk = client_of(app, "clerk-a")
    qa_dossier, qa_doc = ids["qa"]
    answer = clerk.post(
        f"/documents/{qa_doc}/retry", data={"csrf": csrf_of(clerk)}, follow_redirects=False
    )
    assert answer.status_code == 303
    sent = list(DossierQueue.open(settings.queue).payloads())
    assert sent == [{"kind": "redigitise", "dossier_id": qa_dossier, "batch_id": None}]
