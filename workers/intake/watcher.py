"""The intake watcher: notices what clerks drop into the intake bucket and enqueues each
dossier once it is complete.

    intake/<agency>/<folder>/...   ready when its manifest.json lands
                                   (no manifest: when the whole listing has been still for
                                   ``stable_s``)
    intake/<agency>/<file>         ready when its size and ETag have been still for ``stable_s``

Two ways in, one decision: MinIO's bucket notifications, when the server offers them, say
early which units to look at; a full listing every ``list_interval_s`` is the safety net and
the only way on servers without notifications. Each (unit, version) is recorded in the
warehouse (storage/intake_ledger.py) before it is sent, so a version is enqueued once and a
restarted watcher does not enqueue everything again. Service outages are logged and waited
out; the watcher itself never dies of one.

Reconciliation: a unit sent whose dossier has not moved for ``reconcile_after_s`` (no status
change, no stage event, or no dossier at all), that is still in the intake, and whose message is
in no queue (a Redis that lost its data), is sent again. A dossier that is digitised,
quarantined or failed is never sent again here (``sohoa redigitise`` re-runs a failed one).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from schemas.errors import InvalidObjectKey, RetryableError
from schemas.messages import IntakeMessage
from schemas.settings import WatchSettings
from schemas.states import DossierStatus
from storage.dossier_states import dossiers_of_units
from storage.intake_ledger import IntakeLedger, UnitVersion
from storage.object_keys import validate_key
from storage.objects import ObjectInfo, ObjectStore
from workers.intake.bucket import INTAKE, MANIFEST, unit_of

log = logging.getLogger(__name__)

STILL_RUNNING = (None, *(s for s in DossierStatus if not s.final))  # None: no dossier yet
RESENDING = "resending"  # the ledger's message id while a lost message is sent again


@dataclass(frozen=True)
class UnitState:
    unit: str
    version: str
    needs_stability: bool


def unit_states(infos: Iterable[ObjectInfo]) -> dict[str, UnitState]:
    """What each intake unit is now: the version that would make it ready, and whether it
    must first stay still."""
    grouped: dict[str, list[ObjectInfo]] = {}
    for info in infos:
        unit = unit_of(info.key)
        if unit is not None:
            grouped.setdefault(unit, []).append(info)
    states = {}
    for unit, members in grouped.items():
        if not unit.endswith("/"):
            states[unit] = UnitState(unit, members[0].version, True)
            continue
        manifest = next((i for i in members if i.key == unit + MANIFEST), None)
        if manifest is not None:
            states[unit] = UnitState(unit, f"manifest:{manifest.version}", False)
            continue
        listing = "\n".join(f"{i.key} {i.version}" for i in sorted(members, key=lambda i: i.key))
        digest = hashlib.sha256(listing.encode()).hexdigest()[:40]
        states[unit] = UnitState(unit, f"listing:{digest}", True)
    return states


class Watcher:
    def __init__(
        self,
        store: ObjectStore,
        ledger: IntakeLedger,
        send: Callable[[dict[str, Any]], str],
        settings: WatchSettings,
        *,
        on_sent: Callable[[str, str], None] = lambda unit, trigger: None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        queued: Callable[[], Iterable[dict[str, Any]]] | None = None,
    ) -> None:
        """``queued``: the payloads of the messages still in the queue (DossierQueue.payloads);
        without it nothing is ever sent again."""
        self.store, self.ledger, self.send, self.settings = store, ledger, send, settings
        self.on_sent, self.clock, self.queued = on_sent, clock, queued
        self.waiting: dict[str, float] = {}  # unit -> monotonic time to look again

    def scan(self, trigger: str = "listing") -> list[str]:
        """Look at the whole intake; returns the units sent."""
        states = unit_states(self.store.scan(INTAKE))
        sent = self._decide(states.values(), trigger)
        self.ledger.forget_waiting({(s.unit, s.version) for s in states.values()})
        return sent

    def check(self, units: Iterable[str], trigger: str) -> list[str]:
        """Look at some units only (a notification named them, or their wait is over)."""
        states = []
        for unit in set(units):
            found = unit_states(self.store.scan(unit)).get(unit)
            if found is not None:
                states.append(found)
        return self._decide(states, trigger)

    def _decide(self, states: Iterable[UnitState], trigger: str) -> list[str]:
        sent: list[str] = []
        quiet: list[UnitVersion] = []  # sent long ago: lost on the way?
        now = self.clock()
        cutoff = now - dt.timedelta(seconds=self.settings.reconcile_after_s)
        for state in states:
            try:
                validate_key(state.unit.rstrip("/"))
            except InvalidObjectKey:
                log.warning("intake: ignoring an object with an invalid key")
                continue
            seen = self.ledger.observe(state.unit, state.version, now)
            if seen.state == "enqueued":
                self.waiting.pop(state.unit, None)
                if seen.enqueued_at is not None and seen.enqueued_at < cutoff:
                    quiet.append(seen)
                continue
            still = (now - seen.first_seen_at).total_seconds()
            if state.needs_stability and still < self.settings.stable_s:
                self.waiting[state.unit] = time.monotonic() + self.settings.stable_s - still
                continue
            if seen.state == "waiting" and not self.ledger.mark_ready(state.unit, state.version):
                continue  # another watcher took it
            message = IntakeMessage(unit=state.unit, version=state.version)
            message_id = self.send(message.model_dump())
            self.ledger.mark_enqueued(state.unit, state.version, message_id, self.clock())
            self.waiting.pop(state.unit, None)
            self.on_sent(state.unit, trigger)
            log.info("intake: %s sent (%s)", state.unit, trigger)
            sent.append(state.unit)
        return sent + self._send_lost(quiet, cutoff)

    def _send_lost(self, quiet: list[UnitVersion], cutoff: dt.datetime) -> list[str]:
        """Send again the quiet units whose dossier has not moved since ``cutoff`` and whose
        message is in no queue."""
        if not quiet or self.queued is None:
            return []
        found = dossiers_of_units(self.ledger.warehouse, [seen.unit for seen in quiet])
        stuck = []
        for seen in quiet:
            dossier = found.get(seen.unit)
            status = dossier.status if dossier else None
            if status in STILL_RUNNING and (dossier is None or dossier.moved_at < cutoff):
                stuck.append(seen)
        if not stuck:
            return []
        in_queue = {p.get("unit") for p in self.queued()}
        sent = []
        for seen in stuck:
            if seen.unit in in_queue or not self.ledger.resend(seen, RESENDING, self.clock()):
                continue
            message = IntakeMessage(unit=seen.unit, version=seen.version)
            message_id = self.send(message.model_dump())
            self.ledger.resend(
                dataclasses.replace(seen, message_id=RESENDING), message_id, self.clock()
            )
            self.on_sent(seen.unit, "lost")
            log.warning(
                "intake: %s sent again: its dossier has not moved for %.0f s and its message "
                "is in no queue",
                seen.unit,
                self.settings.reconcile_after_s,
            )
            sent.append(seen.unit)
        return sent

    def due(self) -> list[str]:
        now = time.monotonic()
        return [unit for unit, at in self.waiting.items() if at <= now]

    def run(self, stop: threading.Event) -> None:
        """Until ``stop`` is set: notifications if offered, listings always."""
        events: queue.Queue[str] = queue.Queue()
        if self.settings.notifications and hasattr(self.store, "notifications"):
            threading.Thread(
                target=self._listen, args=(events, stop), name="notifications", daemon=True
            ).start()
        next_listing, backoff = 0.0, 1.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_listing:
                    self.scan("listing")
                    next_listing = time.monotonic() + self.settings.list_interval_s
                units = self._drain(events, timeout=min(1.0, self.settings.list_interval_s))
                if units:
                    self.check(units, "notification")
                if self.due():
                    self.check(self.due(), "stable")
                backoff = 1.0
            except RetryableError as exc:
                log.warning("intake watcher: %s; again in %.0f s", exc, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, self.settings.list_interval_s)

    @staticmethod
    def _drain(events: queue.Queue[str], timeout: float) -> set[str]:
        units = set()
        try:
            key = events.get(timeout=timeout)
            while True:
                unit = unit_of(key)
                if unit is not None:
                    units.add(unit)
                key = events.get_nowait()
        except queue.Empty:
            return units

    def _listen(self, events: queue.Queue[str], stop: threading.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                stream = self.store.notifications("intake")  # type: ignore[attr-defined]
                if stream is None:
                    log.warning("intake: the store offers no notifications; listing only")
                    return
                log.info("intake: listening to bucket notifications")
                backoff = 1.0
                for key in stream:
                    events.put(key)
                    if stop.is_set():
                        return
            except RetryableError as exc:
                log.warning("intake notifications: %s; again in %.0f s", exc, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 60.0)
