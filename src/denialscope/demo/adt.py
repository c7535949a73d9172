"""An HL7 v2.5.1 ADT feed for every inpatient and observation stay, consistent with the 837I.

Per stay, in time order: A04 (registered as an outpatient in observation) and A06 (changed
to inpatient) or A01 (admitted directly); A08 with the working diagnosis; A07 when an
inpatient order is changed to observation (the stay is billed as outpatient, type 13); A11
when an admission was entered in error and cancelled; A03 at discharge. Admission and
discharge times are the 837I's (DTP*435 admission hour, DTP*096 discharge hour; observation
ends after the G0378 hours billed); PV1-7 is the claim's attending, PV1-19 its CLM01.
PV2-9 carries the expected discharge the physician set with the order (inpatient: the midnights
expected at admission, ``Claim.expected_midnights``; observation: the hours ordered).
Files: ``adt/ADT_<facility>_<YYYYMM>.hl7``, segments ended by CR as HL7 requires.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from denialscope.demo.encounters import Claim

__all__ = ["adt_messages", "write_adt_files"]

_SERVICE = {"cardiology": "CAR", "orthopedics": "ORT", "behavioral_health": "PSY",
            "inpatient_medicine": "MED", "surgery": "SUR", "emergency": "MED"}  # fmt: skip


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M")


def _segment(name: str, fields: dict[int, str]) -> str:
    values = [""] * max(fields)
    for pos, value in fields.items():
        values[pos - 1] = value
    return "|".join([name, *values])


class _Feed:
    def __init__(self) -> None:
        self.seq = 0

    def message(self, event: str, moment: datetime, c: Claim, patient_class: str,
                *, admitted: datetime, discharged: datetime | None = None,
                diagnosis: tuple[str, str] | None = None,
                expected: datetime | None = None) -> str:  # fmt: skip
        self.seq += 1
        p, pt, fac = c.provider, c.patient, c.billing
        structure = {"A01": "ADT_A01", "A04": "ADT_A01", "A08": "ADT_A01", "A03": "ADT_A03",
                     "A06": "ADT_A06", "A07": "ADT_A06", "A11": "ADT_A09"}[event]  # fmt: skip
        segments = [
            "MSH|^~\\&|"
            + "|".join(
                [
                    "DEMO_ADT",
                    fac,
                    "DENIALSCOPE",
                    "RHS",
                    _ts(moment),
                    "",
                    f"ADT^{event}^{structure}",
                    f"{fac}{self.seq:09d}",
                    "P",
                    "2.5.1",
                ]
            ),
            _segment("EVN", {1: event, 2: _ts(moment)}),
            _segment(
                "PID",
                {
                    1: "1",
                    3: f"{pt.member_id}^^^{fac}^MR",
                    5: f"{pt.last_name}^{pt.first_name}",
                    7: pt.birth_date.strftime("%Y%m%d"),
                    8: pt.sex,
                },
            ),
        ]
        pv1 = {1: "1", 2: patient_class, 3: f"{c.department.code}^^^{fac}",
               4: "E" if c.family != "inpatient_surgical" else "C",
               7: f"{p.npi}^{p.last_name}^{p.first_name}^^^^^^NPI",
               10: _SERVICE.get(c.department.service_line, "MED"),
               18: "OBS" if patient_class == "O" else "IP", 19: f"{c.claim_id}^^^{fac}^VN",
               44: _ts(admitted)}  # fmt: skip
        if discharged is not None:
            pv1[36] = c.discharge_status if c.kind == "inpatient" else "01"
            pv1[45] = _ts(discharged)
        segments.append(_segment("PV1", pv1))
        if expected is not None:  # PV2-9: expected discharge date/time, set with the order
            segments.append(_segment("PV2", {9: _ts(expected)}))
        if diagnosis is not None:
            code, kind = diagnosis
            segments.append(_segment("DG1", {1: "1", 3: f"{code}^^I10", 6: kind}))
        return "\r".join(segments) + "\r"


def adt_messages(claims: list[Claim], rng: random.Random) -> dict[tuple[str, str], list[str]]:
    """The feed's messages by (facility, month of admission), each stay in time order."""
    feed = _Feed()
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in sorted(claims, key=lambda c: (c.start, c.claim_id)):
        if c.kind not in ("inpatient", "observation"):
            continue
        if c.kind == "inpatient":
            admit = datetime(c.start.year, c.start.month, c.start.day, 8, 0)
            leave = datetime(c.end.year, c.end.month, c.end.day, 11, 0)
        else:
            hours = next((ln.units for ln in c.lines if ln.code == "G0378"), 24)
            admit = datetime(c.start.year, c.start.month, c.start.day, 14, 0)
            leave = admit + timedelta(hours=hours)
        working = (c.replaced_diagnosis or c.diagnoses[0], "W")
        expected = leave  # observation: the hours ordered
        if c.kind == "inpatient" and c.expected_midnights is not None:
            day = c.start + timedelta(days=c.expected_midnights)
            expected = datetime.combine(day, leave.time())
        msgs: list[str] = []
        if c.kind == "inpatient" and c.family == "inpatient_medical" and rng.random() < 0.25:
            # Started in observation, then admitted on the physician's inpatient order.
            msgs.append(feed.message("A04", admit, c, "O", admitted=admit, expected=expected))
            msgs.append(feed.message("A06", admit + timedelta(hours=rng.randint(8, 20)), c,
                                     "I", admitted=admit, expected=expected))  # fmt: skip
        elif c.kind == "observation" and rng.random() < 0.10:
            # Ordered inpatient, then changed to observation by utilization review (the
            # claim is billed as outpatient: condition code 44 territory).
            msgs.append(feed.message("A01", admit, c, "I", admitted=admit, expected=expected))
            msgs.append(feed.message("A07", admit + timedelta(hours=rng.randint(3, 10)), c,
                                     "O", admitted=admit, expected=expected))  # fmt: skip
        elif c.kind == "observation" and rng.random() < 0.03:
            # An admission entered in error, cancelled, then the right registration.
            msgs.append(feed.message("A01", admit, c, "I", admitted=admit, expected=expected))
            msgs.append(feed.message("A11", admit + timedelta(minutes=20), c, "I",
                                     admitted=admit, expected=expected))  # fmt: skip
            msgs.append(feed.message("A04", admit + timedelta(minutes=25), c, "O",
                                     admitted=admit, expected=expected))  # fmt: skip
        else:
            event, cls = ("A01", "I") if c.kind == "inpatient" else ("A04", "O")
            msgs.append(feed.message(event, admit, c, cls, admitted=admit, expected=expected))
        cls = "I" if c.kind == "inpatient" else "O"
        msgs.append(feed.message("A08", admit + timedelta(hours=2, minutes=30), c, cls,
                                 admitted=admit, diagnosis=working, expected=expected))  # fmt: skip
        final = (c.replaced_diagnosis or c.diagnoses[0], "F")
        msgs.append(feed.message("A03", leave, c, cls, admitted=admit, discharged=leave,
                                 diagnosis=final))  # fmt: skip
        out[(c.billing, c.start.strftime("%Y%m"))] += msgs
    return out


def write_adt_files(out: Path, claims: list[Claim], rng: random.Random) -> list[Path]:
    """Write the feed, one file per facility and month; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.hl7"):
        old.unlink()
    paths = []
    for (facility, month), msgs in sorted(adt_messages(claims, rng).items()):
        path = out / f"ADT_{facility}_{month}.hl7"
        path.write_text("".join(msgs), encoding="ascii", newline="")
        paths.append(path)
    return paths
