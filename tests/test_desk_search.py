"""Search on both warehouses (SQLite FTS5, PostgreSQL tsvector), the CLI's ``sohoa search``,
``sohoa users``, and the catalogue a clerk reads."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from schemas.desk import SearchQuery
from storage import migrations
from storage.database import engine_for
from storage.places import open_store
from storage.search import fold, search
from storage.warehouse import Warehouse
from tests.desk_support import DECREE, seed_dossier
from workers.clerk_words import ACTIONS, PHRASES, REASONS, STATUSES, STEPS
from workers.i18n import LOCALE, translations


def test_fold_takes_diacritics_and_d_bar_away():
    assert fold("Nghị định 49/2026/NĐ-CP") == "nghi dinh 49/2026/nd-cp"
    assert fold("HOÀ ỦY THỎA Đường") == "hoa uy thoa duong"


def test_search_is_diacritic_insensitive_ranked_and_filtered(warehouse, tmp_path):
    store = open_store(f"file://{tmp_path / 'objects'}")
    a = seed_dossier(
        warehouse,
        store,
        "000.17.22.H56",
        "000.17.22.H56-260301-0001",
        metadata=DECREE,
        text="Nghị định này quy định chi tiết",
    )
    other = dict(
        DECREE,
        type_name="QUYẾT ĐỊNH",
        code_number="12",
        code_notation="QĐ-UBND",
        issued_date="2025-01-10",
        subject="Về việc phê duyệt kế hoạch",
    )
    b = seed_dossier(
        warehouse,
        store,
        "000.30.10.H10",
        "000.30.10.H10-260301-0002",
        metadata=other,
        text="căn cứ Nghị định 49/2026/NĐ-CP của Chính phủ",
    )
    with warehouse.transaction() as conn:

        def ids(text="", scope=None, **kw):
            return [h.document_id for h in search(conn, SearchQuery(text=text, **kw), scope)]

        assert ids("nghi dinh 49") == [a[1], b[1]]  # the decree itself ranks first
        assert ids("NGHỊ ĐỊNH 49/2026/NĐ-CP") == [a[1], b[1]]
        assert ids("phe duyet ke hoach") == [b[1]]
        assert ids("000.17.22.H56-260301-0001") == [a[1]]
        assert ids("12/QĐ-UBND") == [b[1]]
        assert ids("nghi dinh", scope={"000.30.10.H10"}) == [b[1]]
        assert ids("nghi", type_name="quyết định") == [b[1]]
        assert ids(issued_from=dt.date(2026, 1, 1)) == [a[1]]
        assert ids(dossier="000.30.10.H10-260301-0002") == [b[1]]
        assert ids("thong tu 99") == []
        assert ids("ngh") == []  # whole words: no prefix (too costly on 100,000 documents)


def test_postgresql_folds_with_unaccent_itself(postgres_url, tmp_path):
    import sqlalchemy as sa

    engine = engine_for(postgres_url)
    migrations.upgrade(engine)
    engine.dispose()
    warehouse = Warehouse.open(postgres_url)
    store = open_store(f"file://{tmp_path / 'objects'}")
    nfd = unicodedata.normalize("NFD", "Căn cứ Nghị định 49/2026/NĐ-CP về thủ tục")
    _, doc = seed_dossier(warehouse, store, "000.17.22.H56", "HS-1", metadata={}, text=nfd)
    with warehouse.transaction() as conn:
        folded = conn.execute(sa.text("SELECT sohoa_unaccent('Nghị định 49/2026/NĐ-CP')"))
        assert folded.scalar_one() == "Nghi dinh 49/2026/ND-CP"
        volatility = "SELECT provolatile FROM pg_proc WHERE proname = 'sohoa_unaccent'"
        assert conn.execute(sa.text(volatility)).scalar_one() == "i"  # usable in an index
        vector = conn.execute(
            sa.text("SELECT tsv::text FROM search_documents WHERE document_id = :d"), {"d": doc}
        ).scalar_one()
        assert {"'nghi'", "'dinh'", "'nd'", "'cp'", "'thu'", "'tuc'"} <= {
            lexeme.split(":")[0] for lexeme in vector.split()
        }
        found = [h.document_id for h in search(conn, SearchQuery(text="nghi dinh 49"), None)]
        assert found == [doc]
        assert [h.document_id for h in search(conn, SearchQuery(text="THỦ TỤC"), None)] == [doc]
    warehouse.engine.dispose()


def test_sohoa_users_and_search_on_the_cli(tmp_path):
    from workers.cli import _register_commands, app

    _register_commands()
    runner = CliRunner()
    data = ["--data", str(tmp_path)]
    secret = tmp_path / "pw"
    secret.write_text("một mật khẩu đủ dài\n")
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "an",
            "--role",
            "clerk",
            "--agency",
            "000.17.22.H56",
            "--name",
            "Nguyễn An",
            "--password-file",
            str(secret),
            *data,
        ],
    )
    assert added.exit_code == 0, added.output
    again = runner.invoke(
        app,
        [
            "users",
            "add",
            "an",
            "--role",
            "clerk",
            "--agency",
            "000.17.22.H56",
            "--password-file",
            str(secret),
            *data,
        ],
    )
    assert again.exit_code != 0
    assert runner.invoke(app, ["users", "disable", "an", *data]).exit_code == 0
    listed = runner.invoke(app, ["users", "list", *data])
    assert "Nguyễn An" in listed.output and "False" in listed.output
    w = Warehouse.open(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    seed_dossier(
        w,
        open_store(f"file://{tmp_path / 'objects'}"),
        "000.17.22.H56",
        "000.17.22.H56-260301-0001",
        metadata=DECREE,
        text="",
    )
    found = runner.invoke(app, ["search", "nghi", "dinh", "49", *data])
    assert found.exit_code == 0 and "000.17.22.H56-260301-0001/quyet-dinh" in found.output
    assert "1 kết quả" in found.output
    assert runner.invoke(app, ["search", "thong", "tu", *data]).exit_code == 0  # found none: done


SPOKEN = (
    "pipeline/signatures/verify_words.py",
    "workers/cli/verify_print.py",
    "workers/cli/digitise.py",
    "workers/cli/desk.py",
)


def test_every_message_a_clerk_reads_has_its_vietnamese_and_the_mo_is_current():
    with (LOCALE / "vi/LC_MESSAGES/sohoa.po").open("rb") as handle:
        po = {m.id: m.string for m in read_po(handle) if m.id}
    with (LOCALE / "vi/LC_MESSAGES/sohoa.mo").open("rb") as handle:
        mo = {m.id: m.string for m in read_mo(handle) if m.id}
    assert mo == po, "run python -m workers.i18n after editing the .po"
    method_map = [("workers/desk/templates/**.html", "jinja2")]
    used = {m[2] for m in extract_from_dir(".", method_map=method_map)}
    for spoken in SPOKEN:  # the CLI's clerk-facing words: each _("...") of these modules
        with open(spoken, "rb") as handle:
            found = {m[2] for m in extract_python(handle, ["_"], [], {})}
        assert found, spoken
        used |= found
    used |= set(PHRASES)
    used |= set(REASONS.values()) | set(STATUSES) | set(ACTIONS.values()) | set(STEPS.values())
    missing = sorted(m for m in used if not po.get(m))
    assert missing == []
    assert translations("vi").gettext("quarantined") == "bị cách ly"
    assert translations("en").gettext("quarantined") == "quarantined"


def test_a_broad_question_is_ranked_among_its_newest_then_the_rest_follow(
    warehouse, tmp_path, monkeypatch
):
    import storage.search

    store = open_store(f"file://{tmp_path / 'objects'}")
    a = seed_dossier(
        warehouse,
        store,
        "000.17.22.H56",
        "000.17.22.H56-260301-0001",
        metadata=DECREE,
        text="nghị định",
    )
    b = seed_dossier(
        warehouse,
        store,
        "000.30.10.H10",
        "000.30.10.H10-260301-0002",
        metadata={},
        text="nghị định",
    )
    monkeypatch.setattr(storage.search, "RANKED", 1)
    with warehouse.transaction() as conn:
        found = [h.document_id for h in search(conn, SearchQuery(text="nghi dinh"), None)]
        mine = [
            h.document_id for h in search(conn, SearchQuery(text="nghi dinh"), {"000.17.22.H56"})
        ]
    assert found == [b[1], a[1]]  # the newest ranked, the older following: none is lost
    assert mine == [a[1]]  # outside the newest one, still found for its agency


def test_a_quarantine_reason_names_the_clerks_file_and_page_in_words():
    from workers.clerk_words import why_words

    vi, en = translations("vi").gettext, translations("en").gettext
    inputs = [
        {"name": "don.pdf", "quarantine_key": "quarantine/corrupt/x/don.pdf"},
        {"name": "to-khai.png", "refused": True, "page": 1, "quarantine_key": "q/to-khai.png"},
    ]
    assert why_words("corrupt", inputs, vi) == "to-khai.png: Tệp ảnh bị hỏng (không đọc được trang 1)"
    assert why_words("corrupt", inputs, en) == (
        "to-khai.png: The image file is damaged (page 1 cannot be read)"
    )
    scan = [{"name": "scan.pdf", "refused": True, "page": 3}]
    assert why_words("corrupt", scan, vi) == "scan.pdf: Tệp PDF bị hỏng (không đọc được trang 3)"
    assert why_words("too-large", scan, vi) == "scan.pdf: Tệp quá lớn (trang 3)"
    assert why_words("corrupt", [{"name": "a.png"}], vi) == "Tệp bị hỏng (không đọc được)"
    assert why_words("mystery", None, vi) == "mystery"


def test_the_signature_sentence_says_utc_for_a_time_claimed_at_another_offset():
    from pipeline.signatures.verify_words import clerk_summary
    from schemas.verification import Indication, SignatureReport

    hanoi = dt.timezone(dt.timedelta(hours=7))
    sig = SignatureReport(
        field_name="Signature1",
        indication=Indication.TOTAL_PASSED,
        intact=True,
        valid=True,
        trusted=True,
        coverage="ENTIRE_FILE",
        signer="Common Name: Nguyễn Văn A, Country: VN",
        trust_path=("Common Name: A", "Common Name: Root CA"),
        signing_time=dt.datetime(2026, 12, 7, 20, 12, tzinfo=hanoi),
        signing_time_source="claimed",
    )
    assert "on 2026-12-07 13:12 UTC (claimed by the signer)" in clerk_summary(sig)
    said = clerk_summary(sig, translations("vi").gettext)
    assert said.startswith("Không bị thay đổi kể từ khi ký; do Nguyễn Văn A ký lúc 2026-12-07 13:12")
    assert "người ký được tin cậy (chuỗi chứng thư đến Root CA)" in said
