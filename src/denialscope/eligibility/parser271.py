"""The 271 (005010X279A1) eligibility response parser the reader calls for every ST*271.

Hierarchy: information source (HL*20, the payer: NM1*PR), information receiver (HL*21, the
provider who asked), subscriber (HL*22: NM1*IL with the member id) and dependent (HL*23,
coverage of a dependent under the subscriber's member id). One
:class:`EligibilityResponse` is emitted per subscriber or dependent level when it ends (next
HL or SE): its coverage status is the first EB whose EB01 states coverage (1 active, 6/7/8
inactive), its plan dates DTP*346 (begin) and DTP*347 (end) of the level or of that EB.
"""

from __future__ import annotations

import datetime as dt

from denialscope.eligibility.records import STATUSES, EligibilityResponse
from denialscope.x12.envelope import TransactionContext

__all__ = ["Parser"]

_MEMBER_LEVELS = frozenset({"22", "23"})
_KNOWN = frozenset(
    {"BHT", "HL", "NM1", "TRN", "REF", "DTP", "EB", "AAA", "N3", "N4", "DMG", "INS", "PRV",
     "PER", "HSD", "MSG", "III", "LS", "LE", "EQ", "MPI"}
)  # fmt: skip


def _el(seg: list[str], pos: int) -> str:
    return seg[pos].strip() if pos < len(seg) else ""


class Parser:
    """Reads one 271 transaction set; see the module docstring."""

    __slots__ = ("_ctx", "_hl_id", "_member", "_members", "_payer", "_reported", "_responded")

    def __init__(self, ctx: TransactionContext) -> None:
        self._ctx = ctx
        self._responded: dt.date | None = None
        self._payer = ""  # NM1*PR NM109 of the open information source level
        self._members: dict[str, str] = {}  # HL01 of a subscriber level -> its member id
        self._hl_id = ""  # HL01 of the open level
        self._member: EligibilityResponse | None = None
        self._reported: set[str] = set()

    def segment(self, seg: list[str], index: int, offset: int) -> None:
        sid = seg[0]
        if sid == "HL":
            self._close()
            self._hl(seg, index)
        elif sid == "BHT":
            self._responded = self._ctx.date(seg, 4, index, offset)
            if self._responded is None:
                self._error("271.bht_date", "BHT04 (the response date) is missing or not a "
                            "date", seg, index, offset)  # fmt: skip
        elif sid == "NM1":
            self._nm1(seg, index, offset)
        elif sid == "EB":
            self._eb(seg)
        elif sid == "DTP":
            self._dtp(seg, index, offset)
        elif sid == "AAA" and self._member is not None and _el(seg, 1) == "N":
            self._member.rejection = self._member.rejection or _el(seg, 3)
        elif sid not in _KNOWN and sid not in self._reported:
            self._reported.add(sid)
            self._ctx.sink.info(
                "271.unknown_segment",
                f"Segment {sid} is not part of a 271; ignored.",
                index=index,
                offset=offset,
                segment_id=sid,
            )

    def finish(self, index: int, offset: int) -> None:
        self._close()

    # -- levels ----------------------------------------------------------------------------

    def _hl(self, seg: list[str], index: int) -> None:
        self._hl_id, parent, code = _el(seg, 1), _el(seg, 2), _el(seg, 3)
        if code == "20":
            self._payer = ""
        elif code in _MEMBER_LEVELS:
            self._member = EligibilityResponse(
                payer_id=self._payer,
                # a dependent is covered under its subscriber's member id (the parent level)
                member_id=self._members.get(parent, "") if code == "23" else "",
                responded=self._responded,
                status="",
                plan_begin=None,
                plan_end=None,
                segment_index=index,
                problem_at=index,
            )

    def _close(self) -> None:
        member, self._member = self._member, None
        if member is None:
            return
        if not member.payer_id:
            member.problem = "no payer (NM1*PR NM109) above this member level"
        elif not member.member_id:
            member.problem = "no member id (NM1*IL NM109) at this subscriber level"
        elif member.responded is None:
            member.problem = "no response date (BHT04)"
        elif not member.status and not member.rejection:
            member.problem = "no coverage status (EB01 1, 6, 7 or 8) and no AAA rejection"
        self._ctx.emit(member)

    def _nm1(self, seg: list[str], index: int, offset: int) -> None:
        entity = _el(seg, 1)
        if entity == "PR" and self._member is None:
            self._payer = _el(seg, 9)
        elif entity == "IL" and self._member is not None:
            self._member.member_id = _el(seg, 9)
            self._members[self._hl_id] = self._member.member_id

    def _eb(self, seg: list[str]) -> None:
        member = self._member
        status = STATUSES.get(_el(seg, 1), "")
        if member is not None and status and not member.status:
            member.status = status

    def _dtp(self, seg: list[str], index: int, offset: int) -> None:
        member = self._member
        qualifier = _el(seg, 1)
        if member is None or qualifier not in ("346", "347"):
            return
        if _el(seg, 2) == "RD8":
            begin, end = self._ctx.date_range(_el(seg, 3), "DTP", 3, index, offset)
            day = begin if qualifier == "346" else end
        else:
            day = self._ctx.date(seg, 3, index, offset)
        if day is None and not member.problem:
            member.problem = (
                f"DTP*{qualifier} (plan {'begin' if qualifier == '346' else 'end'}) is not a date"
            )
            member.problem_at = index
        elif qualifier == "346" and member.plan_begin is None:
            member.plan_begin = day
        elif qualifier == "347" and member.plan_end is None:
            member.plan_end = day

    def _error(self, rule: str, message: str, seg: list[str], index: int, offset: int) -> None:
        self._ctx.sink.error(rule, message, index=index, offset=offset, segment_id=seg[0])
