"""Search over what was digitised, and "reuse in dossier ..." (indicator 4.3)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from pipeline import PIPELINE_VERSION
from schemas.desk import SearchQuery
from schemas.states import DocumentStatus
from storage import desk_queries as q
from storage.search import search as run_search
from workers.desk.auth import audit, check_csrf, current_user, scope
from workers.job.context import DocumentInput, DossierInput
from workers.job.reuse import record_reused
from workers.logs import mask_identifiers


SEARCH_ARGS = ("q", "dossier", "agency", "type", "from", "to")


def query_from(args: dict[str, str]) -> SearchQuery:
    def day(name: str) -> dt.date | None:
        return dt.date.fromisoformat(args[name]) if args.get(name) else None

    try:
        return SearchQuery(
            text=args.get("q", ""),
            dossier=args.get("dossier") or None,
            agency=args.get("agency") or None,
            type_name=args.get("type") or None,
            issued_from=day("from"),
            issued_to=day("to"),
        )
    except (ValidationError, ValueError) as exc:
        raise HTTPException(400, str(exc)) from exc


async def search(request: Request) -> Response:
    user = current_user(request)
    desk = request.app.state.desk
    args = dict(request.query_params)
    hits = None
    if any(args.get(k) for k in SEARCH_ARGS):
        with desk.warehouse.transaction() as conn:
            hits = run_search(conn, query_from(args), scope(request, user))
        asked = {k: v for k, v in args.items() if v and k in SEARCH_ARGS}
        detail = mask_identifiers(" ".join(f"{k}={v}" for k, v in asked.items()))
        audit(request, user, "search", detail=detail)
    return desk.page(request, "search.html", user=user, args=args, hits=hits)


async def reuse(request: Request) -> Response:
    """Link a digitised document into another dossier as a reused component, exactly as a
    manifest entry with ``reused_from`` would (workers/job/reuse.py records it)."""
    user = current_user(request)
    desk = request.app.state.desk
    seen = scope(request, user)
    source = q.document(desk.warehouse, request.path_params["id"], seen)
    if source is None or source.status != DocumentStatus.DIGITISED:
        raise HTTPException(404)
    form = await request.form()
    check_csrf(request, form)
    code = str(form.get("dossier") or "").strip()
    target = next(iter(q.list_dossiers(desk.warehouse, seen, q.DossierFilter(code=code))), None)
    if target is None:
        raise HTTPException(404)
    name = str(form.get("name") or source.name).strip()[:255] or source.name
    reference = f"{source.dossier_code}/{source.name}"
    ctx = SimpleNamespace(warehouse=desk.warehouse, pipeline_version=PIPELINE_VERSION)
    dossier = DossierInput(target.agency, target.code, target.source or "desk", ())
    outcome = record_reused(ctx, target.id, dossier, DocumentInput(name, (), reused_from=reference))  # type: ignore[arg-type]
    desk.warehouse.add_event(
        target.id, "desk", "reuse", detail=f"{user.full_name} ({user.username}): {reference}"
    )
    audit(request, user, "reuse", target, detail=f"{reference} ({outcome.status})")
    return RedirectResponse(f"/dossiers/{target.id}", status_code=303)


routes = [
    Route("/search", search),
    Route("/documents/{id:int}/reuse", reuse, methods=["POST"]),
]
