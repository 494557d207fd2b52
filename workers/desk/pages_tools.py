"""Upload (a drop into the intake bucket), following a dossier, verifying a PDF, and the
indicators."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from pipeline.inputs.files import sniff
from schemas.document import AGENCY_CODE_PATTERN
from schemas.errors import InvalidObjectKey, ObjectNotFound, UnsupportedInput
from schemas.settings import InputLimits
from schemas.states import DossierStatus
from storage import desk_queries as q
from storage.object_keys import validate_key, validate_segment
from workers.desk.auth import audit, check_csrf, current_user, scope
from workers.desk.verifying import trust_for, verdict

ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.json"  # the file picker's hint; the bytes decide
MANIFEST = "manifest.json"
_AGENCY = re.compile(AGENCY_CODE_PATTERN)


def _keys(agency: str, files: list[UploadFile], dossier: str) -> list[tuple[str, UploadFile]]:
    """Where each uploaded file goes in the intake bucket, as a clerk's drop would put it:
    a folder (or a named dossier) as intake/<agency>/<folder>/..., else lone files."""
    placed = []
    for upload in files:
        name = (upload.filename or "").replace("\\", "/").strip("/")
        parts = [validate_segment(p, what="file name") for p in name.split("/")]
        if dossier:
            parts = [validate_segment(dossier, what="dossier")] + parts[-1:]
        placed.append((validate_key("/".join(["intake", agency, *parts])), upload))
    folders = {k.split("/")[2] for k, _ in placed if k.count("/") > 2}
    if len(folders) > 1:
        raise HTTPException(400, "one folder at a time")
    return sorted(placed, key=lambda item: item[0].endswith("/" + MANIFEST))  # manifest last


def _hidden(upload: UploadFile) -> bool:
    """.DS_Store and the like, that a browser sends with a folder."""
    return (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].startswith(".")


def _within(placed: list[tuple[str, UploadFile]], limits: InputLimits) -> None:
    """The intake's own limits (Settings.limits), before anything is stored, and for a lone
    file its own test of the type (the first bytes, as ``pipeline.inputs.files.sniff`` reads
    them): a lone file that is no scan is refused at once. In a folder, a file that is no scan
    (Thumbs.db, notes.docx) does not refuse the others: it is stored with them, and intake sets
    it aside in quarantine with its reason, as it does for a folder dropped in the bucket."""
    for key, item in placed:
        most = limits.max_manifest_bytes if key.endswith("/" + MANIFEST) else limits.max_bytes
        if item.size is not None and item.size > most:
            raise HTTPException(413, f"{item.filename}: over {most} bytes")
        if key.endswith("/" + MANIFEST) or len(placed) > 1:
            continue
        item.file.seek(0)
        try:
            sniff(item.file.read(1024))
        except UnsupportedInput as exc:
            raise HTTPException(415, f"{item.filename}: {exc}") from exc


async def upload(request: Request) -> Response:
    user = current_user(request)
    desk = request.app.state.desk
    seen = scope(request, user)
    if request.method == "GET":
        agencies = sorted(seen) if seen is not None else [user.agency]
        return desk.page(request, "upload.html", user=user, agencies=agencies, accept=ACCEPT)
    limits, most = desk.settings.limits, desk.settings.desk.max_upload_files
    async with request.form(max_files=most, max_part_size=limits.max_bytes) as form:
        check_csrf(request, form)
        agency = str(form.get("agency") or "")
        if not _AGENCY.match(agency) or (seen is not None and agency not in seen):
            raise HTTPException(404)
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        files = [f for f in files if not _hidden(f)]  # as folder intake: hidden files aside
        if not files:
            raise HTTPException(400, "no file")
        try:
            placed = _keys(agency, files, str(form.get("dossier") or "").strip())
        except InvalidObjectKey as exc:
            raise HTTPException(400, str(exc)) from exc
        _within(placed, limits)
        units = _store(desk.store, placed)
    for unit in units:
        desk.jobs.uploaded(unit)
        audit(request, user, "upload", detail=unit, agency=agency)
    return RedirectResponse(f"/follow?unit={units[0]}", status_code=303)


def _store(store: Any, placed: list[tuple[str, UploadFile]]) -> list[str]:
    from workers.intake.bucket import unit_of

    units: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sohoa-upload-") as spool:
        path = Path(spool) / "part"
        for key, item in placed:
            with path.open("wb") as handle:
                item.file.seek(0)
                shutil.copyfileobj(item.file, handle)
            store.put_file(key, path)
            unit = unit_of(key)
            if unit and unit not in units:
                units.append(unit)
    return units


async def follow(request: Request) -> Response:
    user = current_user(request)
    desk = request.app.state.desk
    unit = request.query_params.get("unit", "")
    seen = scope(request, user)
    parts = unit.split("/")
    if len(parts) < 3 or (seen is not None and parts[1] not in seen):
        raise HTTPException(404)
    found = q.dossier_by_source(desk.warehouse, unit, seen)
    if found is not None and DossierStatus(found.status).final:
        return RedirectResponse(f"/dossiers/{found.id}", status_code=303)
    return desk.page(request, "follow.html", user=user, unit=unit, dossier=found)


async def verify(request: Request) -> Response:
    user = current_user(request)
    desk = request.app.state.desk
    if request.method == "GET" and "document" not in request.query_params:
        return desk.page(request, "verify.html", user=user)
    doc = None
    if request.method == "GET":
        number = request.query_params["document"]
        seen = scope(request, user)
        doc = q.document(desk.warehouse, int(number), seen) if number.isdigit() else None
        if doc is None or not doc.result_key:
            raise HTTPException(404)
        try:
            data, name = desk.store.get(doc.result_key), f"{doc.name}.pdf"
        except ObjectNotFound as exc:
            raise HTTPException(404) from exc
    else:
        async with request.form(max_files=1, max_part_size=desk.settings.limits.max_bytes) as form:
            check_csrf(request, form)
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise HTTPException(400, "no file")
            data, name = await upload.read(), upload.filename
    report = verdict(data, name, trust_for(desk.settings))
    audit(request, user, "verify", doc, detail=f"{name}: {report.exit_code.name}")
    raw = json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1)
    if request.query_params.get("format") == "json":
        return Response(raw, media_type="application/json")
    link = None if request.method == "POST" else f"{request.url.path}?{request.url.query}"
    return desk.page(request, "verified.html", user=user, report=report, raw=raw, link=link)


async def indicators(request: Request) -> Response:
    user = current_user(request)
    desk = request.app.state.desk
    from workers.desk.indicators import live_report

    args = request.query_params
    period = args.get("period") or str(dt.date.today().year)
    agency = args.get("agency") or (None if user.role == "admin" else user.agency)
    seen = scope(request, user)
    if seen is not None and agency not in seen:
        raise HTTPException(404)
    if request.url.path.endswith("/report"):
        try:
            html = live_report(desk.warehouse, period, args.get("level") or None, agency)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from exc
        return HTMLResponse(html)
    query = urlencode({"period": period, "level": args.get("level") or "", "agency": agency or ""})
    return desk.page(request, "indicators.html", user=user, query=query, args=args, agency=agency)


routes = [
    Route("/upload", upload, methods=["GET", "POST"]),
    Route("/follow", follow),
    Route("/verify", verify, methods=["GET", "POST"]),
    Route("/indicators", indicators),
    Route("/indicators/report", indicators),
]
