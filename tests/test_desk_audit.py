"""Every action at the desk is an audit event with the user, in the warehouse (table ``audit``):
logins and failed logins, searches, downloads, uploads, retry, accept, reuse, verify and the
changes of accounts; a supervisor reads them for the agencies they see, a clerk not at all."""

from __future__ import annotations

import warnings

import pytest
from typer.testing import CliRunner

from storage.audit import record, trail
from storage.register_store import agencies
from storage.tables import audit, dossiers
from storage.users import add_user
from storage.warehouse import Warehouse
from tests.desk_support import AGENCY_A, AGENCY_B, PASSWORD, csrf_of, log_in, seeded_desk
from workers.desk import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def _actions(warehouse, username):
    return [(r.action, r.agency) for r in reversed(trail(warehouse, None, username=username))]


def test_every_desk_action_is_recorded_with_its_user_and_a_supervisor_reads_it(tmp_path):
    from tests.conftest import blank_pdf

    settings, warehouse, store, ids = seeded_desk(tmp_path)
    app = create_app(settings)
    with warehouse.transaction() as conn:
        conn.execute(
            agencies.insert(),
            [dict(code=AGENCY_A, name="Xã A", level="commune", parent_code="000.17.00.H00")],
        )
    add_user(warehouse, "boss-a", "Phạm Thị Dung", "supervisor", "000.17.00.H00", PASSWORD)
    log_in(TestClient(app), "clerk-a", "not the password")
    log_in(TestClient(app), "nobody-at-all", "not the password")
    clerk = TestClient(app)
    assert log_in(clerk, "clerk-a")[0].status_code == 303
    (a_dossier, a_doc), (qa_dossier, qa_doc) = ids["a"], ids["qa"]
    clerk.get("/search", params={"q": "nghi dinh 49 079123456789"})  # a CCCD, masked below
    clerk.get(f"/documents/{a_doc}/result.pdf")
    clerk.get(f"/documents/{a_doc}/sidecar.json")
    clerk.get(f"/documents/{qa_doc}/original/0")
    clerk.get(f"/verify?document={a_doc}")
    token = csrf_of(clerk)
    clerk.post("/verify", data={"csrf": token}, files=[("file", ("don.pdf", blank_pdf()))])
    clerk.post(f"/documents/{qa_doc}/accept", data={"note": "đã đối chiếu", "csrf": token})
    clerk.post(
        f"/documents/{a_doc}/reuse",
        data={"dossier": "000.17.22.H56-260302-0003", "csrf": token},
    )
    app.state.desk.jobs.close()  # "try again" runs nothing here; it is recorded all the same
    clerk.post("/logout", data={"csrf": token})

    assert _actions(warehouse, "clerk-a") == [
        ("login-failed", AGENCY_A),
        ("login", AGENCY_A),
        ("search", AGENCY_A),
        ("download-result", AGENCY_A),
        ("download-sidecar", AGENCY_A),
        ("download-original", AGENCY_A),
        ("verify", AGENCY_A),
        ("verify", AGENCY_A),
        ("accept", AGENCY_A),
        ("reuse", AGENCY_A),
        ("logout", AGENCY_A),
    ]
    assert _actions(warehouse, "nobody-at-all") == [("login-failed", None)]
    rows = {r.action: r for r in trail(warehouse, None, username="clerk-a")}
    assert rows["search"].detail == "q=nghi dinh 49 079******789"
    assert rows["download-original"].document_id == qa_doc
    assert rows["download-original"].detail == "scan.png"
    assert rows["accept"].dossier_id == qa_dossier and rows["accept"].detail == "đã đối chiếu"
    assert rows["reuse"].dossier_id == qa_dossier  # the dossier it was reused into
    assert rows["login"].user_id is not None and rows["login-failed"].user_id is not None

    assert clerk.get("/audit").status_code in (303, 200)  # logged out: to the login page
    log_in(clerk, "clerk-a")
    assert clerk.get("/audit").status_code == 404  # a clerk has no audit page
    dossier_page = clerk.get(f"/dossiers/{qa_dossier}").text
    assert "Thao tác trên bàn số hóa" in dossier_page and "chấp nhận nguyên trạng" in dossier_page

    clerk_b = TestClient(app)
    log_in(clerk_b, "clerk-b")
    clerk_b.get(f"/documents/{ids['b'][1]}/result.pdf")
    boss = TestClient(app)
    log_in(boss, "boss-a")
    page = boss.get("/audit").text
    assert "tải PDF đã ký số" in page and "clerk-a" in page and "đăng nhập không thành công" in page
    assert "clerk-b" not in page and "nobody-at-all" not in page  # not of the agencies seen
    asked = boss.get("/audit", params={"user": "clerk-b"}).text
    assert "<td>clerk-b</td>" not in asked and "Chưa có gì được ghi lại." in asked
    only = boss.get("/audit", params={"action": "reuse"}).text.split("</form>")[-1]
    assert "tái sử dụng trong hồ sơ" in only and "tải bản gốc" not in only
    admin = TestClient(app)
    log_in(admin, "admin")
    assert "nobody-at-all" in admin.get("/audit").text
    assert {r.action for r in trail(warehouse, {AGENCY_B})} == {"login", "download-result"}
    warehouse.engine.dispose()


def test_account_changes_on_the_command_line_are_audited(tmp_path):
    from workers.cli import _register_commands, app

    _register_commands()
    runner = CliRunner()
    data = ["--data", str(tmp_path)]
    secret = tmp_path / "pw"
    secret.write_text("một mật khẩu đủ dài\n")
    add = ["users", "add", "an", "--role", "clerk", "--agency", AGENCY_A]
    assert runner.invoke(app, [*add, "--password-file", str(secret), *data]).exit_code == 0
    assert runner.invoke(app, ["users", "disable", "an", *data]).exit_code == 0
    assert runner.invoke(app, ["users", "enable", "an", *data]).exit_code == 0
    w = Warehouse.open(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    rows = list(reversed(trail(w, {AGENCY_A})))
    assert [r.action for r in rows] == ["user-added", "user-disabled", "user-enabled"]
    assert all(r.username.startswith("cli:") and r.detail.startswith("an (clerk") for r in rows)
    w.engine.dispose()


def test_the_trail_is_scoped_filtered_and_newest_first_on_both_warehouses(warehouse):
    dossier_id = warehouse.ensure_dossier(AGENCY_A, "HS-1", source="intake/x/HS-1/")
    record(warehouse, "login", "an", agency=AGENCY_A)
    record(warehouse, "download-result", "an", agency=AGENCY_A, dossier_id=dossier_id)
    record(warehouse, "search", "binh", agency=AGENCY_B, detail="q=ủy ban")
    with pytest.raises(ValueError):
        record(warehouse, "made-up", "an")
    assert [r.action for r in trail(warehouse, {AGENCY_A})] == ["download-result", "login"]
    assert [r.dossier_code for r in trail(warehouse, None, dossier_id=dossier_id)] == ["HS-1"]
    assert [r.detail for r in trail(warehouse, None, username="binh")] == ["q=ủy ban"]
    assert [r.action for r in trail(warehouse, None, action="login")] == ["login"]
    with warehouse.transaction() as conn:
        assert conn.execute(audit.select()).all()[0].at is not None
        assert conn.execute(dossiers.select()).first().code == "HS-1"
