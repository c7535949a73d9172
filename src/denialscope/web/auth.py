"""The one place identity is established: local users with argon2 hashes and server-side
sessions.

A single sign-on provider (OIDC: Entra ID, Okta) would plug in here: after its callback it
calls :func:`open_session` for the matching local user, and every route keeps working on the
:class:`Principal` this module builds. The cookie carries a random token; the database keeps
its SHA-256 only, so a copy of the database opens no session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Final

from pwdlib import PasswordHash
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from denialscope.db.base import utcnow
from denialscope.errors import DenialscopeError
from denialscope.web.models import WebSession, WebUser
from denialscope.web.principal import Principal, Role

__all__ = [
    "SESSION_COOKIE",
    "SESSION_IDLE",
    "SESSION_LIFETIME",
    "AuthError",
    "OpenSession",
    "check_password",
    "close_session",
    "hash_password",
    "open_session",
    "session_principal",
]

SESSION_COOKIE: Final = "denialscope_session"
SESSION_LIFETIME: Final = dt.timedelta(hours=12)  # a working day, then sign in again
SESSION_IDLE: Final = dt.timedelta(minutes=30)  # an unattended screen signs out
MIN_PASSWORD_LENGTH: Final = 12


class AuthError(DenialscopeError):
    """A user or password that cannot be used (shown to the administrator as is)."""


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id with pwdlib's current parameters


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher().hash(password)


def check_password(password: str, password_hash: str) -> bool:
    return bool(_hasher().verify(password, password_hash))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class OpenSession:
    token: str  # for the cookie, never stored
    csrf_token: str
    expires_at: dt.datetime


def open_session(session: Session, user: WebUser, *, now: dt.datetime | None = None) -> OpenSession:
    """A new signed-in session for ``user`` (the caller commits)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=_digest(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(row)
    session.flush()
    return OpenSession(token=token, csrf_token=row.csrf_token, expires_at=row.expires_at)


def session_principal(
    session: Session, token: str | None, *, now: dt.datetime | None = None
) -> tuple[Principal, str] | None:
    """The principal and CSRF token of a live session, or None (unknown, expired, idle too
    long, or user disabled). Touches ``last_seen_at`` (the caller commits)."""
    if not token:
        return None
    now = now or utcnow()
    found = session.execute(
        select(WebSession, WebUser)
        .join(WebUser, WebUser.id == WebSession.user_id)
        .where(WebSession.token_hash == _digest(token))
    ).one_or_none()
    if found is None:
        return None
    row, user = found
    if user.disabled or row.expires_at <= now or row.last_seen_at + SESSION_IDLE <= now:
        session.delete(row)
        return None
    row.last_seen_at = now
    principal = Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        display_name=user.display_name,
    )
    return principal, row.csrf_token


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))
