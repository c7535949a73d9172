"""Readers of single 837 segments: pure functions from a segment to record fields.

They never raise: a bad value becomes None (or is left out) plus a diagnostic through the
context's helpers. Segments are padded with empty strings first so that elements can be
indexed directly, which is cheaper than a bounds check per element.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from denialscope.x12.claim837.codes import POINTER_DIAGNOSIS
from denialscope.x12.claim837.records import Address, Adjustment, CodeEntry, Contact, Line, Party
from denialscope.x12.envelope import TransactionContext

__all__ = [
    "PARTY_DETAIL",
    "fill_party",
    "pad",
    "read_cas",
    "read_dtp",
    "read_hi",
    "read_procedure",
    "read_sv1",
    "read_sv2",
    "read_sv3",
]

_EMPTY = [""] * 32


def pad(seg: list[str], size: int) -> list[str]:
    """``seg`` with at least ``size`` elements (index 0 is the id)."""
    n = len(seg)
    return seg if n >= size else seg + _EMPTY[: size - n]


def fill_party(party: Party, seg: list[str]) -> Party:
    """Copy an NM1 into ``party`` (kept when it already holds a PRV or REF read earlier)."""
    s = pad(seg, 10)
    party.entity_type = s[2].strip()
    party.name = s[3].strip()
    party.first_name = s[4].strip()
    party.middle_name = s[5].strip()
    party.suffix = s[7].strip()
    party.id_qualifier = s[8].strip()
    party.identifier = s[9].strip()
    return party


def read_procedure(value: str, component: str) -> tuple[str, str, list[str], str]:
    """A procedure composite (SV101, SV202, SVD03): qualifier, code, modifiers, description."""
    parts = value.split(component)
    n = len(parts)
    if n == 2 and " " not in value:  # the common "HC:99213": no strip, no modifiers
        return parts[0], parts[1], [], ""
    if not value.strip():
        return "", "", [], ""
    code = parts[1].strip() if n > 1 else ""
    modifiers = [m.strip() for m in parts[2:6] if m.strip()] if n > 2 else []
    description = parts[6].strip() if n > 6 else ""
    return parts[0].strip(), code, modifiers, description


def read_dtp(
    ctx: TransactionContext, seg: list[str], index: int, offset: int
) -> tuple[str, date | None, date | None, str]:
    """DTP: qualifier, start, end and a time (HHMM) for DT/TM formats."""
    s = pad(seg, 4)
    qualifier, fmt, value = s[1].strip(), s[2].strip(), s[3].strip()
    if not value:
        ctx.sink.error(
            "element.required",
            f"DTP03 date for qualifier {qualifier} is empty.",
            index=index,
            offset=offset,
            segment_id="DTP",
            element=3,
        )
        return qualifier, None, None, ""
    if fmt == "D8":
        d = ctx.parse_date(value, "DTP", 3, index, offset)
        return qualifier, d, d, ""
    if fmt == "RD8":
        start, end = ctx.date_range(value, "DTP", 3, index, offset)
        return qualifier, start, end, ""
    if fmt == "DT":
        d = ctx.parse_date(value[:8], "DTP", 3, index, offset)
        return qualifier, d, d, value[8:]
    if fmt == "TM":
        return qualifier, None, None, value
    ctx.sink.error(
        "claim837.date_format",
        f"DTP02 date format {fmt!r} for qualifier {qualifier} should be D8, RD8, DT or TM.",
        index=index,
        offset=offset,
        segment_id="DTP",
        element=2,
        value=fmt,
    )
    return qualifier, None, None, ""


def _hi_amount(
    ctx: TransactionContext, value: str, pos: int, index: int, offset: int
) -> Decimal | None:
    try:
        result = Decimal(value)
    except InvalidOperation:
        result = Decimal("NaN")
    if result.is_finite():
        return result
    ctx.sink.error(
        "element.amount",
        f"HI{pos:02d}-5 should be an amount and is not.",
        index=index,
        offset=offset,
        segment_id="HI",
        element=pos,
        value=value,
    )
    return None


def read_hi(
    ctx: TransactionContext, seg: list[str], index: int, offset: int, valid: frozenset[str] | None
) -> tuple[list[CodeEntry], int]:
    """The code entries of one HI and how many count for SV107 diagnosis pointers."""
    component = ctx.delimiters.component
    sink = ctx.sink
    entries: list[CodeEntry] = []
    pointer_targets = 0
    for pos in range(1, len(seg)):
        value = seg[pos]
        if not value:
            continue
        parts = value.split(component)
        n = len(parts)
        qualifier = parts[0].strip()
        entry = CodeEntry(qualifier, parts[1].strip() if n > 1 else "")
        if not entry.code:
            sink.error(
                "element.required",
                f"HI{pos:02d}-2 has a qualifier ({qualifier}) but no code.",
                index=index,
                offset=offset,
                segment_id="HI",
                element=pos,
            )
        if valid is not None and qualifier not in valid:
            sink.error(
                "claim837.hi_qualifier",
                f"HI{pos:02d} qualifier {qualifier!r} is not used on an {ctx.transaction.kind} "
                "claim.",
                index=index,
                offset=offset,
                segment_id="HI",
                element=pos,
                value=qualifier,
            )
        if n > 3 and parts[3]:
            fmt = parts[2].strip()
            entry.date_qualifier = fmt
            if fmt == "RD8":
                entry.date, entry.end_date = ctx.date_range(parts[3], "HI", pos, index, offset)
            else:
                entry.date = entry.end_date = ctx.parse_date(parts[3], "HI", pos, index, offset)
        if n > 4 and parts[4]:
            entry.amount = _hi_amount(ctx, parts[4].strip(), pos, index, offset)
        if n > 8:
            entry.poa = parts[8].strip()
        if qualifier in POINTER_DIAGNOSIS:
            pointer_targets += 1
        entries.append(entry)
    return entries, pointer_targets


def read_cas(ctx: TransactionContext, seg: list[str], index: int, offset: int) -> list[Adjustment]:
    """CAS: group code and up to six (reason, amount, quantity) triplets."""
    group = seg[1].strip() if len(seg) > 1 else ""
    out: list[Adjustment] = []
    for pos in range(2, min(len(seg), 20), 3):
        reason = seg[pos].strip()
        if not reason:
            continue
        amount = ctx.amount(seg, pos + 1, index, offset, required=True)
        quantity = ctx.amount(seg, pos + 2, index, offset)
        if amount is None:
            amount = Decimal(0)
        out.append(Adjustment(group, reason, amount, quantity))
    if not group:
        ctx.sink.error(
            "element.required",
            "CAS01 claim adjustment group code is empty.",
            index=index,
            offset=offset,
            segment_id="CAS",
            element=1,
        )
    return out


def _pointers(
    ctx: TransactionContext, value: str, targets: int, index: int, offset: int
) -> list[int]:
    if len(value) == 1 and "1" <= value <= str(min(targets, 9)):
        return [int(value)]  # the common single pointer to an existing diagnosis
    out: list[int] = []
    for part in value.split(ctx.delimiters.component):
        p = part.strip()
        if not p:
            continue
        if not p.isdigit():
            ctx.sink.error(
                "claim837.diagnosis_pointer",
                f"SV107 diagnosis pointer {p!r} should be a number from 1 to 12.",
                index=index,
                offset=offset,
                segment_id="SV1",
                element=7,
                value=p,
            )
            continue
        n = int(p)
        if n < 1 or n > targets:
            ctx.sink.error(
                "claim837.diagnosis_pointer",
                f"SV107 diagnosis pointer {n} points at a diagnosis the claim does not have "
                f"(it lists {targets} in HI).",
                index=index,
                offset=offset,
                segment_id="SV1",
                element=7,
                value=p,
            )
        out.append(n)
    return out


def read_sv1(
    ctx: TransactionContext, line: Line, seg: list[str], index: int, offset: int, targets: int
) -> None:
    """SV1 professional service into ``line``; ``targets`` = diagnoses the pointers may name."""
    s = pad(seg, 13)
    q, code, mods, desc = read_procedure(s[1], ctx.delimiters.component)
    if not code:
        ctx.sink.error(
            "element.required",
            "SV101-2 procedure code is empty.",
            index=index,
            offset=offset,
            segment_id="SV1",
            element=1,
        )
    line.procedure_qualifier, line.procedure, line.modifiers, line.description = q, code, mods, desc
    line.charge = ctx.amount(s, 2, index, offset, required=True)
    line.unit_qualifier = s[3].strip()
    line.units = ctx.amount(s, 4, index, offset)
    line.place_of_service = s[5].strip()
    if s[7]:
        line.diagnosis_pointers = _pointers(ctx, s[7], targets, index, offset)
    line.emergency = s[9].strip()
    line.epsdt = s[11].strip()
    line.family_planning = s[12].strip()


def read_sv2(ctx: TransactionContext, line: Line, seg: list[str], index: int, offset: int) -> None:
    """SV2 institutional service into ``line``."""
    s = pad(seg, 8)
    line.revenue_code = s[1].strip()
    if not line.revenue_code:
        ctx.sink.error(
            "element.required",
            "SV201 revenue code is empty.",
            index=index,
            offset=offset,
            segment_id="SV2",
            element=1,
        )
    q, code, mods, desc = read_procedure(s[2], ctx.delimiters.component)
    line.procedure_qualifier, line.procedure, line.modifiers, line.description = q, code, mods, desc
    line.charge = ctx.amount(s, 3, index, offset, required=True)
    line.unit_qualifier = s[4].strip()
    line.units = ctx.amount(s, 5, index, offset)
    line.rate = ctx.amount(s, 6, index, offset)
    line.non_covered = ctx.amount(s, 7, index, offset)


def read_sv3(ctx: TransactionContext, line: Line, seg: list[str], index: int, offset: int) -> None:
    """SV3 dental service: procedure, charge and place of service only."""
    s = pad(seg, 4)
    q, code, mods, desc = read_procedure(s[1], ctx.delimiters.component)
    line.procedure_qualifier, line.procedure, line.modifiers, line.description = q, code, mods, desc
    line.charge = ctx.amount(s, 2, index, offset, required=True)
    line.place_of_service = s[3].strip()
    line.unit_qualifier = ""


def _n3(ctx: TransactionContext, party: Party, seg: list[str], index: int, offset: int) -> None:
    s = pad(seg, 3)
    if party.address is None:
        party.address = Address()
    party.address.line1 = s[1].strip()
    party.address.line2 = s[2].strip()


def _n4(ctx: TransactionContext, party: Party, seg: list[str], index: int, offset: int) -> None:
    s = pad(seg, 5)
    if party.address is None:
        party.address = Address()
    addr = party.address
    addr.city, addr.state, addr.postal_code = s[1].strip(), s[2].strip(), s[3].strip()
    addr.country = s[4].strip()


def _dmg(ctx: TransactionContext, party: Party, seg: list[str], index: int, offset: int) -> None:
    s = pad(seg, 4)
    party.birth_date = ctx.date(s, 2, index, offset)
    party.sex = s[3].strip()


def _prv(ctx: TransactionContext, party: Party, seg: list[str], index: int, offset: int) -> None:
    party.taxonomy = seg[3].strip() if len(seg) > 3 else ""


def _per(ctx: TransactionContext, party: Party, seg: list[str], index: int, offset: int) -> None:
    # A bare "PER" (no elements) is a sender's slip, not a reason to drop the claim.
    function = seg[1].strip() if len(seg) > 1 else ""
    contact = Contact(seg[2].strip() if len(seg) > 2 else "", function=function)
    for pos in range(3, len(seg) - 1, 2):
        if seg[pos]:
            contact.numbers.append((seg[pos].strip(), seg[pos + 1].strip()))
    party.contacts.append(contact)


# Segments that describe the party named by the last NM1 (or the billing provider, whose
# PRV comes before its NM1).
PARTY_DETAIL: dict[str, Callable[[TransactionContext, Party, list[str], int, int], None]] = {
    "N3": _n3,
    "N4": _n4,
    "DMG": _dmg,
    "PRV": _prv,
    "PER": _per,
}
