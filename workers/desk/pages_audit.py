"""The audit trail (storage/audit.py) for supervisors and admins: who did what at the desk,
within the agencies they see. A clerk has no such page (404)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage.audit import ACTIONS, trail
from workers.desk.auth import current_user, scope


async def audit_page(request: Request) -> Response:
    user = current_user(request)
    if user.role == "clerk":
        raise HTTPException(404)
    desk, args = request.app.state.desk, request.query_params
    action = args.get("action") or None
    if action is not None and action not in ACTIONS:
        raise HTTPException(400, f"unknown action {action!r}")
    rows = trail(
        desk.warehouse, scope(request, user), action=action, username=args.get("user") or None
    )
    return desk.page(request, "audit.html", user=user, actions=rows, args=args, choices=ACTIONS)


routes = [Route("/audit", audit_page)]
