"""The 835 transaction-set parser the reader calls for every ST*835 (5010 and 4010).

Records are emitted in file order: the :class:`Remittance` when the header ends, each
:class:`ClaimPayment` when the next CLP, LX or PLB (or SE) closes it, then one
:class:`ProviderAdjustment` per PLB reason/amount pair. Only the claim being read is held,
so memory stays flat on a 200,000-claim remit.

Dispatch is a dict of bound methods per loop (header, LX, claim, service line, PLB), swapped
as loops open: one lookup per segment, no per-segment regex or allocation beyond records.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from denialscope.x12.envelope import TransactionContext
from denialscope.x12.remit835.balancing import check_claim, check_payment, check_service
from denialscope.x12.remit835.claims import ClaimReader
from denialscope.x12.remit835.codes import KNOWN_SEGMENTS
from denialscope.x12.remit835.header import HeaderReader
from denialscope.x12.remit835.records import ProviderAdjustment, ProviderSummary

__all__ = ["Parser"]

Handler = Callable[[list[str], int, int], None]
_ZERO = Decimal(0)


class Parser(ClaimReader):
    """Reads one 835 transaction set; see the module docstring."""

    __slots__ = (
        "_claim_handlers",
        "_claim_offset",
        "_handlers",
        "_header",
        "_header_done",
        "_header_handlers",
        "_line_handlers",
        "_lx_handlers",
        "_paid_total",
        "_plb_handlers",
        "_plb_total",
        "_where",
    )

    def __init__(self, ctx: TransactionContext) -> None:
        header = HeaderReader(ctx)
        super().__init__(ctx, header.remittance)
        self._header = header
        self._header_done = False
        self._paid_total = _ZERO
        self._plb_total = _ZERO
        self._claim_offset = 0
        loop_starts: dict[str, Handler] = {"LX": self._lx, "CLP": self._clp, "PLB": self._plb}
        self._header_handlers: dict[str, Handler] = {**header.handlers(), **loop_starts}
        self._lx_handlers: dict[str, Handler] = {
            "TS3": self._ts3,
            "TS2": self._ts2,
            **loop_starts,
        }
        self._claim_handlers: dict[str, Handler] = {**self.claim_handlers(), **loop_starts}
        self._line_handlers: dict[str, Handler] = {
            **self.line_handlers(),
            "SVC": self._svc,
            **loop_starts,
        }
        self._claim_handlers["SVC"] = self._svc
        self._plb_handlers: dict[str, Handler] = {
            "PLB": self._plb,
            "LX": self._after_plb,
            "CLP": self._after_plb,
        }
        self._handlers = self._header_handlers
        self._where = "in the remittance header"

    # The reader's interface.

    def segment(self, seg: list[str], index: int, offset: int) -> None:
        handler = self._handlers.get(seg[0])
        if handler is None:
            self._unexpected(seg, index, offset)
        else:
            handler(seg, index, offset)

    def finish(self, index: int, offset: int) -> None:
        self._close_claim()
        self._end_header(index, offset)
        header = self._header
        check_payment(
            self.remittance.payment_amount,
            self._paid_total,
            self._plb_total,
            self.sink,
            index=self.remittance.segment_index,
            offset=header.bpr_offset,
        )

    # Loop boundaries.

    def _end_header(self, index: int, offset: int) -> None:
        if not self._header_done:
            self._header_done = True
            self.ctx.emit(self._header.complete(index, offset))

    def _close_line(self) -> None:
        line = self.line
        if line is not None:
            check_service(line, self.sink, self.line_offset)
            self.line = None

    def _close_claim(self) -> None:
        claim = self.claim
        if claim is None:
            return
        self._close_line()
        if claim.patient is None:
            self.sink.warning(
                "remit835.missing_segment",
                "The claim has no patient name (NM1*QC), which the 835 guide requires.",
                index=claim.segment_index,
                offset=self._claim_offset,
                segment_id="NM1",
            )
        check_claim(claim, self.sink, self._claim_offset)
        self.claim = None
        self.ctx.emit(claim)

    def _lx(self, seg: list[str], index: int, offset: int) -> None:
        self._close_claim()
        self._end_header(index, offset)
        self.require(seg, (1,), "the header number (LX)", index, offset)
        self.header_number = seg[1] if len(seg) > 1 else ""
        self.provider_summary = None
        self._handlers = self._lx_handlers
        self._where = "between LX and the first claim"

    def _clp(self, seg: list[str], index: int, offset: int) -> None:
        self._close_claim()
        self._end_header(index, offset)
        claim = self.read_claim(seg, index, offset)
        self._claim_offset = offset
        if claim.paid is not None:
            self._paid_total += claim.paid
        self._handlers = self._claim_handlers
        self._where = "in a claim before its first service line"

    def _svc(self, seg: list[str], index: int, offset: int) -> None:
        self._close_line()
        self.read_service(seg, index, offset)
        self._handlers = self._line_handlers
        self._where = "in a service line"

    def _after_plb(self, seg: list[str], index: int, offset: int) -> None:
        # Out of order, but a claim is money: read it rather than lose it.
        self.sink.warning(
            "remit835.segment_order",
            f"{seg[0]} comes after the provider adjustments (PLB), which the guide puts last; "
            "read anyway.",
            index=index,
            offset=offset,
            segment_id=seg[0],
        )
        if seg[0] == "LX":
            self._lx(seg, index, offset)
        else:
            self._clp(seg, index, offset)

    # LX loop: provider summary.

    def _ts3(self, seg: list[str], index: int, offset: int) -> None:
        self.require(seg, (1, 2, 3, 4, 5), "the provider summary (TS3)", index, offset)
        count: int | None = None
        raw_count = seg[4] if len(seg) > 4 else ""
        if raw_count:
            number = self.number(seg, 4, index, offset)
            if number is not None and number == number.to_integral_value():
                count = int(number)
        summary = ProviderSummary(
            seg[1] if len(seg) > 1 else "",
            seg[2] if len(seg) > 2 else "",
            self.date_at(seg, 3, index, offset),
            count,
            self.number(seg, 5, index, offset),
        )
        for pos in range(6, len(seg)):
            if seg[pos]:
                value = self.number(seg, pos, index, offset)
                if value is not None:
                    summary.amounts[f"TS3{pos:02d}"] = value
        self.provider_summary = summary

    def _ts2(self, seg: list[str], index: int, offset: int) -> None:
        summary = self.provider_summary
        if summary is None:
            self.sink.warning(
                "remit835.unexpected_segment",
                "TS2 without a TS3 provider summary before it; skipped.",
                index=index,
                offset=offset,
                segment_id="TS2",
            )
            return
        for pos in range(1, len(seg)):
            if seg[pos]:
                value = self.number(seg, pos, index, offset)
                if value is not None:
                    summary.amounts[f"TS2{pos:02d}"] = value

    # PLB: provider-level adjustments.

    def _plb(self, seg: list[str], index: int, offset: int) -> None:
        self._close_claim()
        self._end_header(index, offset)
        self._handlers = self._plb_handlers
        self._where = "after the provider adjustments (PLB)"
        self.require(seg, (1, 2, 3, 4), "a provider adjustment (PLB)", index, offset)
        provider = seg[1] if len(seg) > 1 else ""
        period_end = self.date_at(seg, 2, index, offset)
        split = self.ctx.component
        pairs = 0
        n = len(seg)
        for pos in range(3, min(n, 15), 2):
            identifier = seg[pos]
            raw = seg[pos + 1] if pos + 1 < n else ""
            if not identifier and not raw:
                continue
            parts = split(identifier)
            reason = parts[0]
            reference = parts[1] if len(parts) > 1 else ""
            amount = self._pair_amount(seg, pos + 1, raw, "PLB", index, offset)
            self.ctx.emit(
                ProviderAdjustment(
                    self.remittance, provider, period_end, reason, reference, amount, index
                )
            )
            self._plb_total += amount
            pairs += 1
            if not reason:
                self.sink.error(
                    "remit835.plb_reason",
                    f"PLB{pos:02d} has an amount but no adjustment reason code.",
                    index=index,
                    offset=offset,
                    segment_id="PLB",
                    element=pos,
                )
        if n > 15:
            self._extra_elements(seg, 14, index, offset)
        self.summary.provider_adjustments += pairs

    def _unexpected(self, seg: list[str], index: int, offset: int) -> None:
        sid = seg[0]
        if sid in KNOWN_SEGMENTS:
            self.sink.warning(
                "remit835.unexpected_segment",
                f"{sid} is not expected {self._where}; skipped.",
                index=index,
                offset=offset,
                segment_id=sid,
            )
        else:
            self.sink.warning(
                "remit835.unknown_segment",
                f"{sid} is not a segment of the 835 remittance; skipped.",
                index=index,
                offset=offset,
                segment_id=sid,
            )
