"""The intake watcher over file:// and s3:// (moto), its ledger in a real warehouse; a stub
sender records what would be enqueued (workers tests with real processes are elsewhere).
Stability waits run on an injected clock, never on the wall clock."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from schemas.errors import QueueUnavailable
from schemas.settings import WatchSettings
from storage.intake_ledger import IntakeLedger
from storage.places import open_store
from storage.s3_events import keys_in_event
from storage.warehouse import Warehouse
from tests.services import make_s3_place, wait_until
from tests.test_s3_store import MINIO_EVENT
from workers.intake.bucket import unit_of
from workers.intake.watcher import Watcher, unit_states

A = "000.17.22.H56"


@pytest.fixture(params=["file", "s3"])
def store(request, tmp_path):
    if request.param == "file":
        return open_store(f"file://{tmp_path / 'objects'}")
    return make_s3_place(request.getfixturevalue("moto_server").endpoint, tmp_path).store()


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2024, 3, 15, 8, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def ledger(tmp_path):
    return IntakeLedger(Warehouse.open(f"sqlite:///{tmp_path / 'w.sqlite'}"))


def watcher(store, ledger, sent, clock, stable_s=30.0, list_interval_s=5.0):
    def send(payload):
        sent.append(payload["unit"])
        return f"msg-{len(sent)}"

    settings = WatchSettings(stable_s=stable_s, list_interval_s=list_interval_s)
    return Watcher(store, ledger, send, settings, clock=clock)


def test_a_folder_is_sent_when_its_manifest_lands_and_only_once(store, ledger):
    sent, clock = [], Clock()
    w = watcher(store, ledger, sent, clock)
    store.put(f"intake/{A}/ho-so-1/trang-1.png", b"page")
    assert w.scan() == []  # no manifest yet, and not still long enough
    store.put(f"intake/{A}/ho-so-1/manifest.json", b"{}")
    assert w.scan() == [f"intake/{A}/ho-so-1/"]
    assert w.scan() == []
    restarted = watcher(store, ledger, sent, clock)  # a new process, the same ledger
    assert restarted.scan() == []
    assert sent == [f"intake/{A}/ho-so-1/"]


def test_a_lone_file_waits_until_it_has_been_still(store, ledger):
    sent, clock = [], Clock()
    w = watcher(store, ledger, sent, clock)
    key = f"intake/{A}/giay-phep.pdf"
    store.put(key, b"%PDF part one")
    assert w.scan() == [] and w.waiting
    clock.advance(20)
    store.put(key, b"%PDF part one, part two")  # still uploading: the wait starts again
    assert w.scan() == []
    clock.advance(20)
    assert w.scan() == []
    clock.advance(15)
    assert w.scan() == [key] and not w.waiting
    clock.advance(3600)
    assert w.scan() == []


def test_a_folder_without_manifest_waits_for_its_whole_listing(store, ledger):
    sent, clock = [], Clock()
    w = watcher(store, ledger, sent, clock)
    store.put(f"intake/{A}/ho-so-2/a.png", b"a")
    w.scan()
    clock.advance(25)
    store.put(f"intake/{A}/ho-so-2/b.png", b"b")  # the folder changed
    assert w.scan() == []
    clock.advance(29)
    assert w.scan() == []
    clock.advance(2)
    assert w.scan() == [f"intake/{A}/ho-so-2/"]


def test_a_new_version_is_sent_again(store, ledger):
    sent, clock = [], Clock()
    w = watcher(store, ledger, sent, clock, stable_s=0)
    key = f"intake/{A}/to-khai.png"
    store.put(key, b"one")
    assert w.scan() == [key]
    store.delete(key)  # the worker removed it
    assert w.scan() == []
    clock.advance(1)
    # Dropped again: a new object version. (Without bucket versioning S3 tells versions by
    # ETag and a Last-Modified of whole seconds; a real re-drop comes seconds later, the
    # same bytes included, as tests/test_faults.py shows. Here: other bytes, no waiting.)
    store.put(key, b"one, corrected")
    assert w.scan() == [key]
    assert sent == [key, key]


def test_an_interrupted_send_is_sent_on_the_next_look(store, ledger):
    clock = Clock()
    calls = []

    def broken(payload):
        calls.append(payload)
        raise QueueUnavailable("redis down")

    settings = WatchSettings(stable_s=0, list_interval_s=5)
    store.put(f"intake/{A}/a.png", b"a")
    with pytest.raises(QueueUnavailable):
        Watcher(store, ledger, broken, settings, clock=clock).scan()
    sent = []
    assert watcher(store, ledger, sent, clock, stable_s=0).scan() == [f"intake/{A}/a.png"]
    assert len(calls) == 1 and len(sent) == 1


def test_notified_keys_are_looked_at_without_a_listing(store, ledger):
    sent, clock = [], Clock()
    w = watcher(store, ledger, sent, clock)
    store.put(f"intake/{A}/ho-so-1/trang-1.png", b"page")
    store.put(f"intake/{A}/ho-so-1/manifest.json", b"{}")
    keys = keys_in_event(MINIO_EVENT, {"sohoa-intake": "intake"})
    assert w.check([unit_of(k) for k in keys], "notification") == [f"intake/{A}/ho-so-1/"]


def test_units_and_their_versions():
    from storage.objects import ObjectInfo

    at = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    infos = [
        ObjectInfo(f"intake/{A}/x.png", 1, "e1", at),
        ObjectInfo(f"intake/{A}/f/manifest.json", 1, "e2", at, "v9"),
        ObjectInfo(f"intake/{A}/f/p.png", 1, "e3", at),
        ObjectInfo(f"intake/{A}/g/sub/p.png", 1, "e4", at),
        ObjectInfo("intake/stray.png", 1, "e5", at),
        ObjectInfo("results/x.pdf", 1, "e6", at),
    ]
    states = unit_states(infos)
    assert sorted(states) == [
        f"intake/{A}/f/",
        f"intake/{A}/g/",
        f"intake/{A}/x.png",
        "intake/stray.png",
    ]
    assert states[f"intake/{A}/f/"].version == "manifest:v9"
    assert not states[f"intake/{A}/f/"].needs_stability
    assert states[f"intake/{A}/g/"].needs_stability
    assert unit_of(f"intake/{A}/") is None and unit_of(f"intake/{A}/f/") == f"intake/{A}/f/"


def test_run_until_stopped(store, ledger):
    sent, clock = [], Clock()
    w = watcher(store, ledger, sent, clock, stable_s=0, list_interval_s=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=w.run, args=(stop,))
    thread.start()
    try:
        store.put(f"intake/{A}/ho-so-3/manifest.json", b"{}")
        wait_until(lambda: sent, timeout=30, what="the watcher to send")
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert sent == [f"intake/{A}/ho-so-3/"]


def test_the_watch_command_sends_to_the_queue_and_counts(
    s3_place, postgres_url, redis_url, queue_namespace, tmp_path
):
    import urllib.request

    from storage.queue import DossierQueue
    from tests.distributed import deployment
    from tests.services import free_port, start_sohoa, stop_process

    deploy = deployment(s3_place, postgres_url, redis_url, tmp_path / "data", queue_namespace)
    port = free_port()
    env = deploy.env(SOHOA_METRICS__PORT=str(port), SOHOA_WATCH__LIST_INTERVAL_S="1")
    store, queue = deploy.store(), DossierQueue.open(deploy.settings().queue)
    store.put(f"intake/{A}/ho-so-4/manifest.json", b"{}")
    watch = start_sohoa(["watch"], env, tmp_path / "watch.log")
    try:
        wait_until(lambda: queue.depth()[("dossiers", "ready")] == 1, timeout=60, what="a message")

        def scrape():
            """The metrics once the send is counted (the watcher counts it just after the
            message is in the queue and the ledger says so: a scrape can fall in between)."""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                    text = r.read().decode()
            except OSError:
                return None
            return text if "sohoa_intake_enqueued_total{" in text else None

        text = wait_until(scrape, timeout=30, what="metrics counting the send")
    finally:
        stop_process(watch)
    assert 'sohoa_intake_enqueued_total{trigger="listing"} 1.0' in text
    assert 'sohoa_queue_depth{queue="dossiers",state="ready"} 1.0' in text
    assert 'sohoa_queue_depth{queue="dossiers-pages",state="dead"} 0.0' in text
    assert "offers no notifications; listing only" in (tmp_path / "watch.log").read_text()


def test_a_unit_whose_message_was_lost_is_sent_again_once(store, ledger):
    """Sent, then quiet for longer than reconcile_after_s: sent again only when its message
    is in no queue and its dossier is not done; by one of two watchers."""
    sent, queued, clock = [], [], Clock()
    clock.now = dt.datetime.now(dt.UTC)  # the warehouse stamps its rows with the real time

    def send(payload):
        sent.append(payload["unit"])
        return f"msg-{len(sent)}"

    settings = WatchSettings(stable_s=0, list_interval_s=5, reconcile_after_s=600)
    w1, w2 = (
        Watcher(store, ledger, send, settings, clock=clock, queued=lambda: queued) for _ in range(2)
    )
    lost, done = f"intake/{A}/ho-so-1/", f"intake/{A}/ho-so-2/"
    for unit in (lost, done):
        store.put(unit + "manifest.json", b"{}")
    assert sorted(w1.scan()) == [lost, done]
    warehouse = ledger.warehouse
    dossier = warehouse.ensure_dossier(A, "ho-so-1", source=lost)
    warehouse.set_dossier_status(dossier, "retrying")
    other = warehouse.ensure_dossier(A, "ho-so-2", source=done)
    warehouse.set_dossier_status(other, "digitised")  # and its intake kept (changed meanwhile)
    queued.append({"unit": lost})
    clock.advance(599)
    assert w1.scan() == []  # not quiet long enough
    clock.advance(2)
    assert w1.scan() == []  # quiet, but its message is still in the queue
    queued.clear()  # Redis lost it
    assert w1.scan() == [lost]
    assert w2.scan() == []  # the first watcher sent it again; its clock starts anew
    assert sent == [lost, done, lost] or sent == [done, lost, lost]
    assert ledger.states() == {(lost, "manifest:" + _version(store, lost)): "enqueued"} | {
        (done, "manifest:" + _version(store, done)): "enqueued"
    }


def _version(store, unit: str) -> str:
    (info,) = [i for i in store.scan(unit) if i.key.endswith("manifest.json")]
    return info.version
