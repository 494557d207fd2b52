"""Who is asking: a signed, expiring session (Starlette's SessionMiddleware, itsdangerous)
holding the user's id and a CSRF token that every form posts back."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from schemas.desk import User
from schemas.settings import Settings
from storage import audit as trail
from storage.users import user_by_id, visible_agencies

audit_log = logging.getLogger("sohoa.desk.audit")


class LoginRequired(Exception):
    """No valid session: the desk sends the browser to the login page."""


def session_key(settings: Settings) -> str:
    """The key sessions are signed with: the configured file, else one made on first use
    in the data folder's keys (0600), so sessions survive a restart."""
    path = settings.desk.session_key_file or settings.keys_dir / "desk.key"
    if not path.exists():
        _create_key(path)
    return path.read_text(encoding="ascii").strip()


def _create_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))


def current_user(request: Request) -> User:
    user_id = request.session.get("user")
    user = None if user_id is None else user_by_id(request.app.state.desk.warehouse, user_id)
    if user is None:
        request.session.clear()
        raise LoginRequired()
    return user


def scope(request: Request, user: User) -> frozenset[str] | None:
    return visible_agencies(request.app.state.desk.warehouse, user)


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if token is None:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, form: FormData) -> None:
    sent = str(form.get("csrf") or "")
    expected = request.session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "CSRF token missing or wrong")


def log_in(request: Request, user: User) -> None:
    request.session.clear()
    request.session["user"] = user.id
    request.session["csrf"] = secrets.token_urlsafe(32)
    audit(request, user, "login")


def audit(
    request: Request,
    user: User,
    action: str,
    subject: object | None = None,
    *,
    detail: str | None = None,
    agency: str | None = None,
) -> None:
    """Record one action of ``user`` in the warehouse's audit trail (storage/audit.py), about
    a document or dossier row (``subject``: its id, agency and code are taken from it)."""
    dossier_id = getattr(subject, "dossier_id", None) or getattr(subject, "id", None)
    document_id = getattr(subject, "id", None) if hasattr(subject, "dossier_id") else None
    agency = agency or getattr(subject, "agency", None) or user.agency
    trail.record(
        request.app.state.desk.warehouse,
        action,
        user.username,
        user_id=user.id,
        agency=agency,
        dossier_id=dossier_id,
        document_id=document_id,
        detail=detail,
    )
    what = getattr(subject, "dossier_code", None) or getattr(subject, "code", None) or ""
    audit_log.info("user %s: %s %s %s", user.username, action, what, detail or "")
