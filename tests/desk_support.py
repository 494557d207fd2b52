"""A desk over a real embedded warehouse and store, with dossiers of two agencies recorded as
the job records them, and the accounts that look at them."""

from __future__ import annotations

import datetime as dt
import json
import re

from schemas.settings import load_settings
from storage import places
from storage.object_keys import result_key, sidecar_key
from storage.users import add_user

AGENCY_A = "000.17.22.H56"
AGENCY_A_CHILD = "000.17.22.H57"
AGENCY_B = "000.30.10.H10"
PASSWORD = "mật khẩu dài 123"
DECREE = {
    "type_name": "NGHỊ ĐỊNH",
    "code_number": "49",
    "code_notation": "2026/NĐ-CP",
    "issued_date": "2026-02-05",
    "subject": "Quy định chi tiết về số hóa hồ sơ thủ tục hành chính",
    "organ_name": "CHÍNH PHỦ",
    "confidence": {"type_name": 0.95, "subject": 0.8},
}


def settings_in(data, **env):
    return load_settings({"SOHOA_DATA": str(data), **env})


def seed_dossier(warehouse, store, agency, code, *, metadata=None, text="", status="digitised"):
    """A dossier with one document, its result PDF, sidecar and original stored."""
    dossier_id = warehouse.ensure_dossier(agency, code, source=f"intake/{agency}/{code}/")
    sha = re.sub(r"\W", "", code).lower().ljust(64, "0")[:64]
    original = f"originals/{agency}/2026/{code}/{sha}.pdf"
    store.put(original, b"%PDF-1.4 original of " + code.encode())
    values = dict(name="quyet-dinh", input_sha256=sha, pipeline_version="1", status=status)
    if status == "digitised":
        key = result_key(agency, 2026, code, "quyet-dinh", 1)
        store.put(key, b"%PDF-1.7 signed result of " + code.encode())
        pages = [{"index": 0, "text": text, "mean_confidence": 91.0}]
        store.put(sidecar_key(key), json.dumps({"pages": pages}).encode())
        values.update(result_key=key, result_version=1, page_count=1, mean_confidence=91.0)
        values.update(metadata=metadata or {}, search_text=text)
        values.update(
            inputs=[{"name": "scan.pdf", "sha256": sha, "size": 10, "original_key": original}]
        )
    else:
        quarantined = f"quarantine/corrupt/{agency}/{code}/scan.png"
        store.put(quarantined, b"not a png")
        values.update(error_reason="corrupt", error="scan.png: cannot identify image file")
        values.update(
            inputs=[{"name": "scan.png", "sha256": sha, "size": 9, "quarantine_key": quarantined}]
        )
    document_id = warehouse.record_document(dossier_id, **values)
    warehouse.set_dossier_status(dossier_id, status)
    warehouse.add_event(dossier_id, "job", status, document_id=document_id)
    return dossier_id, document_id


def seeded_desk(data):
    """Settings, warehouse, store, and the ids of A's and B's dossiers and documents."""
    settings = settings_in(data)
    warehouse, store = places.warehouse(settings), places.store(settings)
    a = seed_dossier(
        warehouse,
        store,
        AGENCY_A,
        "000.17.22.H56-260301-0001",
        metadata=DECREE,
        text="Căn cứ Luật Tổ chức Chính phủ. Nghị định 49/2026/NĐ-CP quy định",
    )
    b = seed_dossier(
        warehouse,
        store,
        AGENCY_B,
        "000.30.10.H10-260301-0002",
        metadata=DECREE,
        text="Nghị định 49/2026/NĐ-CP của tỉnh khác",
    )
    qa = seed_dossier(warehouse, store, AGENCY_A, "000.17.22.H56-260302-0003", status="quarantined")
    qb = seed_dossier(warehouse, store, AGENCY_B, "000.30.10.H10-260302-0004", status="quarantined")
    add_user(warehouse, "clerk-a", "Nguyễn Văn An", "clerk", AGENCY_A, PASSWORD)
    add_user(warehouse, "clerk-b", "Trần Thị Bình", "clerk", AGENCY_B, PASSWORD)
    add_user(warehouse, "admin", "Quản trị", "admin", AGENCY_A, PASSWORD)
    return settings, warehouse, store, {"a": a, "b": b, "qa": qa, "qb": qb}


def log_in(client, username, password=PASSWORD):
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token},
        follow_redirects=False,
    )
    return answer, token


def csrf_of(client, path="/dossiers"):
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def at(days: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, 1, tzinfo=dt.UTC) + dt.timedelta(days=days)
