"""A component recorded as reused (indicator 4.3) must name a digitised document the warehouse
holds; a manifest alone claims nothing."""

from __future__ import annotations

import json

from schemas.settings import load_settings
from storage.indicator_facts import load_facts
from storage.places import open_store
from storage.warehouse import Warehouse
from workers.intake.folder import dossiers_from_paths
from workers.job.context import JobContext
from workers.job.dossier import digitise_dossier
from workers.queue.runtime import run_pages_inline
from workers.signing.process_key import open_signing_key

AGENCY = "000.17.22.H56"
EARLIER = "000.17.22.H56-230101-0009"


def test_reuse_is_recorded_only_when_the_warehouse_holds_the_source(tmp_path):
    settings = load_settings({}, data=tmp_path / "data")
    warehouse = Warehouse.open(settings.resolved_warehouse_url)
    earlier = warehouse.ensure_dossier(AGENCY, EARLIER, source="earlier")
    key = f"results/{AGENCY}/2023/{EARLIER}/cccd.v1.pdf"
    for name, status in (("cccd", "digitised"), ("giay-khai-sinh", "quarantined")):
        warehouse.record_document(
            earlier,
            name=name,
            input_sha256=name.ljust(64, "0"),
            pipeline_version="1",
            inputs=[],
            status=status,
            result_key=key if status == "digitised" else None,
            result_version=1 if status == "digitised" else None,
        )
    folder = tmp_path / "ho-so"
    folder.mkdir()
    claims = {
        "by-name": f"{EARLIER}/cccd",
        "by-key": key,
        "traversal": "../../../etc/passwd",
        "not-digitised": f"{EARLIER}/giay-khai-sinh",
        "unknown": f"{EARLIER}/ho-chieu",
    }
    documents = [{"name": n, "reused": True, "reused_from": r} for n, r in claims.items()]
    documents.append({"name": "no-source", "reused": True})
    (folder / "scan.png").write_bytes(b"\x89PNG not read: refused before it is inspected")
    documents.append(
        {"name": "scanned", "files": ["scan.png"], "reused": True, "reused_from": "x/y"}
    )
    manifest = {"dossier_code": "000.17.22.H56-240315-0001", "agency": AGENCY}
    (folder / "manifest.json").write_text(json.dumps(manifest | {"documents": documents}))
    signing = open_signing_key(settings)
    store = open_store(settings.resolved_store_url, settings.s3)
    ctx = JobContext(
        settings, store, warehouse, signing.signer, signing.trust_roots, run_pages_inline
    )
    (dossier,) = dossiers_from_paths([folder], settings)
    outcomes = {o.document: o for o in digitise_dossier(dossier, ctx)}
    assert {n: o.status for n, o in outcomes.items()} == {
        "by-name": "reused",
        "by-key": "reused",
        "traversal": "quarantined",
        "not-digitised": "quarantined",
        "unknown": "quarantined",
        "no-source": "quarantined",
        "scanned": "quarantined",
    }
    (kept,) = outcomes["scanned"].quarantine_keys  # its bytes are kept, with the reason
    assert store.get(kept) == (folder / "scan.png").read_bytes()
    refused = outcomes["traversal"]
    assert refused.reason == "invalid-manifest"
    assert (
        "../../../etc/passwd" in refused.message
        and "names no digitised document" in refused.message
    )
    facts = {f.code: f for f in load_facts(warehouse)}["000.17.22.H56-240315-0001"]
    assert facts.components_reused == 2
