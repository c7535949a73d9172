"""The one place identity is established: local users with argon2 hashes and server-side
sessions, sign-in throttling, and session expiry.

A single sign-on provider (OIDC: Entra ID, Okta) would plug in here: its callback route
validates the ID token (issuer, audience, nonce, signature) and maps the ``sub`` or e-mail
claim to a local :class:`WebUser` (whose role and disabled flag stay ours), then calls
:func:`open_session`; every route keeps working on the :class:`Principal` this module builds
(docs/web.md, "Single sign-on"). The cookie carries a random token; the database keeps its
SHA-256 only, so a copy of the database opens no session.

Every function takes ``now`` (default: the clock) so expiry and throttling are tested with
an injected clock, never by waiting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from pwdlib import PasswordHash
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from denialscope.db.base import utcnow
from denialscope.db.locks import begin_writing
from denialscope.errors import DenialscopeError
from denialscope.web.models import LoginFailure, WebSession, WebUser
from denialscope.web.principal import Principal, Role

__all__ = [
    "CLIENT_FAILURE_LIMIT",
    "LOCKED_LOGIN",
    "LOCKOUT",
    "LOGIN_CSRF_COOKIE",
    "MIN_PASSWORD_LENGTH",
    "SESSION_COOKIE",
    "SESSION_IDLE",
    "SESSION_LIFETIME",
    "SESSION_TOUCH",
    "USER_FAILURE_LIMIT",
    "WRONG_LOGIN",
    "AuthError",
    "LoginRefused",
    "OpenSession",
    "authenticate",
    "check_password",
    "clear_failures",
    "close_session",
    "close_user_sessions",
    "hash_password",
    "is_locked",
    "new_login_csrf",
    "open_session",
    "session_principal",
]

SESSION_COOKIE: Final = "denialscope_session"
SESSION_LIFETIME: Final = dt.timedelta(hours=12)  # a working day, then sign in again
SESSION_IDLE: Final = dt.timedelta(minutes=30)  # an unattended screen signs out
# last_seen_at is moved at most this often (one write a minute per user, not one a request):
# idle time is counted from up to a minute earlier than the last request.
SESSION_TOUCH: Final = dt.timedelta(minutes=1)
MIN_PASSWORD_LENGTH: Final = 12
# The pre-session cookie of the login form's CSRF token (double submit): a forged cross-site
# form cannot read it, so it cannot sign a victim in to the attacker's account.
LOGIN_CSRF_COOKIE: Final = "denialscope_login_csrf"
# Throttling: this many failures within LOCKOUT lock the user name (or the address) until
# the window has moved past them. An address gets more room: a hospital's users often share
# one NAT address.
USER_FAILURE_LIMIT: Final = 5
CLIENT_FAILURE_LIMIT: Final = 20
LOCKOUT: Final = dt.timedelta(minutes=15)


class AuthError(DenialscopeError):
    """A user or password that cannot be used (shown to the administrator as is)."""


class LoginRefused(DenialscopeError):
    """A sign-in refused. The message never says whether the user name exists."""

    def __init__(self, message: str, *, locked: bool) -> None:
        super().__init__(message)
        self.locked = locked


WRONG_LOGIN: Final = "Unknown user name or wrong password."
LOCKED_LOGIN: Final = (
    "Too many failed sign-ins for this user name or from this address: "
    f"try again in {int(LOCKOUT.total_seconds() // 60)} minutes."
)


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id with pwdlib's current parameters


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher().hash(password)


def check_password(password: str, password_hash: str) -> bool:
    return bool(_hasher().verify(password, password_hash))


@cache
def _decoy_hash() -> str:
    # Verified against when the user name is unknown, so both answers take as long.
    return _hasher().hash(secrets.token_urlsafe(16))


def _recent_failures(session: Session, *, column: Any, value: str, now: dt.datetime) -> int:
    since = now - LOCKOUT
    return (
        session.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(column == value, LoginFailure.at > since)
        )
        or 0
    )


def is_locked(
    session: Session, *, username: str, client: str | None, now: dt.datetime | None = None
) -> bool:
    """Whether sign-ins for ``username`` or from ``client`` are throttled at ``now``."""
    now = now or utcnow()
    if _recent_failures(session, column=LoginFailure.username, value=username, now=now) >= (
        USER_FAILURE_LIMIT
    ):
        return True
    return client is not None and (
        _recent_failures(session, column=LoginFailure.client, value=client, now=now)
        >= CLIENT_FAILURE_LIMIT
    )


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    client: str | None,
    now: dt.datetime | None = None,
) -> WebUser:
    """The enabled user whose password this is, or :class:`LoginRefused` (a failure is
    recorded; the caller commits either way). A throttled name or address is refused even
    with the right password, with a message that is the same whether the user exists."""
    now = now or utcnow()
    username = username.strip()[:80]
    begin_writing(session)  # every attempt writes (a failure, or clearing them)
    if is_locked(session, username=username, client=client, now=now):
        session.add(LoginFailure(at=now, username=username, client=client))
        raise LoginRefused(LOCKED_LOGIN, locked=True)
    user = session.scalars(select(WebUser).where(WebUser.username == username)).one_or_none()
    valid = check_password(password, user.password_hash if user else _decoy_hash())
    if user is None or user.disabled or not valid:
        session.add(LoginFailure(at=now, username=username, client=client))
        session.flush()
        locked = is_locked(session, username=username, client=client, now=now)
        raise LoginRefused(LOCKED_LOGIN if locked else WRONG_LOGIN, locked=locked)
    # A success forgets the name's failures (the address's stay: they may be someone else's).
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    return user


def clear_failures(session: Session, *, username: str) -> None:
    """Unlock a user name (an administrator reset its password)."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class OpenSession:
    token: str  # for the cookie, never stored
    csrf_token: str
    expires_at: dt.datetime


def open_session(
    session: Session,
    user: WebUser,
    *,
    now: dt.datetime | None = None,
    replacing: str | None = None,
) -> OpenSession:
    """A new signed-in session for ``user`` with a new random token (the caller commits).

    ``replacing``: the token the browser sent, if any; that session ends, so a token planted
    before sign-in (session fixation) never becomes a signed-in one."""
    now = now or utcnow()
    close_session(session, replacing)
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
    long, or user disabled).

    Reading is all most requests do: ``last_seen_at`` is moved at most once a minute
    (:data:`SESSION_TOUCH`), and that write, or the removal of an ended session, runs in a
    transaction that holds the write lock from its start (``db.locks.begin_writing``), so
    concurrent requests on SQLite never fail on upgrading a read lock. Commits its writes.
    """
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
    ended = user.disabled or row.expires_at <= now or row.last_seen_at + SESSION_IDLE <= now
    if ended or row.last_seen_at + SESSION_TOUCH <= now:
        session_id = row.id
        begin_writing(session)
        if ended:
            session.execute(delete(WebSession).where(WebSession.id == session_id))
        else:
            session.execute(
                update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now)
            )
        session.commit()
        if ended:
            return None
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


def close_user_sessions(session: Session, user_id: int) -> int:
    """Sign ``user_id`` out everywhere (password changed, user disabled); how many ended."""
    ended = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(ended, "rowcount", 0) or 0)
