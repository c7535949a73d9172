"""The claim (CLP) and service-line (SVC) loops of the 835.

:class:`ClaimReader` builds the records; the parser decides when loops open and close.
Handlers are only installed while their loop is open, so ``self.claim`` (and ``self.line``
in the line handlers) is never None when they run.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from denialscope.x12.envelope import TransactionContext
from denialscope.x12.remit835.codes import CAS_GROUPS, CLAIM_STATUSES, REMARK_QUALIFIERS
from denialscope.x12.remit835.elements import LIMIT, ElementReader, padded, parse_number
from denialscope.x12.remit835.header import read_contact
from denialscope.x12.remit835.records import (
    Adjustment,
    ClaimPayment,
    InpatientAdjudication,
    Level,
    OutpatientAdjudication,
    Party,
    Procedure,
    ProviderSummary,
    RemarkCode,
    Remittance,
    ServicePayment,
)

__all__ = ["ClaimReader"]

Handler = Callable[[list[str], int, int], None]
_ZERO = Decimal(0)
_ONE = Decimal(1)
_MIA_AMOUNTS = (2, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 24)
_MIA_REMARKS = (5, 20, 21, 22, 23)
_CLAIM_PARTIES = {
    "QC": "patient",
    "IL": "insured",
    "74": "corrected_patient",
    "82": "rendering_provider",
    "TT": "crossover_carrier",
    "PR": "corrected_payer",
    "GB": "other_subscriber",
}
_CLAIM_DATES = {
    "232": "statement_start",
    "233": "statement_end",
    "050": "received",
    "036": "coverage_expiration",
    "009": "processed",
}


class ClaimReader(ElementReader):
    """Reads CLP, SVC and the segments of their loops into records."""

    __slots__ = (
        "_component",
        "_required_clp",
        "claim",
        "header_number",
        "line",
        "line_offset",
        "provider_summary",
        "remittance",
    )

    def __init__(self, ctx: TransactionContext, remittance: Remittance) -> None:
        super().__init__(ctx)
        self.remittance = remittance
        self.claim: ClaimPayment | None = None
        self.line: ServicePayment | None = None
        self.line_offset = 0
        self.header_number: str | None = None
        self.provider_summary: ProviderSummary | None = None
        self._component = ctx.delimiters.component
        # CLP07 (payer claim control number) became required in 5010.
        self._required_clp = (
            (1, 2, 3, 4, 6, 7) if ctx.transaction.version.startswith("005") else (1, 2, 3, 4, 6)
        )

    def claim_handlers(self) -> dict[str, Handler]:
        return {
            "CAS": self._claim_cas,
            "NM1": self._nm1,
            "MIA": self._mia,
            "MOA": self._moa,
            "REF": self._claim_ref,
            "DTM": self._claim_dtm,
            "PER": self._claim_per,
            "AMT": self._claim_amt,
            "QTY": self._claim_qty,
        }

    def line_handlers(self) -> dict[str, Handler]:
        return {
            "DTM": self._line_dtm,
            "CAS": self._line_cas,
            "REF": self._line_ref,
            "AMT": self._line_amt,
            "QTY": self._line_qty,
            "LQ": self._lq,
        }

    # CLP and SVC open their loops.

    def read_claim(self, seg: list[str], index: int, offset: int) -> ClaimPayment:
        s = padded(seg, 14)
        if not (s[1] and s[2] and s[3] and s[4] and s[6] and s[7]):
            self.require(s, self._required_clp, "a claim (CLP)", index, offset)
        status = s[2]
        if status and status not in CLAIM_STATUSES:
            self.sink.warning(
                "remit835.claim_status",
                f"CLP02 claim status {status!r} is not a status the 835 guide defines; "
                "kept as sent.",
                index=index,
                offset=offset,
                segment_id="CLP",
                element=2,
                value=status,
            )
        number = self.number
        charge = number(s, 3, index, offset)
        paid = number(s, 4, index, offset)
        claim = ClaimPayment(
            self.remittance,
            self.header_number,
            self.provider_summary,
            index,
            s[1],
            status,
            charge,
            paid,
            number(s, 5, index, offset),
            s[6],
            s[7],
            s[8],
            s[9],
            s[11],
            number(s, 12, index, offset) if s[12] else None,
            number(s, 13, index, offset) if s[13] else None,
        )
        summary = self.summary
        summary.claims += 1
        if charge is not None:
            summary.total_charge += charge
        if paid is not None:
            summary.total_paid += paid
        self.claim = claim
        return claim

    def read_service(self, seg: list[str], index: int, offset: int) -> ServicePayment:
        s = padded(seg, 8)
        if not (s[1] and s[2] and s[3]):
            self.require(s, (1, 2, 3), "a service line (SVC)", index, offset)
        number = self.number
        line = ServicePayment(
            self._procedure(s, 1, index, offset),
            number(s, 2, index, offset),
            number(s, 3, index, offset),
            s[4],
            number(s, 5, index, offset) if s[5] else _ONE,
            self._procedure(s, 6, index, offset) if s[6] else None,
            number(s, 7, index, offset) if s[7] else None,
            index,
        )
        claim = self.claim
        assert claim is not None
        claim.services.append(line)
        self.summary.service_lines += 1
        self.line = line
        self.line_offset = offset
        return line

    def _procedure(self, s: list[str], pos: int, index: int, offset: int) -> Procedure:
        parts = s[pos].split(self._component)
        n = len(parts)
        code = parts[1] if n > 1 else ""
        if s[pos] and not code:
            self.sink.error(
                "remit835.required_element",
                f"SVC{pos:02d} has a qualifier but no procedure code.",
                index=index,
                offset=offset,
                segment_id="SVC",
                element=pos,
            )
        if n <= 2:
            return Procedure(parts[0], code)
        modifiers = tuple(parts[2:6])
        if "" in modifiers:  # a skipped position ("HC:99213::59") is not a modifier
            modifiers = tuple(m for m in modifiers if m)
        return Procedure(parts[0], code, modifiers, parts[6] if n > 6 else "")

    # CAS, at claim and line level.

    def _claim_cas(self, seg: list[str], index: int, offset: int) -> None:
        claim = self.claim
        assert claim is not None
        self._read_cas(seg, index, offset, "claim", claim.adjustments)

    def _line_cas(self, seg: list[str], index: int, offset: int) -> None:
        line = self.line
        assert line is not None
        self._read_cas(seg, index, offset, "line", line.adjustments)

    def _read_cas(
        self, seg: list[str], index: int, offset: int, level: Level, out: list[Adjustment]
    ) -> None:
        n = len(seg)
        group = seg[1] if n > 1 else ""
        if group not in CAS_GROUPS:
            self._bad_group(group, index, offset)
        elif n == 4 and seg[2]:
            # One reason and amount, no quantity: most CAS segments, so it skips the loop.
            try:
                value = Decimal(seg[3])
                if -LIMIT < value < LIMIT:
                    out.append(Adjustment(level, group, seg[2], value, None, index))
                    self.summary.adjustments += 1
                    return
            except InvalidOperation:
                pass  # the loop below reports it
        pairs = 0
        for pos in range(2, min(n, 20), 3):
            reason = seg[pos]
            raw = seg[pos + 1] if pos + 1 < n else ""
            if not reason and not raw:
                continue
            amount = parse_number(raw) if raw else None
            if amount is None:
                amount = self._pair_amount(seg, pos + 1, raw, "CAS", index, offset)
            quantity = None
            if pos + 2 < n and seg[pos + 2]:
                quantity = self.number(seg, pos + 2, index, offset)
            out.append(Adjustment(level, group, reason, amount, quantity, index))
            pairs += 1
            if not reason:
                self.sink.error(
                    "remit835.cas_reason",
                    f"CAS{pos:02d} has an amount but no adjustment reason code.",
                    index=index,
                    offset=offset,
                    segment_id="CAS",
                    element=pos,
                )
        if n > 20:
            self._extra_elements(seg, 19, index, offset)
        if not pairs:
            self.sink.error(
                "remit835.required_element",
                "CAS has no reason code and amount (CAS02, CAS03).",
                index=index,
                offset=offset,
                segment_id="CAS",
                element=2,
            )
        self.summary.adjustments += pairs

    def _bad_group(self, group: str, index: int, offset: int) -> None:
        self.sink.error(
            "remit835.cas_group",
            f"CAS01 group code {group!r} is not one of CO, CR, OA, PI, PR; kept as sent."
            if group
            else "CAS01 group code is empty.",
            index=index,
            offset=offset,
            segment_id="CAS",
            element=1,
            value=group or None,
        )

    def _pair_amount(
        self, seg: list[str], pos: int, raw: str, what: str, index: int, offset: int
    ) -> Decimal:
        """The amount of a CAS or PLB pair: 0 (with an error) when absent or unreadable.

        Kept at 0 rather than dropping the pair: the reason code alone still says why.
        """
        value = parse_number(raw) if raw else None
        if value is not None:
            return value
        self.sink.error(
            f"remit835.{what.lower()}_amount",
            f"{what}{pos:02d} should hold the adjustment amount and "
            + ("is not a usable number" if raw else "is empty")
            + "; counted as 0.00.",
            index=index,
            offset=offset,
            segment_id=what,
            element=pos,
            value=raw[:40] or None,
        )
        return _ZERO

    def _extra_elements(self, seg: list[str], limit: int, index: int, offset: int) -> None:
        self.sink.warning(
            "remit835.extra_elements",
            f"{seg[0]} has {len(seg) - 1} elements; the guide allows {limit}. The rest is skipped.",
            index=index,
            offset=offset,
            segment_id=seg[0],
        )

    # Claim loop.

    def _nm1(self, seg: list[str], index: int, offset: int) -> None:
        s = padded(seg, 10)
        attribute = _CLAIM_PARTIES.get(s[1])
        if attribute is None:
            self.bad_code(s, 1, "entity code", index, offset)
            return
        setattr(self.claim, attribute, Party(s[1], s[3], s[4], s[5], s[8], s[9]))

    def _mia(self, seg: list[str], index: int, offset: int) -> None:
        s = padded(seg, 25)
        self.require(s, (1,), "inpatient adjudication (MIA)", index, offset)
        number = self.number
        amounts = {}
        for pos in _MIA_AMOUNTS:
            if s[pos]:
                value = number(s, pos, index, offset)
                if value is not None:
                    amounts[f"MIA{pos:02d}"] = value
        claim = self.claim
        assert claim is not None
        claim.inpatient = InpatientAdjudication(
            number(s, 1, index, offset),
            number(s, 3, index, offset),
            number(s, 4, index, offset),
            number(s, 15, index, offset),
            amounts,
        )
        remarks = claim.remarks
        for pos in _MIA_REMARKS:
            if s[pos]:
                remarks.append(RemarkCode(s[pos], "MIA", "claim"))

    def _moa(self, seg: list[str], index: int, offset: int) -> None:
        s = padded(seg, 10)
        number = self.number
        claim = self.claim
        assert claim is not None
        claim.outpatient = OutpatientAdjudication(
            number(s, 1, index, offset),
            number(s, 2, index, offset),
            number(s, 8, index, offset),
            number(s, 9, index, offset),
        )
        remarks = claim.remarks
        for pos in (3, 4, 5, 6, 7):
            if s[pos]:
                remarks.append(RemarkCode(s[pos], "MOA", "claim"))

    def _claim_ref(self, seg: list[str], index: int, offset: int) -> None:
        claim = self.claim
        assert claim is not None
        if len(seg) < 3 or not seg[2]:
            self.require(seg, (1, 2), "a reference (REF)", index, offset)
            return
        claim.refs.append((seg[1], seg[2]))

    def _claim_dtm(self, seg: list[str], index: int, offset: int) -> None:
        qualifier = seg[1] if len(seg) > 1 else ""
        when = self.date_at(seg, 2, index, offset)
        if when is None:
            self.require(seg, (1, 2), "a date (DTM)", index, offset)
            return
        attribute = _CLAIM_DATES.get(qualifier)
        claim = self.claim
        assert claim is not None
        if attribute is None:
            claim.other_dates[qualifier] = when
        else:
            setattr(claim, attribute, when)

    def _claim_per(self, seg: list[str], index: int, offset: int) -> None:
        claim = self.claim
        assert claim is not None
        claim.contacts.append(read_contact(seg))

    def _claim_amt(self, seg: list[str], index: int, offset: int) -> None:
        value = self._qualified_number(seg, index, offset)
        claim = self.claim
        if value is not None and claim is not None:
            claim.amounts[seg[1]] = value

    def _claim_qty(self, seg: list[str], index: int, offset: int) -> None:
        value = self._qualified_number(seg, index, offset)
        claim = self.claim
        if value is not None and claim is not None:
            claim.quantities[seg[1]] = value

    def _qualified_number(self, seg: list[str], index: int, offset: int) -> Decimal | None:
        """AMT/QTY: qualifier in 01, number in 02; None (reported) when either is missing."""
        if len(seg) < 3 or not seg[1] or not seg[2]:
            self.require(seg, (1, 2), f"an {seg[0]}", index, offset)
            return None
        return self.number(seg, 2, index, offset)

    # Service-line loop.

    def _line_dtm(self, seg: list[str], index: int, offset: int) -> None:
        line = self.line
        assert line is not None
        n = len(seg)
        qualifier = seg[1] if n > 1 else ""
        value = seg[2] if n > 2 else ""
        if not value and n > 6 and seg[5] == "RD8":
            value = seg[6]  # a range goes in DTM05/DTM06
            pos = 6
        else:
            pos = 2
        if not value:
            self.require(seg, (1, 2), "a service date (DTM)", index, offset)
            return
        if "-" in value:
            start, end = self.date_range(value, "DTM", pos, index, offset)
        else:
            start = end = self.parse_date(value, "DTM", pos, index, offset)
        if qualifier == "472":
            line.service_date = start
            line.service_date_end = end
        elif qualifier == "150":
            line.period_start = start
        elif qualifier == "151":
            line.period_end = end
        elif start is not None:
            self.sink.warning(
                "remit835.code_value",
                f"DTM01 {qualifier!r} is not a service-line date qualifier (472, 150, 151); "
                "the date is skipped.",
                index=index,
                offset=offset,
                segment_id="DTM",
                element=1,
                value=qualifier,
            )

    def _line_ref(self, seg: list[str], index: int, offset: int) -> None:
        line = self.line
        assert line is not None
        if len(seg) < 3 or not seg[2]:
            self.require(seg, (1, 2), "a reference (REF)", index, offset)
            return
        if seg[1] == "6R":
            line.control_number = seg[2]
        else:
            line.refs.append((seg[1], seg[2]))

    def _line_amt(self, seg: list[str], index: int, offset: int) -> None:
        value = self._qualified_number(seg, index, offset)
        if value is None:
            return
        line = self.line
        assert line is not None
        if seg[1] == "B6":
            line.allowed = value
        else:
            line.amounts[seg[1]] = value

    def _line_qty(self, seg: list[str], index: int, offset: int) -> None:
        value = self._qualified_number(seg, index, offset)
        line = self.line
        if value is not None and line is not None:
            line.quantities[seg[1]] = value

    def _lq(self, seg: list[str], index: int, offset: int) -> None:
        s = padded(seg, 3)
        if not s[2]:
            self.require(s, (1, 2), "a remark code (LQ)", index, offset)
            return
        if s[1] not in REMARK_QUALIFIERS:
            self.bad_code(s, 1, "remark code qualifier", index, offset)
        line = self.line
        assert line is not None
        line.remarks.append(RemarkCode(s[2], "LQ", "line", s[1]))
