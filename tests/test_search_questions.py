"""What a clerk may type into ``sohoa search`` and the desk's search box: Vietnamese with and
without diacritics, SQL and full-text syntax, an identifier, nothing, too much; and what the
command says back (a search that finds nothing is done: 0; a warehouse that does not answer is
not: 1, in the clerk's words; a data folder with no warehouse: 8, none made)."""

from __future__ import annotations

import sqlalchemy as sa
import pytest
from typer.testing import CliRunner

from schemas.desk import SearchQuery
from storage import migrations
from storage.database import engine_for
from storage.places import open_store
from storage.search import search
from storage.tables import audit
from storage.warehouse import Warehouse
from tests.desk_support import DECREE, seed_dossier

pytestmark = pytest.mark.contract  # both warehouses; the command runs in this process

CCCD = "079123456789"
ODD = dict(DECREE, subject=f"Về việc [/b] cấp phép 100% (a|b) & !c : \"trích\" d_e {CCCD}\x1b[2J")
# what may be typed -> which of the two documents (plain, odd) it finds
QUESTIONS = {
    "Hòa Bình": "p", "hoa binh": "p", "HOÀ BÌNH": "p", "thoả thuận": "p", "Ủy Ban": "p",
    "uy ban": "p", '"trích"': "o", "trích'": "o", "100%": "o", "d_e": "o", "a|b": "o",
    "(a": "o", "b)": "o", "& !c": "o", "c :": "o", "a:*": "o", "cấp-phép": "o",
    "a <-> b": "o", "{a}": "o", "^c": "o", CCCD: "o", "x' OR '1'='1": "", "_": "",
    "; DROP TABLE documents;": "", "NOT": "", "NEAR": "", "c:AB": "",
}


def test_every_question_a_clerk_may_type_is_answered_alike_on_both_warehouses(warehouse, tmp_path):
    store = open_store(f"file://{tmp_path / 'objects'}")
    text = "Ủy ban nhân dân tỉnh Hòa Bình thỏa thuận"
    _, plain = seed_dossier(warehouse, store, "000.17.22.H56", "HS-1", metadata=DECREE, text=text)
    _, odd = seed_dossier(warehouse, store, "000.17.22.H56", "HS-2", metadata=ODD)
    found = {}
    with warehouse.transaction() as conn:
        for question in QUESTIONS:
            hits = search(conn, SearchQuery(text=question), None)
            ids = {h.document_id for h in hits}
            found[question] = ("p" if plain in ids else "") + ("o" if odd in ids else "")
    assert found == QUESTIONS


def _search(data, *args, env=None):
    from workers.cli import _register_commands, app

    _register_commands()
    return CliRunner().invoke(app, ["search", "--data", str(data), *args], env=env)


@pytest.fixture
def seeded(tmp_path):
    w = Warehouse.open(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    store = open_store(f"file://{tmp_path / 'objects'}")
    seed_dossier(w, store, "000.17.22.H56", "000.17.22.H56-260301-0002", metadata=ODD)
    yield tmp_path, w
    w.engine.dispose()


def test_a_hit_is_printed_as_written_masked_on_one_line_and_nothing_found_is_done(seeded):
    data, w = seeded
    found = _search(data, "cấp", "phép")
    assert found.exit_code == 0, found.output
    assert "Về việc [/b] cấp phép 100% (a|b)" in found.output  # not read as markup
    assert CCCD not in found.output and "079******789" in found.output
    assert "\x1b" not in found.output and "\\x1b[2J" in found.output
    assert "1 kết quả" in found.output
    nothing = _search(data, "thong", "tu", "99")
    assert nothing.exit_code == 0 and "0 kết quả" in nothing.output  # 1 would say "run again"


def test_the_question_is_in_the_audit_trail_masked(seeded):
    data, w = seeded
    assert _search(data, "so", CCCD).exit_code == 0
    with w.transaction() as conn:
        rows = conn.execute(sa.select(audit.c.action, audit.c.username, audit.c.detail)).all()
    assert [(r.action, r.detail) for r in rows] == [("search", "q=so 079******789")]
    assert rows[0].username.startswith("cli:")


@pytest.mark.parametrize("question", ["", "  ", "%", "::", "-", "…", "*", "\\"])
def test_a_question_with_no_word_is_a_usage_error_not_every_document(seeded, question):
    data, _ = seeded
    asked = _search(data, question)
    assert asked.exit_code == 2, asked.output
    assert "Hãy nhập một từ, một số hoặc một mã hồ sơ để tìm" in asked.output
    assert "000.17.22.H56-260301-0002" not in asked.output


def test_a_question_too_long_or_a_bad_option_is_a_usage_error_that_does_not_echo_it(seeded):
    data, _ = seeded
    long = _search(data, f"{CCCD} " + "nghị định " * 60)
    assert long.exit_code == 2 and "quá dài (tối đa 500 ký tự)" in long.output
    assert CCCD not in long.output and "079******789" not in long.output
    assert _search(data, "nghi", "--limit", "0").exit_code == 2
    agency = _search(data, "nghi", "--agency", "9" * 40)
    assert agency.exit_code == 2 and "không hợp lệ: agency" in agency.output


def test_no_warehouse_reachable_is_said_in_words_and_exits_1(tmp_path):
    env = {"SOHOA_WAREHOUSE_URL": "postgresql://sohoa@127.0.0.1:1/test"}  # nothing listens
    asked = _search(tmp_path, "nghi", "dinh", env=env)
    assert asked.exit_code == 1, asked.output
    assert "Cơ sở dữ liệu không phản hồi (có thể thử lại)" in asked.output


def test_a_data_folder_with_no_warehouse_is_a_setting_error_and_none_is_made(tmp_path):
    asked = _search(tmp_path / "typo", "nghi", "dinh")
    assert asked.exit_code == 8, asked.output
    assert "Cấu hình không đúng" in asked.output and "no warehouse there" in asked.output
    assert not (tmp_path / "typo" / "warehouse.sqlite").exists()


def test_a_nul_typed_at_the_desk_is_refused_or_recorded_never_a_500_on_postgresql(
    postgres_url, tmp_path
):
    """PostgreSQL's text refuses a NUL, even to compare with: a login under "an%00" and a
    search for "nghi%00dinh" or in agency "H56%00" failed as internal errors (500)."""
    import warnings

    from storage.audit import trail
    from storage.users import add_user
    from tests.desk_support import PASSWORD, log_in, settings_in
    from workers.desk import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    engine = engine_for(postgres_url)
    migrations.upgrade(engine)
    engine.dispose()
    w = Warehouse.open(postgres_url)
    add_user(w, "an", "Nguyễn An", "clerk", "000.17.22.H56", PASSWORD)
    client = TestClient(create_app(settings_in(tmp_path, SOHOA_WAREHOUSE_URL=postgres_url)))
    refused, _ = log_in(client, "an\x00")
    assert refused.status_code not in (303, 500)
    assert [r.action for r in trail(w, None, username="an\\x00")] == ["login-failed"]
    assert log_in(client, "an")[0].status_code == 303
    assert client.get("/search", params={"q": "nghi\x00dinh"}).status_code == 400
    assert client.get("/search", params={"agency": "H56\x00"}).status_code == 400
    assert client.get("/search", params={"q": "nghi dinh"}).status_code == 200
    w.engine.dispose()
