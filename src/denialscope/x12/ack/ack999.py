"""The 999 (005010X231) implementation acknowledgment parser; it also reads 4010 997s.

Per acknowledged functional group (AK1) the 999 holds one AK2..IK5 loop per transaction set
we sent, with IK3 (segment) and IK4 (element) errors and their CTX contexts, then AK9 for
the group. Records: one :class:`TransactionAcknowledgment` per AK2, emitted when its loop
ends, and one :class:`GroupAcknowledgment` per AK9. A 997 uses AK3/AK4/AK5 for IK3/IK4/IK5
with the same layout, so both are read by the same code.

IK404 (a copy of the bad element) and CTX references (CLM01 = patient control number) can
be patient data: they are kept in the records and never put in diagnostics.
"""

from __future__ import annotations

from denialscope.x12.ack.records import (
    ACCEPT_CODES,
    REJECT_CODES,
    ElementError,
    ErrorContext,
    GroupAcknowledgment,
    SegmentError,
    TransactionAcknowledgment,
)
from denialscope.x12.envelope import TransactionContext

__all__ = ["Parser"]

_GROUP_CODES = frozenset({"A", "E", "P", "R", "M", "W", "X"})
_ALIASES = {"AK3": "IK3", "AK4": "IK4", "AK5": "IK5"}  # 997 names of the 999 segments


def _el(seg: list[str], pos: int) -> str:
    return seg[pos].strip() if pos < len(seg) else ""


class Parser:
    """Reads one 999 (or 997) transaction set; see the module docstring."""

    __slots__ = (
        "_accepted_in_group",
        "_ak9",
        "_ctx",
        "_element",
        "_group",
        "_missing_ak1",
        "_segment",
        "_set",
        "_set_offset",
        "_sets_in_group",
    )

    def __init__(self, ctx: TransactionContext) -> None:
        self._ctx = ctx
        self._group: tuple[str, str, str] | None = None  # AK101, AK102, AK103
        self._set: TransactionAcknowledgment | None = None
        self._segment: SegmentError | None = None
        self._element: ElementError | None = None
        self._sets_in_group = 0
        self._accepted_in_group = 0
        self._ak9 = False
        self._set_offset = 0
        self._missing_ak1 = False  # reported once per set, not once per AK2

    # -- the reader's interface -------------------------------------------------------------

    def segment(self, seg: list[str], index: int, offset: int) -> None:
        sid = _ALIASES.get(seg[0], seg[0])
        if sid == "AK2":
            self._close_set()
            self._ak2(seg, index, offset)
        elif sid == "IK3":
            self._ik3(seg, index, offset)
        elif sid == "IK4":
            self._ik4(seg, index, offset)
        elif sid == "CTX":
            self._context(seg, index, offset)
        elif sid == "IK5":
            self._ik5(seg, index, offset)
        elif sid == "AK1":
            self._close_set()
            self._group = (_el(seg, 1), _el(seg, 2), _el(seg, 3))
            self._sets_in_group = 0
            self._accepted_in_group = 0
        elif sid == "AK9":
            self._close_set()
            self._ak9_segment(seg, index, offset)
        else:
            self._unexpected(seg, index, offset, "is not part of a 999")

    def finish(self, index: int, offset: int) -> None:
        self._close_set()
        sink = self._ctx.sink
        if self._group is None and not self._missing_ak1:
            sink.error(
                "ack999.missing_ak1",
                "The 999 has no AK1: which functional group it acknowledges is unknown.",
                index=index,
                offset=offset,
            )
        if not self._ak9:
            sink.error(
                "ack999.missing_ak9",
                "The 999 has no AK9: the verdict on the functional group is missing.",
                index=index,
                offset=offset,
            )

    # -- loops -----------------------------------------------------------------------------

    def _ak2(self, seg: list[str], index: int, offset: int) -> None:
        ctx = self._ctx
        if self._group is None and not self._missing_ak1:
            self._missing_ak1 = True
            ctx.sink.error(
                "ack999.missing_ak1",
                "AK2 before any AK1: the acknowledged functional group is unknown.",
                index=index,
                offset=offset,
                segment_id="AK2",
            )
        self._set_offset = offset
        functional_id, control, version = self._group or ("", "", "")
        self._set = TransactionAcknowledgment(
            transaction=ctx.transaction,
            segment_index=index,
            functional_id=functional_id,
            group_control=control,
            group_version=version,
            set_id=_el(seg, 1),
            set_control=_el(seg, 2),
            guide=_el(seg, 3),
        )
        self._sets_in_group += 1

    def _close_set(self) -> None:
        ack = self._set
        if ack is None:
            return
        self._set = self._segment = self._element = None
        summary = self._ctx.summary
        if not ack.code:
            self._ctx.sink.error(
                "ack999.missing_ik5",
                f"The acknowledgment of transaction set {ack.set_control} has no IK5: "
                "accepted or rejected is unknown.",
                index=ack.segment_index,
                offset=self._set_offset,
                segment_id="AK2",
            )
        elif ack.accepted:
            summary.accepted += 1
            self._accepted_in_group += 1
        elif ack.rejected:
            summary.rejected += 1
        self._ctx.emit(ack)

    def _unexpected(self, seg: list[str], index: int, offset: int, why: str) -> None:
        self._ctx.sink.warning(
            "ack999.unexpected_segment",
            f"{seg[0]} {why}; ignored.",
            index=index,
            offset=offset,
            segment_id=seg[0],
        )

    def _number(self, seg: list[str], pos: int, index: int, offset: int) -> int | None:
        value = _el(seg, pos)
        if not value:
            return None
        if value.isdigit():
            return int(value)
        self._ctx.sink.warning(
            "ack999.number",
            f"{seg[0]}{pos:02d} should be a whole number and is not.",
            index=index,
            offset=offset,
            segment_id=seg[0],
            element=pos,
            value=value,
        )
        return None

    def _component_numbers(self, value: str) -> list[int | None]:
        parts = [*self._ctx.component(value), "", "", ""]
        return [int(p) if p.strip().isdigit() else None for p in parts[:3]]

    # -- segments --------------------------------------------------------------------------

    def _ik3(self, seg: list[str], index: int, offset: int) -> None:
        if self._set is None:
            self._unexpected(seg, index, offset, "outside an AK2 loop")
            return
        error = SegmentError(
            segment_id=_el(seg, 1),
            position=self._number(seg, 2, index, offset),
            loop_id=_el(seg, 3),
            code=_el(seg, 4),
            segment_index=index,
        )
        self._set.errors.append(error)
        self._segment = error
        self._element = None

    def _ik4(self, seg: list[str], index: int, offset: int) -> None:
        if self._segment is None:
            self._unexpected(seg, index, offset, "without the IK3 it belongs to")
            return
        position, component, repetition = self._component_numbers(_el(seg, 1))
        if position is None:
            self._ctx.sink.warning(
                "ack999.number",
                f"{seg[0]}01 should give the element position and does not.",
                index=index,
                offset=offset,
                segment_id=seg[0],
                element=1,
                value=_el(seg, 1),
            )
        error = ElementError(
            position=position,
            component=component,
            repetition=repetition,
            reference=_el(seg, 2),
            code=_el(seg, 3),
            bad_value=seg[4] if len(seg) > 4 else "",  # as sent: spaces may be the error
            segment_index=index,
        )
        if not error.code:
            self._ctx.sink.error(
                "ack999.missing_code",
                f"{seg[0]}03 (element syntax error code) is empty.",
                index=index,
                offset=offset,
                segment_id=seg[0],
                element=3,
            )
        self._segment.elements.append(error)
        self._element = error

    def _context(self, seg: list[str], index: int, offset: int) -> None:
        ctx = self._ctx
        rep = ctx.delimiters.repetition
        first = _el(seg, 1)
        if rep:
            first = first.split(rep)[0]  # repeated triggers: the first names the context
        name_ref = [*ctx.component(first), ""]
        position = [*self._component_numbers(_el(seg, 5))]
        context = ErrorContext(
            name=name_ref[0].strip(),
            reference=name_ref[1].strip(),
            segment_id=_el(seg, 2),
            segment_position=self._number(seg, 3, index, offset),
            loop_id=_el(seg, 4),
            element_position=position[0],
            component_position=position[1],
            element_reference=ctx.component(_el(seg, 6))[0].strip(),
            segment_index=index,
        )
        if self._element is not None:
            self._element.contexts.append(context)
        elif self._segment is not None:
            self._segment.contexts.append(context)
        elif self._set is not None:
            self._set.contexts.append(context)
        else:
            self._unexpected(seg, index, offset, "outside an AK2 loop")

    def _ik5(self, seg: list[str], index: int, offset: int) -> None:
        ack = self._set
        if ack is None:
            self._unexpected(seg, index, offset, "outside an AK2 loop")
            return
        code = _el(seg, 1)
        if ack.code:
            self._ctx.sink.warning(
                "ack999.duplicate_ik5",
                f"A second {seg[0]} for transaction set {ack.set_control}; the first is kept.",
                index=index,
                offset=offset,
                segment_id=seg[0],
            )
            return
        if code not in ACCEPT_CODES and code not in REJECT_CODES:
            self._ctx.sink.error(
                "ack999.ik5_code",
                f"{seg[0]}01 acknowledgment code {code!r} is not A, E, M, R, W or X.",
                index=index,
                offset=offset,
                segment_id=seg[0],
                element=1,
                value=code,
            )
        ack.code = code or "?"  # "?" keeps an empty IK501 from reading as a missing IK5
        ack.error_codes = [c for c in (_el(seg, p) for p in range(2, 7)) if c]
        self._segment = self._element = None

    def _ak9_segment(self, seg: list[str], index: int, offset: int) -> None:
        ctx = self._ctx
        self._ak9 = True
        code = _el(seg, 1)
        if code not in _GROUP_CODES:
            ctx.sink.error(
                "ack999.ak9_code",
                f"AK901 acknowledgment code {code!r} is not A, E, P, R, M, W or X.",
                index=index,
                offset=offset,
                segment_id="AK9",
                element=1,
                value=code,
            )
        functional_id, control, _ = self._group or ("", "", "")
        group = GroupAcknowledgment(
            transaction=ctx.transaction,
            segment_index=index,
            functional_id=functional_id,
            group_control=control,
            code=code,
            included=self._number(seg, 2, index, offset),
            received=self._number(seg, 3, index, offset),
            accepted=self._number(seg, 4, index, offset),
            error_codes=[c for c in (_el(seg, p) for p in range(5, 10)) if c],
        )
        # AK902 counts the sets of the original group, which may exceed the AK2 loops (a
        # 999 may list only sets with errors), so only AK904 against what we saw is checked
        # when every set was listed.
        if group.included == self._sets_in_group and group.accepted not in (
            None,
            self._accepted_in_group,
        ):
            ctx.sink.warning(
                "ack999.ak9_count",
                f"AK904 says {group.accepted} transaction sets were accepted; the AK2 loops "
                f"accept {self._accepted_in_group}.",
                index=index,
                offset=offset,
                segment_id="AK9",
                element=4,
                value=_el(seg, 4),
            )
        ctx.emit(group)
