"""Write `Claim` records as a 5010 837P or 837I interchange (corrected claims, demo data).

    text = write_837(claims, kind="837P", sender="CLINIC01", receiver="PAYER01")

Claims are written in the order given, streamed: with ``out`` set, memory does not grow
with the number of claims. Consecutive claims with the same billing provider share one
billing HL (20), with the same subscriber and payer one subscriber HL (22), with the same
patient one patient HL (23). Reading the result back with ``open_x12`` gives records equal
to the ones written, for every field the records hold.

Missing header content gets a sensible default: BHT reference = control number, BHT date
and time = ``when``, submitter and receiver named after ``sender``/``receiver``.
A claim with no total charge is written with the sum of its line charges.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from typing import TextIO

from denialscope.errors import InputError
from denialscope.x12.claim837.codes import PRV_ROLE
from denialscope.x12.claim837.records import (
    Adjustment,
    Attachment,
    Claim,
    CodeEntry,
    Contact,
    DateRange,
    Line,
    OtherPayer,
    Party,
    Submission,
)
from denialscope.x12.writer import X12Writer, format_amount

__all__ = ["GUIDES", "write_837"]

GUIDES = {"837P": "005010X222A1", "837I": "005010X223A2"}


def _d8(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value is not None else ""


def _dtp(w: X12Writer, qualifier: str, dates: DateRange, time: str = "") -> None:
    start, end = dates
    if time and start is not None:
        w.segment("DTP", qualifier, "DT", _d8(start) + time)
    elif end is None or end == start:
        w.segment("DTP", qualifier, "D8", _d8(start))
    else:
        w.segment("DTP", qualifier, "RD8", f"{_d8(start)}-{_d8(end)}")


def _party(w: X12Writer, party: Party, *, prv: bool = True) -> None:
    """NM1 and what follows it in every 5010 NM1 loop: PRV, N3, N4, DMG, REF, PER."""
    w.segment(
        "NM1",
        party.entity_code,
        party.entity_type,
        party.name,
        party.first_name,
        party.middle_name,
        "",
        party.suffix,
        party.id_qualifier if party.identifier else "",
        party.identifier,
    )
    if prv and party.taxonomy:
        w.segment("PRV", PRV_ROLE.get(party.entity_code, "PE"), "PXC", party.taxonomy)
    a = party.address
    if a is not None:
        w.segment("N3", a.line1, a.line2)
        w.segment("N4", a.city, a.state, a.postal_code, a.country)
    if party.birth_date is not None or party.sex:
        w.segment("DMG", "D8", _d8(party.birth_date), party.sex)
    for qualifier, value in party.refs:
        w.segment("REF", qualifier, value)
    for contact in party.contacts:
        numbers = [x for pair in contact.numbers for x in pair]
        w.segment("PER", contact.function, contact.name, *numbers)


def _adjustments(w: X12Writer, adjustments: list[Adjustment]) -> None:
    """CAS segments: consecutive adjustments of one group, at most six per segment."""
    i = 0
    while i < len(adjustments):
        group = adjustments[i].group
        elements: list[str | Decimal | None] = []
        while i < len(adjustments) and adjustments[i].group == group and len(elements) < 18:
            a = adjustments[i]
            elements += [a.reason, a.amount, a.quantity]
            i += 1
        w.segment("CAS", group, *elements)


def _pwk(w: X12Writer, att: Attachment) -> None:
    w.segment(
        "PWK", att.report_type, att.transmission, "", "", att.control_qualifier, att.control_number
    )


def _hi_group(entry: CodeEntry, kind: str) -> str:
    category = entry.category
    if kind == "837P" and category in ("diagnosis.principal", "diagnosis.other"):
        return "diagnosis"  # the 837P diagnosis HI carries ABK then ABF in one segment
    return category or entry.qualifier


def _hi_composite(entry: CodeEntry) -> list[str]:
    value = ""
    fmt = entry.date_qualifier
    if entry.date is not None:
        if entry.end_date is not None and entry.end_date != entry.date:
            fmt = fmt or "RD8"
            value = f"{_d8(entry.date)}-{_d8(entry.end_date)}"
        else:
            fmt = fmt or "D8"
            value = _d8(entry.date)
    amount = "" if entry.amount is None else format_amount(entry.amount)
    return [entry.qualifier, entry.code, fmt, value, amount, "", "", "", entry.poa]


def _codes(w: X12Writer, codes: list[CodeEntry], kind: str) -> None:
    """HI segments: a new one when the kind of code changes or twelve are written."""
    batch: list[list[str]] = []
    group = ""
    for entry in codes:
        g = _hi_group(entry, kind)
        if batch and (g != group or len(batch) == 12):
            w.segment("HI", *batch)
            batch = []
        group = g
        batch.append(_hi_composite(entry))
    if batch:
        w.segment("HI", *batch)


def _procedure(line: Line) -> list[str]:
    if not line.procedure:
        return []
    mods = list(line.modifiers[:4])
    if line.description:
        mods += [""] * (4 - len(mods)) + [line.description]
    return [line.procedure_qualifier or "HC", line.procedure, *mods]


def _line(w: X12Writer, line: Line, number: int, kind: str) -> None:
    w.segment("LX", str(line.number or number))
    if kind == "837I":
        w.segment(
            "SV2",
            line.revenue_code,
            _procedure(line),
            line.charge,
            line.unit_qualifier,
            line.units,
            line.rate,
            line.non_covered,
        )
    else:
        w.segment(
            "SV1",
            _procedure(line),
            line.charge,
            line.unit_qualifier,
            line.units,
            line.place_of_service,
            "",
            [str(p) for p in line.diagnosis_pointers],
            "",
            line.emergency,
            "",
            line.epsdt,
            line.family_planning,
        )
    for att in line.attachments:
        _pwk(w, att)
    if line.service_from is not None:
        _dtp(w, "472", (line.service_from, line.service_to))
    for qualifier, pair in line.dates.items():
        _dtp(w, qualifier, pair)
    if line.control_number:
        w.segment("REF", "6R", line.control_number)
    for qualifier, value in line.refs:
        w.segment("REF", qualifier, value)
    for qualifier, amount in line.amounts:
        w.segment("AMT", qualifier, amount)
    for code, text in line.notes:
        w.segment("NTE", code, text)
    drug = line.drug
    if drug is not None:
        w.segment("LIN", "", drug.qualifier, drug.ndc)
        w.segment("CTP", "", "", "", drug.quantity, drug.unit)
        if drug.reference:
            w.segment("REF", drug.reference_qualifier, drug.reference)
    for provider in line.providers:
        _party(w, provider)
    for paid in line.adjudications:
        proc = [paid.procedure_qualifier or "HC", paid.procedure, *paid.modifiers]
        w.segment(
            "SVD",
            paid.payer_id,
            paid.paid,
            proc if paid.procedure else "",
            paid.revenue_code,
            paid.units,
            paid.bundled_line,
        )
        _adjustments(w, paid.adjustments)
        if paid.paid_date is not None:
            w.segment("DTP", "573", "D8", _d8(paid.paid_date))
        for qualifier, amount in paid.amounts:
            w.segment("AMT", qualifier, amount)


def _other_payer(w: X12Writer, other: OtherPayer) -> None:
    w.segment(
        "SBR",
        other.responsibility,
        other.relationship,
        other.group_number,
        other.group_name,
        other.insurance_type,
        "",
        "",
        "",
        other.filing_indicator,
    )
    _adjustments(w, other.adjustments)
    if other.paid_amount is not None:
        w.segment("AMT", "D", other.paid_amount)
    for qualifier, amount in other.amounts:
        w.segment("AMT", qualifier, amount)
    w.segment("OI", "", "", other.benefits_assignment, "", "", other.release_of_information)
    if other.subscriber is not None:
        _party(w, other.subscriber)
    if other.payer is not None:
        _party(w, other.payer)
        if other.paid_date is not None:
            w.segment("DTP", "573", "D8", _d8(other.paid_date))


def _claim(w: X12Writer, claim: Claim, kind: str) -> None:
    total = claim.total_charge
    if total is None:
        total = sum((ln.charge for ln in claim.lines if ln.charge is not None), Decimal(0))
    causes = list(claim.related_causes[:3])
    causes += [""] * (3 - len(causes)) + [claim.accident_state, claim.accident_country]
    clm: list[str | Decimal | list[str]] = [
        claim.control_number,
        total,
        "",
        "",
        [claim.facility_code, claim.facility_qualifier, claim.frequency],
        claim.provider_signature,
        claim.assignment,
        claim.benefits_assignment,
        claim.release_of_information,
        claim.patient_signature_source,
        causes if any(causes) else [],
        claim.special_program,
    ]
    if claim.delay_reason:
        clm += [""] * 7 + [claim.delay_reason]
    w.segment("CLM", *clm)
    for qualifier, pair in claim.dates.items():
        _dtp(w, qualifier, pair, claim.times.get(qualifier, ""))
    for qualifier, time in claim.times.items():
        if qualifier not in claim.dates:
            w.segment("DTP", qualifier, "TM", time)
    if claim.admission_type or claim.admission_source or claim.patient_status:
        w.segment("CL1", claim.admission_type, claim.admission_source, claim.patient_status)
    for att in claim.attachments:
        _pwk(w, att)
    for qualifier, amount in claim.amounts:
        w.segment("AMT", qualifier, amount)
    for qualifier, value in claim.refs:
        w.segment("REF", qualifier, value)
    for text in claim.k3:
        w.segment("K3", text)
    for code, text in claim.notes:
        w.segment("NTE", code, text)
    _codes(w, claim.codes, kind)
    for provider in claim.providers:
        _party(w, provider)
    for other in claim.other_payers:
        _other_payer(w, other)
    for number, line in enumerate(claim.lines, 1):
        _line(w, line, number, kind)


def _header(w: X12Writer, sub: Submission, sender: str, receiver: str) -> None:
    when = w.when
    w.segment(
        "BHT",
        "0019",
        sub.purpose or "00",
        sub.reference or f"{w.control:09d}",
        _d8(sub.created or when.date()),
        sub.time or when.strftime("%H%M"),
        sub.claim_or_encounter or "CH",
    )
    submitter = sub.submitter
    if not submitter.name:
        submitter = Party("41", "2", sender, id_qualifier="46", identifier=sender)
    if not submitter.contacts:  # PER is required in 1000A
        submitter = replace(submitter, contacts=[Contact(submitter.name, [("TE", "0000000000")])])
    _party(w, submitter)
    recv = sub.receiver
    if not recv.name:
        recv = Party("40", "2", receiver, id_qualifier="46", identifier=receiver)
    _party(w, recv)


class _Hierarchy:
    """Numbers HL segments and opens a new level only when the parties change."""

    def __init__(self, w: X12Writer, kind: str) -> None:
        self.w = w
        self.kind = kind
        self.count = 0
        self.billing: tuple[Party, Party | None, Party | None] | None = None
        self.billing_hl = 0
        self.subscriber: tuple[object, ...] | None = None
        self.subscriber_hl = 0
        self.patient: object = None

    def _hl(self, parent: int, level: str, child: str) -> int:
        self.count += 1
        self.w.segment("HL", str(self.count), str(parent) if parent else "", level, child)
        return self.count

    def claim(self, claim: Claim) -> None:
        w = self.w
        billing = (claim.billing_provider, claim.pay_to_provider, claim.pay_to_plan)
        if billing != self.billing:
            self.billing = billing
            self.billing_hl = self._hl(0, "20", "1")
            self.subscriber = None
            bp = claim.billing_provider
            if bp.taxonomy:
                w.segment("PRV", "BI", "PXC", bp.taxonomy)
            _party(w, bp, prv=False)
            if claim.pay_to_provider is not None:
                _party(w, claim.pay_to_provider)
            if claim.pay_to_plan is not None:
                _party(w, claim.pay_to_plan)
        has_patient = claim.patient is not None
        subscriber = (claim.subscriber, claim.payer, has_patient)
        if subscriber != self.subscriber:
            self.subscriber = subscriber
            self.subscriber_hl = self._hl(self.billing_hl, "22", "1" if has_patient else "0")
            self.patient = None
            s = claim.subscriber
            w.segment(
                "SBR",
                s.responsibility,
                s.relationship,
                s.group_number,
                s.group_name,
                s.insurance_type,
                "",
                "",
                "",
                s.filing_indicator,
            )
            _party(w, s.party)
            _party(w, claim.payer)
        if claim.patient is not None and claim.patient != self.patient:
            self.patient = claim.patient
            self._hl(self.subscriber_hl, "23", "0")
            w.segment("PAT", claim.patient.relationship)
            _party(w, claim.patient.party)
        _claim(w, claim, self.kind)


def write_837(
    claims: Iterable[Claim],
    *,
    kind: str,
    sender: str,
    receiver: str,
    control: int = 1,
    out: TextIO | None = None,
    when: datetime | None = None,
) -> str:
    """Write ``claims`` as one 837 interchange; the text, or "" when written to ``out``.

    The submission header (BHT, submitter, receiver) is the first claim's. Raises
    :class:`InputError` for a kind other than 837P/837I or a claim of another kind.
    """
    guide = GUIDES.get(kind)
    if guide is None:
        raise InputError(f"write_837 writes 837P or 837I, not {kind!r}", kind=kind)
    w = X12Writer(sender=sender, receiver=receiver, control=control, out=out, when=when)
    it = iter(claims)
    first = next(it, None)
    with w.group("HC", version=guide), w.transaction("837", guide=guide):
        _header(w, first.submission if first else Submission(), sender, receiver)
        if first is not None:
            tree = _Hierarchy(w, kind)
            for claim in chain((first,), it):
                if claim.kind != kind:
                    raise InputError(
                        f"claim {claim.control_number!r} is an {claim.kind} claim; "
                        f"this file is an {kind}",
                        kind=kind,
                    )
                tree.claim(claim)
    if out is None:
        return w.getvalue()
    w.close()
    return ""
