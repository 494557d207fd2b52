"""Each test is of one kind, marked at collection (``pytest -m unit``; ``scripts/test.sh --fast``):

- ``unit``: pure code, in this process: no other process, no socket, no database file. Fast.
- ``contract``: one adapter against its real backend: the object stores (a folder, S3 on moto),
  the warehouses (SQLite, PostgreSQL), the queue (Redis), the signer against the certomancer
  test PKI served on loopback, a PKCS#11 token, Tesseract and the PDF tools on small inputs.
- ``e2e``: the ``sohoa`` command as a process, workers, Tesseract on whole pages, a browser.

The kind comes from, first to last: a ``pytestmark``/decorator in the test module; the tables
below; the fixtures a test takes (a real service makes it a contract test); else ``unit``.
A unit test that starts a process, connects a socket or opens SQLite fails, naming what it did:
the split cannot drift from the truth.
"""

from __future__ import annotations

import sys
import threading

import pytest

KINDS = ("unit", "contract", "e2e")
EVERY = "*"
# fixtures that start or reach a real service
SERVICE_FIXTURES = {
    "moto_server",
    "postgres_admin_url",
    "postgres_url",
    "queue_namespace",
    "redis_base_url",
    "redis_url",
    "s3_place",
    "served_pki",
}
# module -> EVERY or the names of its end-to-end tests
E2E: dict[str, str | set[str]] = {
    "test_audit_fixity": EVERY,
    "test_clerk_words": EVERY,
    "test_conformance_intake": EVERY,
    "test_desk_browser": EVERY,
    "test_digitise_e2e": EVERY,
    "test_duplicates": EVERY,
    "test_faults": EVERY,
    "test_hostile_inputs": EVERY,
    "test_malloc": EVERY,
    "test_outages": EVERY,
    "test_own_failures": EVERY,
    "test_quarantine_keys": EVERY,
    "test_page_fanout": EVERY,
    "test_reading_real": EVERY,
    "test_received_dates": EVERY,
    "test_redigitise": EVERY,
    "test_report_cli": EVERY,
    "test_report_html": EVERY,
    "test_samples_e2e": EVERY,
    "test_signed_inputs": EVERY,
    "test_worker": EVERY,
    "test_error_classes": {
        "test_the_command_line_exits_70_on_a_bug_and_1_on_an_outage",
        "test_ctrl_c_exits_130",
    },
    "test_eval": {
        "test_eval_prints_every_split",
        "test_floors_on_a_small_generated_set",
        "test_truth_of_the_set_loads",
    },
    "test_hostile_pdf": {
        "test_the_signed_result_carries_no_active_content",
        "test_verify_warns_about_active_content_in_any_file",
    },
    "test_ocr_resolution": {
        "test_page_is_stored_at_its_own_resolution",
        "test_word_boxes_and_text_layer_sit_on_the_scan",
        "test_layer_text_is_the_page_text",
        "test_a_turned_skewed_scan_is_drawn_upright_without_resampling",
        "test_every_word_of_the_layer_sits_on_ink_of_the_drawn_scan",
    },
    "test_ocr_text_layer": {
        "test_pypdf_reads_the_ocr_text_in_its_order",
        "test_pdftotext_raw_reads_the_ocr_text_in_its_order",
        "test_pdftotext_layout_mode_has_every_word",
        "test_a_phrase_with_diacritics_is_found",
        "test_the_number_line_is_found_as_printed",
    },
    "test_personal_data": {"test_verify_masks_identifiers_in_file_names"},
    "test_pki_signing": {"test_digitise_signs_an_agency_at_its_own_level"},
    "test_reading_layout": {
        "test_a_page_read_across_its_blocks_is_read_again_by_zones",
        "test_the_real_signer_block_is_read_after_the_recipients",
        "test_header_blocks_and_signer_block_stay_whole",
        "test_page_text_is_nfc_with_a_confidence_per_word",
        "test_the_reading_tesseract_is_surer_of_wins",
        "test_a_page_of_one_column_is_read_as_plain_tesseract_reads_it",
        "test_a_signing_authority_crowded_by_the_seal_is_read_by_its_zone",
    },
    "test_samples": {"test_a_clean_page_is_readable_by_tesseract"},
}
# module -> EVERY or the names of its contract tests (beyond those that take a service fixture)
CONTRACT: dict[str, str | set[str]] = {
    "test_assemble": {  # qpdf
        "test_pages_come_in_the_order_given_with_the_metadata",
        "test_a_page_file_that_is_not_a_pdf_is_corrupt_input",
    },
    "test_audit_check": EVERY,  # both warehouses
    "test_bucket_intake": EVERY,  # file:// and s3://
    "test_claims": EVERY,
    "test_desk": EVERY,  # an embedded warehouse and store
    "test_desk_audit": EVERY,  # both warehouses
    "test_desk_search": EVERY,
    "test_local_inputs": {  # the file store and SQLite
        "test_local_files_are_read_from_disk_when_needed",
        "test_a_file_rewritten_while_digitised_fails_and_nothing_is_stored",
    },
    "test_pkcs11": EVERY,  # SoftHSM2
    "test_pki": EVERY,
    "test_pool": EVERY,  # the page process pool, with its processes
    "test_reuse": EVERY,
    "test_s3_store": EVERY,
    "test_warehouse": EVERY,
    "test_watch": EVERY,
    "test_error_classes": {
        "test_a_typod_column_is_a_bug_not_an_outage",
        "test_a_broken_constraint_is_a_bug",
        "test_a_refused_connection_is_retryable",
        "test_a_serialisation_failure_is_retryable",
        "test_a_busy_sqlite_file_is_retryable_a_missing_table_is_not",
    },
    "test_personal_data": {
        "test_the_embedded_warehouse_is_private",
        "test_an_existing_readable_warehouse_is_made_private",
    },
    "test_extract": {"test_a_real_decree_gives_every_field"},  # pdftotext on decree 49
    "test_reading_layout": {"test_a_real_paragraph_is_never_left_out"},  # pdftoppm
    "test_signing": {  # pdfsig and openssl agree with our signer
        "test_pdfsig_says_signature_is_valid",
        "test_pdfsig_notices_a_broken_digest",
        "test_openssl_cms_verifies_the_extracted_signature",
    },
}

# module -> the names of its pure tests, in a module otherwise listed as a whole above
UNIT: dict[str, set[str]] = {
    "test_bucket_intake": {"test_identify_from_the_layout"},
    "test_desk_search": {
        "test_fold_takes_diacritics_and_d_bar_away",
        "test_every_message_a_clerk_reads_has_its_vietnamese_and_the_mo_is_current",
        "test_a_quarantine_reason_names_the_clerks_file_and_page_in_words",
        "test_the_signature_sentence_says_utc_for_a_time_claimed_at_another_offset",
    },
    "test_s3_store": {
        "test_credentials_come_from_files_only",
        "test_minio_event_records_name_our_keys",
    },
    "test_watch": {"test_units_and_their_versions"},
}


def _listed(table: dict[str, str | set[str]], module: str, name: str) -> bool:
    names = table.get(module, ())
    return names == EVERY or name in names


def kind_of(item: pytest.Item) -> str:
    explicit = [m.name for m in item.iter_markers() if m.name in KINDS]
    if explicit:
        return explicit[0]
    module = item.path.stem
    name = getattr(item, "originalname", item.name)
    if name in UNIT.get(module, ()):
        return "unit"
    if _listed(E2E, module, name) or item.get_closest_marker("slow"):
        return "e2e"
    if SERVICE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "contract"
    if _listed(CONTRACT, module, name):
        return "contract"
    return "unit"


def pytest_ignore_collect(collection_path, config: pytest.Config) -> bool | None:
    """``-m unit`` does not even import a module none of whose tests is a unit test."""
    if config.getoption("markexpr", "") != "unit" or collection_path.suffix != ".py":
        return None
    stem = collection_path.stem
    whole = E2E.get(stem) == EVERY or CONTRACT.get(stem) == EVERY
    return True if whole and not UNIT.get(stem) else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        kind = kind_of(item)
        if not item.get_closest_marker(kind):
            item.add_marker(kind)


# -- the guard: a unit test stays in this process, off the network and off the database ---------

_FORBIDDEN = ("subprocess.Popen", "os.system", "os.posix_spawn", "os.fork", "os.exec", "os.spawn")
_FORBIDDEN += ("socket.connect", "sqlite3.connect")


class _Guard:
    def __init__(self) -> None:
        self.watching: int | None = None  # the thread running a unit test
        self.seen: list[str] = []

    def __call__(self, event: str, args: tuple) -> None:
        if self.watching is None or threading.get_ident() != self.watching:
            return
        if event.startswith(_FORBIDDEN):
            self.seen.append("%s %r" % (event, args[:2]))


_GUARD = _Guard()
sys.addaudithook(_GUARD)


def _guarded(item: pytest.Item):
    if not item.get_closest_marker("unit"):
        return (yield)
    _GUARD.watching, _GUARD.seen = threading.get_ident(), []
    try:
        result = yield
    finally:
        _GUARD.watching = None
    if _GUARD.seen:
        pytest.fail(
            "a unit test must stay in this process (tests/kinds.py): it did %s; mark it contract "
            "or e2e" % "; ".join(_GUARD.seen[:3]),
            pytrace=False,
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    return (yield from _guarded(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    return (yield from _guarded(item))


# -- no skips: a part a test needs that is missing is a failure, never a quiet pass ---------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = "skipped (%s): the suite does not skip (tests/kinds.py)" % reason
    return report
