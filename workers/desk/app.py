"""The desk's application: settings, warehouse and store opened once, sessions, templates in
the configured language, and the pages' routes."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from pipeline.signatures.verify_words import clerk_summary, common_name
from schemas.settings import Settings
from storage import places
from storage.objects import ObjectStore
from storage.warehouse import Warehouse
from workers.clerk_words import action_in, detail_in, reason_in, step_in, why_in
from workers.desk.auth import LoginRequired, csrf_token, session_key
from workers.desk.jobs import Jobs
from workers.i18n import translations

HERE = Path(__file__).resolve().parent


@dataclass
class Desk:
    settings: Settings
    warehouse: Warehouse
    store: ObjectStore
    templates: Jinja2Templates
    jobs: Jobs

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("user", None)
        context["csrf"] = csrf_token(request)
        return self.templates.TemplateResponse(request, name, context, status_code=status)


def _templates(lang: str) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    env.filters["when"] = _when
    env.filters["reason"] = reason_in(lang)
    env.filters["action"] = action_in(lang)
    env.filters["why"] = why_in(lang)
    env.filters["step"] = step_in(lang)
    env.filters["detail"] = detail_in(lang)
    env.filters["cn"] = lambda subject: common_name(subject, translations(lang).gettext)
    env.filters["summary"] = lambda sig: clerk_summary(sig, translations(lang).gettext)
    env.filters["nfc"] = lambda text: unicodedata.normalize("NFC", text or "")
    return Jinja2Templates(env=env)


def _when(moment: dt.datetime | None) -> str:
    """A moment as Vietnam reads it (UTC+7)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d/%m/%Y %H:%M")


async def _login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/login", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    desk: Desk = request.app.state.desk
    return desk.page(request, "error.html", status=exc.status_code, status_code=exc.status_code)


def create_app(settings: Settings, jobs: Jobs | None = None) -> Starlette:
    from workers.desk import (
        pages_access,
        pages_audit,
        pages_dossiers,
        pages_search,
        pages_tools,
    )

    desk = Desk(
        settings,
        places.warehouse(settings),
        places.store(settings),
        _templates(settings.lang),
        jobs or Jobs(settings),
    )
    routes = [
        *pages_access.routes,
        *pages_dossiers.routes,
        *pages_search.routes,
        *pages_tools.routes,
        *pages_audit.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(
            SessionMiddleware,
            secret_key=session_key(settings),
            session_cookie="sohoa_desk",
            max_age=settings.desk.session_max_age_s,
            same_site="strict",
        )
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={LoginRequired: _login_required, HTTPException: _http_error},
    )
    app.state.desk = desk
    return app
