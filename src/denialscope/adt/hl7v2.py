"""Read HL7 v2 ADT messages with python-hl7 into :class:`AdtEvent`, and build their ACKs.

A message that cannot be applied raises :class:`AdtMessageError` carrying the control id and
a reason that never quotes PID contents (the reason names segments and fields only).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import hl7

from denialscope.adt.events import EVENTS, AdtEvent, Coverage
from denialscope.errors import InputError

__all__ = ["AdtMessageError", "ack", "control_id_of", "parse_message", "split_messages"]

# PR1-3 coding systems (HL7 table 0396) -> the two the census keeps.
_PROCEDURE_SYSTEMS = {"I10P": "PCS", "ICD10PCS": "PCS", "C4": "CPT", "CPT": "CPT", "CPT4": "CPT",
                      "HCPCS": "CPT", "HCPT": "CPT"}  # fmt: skip
_TS = re.compile(r"^(\d{8})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")


class AdtMessageError(InputError):
    """A message the census cannot apply; ``code`` is the ACK code (AE error, AR reject)."""

    def __init__(self, message: str, *, control_id: str | None, code: str = "AE") -> None:
        super().__init__(message, control_id=control_id, code=code)
        self.control_id = control_id
        self.code = code


def split_messages(text: str) -> Iterator[tuple[int, str]]:
    """Messages of a file (each begins with MSH), with the 1-based line of each start."""
    text = text.replace("\r\n", "\r").replace("\n", "\r")
    current: list[str] = []
    start = line = 0
    for line, segment in enumerate(text.split("\r"), start=1):
        if not segment.strip():
            continue
        if segment.startswith("MSH") and current:
            yield start, "\r".join(current)
            current = []
        if not current:
            start = line
        current.append(segment)
    if current:
        yield start, "\r".join(current)


def _time(value: str, what: str, control_id: str) -> dt.datetime | None:
    """An HL7 DTM as the facility's wall clock (an offset, if sent, is dropped on purpose:
    midnights are counted where the patient is)."""
    if not value:
        return None
    match = _TS.match(value.strip())
    if not match:
        raise AdtMessageError(f"{what} is not an HL7 date/time", control_id=control_id)
    day, hour, minute, second, _ = match.groups()
    try:
        return dt.datetime(int(day[:4]), int(day[4:6]), int(day[6:]), int(hour or 0),
                           int(minute or 0), int(second or 0))  # fmt: skip
    except ValueError:
        raise AdtMessageError(f"{what} is not a valid date/time", control_id=control_id) from None


def _index(message: hl7.Message) -> dict[str, list[hl7.Segment]]:
    """Segments by name, in order (looked up once per message)."""
    out: dict[str, list[hl7.Segment]] = {}
    for seg in message:
        out.setdefault(str(seg[0]), []).append(seg)
    return out


def _field(seg: hl7.Segment | None, fld: int, comp: int = 1) -> str:
    """Component ``comp`` of the first repetition of field ``fld`` ("" when absent)."""
    if seg is None or len(seg) <= fld:
        return ""
    value = seg[fld]
    if isinstance(value, str):
        return value.strip() if comp == 1 else ""
    # A field with repetitions or components: python-hl7 nests Repetition > Component.
    while not isinstance(value, str) and len(value) and isinstance(value[0], hl7.Repetition):
        value = value[0]
    if isinstance(value, hl7.Field) and len(value) and not isinstance(value[0], str):
        value = value[0]
    if isinstance(value, str):
        return value.strip() if comp == 1 else ""
    if len(value) < comp:
        return ""
    part = value[comp - 1]
    while not isinstance(part, str):  # subcomponents: the first
        part = part[0] if len(part) else ""
    return str(part).strip()


def parse_message(text: str) -> AdtEvent:
    """One ADT message as an event; raises :class:`AdtMessageError` when it cannot be used."""
    if not text.startswith("MSH"):
        raise AdtMessageError("the message does not begin with an MSH segment", control_id=None)
    try:
        message = hl7.parse(text)
    except (hl7.ParseException, ValueError, IndexError, AssertionError) as exc:
        # python-hl7 asserts on a malformed MSH-2 (encoding characters).
        raise AdtMessageError(f"unreadable HL7 ({type(exc).__name__})", control_id=None) from None
    segs = _index(message)
    first = {name: found[0] for name, found in segs.items()}
    msh, pv1, pid = first.get("MSH"), first.get("PV1"), first.get("PID")
    control_id = _field(msh, 10)
    if not control_id:
        raise AdtMessageError("MSH-10 (message control id) is empty", control_id=None, code="AR")
    if _field(msh, 9) != "ADT":
        raise AdtMessageError("MSH-9 is not an ADT message", control_id=control_id, code="AR")
    event = _field(msh, 9, 2) or _field(first.get("EVN"), 1)
    if event not in EVENTS:
        raise AdtMessageError(
            f"event {event or '(none)'} is not one the census applies", control_id=control_id,
            code="AR",
        )  # fmt: skip
    at = _time(_field(first.get("EVN"), 2), "EVN-2", control_id) or _time(
        _field(msh, 7), "MSH-7", control_id
    )
    if at is None:
        raise AdtMessageError("neither EVN-2 nor MSH-7 gives the event time", control_id=control_id)
    if pv1 is None:
        raise AdtMessageError("the message has no PV1 segment", control_id=control_id)
    visit = _field(pv1, 19)
    if not visit:
        raise AdtMessageError("PV1-19 (visit number) is empty", control_id=control_id)
    birth = _time(_field(pid, 7), "PID-7", control_id)
    coverage = None
    in1 = first.get("IN1")
    if in1 is not None:
        # IN1-3 the payer's id, IN1-4 its name: what payers.payer_key is built from.
        coverage = Coverage(payer_id=_field(in1, 3) or None, payer_name=_field(in1, 4) or None)
    diagnoses = tuple(_field(s, 3) for s in segs.get("DG1", []) if _field(s, 3))
    procedures = tuple(
        f"{_PROCEDURE_SYSTEMS.get(_field(s, 3, 3).upper(), 'PCS')}:{_field(s, 3)}"
        for s in segs.get("PR1", [])
        if _field(s, 3)
    )
    return AdtEvent(
        control_id=control_id,
        source="hl7",
        event=event,
        at=at,
        visit_number=visit,
        facility=_field(msh, 4) or None,
        patient_ref=_field(pid, 3) or None,
        birth_date=birth.date() if birth else None,
        sex=_field(pid, 8)[:1] or None,
        patient_class=_field(pv1, 2)[:1] or None,
        admit_at=_time(_field(pv1, 44), "PV1-44", control_id),
        discharge_at=_time(_field(pv1, 45), "PV1-45", control_id),
        expected_discharge_at=_time(_field(first.get("PV2"), 9), "PV2-9", control_id),
        attending_npi=_field(pv1, 7) or None,
        attending_name=" ".join(p for p in (_field(pv1, 7, 3), _field(pv1, 7, 2)) if p) or None,
        service=_field(pv1, 10) or None,
        diagnoses=diagnoses,
        procedures=procedures,
        coverage=coverage,
    )  # fmt: skip


def control_id_of(text: str) -> str | None:
    """MSH-10 read from the raw MSH line (for an ACK when the message was not parsed)."""
    header = text.split("\r", 1)[0]
    if not header.startswith("MSH") or len(header) < 4:
        return None
    fields = header.split(header[3])
    return fields[9].strip() or None if len(fields) > 9 else None


def ack(text: str, *, code: str, control_id: str | None, reason: str | None = None) -> str:
    """The ACK for a message (MSA-1 AA, AE or AR; MSA-3 the reason when not accepted).

    Built from the incoming MSH line alone (split on its own field separator), so that an
    ACK costs no second parse and an unparseable message still gets one.
    """
    now = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    header = text.split("\r", 1)[0]
    fields = header.split(header[3]) if header.startswith("MSH") and len(header) > 3 else []

    def msh(n: int) -> str:  # MSH-1 is the separator itself: MSH-n is fields[n - 1]
        return fields[n - 1].strip() if 1 < n <= len(fields) else ""

    component = fields[1][:1] if len(fields) > 1 and fields[1] else "^"
    event = msh(9).split(component)[1] if component in msh(9) else ""
    msa = ["MSA", code, control_id or ""]
    if reason:
        msa.append(reason.replace("|", "/").replace("^", " ").replace("\r", " "))
    out = ["MSH", "^~\\&", msh(5) or "DENIALSCOPE", msh(6), msh(3), msh(4), now, "",
           f"ACK^{event}^ACK" if event else "ACK", f"ACK{now}{(control_id or '')[-10:]}", "P",
           msh(12) or "2.5.1"]  # fmt: skip
    return "\r".join(["|".join(out), "|".join(msa)]) + "\r"
