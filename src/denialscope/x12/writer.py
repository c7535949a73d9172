"""Write X12: envelopes with correct control numbers and counts, segments from element lists.

Used by the demo generator, the benchmark generator and corrected claims. Trailing empty
elements are dropped as the guides require; components are joined with ISA16.

    w = X12Writer(sender="SUBMITTER", receiver="PAYER", control=1)
    with w.group("HC", version="005010X222A1"):
        with w.transaction("837", guide="005010X222A1"):
            w.segment("BHT", "0019", "00", "123", "20240101", "1200", "CH")
    text = w.getvalue()
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import TextIO

from denialscope.x12.tokenizer import Delimiters

__all__ = ["X12Writer", "format_amount"]

Element = str | int | Decimal | Sequence[str] | None


def format_amount(value: Decimal | int) -> str:
    """X12 decimal: no exponent, no trailing zeros beyond what is needed ("100", "12.5")."""
    d = Decimal(value)
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


class X12Writer:
    """Accumulates one interchange (ISA..IEA) into a text stream."""

    def __init__(
        self,
        *,
        sender: str,
        receiver: str,
        control: int = 1,
        when: datetime | None = None,
        delimiters: Delimiters | None = None,
        version: str = "00501",
        usage: str = "P",
        newline: bool = True,
        out: TextIO | None = None,
    ) -> None:
        self.d = delimiters or Delimiters()
        self.out = out if out is not None else io.StringIO()
        self.when = when or datetime(2024, 1, 1, 12, 0)
        self.control = control
        self.version = version
        self._term = self.d.segment + ("\n" if newline and self.d.segment != "\n" else "")
        self._groups = 0
        self._sets = 0
        self._count = 0
        self._group_control = 0
        self._isa(sender, receiver, usage)

    def _isa(self, sender: str, receiver: str, usage: str) -> None:
        rep = self.d.repetition if self.version >= "00501" and self.d.repetition else "U"
        fields = [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            sender.ljust(15)[:15],
            "ZZ",
            receiver.ljust(15)[:15],
            self.when.strftime("%y%m%d"),
            self.when.strftime("%H%M"),
            rep,
            self.version,
            f"{self.control:09d}",
            "0",
            usage,
            self.d.component,
        ]
        self.out.write(self.d.element.join(fields) + self._term)
        self._sender, self._receiver = sender, receiver

    def _element(self, value: Element) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, Decimal):
            return format_amount(value)
        if isinstance(value, int):
            return str(value)
        parts = list(value)
        while parts and not parts[-1]:
            parts.pop()
        return self.d.component.join(parts)

    def segment(self, sid: str, *elements: Element) -> None:
        values = [self._element(e) for e in elements]
        while values and values[-1] == "":
            values.pop()
        self.out.write(self.d.element.join([sid, *values]) + self._term)
        self._count += 1

    @contextmanager
    def group(
        self, functional_id: str, *, version: str, control: int | None = None
    ) -> Iterator[None]:
        self._group_control = (
            control if control is not None else self.control * 100 + self._groups + 1
        )
        self._groups += 1
        self._sets = 0
        self.out.write(
            self.d.element.join(
                [
                    "GS",
                    functional_id,
                    self._sender,
                    self._receiver,
                    self.when.strftime("%Y%m%d"),
                    self.when.strftime("%H%M"),
                    str(self._group_control),
                    "X",
                    version,
                ]
            )
            + self._term
        )
        yield
        self.out.write(
            self.d.element.join(["GE", str(self._sets), str(self._group_control)]) + self._term
        )

    @contextmanager
    def transaction(self, st01: str, *, guide: str | None = None) -> Iterator[None]:
        self._sets += 1
        control = f"{self._sets:04d}"
        self._count = 0
        self.segment("ST", st01, control, guide)
        yield
        self.segment("SE", str(self._count + 1), control)

    def close(self) -> None:
        self.out.write(
            self.d.element.join(["IEA", str(self._groups), f"{self.control:09d}"]) + self._term
        )

    def getvalue(self) -> str:
        self.close()
        if isinstance(self.out, io.StringIO):
            return self.out.getvalue()
        raise TypeError("getvalue() needs the default in-memory stream")
