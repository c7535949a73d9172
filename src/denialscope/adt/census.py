"""Apply ADT events to the census: idempotent by control id, status history kept.

Messages can arrive out of order (an A08 before its A01): any event creates the stay it
names, and the status history is ordered by event time, so the census as of a moment is
the last change at or before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, selectinload

from denialscope.adt.events import EVENTS, AdtEvent
from denialscope.adt.models import AdtMessage, Stay, StayChange
from denialscope.orgs.models import payer_key_for

__all__ = ["Applied", "apply_event", "census", "state_at"]


@dataclass(frozen=True, slots=True)
class Applied:
    control_id: str
    event: str
    duplicate: bool
    stay_id: int | None


def _age(birth: dt.date | None, on: dt.datetime | None) -> int | None:
    if birth is None or on is None:
        return None
    day = on.date()
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


_STAYS: Table = Stay.__table__  # type: ignore[assignment]
_CHANGES: Table = StayChange.__table__  # type: ignore[assignment]
_MESSAGES: Table = AdtMessage.__table__  # type: ignore[assignment]
_FIELDS = [c.key for c in _STAYS.columns if c.key not in ("id", "updated_at")]
# Parameters passed at execution, not built into each statement: the statements are compiled
# once and cached (values() with twenty columns cost more than the SQL it runs).
_SEEN = select(_MESSAGES.c.id).where(_MESSAGES.c.control_id == bindparam("control"))
_FIND_STAY = select(_STAYS).where(_STAYS.c.visit_number == bindparam("visit"))
_INSERT_STAY = insert(_STAYS)
_UPDATE_STAY = update(_STAYS).where(_STAYS.c.id == bindparam("stay_key"))
_INSERT_CHANGE = insert(_CHANGES)
_INSERT_MESSAGE = insert(_MESSAGES)


def apply_event(session: Session, *, event: AdtEvent) -> Applied:
    """Apply one event (a no-op for a control id already applied) in the session's transaction.

    Written with Core statements on the session's connection: the listener applies one
    message per transaction, and the unit of work cost three times the SQL itself.
    """
    db = session.connection()  # Core on the session's transaction: no ORM execution layer
    seen = db.execute(_SEEN, {"control": event.control_id}).first()
    if seen is not None:
        return Applied(event.control_id, event.event, True, None)
    row = db.execute(_FIND_STAY, {"visit": event.visit_number}).mappings().first()
    if row is None:
        stay = SimpleNamespace(**dict.fromkeys(_FIELDS))
        stay.visit_number, stay.status = event.visit_number, "active"
        stay.patient_class = event.patient_class or "O"
    else:
        stay = SimpleNamespace(**{k: row[k] for k in _FIELDS})
    _update_facts(stay, event)  # type: ignore[arg-type]
    status = EVENTS[event.event]
    new_status = stay.status if status == "keep" else status
    new_class = event.patient_class or stay.patient_class
    if event.event == "A03":
        stay.discharge_at = event.discharge_at or event.at
    elif event.event == "A13":
        stay.discharge_at = None
    change = status != "keep" or new_class != stay.patient_class
    if change and (stay.status_at is None or event.at >= stay.status_at):
        stay.status, stay.patient_class, stay.status_at = new_status, new_class, event.at
    elif not change and stay.status_at is None:
        stay.patient_class = new_class
    values = {k: getattr(stay, k) for k in _FIELDS}
    if row is None:
        inserted = db.execute(_INSERT_STAY, values).inserted_primary_key
        stay_id = int(inserted[0]) if inserted else 0
    else:
        stay_id = int(row["id"])
        db.execute(_UPDATE_STAY, {**values, "stay_key": stay_id})
        cached = session.identity_map.get(session.identity_key(Stay, stay_id))
        if cached is not None:
            session.expire(cached)  # a Stay loaded earlier in this session is now stale
    if change:
        db.execute(_INSERT_CHANGE, {"stay_id": stay_id, "at": event.at, "event": event.event,
                                    "status": new_status, "patient_class": new_class})  # fmt: skip
    db.execute(_INSERT_MESSAGE, {"control_id": event.control_id, "source": event.source,
                                 "event": event.event, "stay_id": stay_id})  # fmt: skip
    return Applied(event.control_id, event.event, False, stay_id)


def _update_facts(stay: Stay, event: AdtEvent) -> None:
    stay.facility = event.facility or stay.facility
    stay.patient_ref = event.patient_ref or stay.patient_ref
    stay.sex = event.sex or stay.sex
    stay.admit_at = event.admit_at or stay.admit_at or (
        event.at if event.event in ("A01", "A04") else None
    )  # fmt: skip
    stay.age = _age(event.birth_date, stay.admit_at or event.at) if event.birth_date else stay.age
    stay.attending_npi = event.attending_npi or stay.attending_npi
    stay.attending_name = event.attending_name or stay.attending_name
    stay.service = event.service or stay.service
    if event.coverage is not None:
        stay.payer_key = payer_key_for(event.coverage.payer_id, event.coverage.payer_name)
        stay.payer_id = None  # resolved again against the payers table
    if event.diagnoses and (stay.diagnoses_at is None or event.at >= stay.diagnoses_at):
        codes = ",".join(dict.fromkeys(event.diagnoses))[:400]
        # diagnoses_at is when these codes became known: a discharge repeating the working
        # diagnosis does not move it (a replayed census then sees the codes from the A08 on).
        if codes != stay.diagnoses:
            stay.diagnoses, stay.diagnoses_at = codes, event.at
    # expected_discharge_set_at is when the expectation became known (a repeat keeps it).
    newer = stay.expected_discharge_set_at is None or event.at >= stay.expected_discharge_set_at
    expected = event.expected_discharge_at
    if expected is not None and newer and expected != stay.expected_discharge_at:
        stay.expected_discharge_at, stay.expected_discharge_set_at = expected, event.at
    if event.procedures:
        known = stay.procedures.split(",") if stay.procedures else []
        stay.procedures = ",".join(dict.fromkeys([*known, *event.procedures]))[:400]


def state_at(stay: Stay, moment: dt.datetime) -> tuple[str, str, dt.datetime | None] | None:
    """(status, class, since when in that class) of a stay at a moment; None before it began."""
    past = [c for c in stay.changes if c.at <= moment]
    if not past:
        return None
    past.sort(key=lambda c: c.at)
    last = past[-1]
    since = last.at
    for change in reversed(past):
        if change.patient_class != last.patient_class or change.status == "cancelled":
            break
        since = change.at
    return last.status, last.patient_class, since


def census(session: Session, *, as_of: dt.datetime | None = None) -> list[Stay]:
    """Inpatient and observation stays in house at ``as_of`` (default: now, the current state)."""
    if as_of is None:
        rows = session.scalars(
            select(Stay)
            .options(selectinload(Stay.changes))
            .where(Stay.status == "active")
            .order_by(Stay.admit_at, Stay.id)
        ).all()
        return [s for s in rows if s.patient_class in ("I", "O")]
    rows = session.scalars(
        select(Stay)
        .options(selectinload(Stay.changes))
        .where(Stay.admit_at <= as_of)
        .where((Stay.discharge_at.is_(None)) | (Stay.discharge_at > as_of))
        .order_by(Stay.admit_at, Stay.id)
    ).all()
    out = []
    for stay in rows:
        state = state_at(stay, as_of)
        if state is not None and state[0] == "active" and state[1] in ("I", "O"):
            out.append(stay)
    return out
