"""The 835 header: BPR, TRN, CUR, REF, DTM and the payer (N1*PR) and payee (N1*PE) loops.

The header ends at the first LX, CLP or PLB (or at SE); :meth:`HeaderReader.complete` then
reports the required segments that never came.
"""

from __future__ import annotations

from collections.abc import Callable

from denialscope.x12.envelope import TransactionContext
from denialscope.x12.remit835.codes import CREDIT_DEBIT, HANDLING_CODES, PAYMENT_METHODS
from denialscope.x12.remit835.elements import ElementReader, padded
from denialscope.x12.remit835.records import Contact, Organization, Remittance

__all__ = ["HeaderReader", "read_contact"]

Handler = Callable[[list[str], int, int], None]


def read_contact(seg: list[str]) -> Contact:
    """PER: function, name, then up to three (qualifier, number) pairs."""
    s = padded(seg, 9)
    numbers = [(s[i], s[i + 1]) for i in (3, 5, 7) if s[i] or s[i + 1]]
    return Contact(s[1], s[2], numbers)


class HeaderReader(ElementReader):
    """Fills one :class:`Remittance` from the header segments."""

    __slots__ = ("_org", "_seen_bpr", "_seen_trn", "bpr_offset", "remittance")

    def __init__(self, ctx: TransactionContext) -> None:
        super().__init__(ctx)
        self.remittance = Remittance(ctx.transaction, ctx.transaction.segment_index)
        self._org: Organization | None = None  # the N1 loop being read
        self._seen_bpr = False
        self._seen_trn = False
        self.bpr_offset = 0  # where a payment balancing diagnostic points

    def handlers(self) -> dict[str, Handler]:
        return {
            "BPR": self.bpr,
            "TRN": self.trn,
            "CUR": self.cur,
            "REF": self.ref,
            "DTM": self.dtm,
            "N1": self.n1,
            "N2": self.n2,
            "N3": self.n3,
            "N4": self.n4,
            "PER": self.per,
            "RDM": self.rdm,
        }

    def bpr(self, seg: list[str], index: int, offset: int) -> None:
        remit = self.remittance
        if self._seen_bpr:
            self._repeated(seg, index, offset)
            return
        self._seen_bpr = True
        s = padded(seg, 17)
        self.require(s, (1, 2, 3, 4, 16), "the payment (BPR)", index, offset)
        remit.segment_index = index
        self.bpr_offset = offset
        remit.handling = s[1]
        remit.payment_amount = self.number(s, 2, index, offset)
        remit.credit_debit = s[3]
        remit.payment_method = s[4]
        remit.payment_format = s[5]
        remit.payment_date = self.date_at(s, 16, index, offset)
        if s[1] and s[1] not in HANDLING_CODES:
            self.bad_code(s, 1, "transaction handling code", index, offset)
        if s[3] and s[3] not in CREDIT_DEBIT:
            self.bad_code(s, 3, "credit/debit flag", index, offset)
        if s[4] and s[4] not in PAYMENT_METHODS:
            self.bad_code(s, 4, "payment method", index, offset)
        if remit.payment_amount is not None:
            self.summary.total_payment += remit.payment_amount

    def trn(self, seg: list[str], index: int, offset: int) -> None:
        if self._seen_trn:
            self._repeated(seg, index, offset)
            return
        self._seen_trn = True
        s = padded(seg, 5)
        self.require(s, (1, 2, 3), "the trace number (TRN)", index, offset)
        remit = self.remittance
        remit.trace_type, remit.trace_number = s[1], s[2]
        remit.trace_originator, remit.trace_reference = s[3], s[4]

    def cur(self, seg: list[str], index: int, offset: int) -> None:
        self.remittance.currency = seg[2] if len(seg) > 2 else ""

    def ref(self, seg: list[str], index: int, offset: int) -> None:
        s = padded(seg, 3)
        pair = (s[1], s[2])
        if self._org is not None:
            self._org.refs.append(pair)
        elif s[1] == "EV":
            self.remittance.receiver_id = s[2]
        elif s[1] == "F2":
            self.remittance.version_id = s[2]
        else:
            self.remittance.other_refs.append(pair)

    def dtm(self, seg: list[str], index: int, offset: int) -> None:
        qualifier = seg[1] if len(seg) > 1 else ""
        when = self.date_at(seg, 2, index, offset)
        if when is None:
            self.require(seg, (1, 2), "a date (DTM)", index, offset)
            return
        if qualifier == "405":
            self.remittance.production_date = when
        else:
            self.remittance.other_dates[qualifier] = when

    def n1(self, seg: list[str], index: int, offset: int) -> None:
        s = padded(seg, 5)
        org = Organization(s[1], s[2], s[3], s[4])
        self._org = org
        remit = self.remittance
        if s[1] == "PR":
            if remit.payer is not None:
                self._repeated(seg, index, offset)
            remit.payer = org
            self.require(s, (2,), "the payer loop (N1*PR)", index, offset)
        elif s[1] == "PE":
            if remit.payee is not None:
                self._repeated(seg, index, offset)
            remit.payee = org
            self.require(s, (2, 3, 4), "the payee loop (N1*PE)", index, offset)
        else:
            # Read into a loop nobody keeps, so its N3/N4/REF do not land on the payee.
            self.bad_code(s, 1, "entity code", index, offset)

    def n2(self, seg: list[str], index: int, offset: int) -> None:
        # 4010 allowed an additional name line; it continues N102.
        if self._org is not None and len(seg) > 1 and seg[1]:
            self._org.name = f"{self._org.name} {seg[1]}".strip()

    def n3(self, seg: list[str], index: int, offset: int) -> None:
        if self._org is None:
            self._outside_loop(seg, index, offset)
            return
        self._org.address_lines.extend(v for v in seg[1:3] if v)

    def n4(self, seg: list[str], index: int, offset: int) -> None:
        org = self._org
        if org is None:
            self._outside_loop(seg, index, offset)
            return
        s = padded(seg, 5)
        org.city, org.state, org.postal_code, org.country = s[1], s[2], s[3], s[4]

    def per(self, seg: list[str], index: int, offset: int) -> None:
        if self._org is None:
            self._outside_loop(seg, index, offset)
            return
        self._org.contacts.append(read_contact(seg))

    def rdm(self, seg: list[str], index: int, offset: int) -> None:
        if self._org is None:
            self._outside_loop(seg, index, offset)
            return
        s = padded(seg, 4)
        self._org.delivery = (s[1], s[2], s[3])

    def complete(self, index: int, offset: int) -> Remittance:
        """The header is over: report what is missing and hand back the record."""
        remit = self.remittance
        missing = []
        if not self._seen_bpr:
            missing.append(("BPR", "payment segment (BPR)"))
        if not self._seen_trn:
            missing.append(("TRN", "trace number segment (TRN)"))
        if remit.payer is None:
            missing.append(("N1", "payer loop (N1*PR)"))
        if remit.payee is None:
            missing.append(("N1", "payee loop (N1*PE)"))
        for segment_id, what in missing:
            self.sink.error(
                "remit835.missing_segment",
                f"The remittance header has no {what}, which the 835 guide requires.",
                index=index,
                offset=offset,
                segment_id=segment_id,
            )
        return remit

    def _repeated(self, seg: list[str], index: int, offset: int) -> None:
        self.sink.warning(
            "remit835.repeated_segment",
            f"A second {seg[0]} in the remittance header; the later one is "
            + ("kept." if seg[0] == "N1" else "skipped."),
            index=index,
            offset=offset,
            segment_id=seg[0],
        )

    def _outside_loop(self, seg: list[str], index: int, offset: int) -> None:
        self.sink.warning(
            "remit835.unexpected_segment",
            f"{seg[0]} comes before any N1 payer/payee loop; skipped.",
            index=index,
            offset=offset,
            segment_id=seg[0],
        )
