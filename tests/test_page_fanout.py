"""One document's pages shared out across workers through a real Redis: in threads against the
module itself (errors and vanished helpers), and end to end with ``sohoa worker --processes 2``
(dramatiq, S3 on moto, PostgreSQL, Tesseract). Small pages, few of them."""

from __future__ import annotations

import json
import threading
import time

import pytest
import redis

from pipeline.reading.page import PageTask
from schemas.errors import CorruptInput, QueueUnavailable
from schemas.results import Sidecar
from schemas.settings import InputLimits, OcrSettings, Settings
from storage.page_board import PageBoard
from storage.places import open_store
from tests.distributed import AGENCY, deployment, drop_folder, page, wait_for_statuses
from tests.services import start_sohoa, stop_process
from workers.queue.page_fanout import PageFanOut, help_with_pages

TITLES = [f"Trang số {n}: về việc cấp phép xây dựng" for n in range(1, 7)]


@pytest.fixture
def shared(redis_url, queue_namespace, tmp_path):
    """Six stored one-page originals, their tasks, and a fan-out on the test Redis."""
    store = open_store(f"file://{tmp_path / 'objects'}")
    tasks = []
    for number, title in enumerate(TITLES):
        key = f"originals/{AGENCY}/2024/ho-so/{number:02d}.png"
        data = page(title, f"{number + 1:02d}")
        store.put(key, data)
        tasks.append(
            PageTask(
                f"p{number}.png", data, "png", 0, number, OcrSettings(), InputLimits(), origin=key
            )
        )
    client = redis.Redis.from_url(redis_url)
    asked: list[tuple[str, int]] = []
    fanout = PageFanOut(client, queue_namespace, lambda base, n: asked.append((base, n)))
    yield store, tasks, client, fanout, asked
    client.close()


def test_pages_nobody_helps_with_are_all_read_here_in_order(shared):
    _store, tasks, _client, fanout, asked = shared
    results = fanout.run(tasks)
    assert [r.page.index for r in results] == list(range(len(TITLES)))
    for result, title in zip(results, TITLES, strict=True):
        assert title in result.page.text and result.pdf.startswith(b"%PDF")
    assert len(asked) == 1 and asked[0][1] == len(TITLES) - 1


def _helper(client, store, base_box, read):
    while not base_box:
        time.sleep(0.01)
    read.append(help_with_pages(client, store, Settings(), base_box[0], lease_s=60))


def test_a_helper_reads_pages_in_parallel_and_they_come_back_in_order(shared, redis_url):
    store, tasks, _client, _fanout, _asked = shared
    base_box, read = [], []
    client = redis.Redis.from_url(redis_url)
    fanout = PageFanOut(_client, _fanout.namespace, lambda base, n: base_box.append(base))
    helper = threading.Thread(target=_helper, args=(client, store, base_box, read))
    helper.start()
    results = fanout.run(tasks)
    helper.join(timeout=120)
    assert [r.page.index for r in results] == list(range(len(TITLES)))
    for result, title in zip(results, TITLES, strict=True):
        assert title in result.page.text
    assert read and read[0] >= 1  # the helper read some pages, the dossier's thread the rest
    assert read[0] < len(TITLES)
    assert not list(client.scan_iter(f"{base_box[0]}:*"))  # nothing left behind in Redis


def test_an_error_met_by_a_helper_is_raised_here_as_the_same_error(shared):
    store, tasks, client, fanout, _asked = shared
    store.put("originals/x/2024/broken.png", b"\x89PNG\r\n\x1a\n truncated")
    # Read here, this page would be fine: only the helper sees the broken stored original.
    broken = PageTask(
        "broken.png", tasks[0].source, "png", 0, 9, OcrSettings(), InputLimits(),
        origin="originals/x/2024/broken.png",
    )  # fmt: skip
    helpers = []

    def ask(base: str, _n: int) -> None:  # a helper takes the first page before anyone else
        helper = threading.Thread(
            target=help_with_pages, args=(client, store, Settings(), base, 60)
        )
        helpers.append(helper)
        helper.start()
        while client.llen(f"{base}:todo") == len(tasks) + 1:
            time.sleep(0.01)

    fanout.ask_for_help = ask
    with pytest.raises(CorruptInput) as caught:
        fanout.run([broken, *tasks])
    assert caught.value.subject == "broken.png"
    helpers[0].join(timeout=120)


def test_a_page_whose_helper_died_is_read_here(shared):
    _store, tasks, client, fanout, _asked = shared

    def ask(base: str, _n: int) -> None:  # a helper takes page 2, then is killed
        taken = client.lrange(f"{base}:todo", 0, -1)[2]
        assert json.loads(taken)["number"] == 2
        client.lrem(f"{base}:todo", 1, taken)
        client.hset(f"{base}:doing", "2", time.time() - 1)  # its lease is already over

    fanout.ask_for_help = ask
    results = fanout.run(tasks)
    assert [r.page.index for r in results] == list(range(len(TITLES)))
    assert TITLES[2] in results[2].page.text


@pytest.fixture
def deploy(s3_place, postgres_url, redis_url, queue_namespace, tmp_path):
    return deployment(s3_place, postgres_url, redis_url, tmp_path / "data", queue_namespace)


@pytest.mark.contract
def test_redis_failing_under_a_shared_document_is_queue_unavailable(shared):
    """storage/page_board.py owns redis's errors: a refused connection comes out typed."""
    from tests.services import free_port

    _store, tasks, _client, fanout, _asked = shared
    fanout.client = redis.Redis(port=free_port(), socket_connect_timeout=1)
    with pytest.raises(QueueUnavailable, match="queue unreachable: ConnectionError"):
        fanout.run(tasks)
    board = PageBoard(fanout.client, "nowhere")
    with pytest.raises(QueueUnavailable):
        board.hold(1, time.time())
    board.clear([1])  # left to the keys' expiry, never raised


def test_two_worker_processes_share_the_pages_of_one_document(deploy, tmp_path):
    store, warehouse = deploy.store(), deploy.warehouse()
    files = {f"trang-{n + 1:02d}.png": page(t, f"{n + 1:02d}") for n, t in enumerate(TITLES * 2)}
    manifest = {
        "dossier_code": f"{AGENCY}-240315-0007",
        "agency": AGENCY,
        "received_date": "2024-03-15",
        "documents": [{"name": "ho-so-dai", "files": sorted(files)}],
    }
    drop_folder(store, "ho-so-dai", files, manifest)
    worker = start_sohoa(["worker", "--processes", "2"], deploy.env(), tmp_path / "w.log")
    watcher = start_sohoa(["watch"], deploy.env(), tmp_path / "watch.log")
    try:
        wait_for_statuses(warehouse, {f"{AGENCY}-240315-0007": "digitised"}, timeout=300)
    finally:
        stop_process(watcher)
        stop_process(worker)
    log = (tmp_path / "w.log").read_text()
    assert "Traceback" not in log, log
    (sidecar_key,) = [k for k in store.list("results/") if k.endswith(".json")]
    sidecar = Sidecar.model_validate_json(store.get(sidecar_key))
    assert [p.index for p in sidecar.pages] == list(range(len(files)))
    for read, title in zip(sidecar.pages, TITLES * 2, strict=True):
        assert title in read.text
    readers = {p.read_by for p in sidecar.pages}
    assert len(readers) == 2, readers  # both worker processes read pages of this one document
