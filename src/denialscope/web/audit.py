"""The audit trail: who viewed or changed which claim, patient, export or setting.

Append-only: this module only inserts (nothing in denialscope updates or deletes an
``audit_events`` row). Rows name our own ids (claim 1234, work item 56), never a patient's
name or member id; the application log gets no patient identifier either.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from denialscope.web.models import AuditEvent
from denialscope.web.principal import Principal

__all__ = ["record"]


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
    session.add(
        AuditEvent(
            username=principal.username,
            role=principal.role.value,
            action=action,
            subject_type=subject_type,
            subject_id=None if subject_id is None else str(subject_id),
            path=None if request is None else request.url.path[:300],
            detail=detail,
            client=None if request is None or request.client is None else request.client.host,
        )
    )
