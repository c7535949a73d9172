"""The governance loop's forms (register a change event, create or update an action plan),
checked field by field before anything is stored.

A web form sends text; these services parse it, check every field against the stored data
(a department code that exists, a payer some claim names, a root cause of the classification
configuration) and raise one :class:`~denialscope.errors.InputError` whose ``fields`` context
maps each wrong field to what is wrong with it, so the page can show the message next to the
field. Nothing is stored unless every field is right; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics.cohort import payer_condition
from denialscope.analytics.events import create_event
from denialscope.analytics.models import EVENT_KINDS, ChangeEvent
from denialscope.analytics.periods import NoPeriodError
from denialscope.claims.models import Claim
from denialscope.errors import InputError
from denialscope.governance.models import METRICS, PLAN_STATUSES, ActionPlan
from denialscope.governance.service import create_plan, governance_as_of, update_plan
from denialscope.orgs.models import Department, Payer

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = ["register_event_form", "register_plan_form", "update_plan_form"]

MAX_DESCRIPTION = 500
MAX_NOTE = 1000
Form = Mapping[str, str | None]


def _text(form: Form, name: str) -> str:
    return (form.get(name) or "").strip()


def _refuse(errors: Mapping[str, str]) -> None:
    if errors:
        summary = "; ".join(f"{field}: {message}" for field, message in errors.items())
        raise InputError(f"the form has errors: {summary}", fields=dict(errors))


def _date(form: Form, name: str, errors: dict[str, str]) -> dt.date | None:
    value = _text(form, name)
    if not value:
        errors[name] = "required (YYYY-MM-DD)"
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = f"{value!r} is not a date (YYYY-MM-DD)"
        return None


def _department(session: Session, form: Form, errors: dict[str, str]) -> str | None:
    code = _text(form, "department").upper()
    if code and session.scalar(select(Department.id).where(Department.code == code)) is None:
        errors["department"] = f"no department with code {code!r}"
    return code or None


def _service_line(session: Session, form: Form, errors: dict[str, str]) -> str | None:
    line = _text(form, "service_line").lower()
    if not line:
        return None
    known = session.scalar(
        select(Department.id).where(func.lower(Department.service_line) == line).limit(1)
    ) or session.scalar(select(Claim.id).where(func.lower(Claim.service_line) == line).limit(1))
    if known is None:
        errors["service_line"] = f"no department or claim has the service line {line!r}"
    return line


def register_event_form(session: Session, *, form: Form) -> ChangeEvent:
    """Register the change event of a form (``event_date``, ``kind``, ``department``,
    ``service_line``, ``description``), flushed; InputError with ``fields`` when wrong."""
    errors: dict[str, str] = {}
    when = _date(form, "event_date", errors)
    kind = _text(form, "kind")
    if kind not in EVENT_KINDS:
        errors["kind"] = f"choose one of {', '.join(EVENT_KINDS)}"
    department = _department(session, form, errors)
    service_line = _service_line(session, form, errors)
    if not department and not service_line and "department" not in errors:
        errors["department"] = "give a department or a service line (the event's scope)"
    description = _text(form, "description")
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = f"at most {MAX_DESCRIPTION} characters"
    _refuse(errors)
    assert when is not None
    return create_event(
        session,
        event_date=when,
        kind=kind,
        description=description,
        department=department,
        service_line=service_line,
    )


def _known_cause(root_cause: str, settings: Settings | None) -> bool:
    from denialscope.classify import load_config

    return root_cause in load_config(settings=settings).root_causes


def register_plan_form(
    session: Session, *, form: Form, settings: Settings | None = None
) -> ActionPlan:
    """Create the action plan of a form (``root_cause``, ``owner_role``, ``owner_name``,
    ``metric``, ``change_pct``, ``due_date``, optional ``payer``, ``department``,
    ``service_line``, ``note``); its baseline is measured now. InputError with ``fields``."""
    errors: dict[str, str] = {}
    root_cause = _text(form, "root_cause")
    if not root_cause:
        errors["root_cause"] = "required"
    elif not _known_cause(root_cause, settings):
        errors["root_cause"] = f"unknown root cause {root_cause!r}"
    owners = {"owner_role": 80, "owner_name": 120}
    for name, longest in owners.items():
        value = _text(form, name)
        if not value:
            errors[name] = "required"
        elif len(value) > longest:
            errors[name] = f"at most {longest} characters"
    metric = _text(form, "metric")
    if metric not in METRICS:
        errors["metric"] = f"choose one of {', '.join(METRICS)}"
    change = _text(form, "change_pct")
    change_pct = Decimal(0)
    try:
        change_pct = Decimal(change)
        if not change_pct.is_finite() or not Decimal(-100) <= change_pct <= Decimal(1000):
            raise InvalidOperation
        if change_pct == 0:
            errors["change_pct"] = "give a non-zero percent change, e.g. -40 for a 40% reduction"
    except InvalidOperation:
        errors["change_pct"] = f"{change!r} is not a percent between -100 and 1000, e.g. -40"
    due = _date(form, "due_date", errors)
    today = governance_as_of(session)
    if due is not None and due <= today:
        errors["due_date"] = f"must be after the data's latest adjudication ({today})"
    payer = _text(form, "payer") or None
    if payer and session.scalar(select(Payer.id).where(payer_condition(payer)).limit(1)) is None:
        errors["payer"] = f"no payer's name, key or id matches {payer!r}"
    department = _department(session, form, errors)
    service_line = _service_line(session, form, errors)
    note = _text(form, "note")
    if len(note) > MAX_NOTE:
        errors["note"] = f"at most {MAX_NOTE} characters"
    _refuse(errors)
    assert due is not None
    try:
        return create_plan(
            session,
            root_cause=root_cause,
            owner_role=_text(form, "owner_role"),
            owner_name=_text(form, "owner_name"),
            metric=metric,
            change_pct=change_pct,
            due_date=due,
            payer=payer,
            department=department,
            service_line=service_line,
            note=note,
            as_of=today,
            settings=settings,
        )
    except NoPeriodError as error:  # the scope has no claims to measure a baseline on
        raise InputError(error.message, fields={"scope": error.message}) from None


def update_plan_form(session: Session, *, plan_id: int, form: Form) -> ActionPlan:
    """Set a plan's ``status`` and/or add a dated ``note`` from a form (NotFoundError when
    the plan does not exist; InputError with ``fields`` when a field is wrong)."""
    errors: dict[str, str] = {}
    status = _text(form, "status") or None
    if status is not None and status not in PLAN_STATUSES:
        errors["status"] = f"choose one of {', '.join(PLAN_STATUSES)}"
    note = _text(form, "note") or None
    if note is not None and len(note) > MAX_NOTE:
        errors["note"] = f"at most {MAX_NOTE} characters"
    if status is None and note is None and not errors:
        errors["status"] = "give a new status and/or a note"
    _refuse(errors)
    return update_plan(session, plan_id, status=status, note=note)
