"""The web application's tables: local users, their sessions, and the append-only audit trail.

Sessions are server-side (a random token in an HttpOnly cookie; only its SHA-256 is stored),
so logout, expiry and disabling a user take effect at once. The audit trail is written by the
application only through :mod:`denialscope.web.audit`, which never updates nor deletes a row;
a guard on every session (below) refuses to.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column

from denialscope.db.base import Base, UTCDateTime, utcnow
from denialscope.errors import DenialscopeError

__all__ = [
    "AuditEvent",
    "AuditTampering",
    "LoginFailure",
    "WebSession",
    "WebUser",
    "install_append_only_guard",
]


class WebUser(Base):
    """A local user. ``role`` is one of :class:`denialscope.web.principal.Role`."""

    __tablename__ = "web_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2 (pwdlib)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebSession(Base):
    """A signed-in browser. The cookie holds the token; the row holds its hash."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """One failed sign-in: the user name as typed (it may name nobody) and the client's
    address. Throttling counts these rows, so a lock holds across server processes; a
    user name that exists and one that does not are throttled alike (the form must not
    tell them apart)."""

    __tablename__ = "web_login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    client: Mapped[str | None] = mapped_column(String(64), index=True)


class AuditEvent(Base):
    """Who viewed or changed which claim, patient, export or setting, and when.

    ``subject_id`` is our own row id (claim id, work item id ...), never a patient
    identifier; the audit table is the one place that links a user to a patient's claim.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40), index=True)  # view, update, export, login...
    subject_type: Mapped[str] = mapped_column(String(40))  # claim, work_item, export, user ...
    subject_id: Mapped[str | None] = mapped_column(String(80), index=True)
    path: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None] = mapped_column(String(64))  # the client's address


class AuditTampering(DenialscopeError):
    """Something tried to change or remove an audit row."""


def _refuse_changed_rows(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTampering(f"audit row {obj.id} cannot be changed or removed")


def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditEvent.__tablename__:
        raise AuditTampering("audit rows cannot be changed or removed")


def install_append_only_guard() -> None:
    """Refuse, in every ORM session, to update or delete audit rows (installed on import)."""
    if not event.contains(Session, "before_flush", _refuse_changed_rows):
        event.listen(Session, "before_flush", _refuse_changed_rows)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk_changes):
        event.listen(Session, "do_orm_execute", _refuse_bulk_changes)


# Installed wherever the audit table is known: no session of this process can alter it.
install_append_only_guard()
