"""The audit trail: who viewed or changed which claim, patient, export or setting.

Append-only: this module only inserts, and a guard on every SQLAlchemy session refuses to
flush an update or a delete of an ``audit_events`` row and to run an ORM ``update()`` or
``delete()`` on the table (:func:`install_append_only_guard`; on PostgreSQL the database
role itself can be denied UPDATE/DELETE: docs/web.md). Rows name our own ids (claim 1234,
work item 56), never a patient's name or member id; the application log gets no patient
identifier either.

Admins search it (:func:`search_audit`, the ``/admin/audit`` page) and export a search as
CSV (:func:`audit_csv_lines`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from fastapi import Request
from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from denialscope.db.base import utcnow
from denialscope.db.locks import begin_writing
from denialscope.errors import DenialscopeError
from denialscope.web.models import AuditEvent, AuditTampering, install_append_only_guard
from denialscope.web.principal import Principal

__all__ = [
    "AUDIT_CSV_COLUMNS",
    "AuditPage",
    "AuditQuery",
    "AuditRow",
    "AuditTampering",
    "audit_csv_lines",
    "install_append_only_guard",
    "iter_audit",
    "record",
    "record_event",
    "record_view",
    "search_audit",
]

MAX_PAGE_SIZE: Final = 500
AUDIT_CSV_COLUMNS: Final = (
    "id",
    "at",
    "username",
    "role",
    "action",
    "subject_type",
    "subject_id",
    "path",
    "detail",
    "client",
)


def _values(
    *,
    username: str,
    role: str,
    action: str,
    subject_type: str,
    subject_id: str | int | None,
    request: Request | None,
    detail: str | None,
) -> dict[str, Any]:
    """One row's columns, cut to their widths."""
    return {
        "username": username[:80],
        "role": role[:20],
        "action": action,
        "subject_type": subject_type,
        "subject_id": None if subject_id is None else str(subject_id)[:80],
        "path": None if request is None else request.url.path[:300],
        "detail": detail,
        "client": None if request is None or request.client is None else request.client.host,
    }


def record_event(
    session: Session,
    *,
    username: str,
    role: str,
    action: str,
    subject_type: str,
    subject_id: str | int | None = None,
    request: Request | None = None,
    detail: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Add one audit row for an actor that may not be signed in (a failed login names the
    user name typed; the CLI names ``cli:<os user>``)."""
    values = _values(
        username=username,
        role=role,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        request=request,
        detail=detail,
    )
    _insert(session, {**values, "at": at or utcnow()})


def _insert(session: Session, values: dict[str, Any]) -> None:
    begin_writing(session)  # a page that read first must still be able to write its row
    # One INSERT, no ORM object: it runs inside the write lock, which the next writer awaits.
    session.execute(insert(AuditEvent).values(**values))


def record_view(
    session: Session,
    request: Request,
    principal: Principal,
    *,
    subject_type: str,
    subject_id: str | int | None = None,
    detail: str | None = None,
) -> None:
    """Audit a view and return once its row is committed: through the process's grouped
    writer (``web.view_audit``) when the app runs one, else in ``session``. Ends the
    session's read transaction first (a view writes nothing else)."""
    session.commit()
    values = _values(
        username=principal.username,
        role=principal.role.value,
        action="view",
        subject_type=subject_type,
        subject_id=subject_id,
        request=request,
        detail=detail,
    )
    values["at"] = utcnow()
    recorder = getattr(request.app.state, "view_audit", None)
    if recorder is not None:
        recorder.record(values)
        return
    _insert(session, values)
    session.commit()


def record(
    session: Session,
    request: Request | None,
    principal: Principal,
    *,
    action: str,
    subject_type: str,
    subject_id: str | int | None = None,
    detail: str | None = None,
) -> None:
    """Add one audit row to ``session`` (committed with the route's own work, or alone by
    the caller for a read-only page)."""
    record_event(
        session,
        username=principal.username,
        role=principal.role.value,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        request=request,
        detail=detail,
    )


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """A search of the trail; every field optional (all given must match). Dates are UTC
    calendar days, both ends included."""

    username: str | None = None
    action: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: dt.datetime
    username: str
    role: str
    action: str
    subject_type: str
    subject_id: str | None
    path: str | None
    detail: str | None
    client: str | None


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of a search, newest first."""

    rows: list[AuditRow]
    total: int
    page: int
    page_size: int
    pages: int
    query: AuditQuery


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _filtered(query: AuditQuery, statement: Select[Any]) -> Select[Any]:
    if query.username:
        statement = statement.where(AuditEvent.username == query.username)
    if query.action:
        statement = statement.where(AuditEvent.action == query.action)
    if query.subject_type:
        statement = statement.where(AuditEvent.subject_type == query.subject_type)
    if query.subject_id:
        statement = statement.where(AuditEvent.subject_id == query.subject_id)
    if query.since:
        statement = statement.where(AuditEvent.at >= _midnight(query.since))
    if query.until:
        statement = statement.where(AuditEvent.at < _midnight(query.until + dt.timedelta(days=1)))
    return statement


def _row(event_row: AuditEvent) -> AuditRow:
    return AuditRow(
        id=event_row.id,
        at=event_row.at,
        username=event_row.username,
        role=event_row.role,
        action=event_row.action,
        subject_type=event_row.subject_type,
        subject_id=event_row.subject_id,
        path=event_row.path,
        detail=event_row.detail,
        client=event_row.client,
    )


def search_audit(
    *, session: Session, query: AuditQuery, page: int = 1, page_size: int = 50
) -> AuditPage:
    """The rows matching ``query``, newest first, ``page_size`` at a time (pages from 1)."""
    if query.since and query.until and query.since > query.until:
        raise DenialscopeError(
            f"the date range starts ({query.since}) after it ends ({query.until})"
        )
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    total = session.scalar(_filtered(query, select(func.count()).select_from(AuditEvent))) or 0
    pages = max(1, -(-total // page_size))
    page = max(1, min(page, pages))
    statement = (
        _filtered(query, select(AuditEvent))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = [_row(found) for found in session.scalars(statement)]
    return AuditPage(
        rows=rows, total=total, page=page, page_size=page_size, pages=pages, query=query
    )


def iter_audit(*, session: Session, query: AuditQuery) -> Iterator[AuditRow]:
    """Every row matching ``query``, newest first, read in batches (an export)."""
    statement = _filtered(query, select(AuditEvent)).order_by(
        AuditEvent.at.desc(), AuditEvent.id.desc()
    )
    for found in session.scalars(statement.execution_options(yield_per=1000)):
        yield _row(found)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    text = str(value)
    # A typed user name such as "=HYPERLINK(...)" must not become a spreadsheet formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def audit_csv_lines(rows: Iterator[AuditRow]) -> Iterator[str]:
    """CSV text (header, then one line per row; times in ISO 8601 UTC)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_CSV_COLUMNS)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(getattr(row, column)) for column in AUDIT_CSV_COLUMNS])
        yield buffer.getvalue()
