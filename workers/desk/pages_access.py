"""Logging in and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from storage.users import authenticate
from workers.desk.auth import audit_log, check_csrf, current_user, log_in


async def home(request: Request) -> Response:
    current_user(request)
    return RedirectResponse("/dossiers", status_code=303)


async def login(request: Request) -> Response:
    desk = request.app.state.desk
    if request.method == "GET":
        return desk.page(request, "login.html")
    form = await request.form()
    check_csrf(request, form)
    username = str(form.get("username") or "")
    user = authenticate(desk.warehouse, username, str(form.get("password") or ""))
    if user is None:
        audit_log.warning("failed login as %r", username[:80])
        return desk.page(request, "login.html", status=401, failed=True)
    log_in(request, user)
    return RedirectResponse("/dossiers", status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


routes = [
    Route("/", home),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
]
