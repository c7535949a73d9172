"""Local users: add, change password, role, disable, enable, list.

One implementation for the ``denialscope users`` command and the ``/admin/users`` page. Every
change is audited by the caller's :class:`Actor` (an administrator signed in, or
``cli:<os user>``) in the same transaction; the caller commits. A new password or a disabled
user signs that user out everywhere at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.db.base import utcnow
from denialscope.web.audit import record_event
from denialscope.web.auth import (
    AuthError,
    clear_failures,
    close_user_sessions,
    hash_password,
    is_locked,
)
from denialscope.web.models import WebUser
from denialscope.web.principal import Role

__all__ = [
    "Actor",
    "UserRow",
    "add_user",
    "list_users",
    "set_disabled",
    "set_password",
    "set_role",
]

USERNAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,79}")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change (for the audit row)."""

    username: str
    role: str
    request: Request | None = None


@dataclass(frozen=True, slots=True)
class UserRow:
    username: str
    display_name: str | None
    role: str
    disabled: bool
    locked: bool  # too many failed sign-ins lately (auth.LOCKOUT)
    created_at: dt.datetime
    password_changed_at: dt.datetime


def _role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise AuthError(f"unknown role {role!r}: use one of {known}") from None


def _user(session: Session, username: str) -> WebUser:
    user = session.scalars(select(WebUser).where(WebUser.username == username)).one_or_none()
    if user is None:
        raise AuthError(f"no user named {username!r}")
    return user


def _audit(session: Session, actor: Actor, action: str, username: str, detail: str | None) -> None:
    record_event(
        session,
        username=actor.username,
        role=actor.role,
        action=action,
        subject_type="user",
        subject_id=username,
        request=actor.request,
        detail=detail,
    )


def add_user(
    *,
    session: Session,
    actor: Actor,
    username: str,
    role: str,
    password: str,
    display_name: str | None = None,
) -> UserRow:
    """A new enabled user (refuses a taken name, an unknown role, a short password)."""
    username = username.strip()
    if not USERNAME.fullmatch(username):
        raise AuthError(
            f"user name {username!r}: 1 to 80 letters, digits or . _ @ - "
            "(starting with a letter or digit)"
        )
    chosen = _role(role)
    if session.scalars(select(WebUser.id).where(WebUser.username == username)).first():
        raise AuthError(f"a user named {username!r} already exists")
    now = utcnow()
    user = WebUser(
        username=username,
        display_name=(display_name or "").strip()[:120] or None,
        role=chosen.value,
        password_hash=hash_password(password),
        disabled=False,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    _audit(session, actor, "user_add", username, f"role {chosen.value}")
    return _row(session, user)


def set_password(*, session: Session, actor: Actor, username: str, password: str) -> int:
    """A new password; signs the user out everywhere and unlocks the name. Returns how many
    sessions ended."""
    user = _user(session, username)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    ended = close_user_sessions(session, user.id)
    clear_failures(session, username=username)
    _audit(session, actor, "user_password", username, f"{ended} session(s) ended")
    return ended


def set_role(*, session: Session, actor: Actor, username: str, role: str) -> UserRow:
    """A new role (takes effect on the user's next request)."""
    user = _user(session, username)
    chosen = _role(role)
    before = user.role
    user.role = chosen.value
    _audit(session, actor, "user_role", username, f"role {before} -> {chosen.value}")
    return _row(session, user)


def set_disabled(*, session: Session, actor: Actor, username: str, disabled: bool) -> UserRow:
    """Disable (signs out everywhere) or enable a user. An administrator cannot disable
    their own account (the last admin would lock everyone out of user administration)."""
    user = _user(session, username)
    if disabled and username == actor.username:
        raise AuthError("you cannot disable your own account")
    user.disabled = disabled
    ended = close_user_sessions(session, user.id) if disabled else 0
    action = "user_disable" if disabled else "user_enable"
    _audit(session, actor, action, username, f"{ended} session(s) ended" if disabled else None)
    return _row(session, user)


def _row(session: Session, user: WebUser) -> UserRow:
    return UserRow(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        disabled=user.disabled,
        locked=is_locked(session, username=user.username, client=None),
        created_at=user.created_at,
        password_changed_at=user.password_changed_at,
    )


def list_users(*, session: Session) -> list[UserRow]:
    """Every user, by name."""
    users = session.scalars(select(WebUser).order_by(WebUser.username))
    return [_row(session, user) for user in users]
