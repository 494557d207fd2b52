"""The desk's accounts: passwords hashed with argon2id (argon2-cffi), never stored or logged
in clear; what each account may see (``visible_agencies``)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from schemas.desk import User
from schemas.errors import ConfigurationError
from storage.tables import users
from storage.warehouse import Warehouse

_hasher = PasswordHasher()


@functools.cache
def _nobody() -> str:
    """A hash to check against when the user does not exist, so both cost the same time.
    Made on first use, not on import: an argon2 hash takes 64 MB and ~0.2 s, which every
    command importing this module (``sohoa digitise`` among them) paid for nothing."""
    return _hasher.hash("not a password of anyone")

MIN_PASSWORD = 10


def _user(row: Any) -> User:
    return User(
        id=row.id,
        username=row.username,
        full_name=row.full_name,
        role=row.role,
        agency=row.agency,
        active=row.active,
    )


def add_user(
    warehouse: Warehouse, username: str, full_name: str, role: str, agency: str, password: str
) -> User:
    if len(password) < MIN_PASSWORD:
        raise ConfigurationError(f"a password needs at least {MIN_PASSWORD} characters")
    User(id=0, username=username, full_name=full_name, role=role, agency=agency)  # validates
    values = dict(username=username, full_name=full_name, role=role, agency=agency)
    values.update(password_hash=_hasher.hash(password), active=True)
    try:
        with warehouse.transaction() as conn:
            conn.execute(users.insert().values(created_at=dt.datetime.now(dt.UTC), **values))
    except IntegrityError as exc:
        raise ConfigurationError(f"user {username!r} exists already") from exc
    found = find_user(warehouse, username)
    assert found is not None
    return found


def set_active(warehouse: Warehouse, username: str, active: bool) -> User:
    with warehouse.transaction() as conn:
        changed = conn.execute(
            users.update().where(users.c.username == username).values(active=active)
        ).rowcount
    if not changed:
        raise ConfigurationError(f"no user {username!r}")
    return find_user(warehouse, username)  # type: ignore[return-value]


def find_user(warehouse: Warehouse, username: str) -> User | None:
    with warehouse.transaction() as conn:
        row = _named(conn, username)
    return None if row is None else _user(row)


def _named(conn: Any, username: str) -> Any:
    """The account's row by its name; a name with a NUL in it is nobody's (PostgreSQL's text
    cannot hold one, and refuses even to compare with it: the login page failed, 500)."""
    if "\x00" in username:
        return None
    return conn.execute(sa.select(users).where(users.c.username == username)).first()


def user_by_id(warehouse: Warehouse, user_id: int) -> User | None:
    with warehouse.transaction() as conn:
        row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    return None if row is None or not row.active else _user(row)


def list_users(warehouse: Warehouse) -> list[User]:
    with warehouse.transaction() as conn:
        return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.username))]


def authenticate(warehouse: Warehouse, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same cost either way)."""
    nobody = _nobody()  # before the look-up: the first call costs the same either way
    with warehouse.transaction() as conn:
        row = _named(conn, username)
    try:
        _hasher.verify(nobody if row is None else row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return _user(row)


def visible_agencies(warehouse: Warehouse, user: User) -> frozenset[str] | None:
    """The agencies whose data ``user`` may see: a clerk its own; a supervisor its own and
    every agency under it in the agencies register (any period); an admin all (None)."""
    if user.role == "admin":
        return None
    if user.role == "clerk":
        return frozenset({user.agency})
    from storage.register_store import agencies  # the register's table

    with warehouse.transaction() as conn:
        pairs = conn.execute(sa.select(agencies.c.code, agencies.c.parent_code)).all()
    children: dict[str, set[str]] = {}
    for code, parent in pairs:
        if parent:
            children.setdefault(parent, set()).add(code)
    seen, todo = {user.agency}, [user.agency]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return frozenset(seen)
