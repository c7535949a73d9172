"""The 277CA (005010X214) claim acknowledgment parser the reader calls for every ST*277.

The hierarchy is information source (HL*20, the payer), information receiver (HL*21),
billing provider (HL*19) and claim (HL*PT). Records are emitted in file order: one
:class:`BatchAcknowledgment` when a receiver or provider level ends, one
:class:`ClaimAcknowledgment` when a claim level ends (next HL or SE). Only the claim being
read is held; the levels above it are kept by HL id so a claim finds its payer and provider
through HL02 even when levels are not strictly nested in file order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from denialscope.x12.ack.records import (
    STATUS_CATEGORY_OUTCOMES,
    AckParty,
    BatchAcknowledgment,
    ClaimAcknowledgment,
    ClaimStatus,
    ServiceAcknowledgment,
    StatusCode,
)
from denialscope.x12.envelope import TransactionContext

__all__ = ["Parser"]

_LEVELS = {"20": "source", "21": "receiver", "19": "provider", "PT": "claim"}
_ACTIONS = frozenset({"WQ", "U"})
# Segments the guide places in a 277CA; anything else gets one info per set.
_KNOWN = frozenset({"BHT", "HL", "NM1", "TRN", "STC", "REF", "DTP", "QTY", "AMT", "SVC", "PER"})


def _el(seg: list[str], pos: int) -> str:
    return seg[pos].strip() if pos < len(seg) else ""


@dataclass(slots=True)
class _Level:
    """An HL above the claims: what a claim below it inherits."""

    code: str  # HL03
    parent: str  # HL02
    party: AckParty | None = None
    batch: BatchAcknowledgment | None = None  # receiver and provider levels
    received: date | None = None  # DTP*050 (source level)
    processed: date | None = None  # DTP*009 (source level)


class Parser:
    """Reads one 277CA transaction set; see the module docstring."""

    __slots__ = (
        "_bht",
        "_claim",
        "_ctx",
        "_hl_at",
        "_level",
        "_levels",
        "_reported",
        "_service",
        "_trn",
    )

    def __init__(self, ctx: TransactionContext) -> None:
        self._ctx = ctx
        self._bht = False
        self._levels: dict[str, _Level] = {}  # HL01 -> level, for every non-claim HL
        self._level: _Level | None = None  # the open non-claim level
        self._claim: ClaimAcknowledgment | None = None
        self._service: ServiceAcknowledgment | None = None
        self._trn = False  # the open claim has its TRN
        self._hl_at = (0, 0)  # index, offset of the open HL
        self._reported: set[str] = set()

    # -- the reader's interface -------------------------------------------------------------

    def segment(self, seg: list[str], index: int, offset: int) -> None:
        sid = seg[0]
        if sid == "HL":
            self._close()
            self._hl(seg, index, offset)
        elif sid == "BHT":
            self._bht = True
        elif sid == "STC":
            self._stc(seg, index, offset)
        elif sid == "NM1":
            self._nm1(seg, index, offset)
        elif sid == "TRN":
            self._trn_segment(seg)
        elif sid == "REF":
            self._ref(seg)
        elif sid == "DTP":
            self._dtp(seg, index, offset)
        elif sid == "SVC":
            self._svc(seg, index, offset)
        elif sid in ("QTY", "AMT"):
            self._batch_number(seg, index, offset)
        elif sid not in _KNOWN and sid not in self._reported:
            self._reported.add(sid)
            self._ctx.sink.info(
                "ack277ca.unknown_segment",
                f"Segment {sid} is not part of a 277CA; ignored.",
                index=index,
                offset=offset,
                segment_id=sid,
            )

    def finish(self, index: int, offset: int) -> None:
        self._close()
        sink = self._ctx.sink
        if not self._bht:
            sink.error(
                "ack277ca.missing_bht",
                "The 277CA has no BHT (beginning of hierarchical transaction).",
                index=index,
                offset=offset,
            )
        if not any(level.code == "20" for level in self._levels.values()):
            sink.error(
                "ack277ca.missing_level",
                "The 277CA has no information source level (HL*20): the payer is unknown.",
                index=index,
                offset=offset,
                segment_id="HL",
            )

    # -- levels ----------------------------------------------------------------------------

    def _hl(self, seg: list[str], index: int, offset: int) -> None:
        ctx = self._ctx
        hl_id, parent, code = _el(seg, 1), _el(seg, 2), _el(seg, 3)
        self._hl_at = (index, offset)
        if code not in _LEVELS:
            ctx.sink.warning(
                "ack277ca.hl_level",
                f"HL03 level code {code!r} is not used in a 277CA (20, 21, 19 or PT); "
                "the segments of this level are ignored.",
                index=index,
                offset=offset,
                segment_id="HL",
                element=3,
                value=code,
            )
            self._level = _Level(code=code, parent=parent)
            return
        if code != "20" and parent not in self._levels:
            ctx.sink.warning(
                "ack277ca.hl_parent",
                f"HL02 parent {parent!r} is not an earlier level of this 277CA.",
                index=index,
                offset=offset,
                segment_id="HL",
                element=2,
                value=parent,
            )
        if code == "PT":
            claim = ClaimAcknowledgment(
                transaction=ctx.transaction, segment_index=index, patient_control_number=""
            )
            self._inherit(claim, parent)
            self._claim = claim
            self._trn = False
            return
        level = _Level(code=code, parent=parent)
        if code in ("21", "19"):
            level.batch = BatchAcknowledgment(
                transaction=ctx.transaction,
                level="receiver" if code == "21" else "provider",
                segment_index=index,
            )
        self._levels[hl_id] = level
        self._level = level

    def _inherit(self, claim: ClaimAcknowledgment, parent: str) -> None:
        seen: set[str] = set()
        while parent in self._levels and parent not in seen:  # a loop in HL02 must not hang
            seen.add(parent)
            level = self._levels[parent]
            if level.code == "19" and claim.provider is None:
                claim.provider = level.party
            elif level.code == "21" and claim.receiver is None:
                claim.receiver = level.party
            elif level.code == "20" and claim.payer is None:
                claim.payer = level.party
                claim.received, claim.processed = level.received, level.processed
            parent = level.parent

    def _close(self) -> None:
        """End the open level: emit its record and check what it must contain."""
        ctx = self._ctx
        index, offset = self._hl_at
        claim, level = self._claim, self._level
        if claim is not None:
            self._claim = None
            self._service = None
            if not self._trn:
                ctx.sink.error(
                    "ack277ca.missing_trn",
                    "The claim level has no TRN: its patient control number is unknown.",
                    index=index,
                    offset=offset,
                    segment_id="HL",
                )
            if not claim.statuses:
                ctx.sink.error(
                    "ack277ca.missing_stc",
                    "The claim level has no STC: whether it was accepted is unknown.",
                    index=index,
                    offset=offset,
                    segment_id="HL",
                )
            if claim.patient is None:
                self._missing_nm1("QC", index, offset)
            summary = ctx.summary
            summary.claims += 1
            summary.service_lines += len(claim.services)
            charge = claim.charge
            if charge is not None:
                summary.total_charge += charge
            outcome = claim.outcome
            if outcome in ("accepted", "pending"):
                summary.accepted += 1
            elif outcome == "rejected":
                summary.rejected += 1
            ctx.emit(claim)
        elif level is not None:
            self._level = None
            if level.code in _LEVELS and level.party is None:
                self._missing_nm1({"20": "PR", "21": "41", "19": "85"}[level.code], index, offset)
            if level.batch is not None:
                ctx.emit(level.batch)

    def _missing_nm1(self, entity: str, index: int, offset: int) -> None:
        self._ctx.sink.warning(
            "ack277ca.missing_nm1",
            f"The level has no NM1*{entity} naming who it is about.",
            index=index,
            offset=offset,
            segment_id="HL",
        )

    def _outside(self, seg: list[str], index: int, offset: int) -> None:
        self._ctx.sink.warning(
            "ack277ca.unexpected_segment",
            f"{seg[0]} is not allowed where it stands (outside the level that uses it); ignored.",
            index=index,
            offset=offset,
            segment_id=seg[0],
        )

    # -- segments --------------------------------------------------------------------------

    def _nm1(self, seg: list[str], index: int, offset: int) -> None:
        party = AckParty(
            entity=_el(seg, 1),
            name=_el(seg, 3),
            first=_el(seg, 4),
            id_qualifier=_el(seg, 8),
            id=_el(seg, 9),
        )
        if self._claim is not None:
            self._claim.patient = party
        elif self._level is not None:
            self._level.party = party
            if self._level.batch is not None:
                self._level.batch.party = party
        else:
            self._outside(seg, index, offset)

    def _trn_segment(self, seg: list[str]) -> None:
        if self._claim is not None:
            self._claim.patient_control_number = _el(seg, 2)
            self._trn = True
        elif self._level is not None and self._level.batch is not None:
            self._level.batch.trace = _el(seg, 2)

    def _stc(self, seg: list[str], index: int, offset: int) -> None:
        ctx = self._ctx
        codes: list[StatusCode] = []
        for pos in (1, 10, 11):
            value = _el(seg, pos)
            if not value:
                continue
            parts = [*ctx.component(value), "", "", ""]
            code = StatusCode(
                category=parts[0].strip(),
                code=parts[1].strip(),
                entity=parts[2].strip(),
                code_list=parts[3].strip(),
            )
            if code.category not in STATUS_CATEGORY_OUTCOMES:
                ctx.sink.warning(
                    "ack277ca.category_code",
                    f"STC{pos:02d} status category {code.category!r} is not a known claim "
                    "status category; kept as sent.",
                    index=index,
                    offset=offset,
                    segment_id="STC",
                    element=pos,
                    value=code.category,
                )
            codes.append(code)
        if not codes:
            ctx.sink.error(
                "ack277ca.missing_category",
                "STC01 (claim status category and code) is empty.",
                index=index,
                offset=offset,
                segment_id="STC",
                element=1,
            )
        action = _el(seg, 3)
        if action and action not in _ACTIONS:
            ctx.sink.warning(
                "ack277ca.action_code",
                f"STC03 action code {action!r} is not WQ (accepted) or U (rejected).",
                index=index,
                offset=offset,
                segment_id="STC",
                element=3,
                value=action,
            )
        status = ClaimStatus(
            codes=codes,
            effective_date=ctx.date(seg, 2, index, offset),
            action=action,
            charge=ctx.amount(seg, 4, index, offset),
            message=_el(seg, 12),
            segment_index=index,
        )
        outcomes = {c.outcome for c in codes}
        if (action == "WQ" and "rejected" in outcomes) or (
            action == "U" and outcomes and outcomes <= {"accepted"}
        ):
            ctx.sink.warning(
                "ack277ca.action_mismatch",
                f"STC03 action {action} contradicts the status category codes "
                f"({', '.join(c.category for c in codes)}); the categories decide.",
                index=index,
                offset=offset,
                segment_id="STC",
                element=3,
                value=action,
            )
        if self._service is not None:
            self._service.statuses.append(status)
        elif self._claim is not None:
            self._claim.statuses.append(status)
        elif self._level is not None and self._level.batch is not None:
            self._level.batch.statuses.append(status)
        else:
            self._outside(seg, index, offset)

    def _ref(self, seg: list[str]) -> None:
        qualifier, value = _el(seg, 1), _el(seg, 2)
        if self._service is not None and qualifier == "FJ":
            self._service.control_number = value
        elif self._claim is not None:
            claim = self._claim
            if qualifier == "1K":
                claim.payer_claim_number = value
            elif qualifier == "D9":
                claim.clearinghouse_trace = value
            elif qualifier == "BLT":
                claim.bill_type = value
            else:
                claim.other_refs.append((qualifier, value))
        elif self._level is not None and self._level.batch is not None:
            self._level.batch.refs.append((qualifier, value))

    def _dtp(self, seg: list[str], index: int, offset: int) -> None:
        ctx = self._ctx
        qualifier, value = _el(seg, 1), _el(seg, 3)
        if not value:
            return
        if qualifier == "472":
            start, end = ctx.date_range(value, "DTP", 3, index, offset)
            target = self._service if self._service is not None else self._claim
            if target is not None:
                target.service_date, target.service_date_end = start, end
            else:
                self._outside(seg, index, offset)
        elif qualifier in ("050", "009") and self._level is not None and self._claim is None:
            when = ctx.parse_date(value, "DTP", 3, index, offset)
            if qualifier == "050":
                self._level.received = when
            else:
                self._level.processed = when

    def _svc(self, seg: list[str], index: int, offset: int) -> None:
        ctx = self._ctx
        if self._claim is None:
            self._outside(seg, index, offset)
            return
        parts = [p.strip() for p in ctx.component(_el(seg, 1))] + ["", ""]
        line = ServiceAcknowledgment(
            qualifier=parts[0],
            procedure=parts[1],
            modifiers=tuple(m for m in parts[2:6] if m),
            charge=ctx.amount(seg, 2, index, offset),
            revenue_code=_el(seg, 4),
            units=ctx.amount(seg, 7, index, offset),
            segment_index=index,
        )
        self._claim.services.append(line)
        self._service = line

    def _batch_number(self, seg: list[str], index: int, offset: int) -> None:
        level = self._level
        if self._claim is not None or level is None or level.batch is None:
            return  # claim-level QTY/AMT carry nothing the acknowledgment needs
        value = self._ctx.amount(seg, 2, index, offset)
        if value is not None:
            target = level.batch.quantities if seg[0] == "QTY" else level.batch.amounts
            target[_el(seg, 1)] = value
