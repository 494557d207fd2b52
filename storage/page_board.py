"""One shared document's pages in Redis, for workers/queue/page_fanout.py: the pages still to
read (a list), the pages being read with their deadlines (a hash), the pages done (a list) and
each one's result. Everything under ``base`` and expiring after ``KEY_TTL_S``, so what a dead
run leaves behind goes on its own.

Redis errors become QueueUnavailable here: nothing above storage/ sees redis's exceptions.
"""

from __future__ import annotations

import json
from typing import Any

import redis

from schemas.errors import QueueUnavailable
from storage.queue import queue_errors

Client = redis.Redis
KEY_TTL_S = 24 * 3600  # leftovers of a run whose dossier thread died expire on their own


class PageBoard:
    """The Redis keys of one shared document, and what is done with them."""

    def __init__(self, client: Client, base: str) -> None:
        self.client, self.base = client, base
        self.todo, self.doing, self.done = f"{base}:todo", f"{base}:doing", f"{base}:done"

    def _result(self, number: int) -> str:
        return f"{self.base}:result:{number}"

    def _page(self, number: int) -> str:
        return f"{self.base}:page:{number}"

    # -- the dossier's thread ---------------------------------------------------------------

    def share(self, pages: list[dict[str, Any]]) -> None:
        with queue_errors(), self.client.pipeline() as pipe:
            pipe.rpush(self.todo, *(json.dumps(page) for page in pages))
            pipe.expire(self.todo, KEY_TTL_S)
            pipe.execute()

    def take(self) -> dict[str, Any] | None:
        """A page nobody has taken yet, or None."""
        with queue_errors():
            raw = self.client.lpop(self.todo)
        return None if raw is None else json.loads(raw)

    def finished(self, wait_s: float = 0) -> list[dict[str, Any]]:
        """The reports of the pages done since the last call; with ``wait_s``, wait that long
        for one when there are none."""
        with queue_errors():
            if wait_s:
                found = self.client.blpop([self.done], timeout=wait_s)
                return [] if found is None else [json.loads(found[1])]
            return [json.loads(raw) for raw in self.client.lpop(self.done, 1000) or []]

    def outputs(self, number: int) -> tuple[bytes | None, bytes | None]:
        """(the page's PDF, its PageText as JSON) a helper left, None when expired."""
        with queue_errors():
            pdf, page = self.client.mget(self._result(number), self._page(number))
        return pdf, page

    def held(self) -> dict[int, float]:
        """The pages helpers hold, with the time (epoch seconds) each lease runs out."""
        with queue_errors():
            return {int(n): float(d) for n, d in self.client.hgetall(self.doing).items()}

    def take_back(self, number: int) -> bool:
        """Take a helper's page back; True for the one caller that did."""
        with queue_errors():
            return bool(self.client.hdel(self.doing, str(number)))

    def clear(self, numbers: list[int]) -> None:
        """Delete everything now; a failure is left to the keys' expiry."""
        names = [self.todo, self.doing, self.done]
        names += [self._result(n) for n in numbers] + [self._page(n) for n in numbers]
        try:
            with queue_errors():
                self.client.delete(*names)
        except QueueUnavailable:
            pass  # they expire on their own

    # -- a helper ---------------------------------------------------------------------------

    def hold(self, number: int, until: float) -> None:
        with queue_errors():
            self.client.hset(self.doing, str(number), until)
            self.client.expire(self.doing, KEY_TTL_S)

    def report_error(self, number: int, error: dict[str, Any]) -> None:
        with queue_errors():
            self.client.rpush(self.done, json.dumps({"number": number, "error": error}))
            self.client.expire(self.done, KEY_TTL_S)

    def report(self, number: int, pdf: bytes, page: str) -> None:
        with queue_errors(), self.client.pipeline() as pipe:
            pipe.set(self._result(number), pdf, ex=KEY_TTL_S)
            pipe.set(self._page(number), page, ex=KEY_TTL_S)
            pipe.rpush(self.done, json.dumps({"number": number}))
            pipe.expire(self.done, KEY_TTL_S)
            pipe.hdel(self.doing, str(number))
            pipe.execute()
