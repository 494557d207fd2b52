"""The heartbeat that keeps a run's claims alive while the run works (storage/leases.py).

A claim lasts ``LEASE_S`` seconds and is renewed every third of that, so a claim outlives a
dead run by at most one lease; when the run stops (normally or by SIGTERM/SIGINT), whatever it
still holds is released at once: as ``failed`` (re-runnable), or, under the queue, as
``retrying`` when a RetryableError stopped it (a service away: the queue runs it again, and a
clerk must not read a passing outage as an end).
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from schemas.errors import RetryableError
from storage import leases
from storage.warehouse import Warehouse

log = logging.getLogger(__name__)

LEASE_S = 90.0
"""How long a claim holds after its run's last heartbeat."""


class Heartbeat:
    """Renews ``owner``'s claims every ``lease_s / 3`` seconds in a daemon thread.
    ``retried``: a run stopped by a RetryableError runs again (the queue's retries)."""

    def __init__(
        self, warehouse: Warehouse, owner: str, lease_s: float = LEASE_S, *, retried: bool = False
    ) -> None:
        self.warehouse, self.owner, self.lease_s = warehouse, owner, lease_s
        self.retried = retried
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="sohoa-heartbeat", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                leases.renew(self.warehouse, self.owner, self.lease_s)
            except RetryableError as exc:  # the next beat tries again; the lease has slack
                log.warning("run %s: could not renew its claims: %s", self.owner, exc)
            except Exception:  # noqa: BLE001 - a dead heartbeat would let a live run's claims lapse
                log.exception("run %s: could not renew its claims", self.owner)

    def release(self, stopped_by: BaseException | None = None) -> int:
        """Give up every claim still held (the run stops); how many there were. A run stopped
        by a RetryableError under the queue is retried: its documents are ``retrying``."""
        try:
            if self.retried and isinstance(stopped_by, RetryableError):
                released = leases.release(
                    self.warehouse,
                    owner=self.owner,
                    reason=stopped_by.reason,
                    message=str(stopped_by),
                    retrying=True,
                )
            else:
                released = leases.release(self.warehouse, owner=self.owner, reason="run-stopped")
        except RetryableError as exc:  # they run out by themselves within one lease
            log.warning("run %s: could not release its claims: %s", self.owner, exc)
            return 0
        return len(released)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.release(exc)
