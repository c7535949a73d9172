"""Element readers shared by the 835 header and claim readers.

They wrap the context's readers with a fast path: most values are well formed, so the
common case is one ``Decimal()`` call and the context (which writes the diagnostic) is
only consulted when a value is bad.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from denialscope.x12.envelope import TransactionContext

__all__ = ["LIMIT", "ElementReader", "Position", "padded", "parse_number"]

# Larger magnitudes are not money; refusing them also keeps later sums clear of Overflow.
LIMIT = Decimal("1E15")


def parse_number(value: str) -> Decimal | None:
    """A finite number of sane magnitude, or None."""
    try:
        result = Decimal(value)
        if -LIMIT < result < LIMIT:
            return result
    except InvalidOperation:
        pass
    return None


Position = tuple[int, int]  # (segment index, byte offset)


class ElementReader:
    """Base of the 835 readers: element access with diagnostics, never an exception."""

    __slots__ = ("ctx", "sink", "summary")

    def __init__(self, ctx: TransactionContext) -> None:
        self.ctx = ctx
        self.sink = ctx.sink
        self.summary = ctx.summary

    def number(self, seg: list[str], pos: int, index: int, offset: int) -> Decimal | None:
        """An amount or quantity; None when blank or unreadable (then with a diagnostic)."""
        try:
            value = seg[pos]
        except IndexError:
            return None
        if not value:
            return None
        try:
            result = Decimal(value)
            if -LIMIT < result < LIMIT:  # NaN raises here; Infinity and 1E+999999 fail
                return result
        except InvalidOperation:
            pass
        self.bad_number(seg, pos, index, offset)
        return None

    def bad_number(self, seg: list[str], pos: int, index: int, offset: int) -> None:
        """Report a number that is unreadable (via the context) or absurdly large."""
        if self.ctx.amount(seg, pos, index, offset) is not None:
            self.sink.error(
                "remit835.number_range",
                f"{seg[0]}{pos:02d} is far too large to be an amount or a quantity; ignored.",
                index=index,
                offset=offset,
                segment_id=seg[0],
                element=pos,
                value=seg[pos][:40],
            )

    def date_at(self, seg: list[str], pos: int, index: int, offset: int) -> date | None:
        if pos >= len(seg) or not seg[pos]:
            return None
        return self.ctx.parse_date(seg[pos], seg[0], pos, index, offset)

    # Wrapped with explicit types: TransactionContext's own ``date`` method shadows the
    # ``date`` type in its annotations, so mypy reads parse_date as returning None.
    def parse_date(
        self, value: str, segment_id: str, pos: int, index: int, offset: int
    ) -> date | None:
        return self.ctx.parse_date(value, segment_id, pos, index, offset)

    def date_range(
        self, value: str, segment_id: str, pos: int, index: int, offset: int
    ) -> tuple[date | None, date | None]:
        return self.ctx.date_range(value, segment_id, pos, index, offset)

    def require(
        self, seg: list[str], positions: tuple[int, ...], what: str, index: int, offset: int
    ) -> None:
        """Report each listed element that is absent or empty (``what`` names the segment)."""
        n = len(seg)
        for pos in positions:
            if pos >= n or not seg[pos]:
                self.sink.error(
                    "remit835.required_element",
                    f"{seg[0]}{pos:02d} is required in {what} and is empty.",
                    index=index,
                    offset=offset,
                    segment_id=seg[0],
                    element=pos,
                )

    def bad_code(
        self, seg: list[str], pos: int, what: str, index: int, offset: int, *, error: bool = False
    ) -> None:
        """A code value the guide does not list: kept as sent, reported."""
        report = self.sink.error if error else self.sink.warning
        report(
            "remit835.code_value",
            f"{seg[0]}{pos:02d} {what} {seg[pos]!r} is not a value the 835 guide allows; "
            "kept as sent.",
            index=index,
            offset=offset,
            segment_id=seg[0],
            element=pos,
            value=seg[pos],
        )


def padded(seg: list[str], size: int) -> list[str]:
    """The segment with empty strings up to ``size`` elements (senders drop trailing ones)."""
    n = len(seg)
    return seg if n >= size else seg + [""] * (size - n)
