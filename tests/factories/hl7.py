"""Synthetic HL7 v2 ADT messages for tests (invented patients, never real data)."""

from __future__ import annotations

STRUCTURE = {"A01": "ADT_A01", "A02": "ADT_A02", "A03": "ADT_A03", "A04": "ADT_A01",
             "A06": "ADT_A06", "A07": "ADT_A06", "A08": "ADT_A01", "A11": "ADT_A09",
             "A13": "ADT_A01"}  # fmt: skip


def message(
    control: str,
    event: str,
    at: str,
    *,
    visit: str = "V100",
    cls: str = "I",
    admit: str = "202601050800",
    discharge: str = "",
    dx: tuple[str, ...] = (),
    procedures: tuple[tuple[str, str], ...] = (),
    payer: tuple[str, str] | None = None,
    member: str = "MEM123456",
    expected: str = "",
) -> str:
    """One ADT message; segments end with CR as HL7 requires."""
    doctor = "1234567893^HOUSE^GREGORY^^^^^^NPI"
    pv1 = ["PV1", "1", cls, "MED^^^F1", "E", "", "", doctor, "", "", "MED"]
    pv1 += [""] * 8 + [f"{visit}^^^F1^VN"] + [""] * 24 + [admit, discharge]
    segments = [
        f"MSH|^~\\&|EHR|F1|DENIALSCOPE|RHS|{at}||ADT^{event}^{STRUCTURE[event]}|{control}|P|2.5.1",
        f"EVN|{event}|{at}",
        f"PID|1||{member}^^^F1^MR||TESTPATIENT^ALEX||19550304|M",
        "|".join(pv1),
    ]
    if expected:  # PV2-9: the expected discharge date/time
        segments.append("PV2" + "|" * 9 + expected)
    segments += [f"DG1|{i}||{code}^^I10||||W" for i, code in enumerate(dx, start=1)]
    segments += [f"PR1|{i}||{code}^^{system}" for i, (system, code) in enumerate(procedures, 1)]
    if payer is not None:
        segments.append(f"IN1|1|PLAN|{payer[0]}|{payer[1]}")
    return "\r".join(segments) + "\r"
