"""Re-digitisation of stored dossiers: which to take, how to rebuild them, a resumable batch.

A dossier is rebuilt from its warehouse rows: the latest row of each document names its input
files by original (or quarantine) key, the stored manifest gives the clerk's fields back. The
job then sees the same bytes: with the same pipeline version that is "already digitised", with a
newer one a result version N+1 beside N. A dossier whose intake unit is still there (it failed,
or is stuck retrying, before it was done) is re-run from that unit, which is released when done.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pydantic import ValidationError

from schemas.document import Manifest
from schemas.messages import IntakeMessage, RedigitiseMessage
from storage.batches import Batches, Progress, pipeline_versions, select_dossiers
from storage.dates import start_of_day
from storage.objects import ObjectStore
from storage.queue import DossierQueue
from storage.warehouse import Warehouse
from workers.intake.bucket import unit_of
from workers.intake.manifest import document_input, named_entries
from workers.job.context import DossierInput, InputBlob

StatusFilter = Literal["failed", "retrying", "quarantined", "all"]
REFUSED_DROPS = ("invalid-manifest", "invalid-key")  # the dossier refused, not its bytes: a
# re-run must not make a result of what was dropped where it does not belong


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Pipeline versions compare part by part, numbers as numbers: 1 < 2 < 10 < 10.1."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.\-]", version))


@dataclass(frozen=True)
class Selection:
    agency: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    status: StatusFilter = "all"
    older_than_version: str | None = None
    dossier: str | None = None  # one dossier's code

    def criteria(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(self).items()
        }


def select(warehouse: Warehouse, selection: Selection) -> list[int]:
    """Dossier ids the selection covers, by the day each was received in Vietnam."""
    ids = select_dossiers(
        warehouse,
        agency=selection.agency,
        since=start_of_day(selection.since) if selection.since else None,
        until=start_of_day(selection.until + dt.timedelta(days=1)) if selection.until else None,
        statuses=() if selection.status == "all" else (selection.status,),
        code=selection.dossier,
    )
    if selection.older_than_version is None:
        return ids
    limit = version_key(selection.older_than_version)
    versions = pipeline_versions(warehouse, ids)
    return [i for i in ids if versions.get(i) and max(map(version_key, versions[i])) < limit]


def dossier_from_warehouse(
    warehouse: Warehouse, store: ObjectStore, dossier_id: int
) -> DossierInput | IntakeMessage | None:
    """The dossier as it was received, from its originals; an IntakeMessage when only the
    intake unit has the bytes; None when nothing can be re-run (e.g. a rejected manifest)."""
    row = warehouse.dossier(dossier_id)
    if row.source and unit_of(row.source) and _intake_left(store, row.source):
        return IntakeMessage(unit=row.source, version="redigitise")
    latest: dict[str, dict[str, Any]] = {}
    for doc in warehouse.documents_of(dossier_id):
        latest[doc["name"]] = doc  # ordered by id: the last one wins
    try:
        manifest = Manifest.model_validate(row.manifest or {})
    except ValidationError:
        manifest = Manifest()
    entries = dict(reversed(named_entries(manifest)))  # the first of a name wins
    documents, incomplete = [], not latest
    for name, doc in latest.items():
        if doc["error_reason"] in REFUSED_DROPS:
            continue  # only a new drop, in the right place or with a correct manifest, can help
        stored = [i.get("original_key") or i.get("quarantine_key") for i in doc["inputs"]]
        if not all(stored):
            incomplete = True
            continue
        blobs = tuple(
            InputBlob(i["name"], store.get(k)) for i, k in zip(doc["inputs"], stored, strict=True)
        )
        documents.append(document_input(name, blobs, entries.get(name)))
    if incomplete and row.source and unit_of(row.source):
        return IntakeMessage(unit=row.source, version="redigitise")
    if not documents:
        return None
    return DossierInput(
        row.agency,
        row.code,
        row.source or f"warehouse:{dossier_id}",
        tuple(documents),
        manifest,
        received=row.received_at.date(),
    )


def _intake_left(store: ObjectStore, unit: str) -> bool:
    if not unit.endswith("/"):
        return store.exists(unit)
    return next(iter(store.list(unit)), None) is not None


def start_batch(
    warehouse: Warehouse, selection: Selection, pipeline_version: str
) -> tuple[int, bool]:
    """(batch id, resumed): the open batch of the same selection, or a new one."""
    batches = Batches(warehouse)
    found = batches.find_open(selection.criteria(), pipeline_version)
    if found is not None:
        return found, True
    ids = select(warehouse, selection)
    return batches.create(selection.criteria(), ids, pipeline_version), False


def enqueue_batch(warehouse: Warehouse, queue: DossierQueue, batch_id: int) -> int:
    """Send every item not done yet (again, when resuming: the job is idempotent)."""
    batches = Batches(warehouse)
    sent = 0
    for dossier_id in batches.items(batch_id, ("pending", "enqueued")):
        queue.send(RedigitiseMessage(dossier_id=dossier_id, batch_id=batch_id).model_dump())
        batches.mark_enqueued(batch_id, dossier_id)
        sent += 1
    return sent


def wait_for_batch(
    warehouse: Warehouse,
    batch_id: int,
    on_progress: Callable[[Progress], None],
    *,
    poll_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Progress:
    """Report progress from the warehouse until every item is done; closes the batch."""
    batches = Batches(warehouse)
    while True:
        progress = batches.progress(batch_id)
        on_progress(progress)
        if progress.complete:
            batches.close(batch_id)
            return progress
        sleep(poll_s)
