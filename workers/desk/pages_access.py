"""Logging in and out."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from storage import audit as trail
from storage.users import authenticate, find_user
from workers.desk.auth import LoginRequired, audit, check_csrf, current_user, log_in


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
        known = find_user(desk.warehouse, username)
        trail.record(
            desk.warehouse,
            "login-failed",
            username[:80],
            user_id=known.id if known else None,
            agency=known.agency if known else None,  # an unknown name: the admin's to read
        )
        return desk.page(request, "login.html", status=401, failed=True)
    log_in(request, user)
    return RedirectResponse("/dossiers", status_code=303)


async def logout(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    try:
        audit(request, current_user(request), "logout")
    except LoginRequired:
        pass  # an expired session logs out all the same
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


routes = [
    Route("/", home),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["POST"]),
]
