"""Dossiers, one dossier, its downloads, and the quarantine with its two actions. Anything
outside the caller's agencies is 404, exactly as something that does not exist."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from schemas.errors import ObjectNotFound, PermanentError
from storage import desk_queries as q
from storage.audit import trail
from storage.object_keys import sidecar_key
from workers.desk.auth import audit, check_csrf, current_user, scope


def _day(text: str | None, *, end: bool = False) -> dt.datetime | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise HTTPException(400, f"not a date: {text!r}") from exc
    day += dt.timedelta(days=1) if end else dt.timedelta()
    return dt.datetime.combine(day, dt.time(), dt.timezone(dt.timedelta(hours=7)))


async def dossiers(request: Request) -> Response:
    user = current_user(request)
    desk, args = request.app.state.desk, request.query_params
    seen = scope(request, user)
    wanted = q.DossierFilter(
        agency=args.get("agency") or None,
        status=args.get("status") or None,
        procedure=args.get("procedure") or None,
        code=args.get("code") or None,
        received_from=_day(args.get("from")),
        received_to=_day(args.get("to"), end=True),
    )
    rows = q.list_dossiers(desk.warehouse, seen, wanted)
    return desk.page(
        request,
        "dossiers.html",
        user=user,
        rows=rows,
        args=args,
        agencies=q.agencies_seen(desk.warehouse, seen),
        statuses=q.statuses(desk.warehouse, seen),
    )


def _sidecar(desk: Any, document: Any) -> dict[str, Any] | None:
    if not document.result_key:
        return None
    try:
        return json.loads(desk.store.get(sidecar_key(document.result_key)))
    except (ObjectNotFound, ValueError):
        return None


async def dossier(request: Request) -> Response:
    user = current_user(request)
    desk = request.app.state.desk
    found = q.dossier(desk.warehouse, request.path_params["id"], scope(request, user))
    if found is None:
        raise HTTPException(404)
    docs = q.documents_of(desk.warehouse, found.id)
    pages = {d.id: (_sidecar(desk, d) or {}).get("pages", []) for d in docs}
    return desk.page(
        request,
        "dossier.html",
        user=user,
        dossier=found,
        documents=docs,
        pages=pages,
        history=q.history(desk.warehouse, found.id),
        actions=trail(desk.warehouse, None, dossier_id=found.id),  # the dossier is in scope
    )


def _document(request: Request) -> tuple[Any, Any]:
    user = current_user(request)
    desk = request.app.state.desk
    found = q.document(desk.warehouse, request.path_params["id"], scope(request, user))
    if found is None:
        raise HTTPException(404)
    return user, found


def _download(request: Request, key: str | None, name: str, media: str) -> Response:
    if not key:
        raise HTTPException(404)
    try:
        body = request.app.state.desk.store.get(key)
    except ObjectNotFound as exc:
        raise HTTPException(404) from exc
    disposition = "attachment; filename*=UTF-8''" + _quote(name)
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


async def result_pdf(request: Request) -> Response:
    user, doc = _document(request)
    audit(request, user, "download-result", doc, detail=doc.name)
    return _download(request, doc.result_key, f"{doc.name}.pdf", "application/pdf")


async def sidecar(request: Request) -> Response:
    user, doc = _document(request)
    key = sidecar_key(doc.result_key) if doc.result_key else None
    audit(request, user, "download-sidecar", doc, detail=doc.name)
    return _download(request, key, f"{doc.name}.json", "application/json")


async def original(request: Request) -> Response:
    user, doc = _document(request)
    inputs = doc.inputs or []
    number = request.path_params["n"]
    if not 0 <= number < len(inputs):
        raise HTTPException(404)
    item = inputs[number]
    key = item.get("original_key") or item.get("quarantine_key")
    audit(request, user, "download-original", doc, detail=item.get("name"))
    return _download(request, key, item.get("name", "original"), "application/octet-stream")


async def page_image(request: Request) -> Response:
    """A page of the signed result as a small PNG, to read beside its text."""
    _user, doc = _document(request)
    number = request.path_params["n"]
    if not doc.result_key or not 0 <= number < (doc.page_count or 0):
        raise HTTPException(404)
    from pipeline.inputs.files import rasterise_pdf_page

    desk = request.app.state.desk
    try:
        image, _dpi = rasterise_pdf_page(
            desk.store.get(doc.result_key), number, 60, desk.settings.limits
        )
    except (ObjectNotFound, PermanentError) as exc:
        raise HTTPException(404) from exc
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return Response(out.getvalue(), media_type="image/png")


async def quarantine(request: Request) -> Response:
    user = current_user(request)
    desk = request.app.state.desk
    rows = q.quarantined(desk.warehouse, scope(request, user))
    return desk.page(request, "quarantine.html", user=user, rows=rows)


async def quarantine_action(request: Request) -> Response:
    user, doc = _document(request)
    desk = request.app.state.desk
    form = await request.form()
    check_csrf(request, form)
    action = request.url.path.rsplit("/", 1)[-1]
    who = f"{user.full_name} ({user.username})"
    if action == "retry":
        desk.warehouse.add_event(doc.dossier_id, "desk", "retry", document_id=doc.id, detail=who)
        desk.jobs.again(doc.dossier_id)
    elif action == "accept":
        note = str(form.get("note") or "").strip()
        if not note:
            raise HTTPException(400, "a note is needed")
        detail = f"{who}: {note[:1000]}"
        desk.warehouse.add_event(
            doc.dossier_id, "desk", "accepted", document_id=doc.id, detail=detail
        )
    else:
        raise HTTPException(404)
    audit(request, user, action, doc, detail=str(form.get("note") or "")[:1000] or None)
    return RedirectResponse(f"/dossiers/{doc.dossier_id}", status_code=303)


routes = [
    Route("/dossiers", dossiers),
    Route("/dossiers/{id:int}", dossier),
    Route("/documents/{id:int}/result.pdf", result_pdf),
    Route("/documents/{id:int}/sidecar.json", sidecar),
    Route("/documents/{id:int}/original/{n:int}", original),
    Route("/documents/{id:int}/page/{n:int}.png", page_image),
    Route("/quarantine", quarantine),
    Route("/documents/{id:int}/retry", quarantine_action, methods=["POST"]),
    Route("/documents/{id:int}/accept", quarantine_action, methods=["POST"]),
]
