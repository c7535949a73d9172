"""Envelope records and the context a transaction-set parser works in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from denialscope.x12.diagnostics import DiagnosticSink
from denialscope.x12.tokenizer import Delimiters

__all__ = [
    "FileSummary",
    "FunctionalGroup",
    "Interchange",
    "TransactionContext",
    "TransactionParser",
    "TransactionSet",
]


@dataclass(slots=True)
class Interchange:
    control: str  # ISA13
    sender_qualifier: str
    sender: str
    receiver_qualifier: str
    receiver: str
    date: str  # ISA09 YYMMDD as sent
    time: str
    version: str  # ISA12: 00401, 00501
    usage: str  # ISA15: P production, T test
    offset: int = 0


@dataclass(slots=True)
class FunctionalGroup:
    functional_id: str  # GS01: HP 835, HC 837, FA 999, HN 277
    sender: str
    receiver: str
    date: str
    control: str  # GS06
    version: str  # GS08: 005010X221A1 ...


@dataclass(slots=True)
class TransactionSet:
    """One ST..SE: what it is and where it sits."""

    kind: str  # "835", "837P", "837I", "837D", "277CA", "999", or the raw ST01
    version: str  # implementation guide: ST03 or GS08
    control: str  # ST02
    interchange: Interchange | None
    group: FunctionalGroup | None
    segment_index: int  # of ST in the file
    offset: int


@dataclass(slots=True)
class FileSummary:
    """Counts and totals a reader keeps while it reads one file."""

    file: str
    interchanges: int = 0
    groups: int = 0
    transactions: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    claims: int = 0
    service_lines: int = 0
    adjustments: int = 0  # reason/amount pairs across claim- and line-level CAS
    provider_adjustments: int = 0  # PLB reason/amount pairs
    total_charge: Decimal = Decimal(0)
    total_paid: Decimal = Decimal(0)  # sum of CLP04 over the file's claims
    total_payment: Decimal = Decimal(0)  # sum of BPR02 (the money that moved)
    accepted: int = 0  # 277CA claims / 999 transaction sets accepted
    rejected: int = 0

    @property
    def transaction(self) -> str | None:
        """The file's transaction type, or the types joined by '+' when several."""
        if not self.kinds:
            return None
        return "+".join(sorted(self.kinds))

    @property
    def version(self) -> str | None:
        if not self.versions:
            return None
        return max(self.versions, key=lambda v: self.versions[v])


class TransactionParser(Protocol):
    """What a parser of one transaction-set type offers the reader."""

    def segment(self, seg: list[str], index: int, offset: int) -> None:
        """Consume one segment between ST and SE (both excluded)."""

    def finish(self, index: int, offset: int) -> None:
        """The transaction set ended (SE, or the envelope closed without one)."""


# The class below has a method named ``date``, which shadows the type in its annotations.
Date = date

_DATE_CACHE: dict[str, date | None] = {}


class TransactionContext:
    """Everything a transaction-set parser needs, and where it puts its records."""

    __slots__ = ("delimiters", "file", "out", "sink", "summary", "transaction")

    def __init__(
        self,
        *,
        file: str,
        sink: DiagnosticSink,
        summary: FileSummary,
        delimiters: Delimiters,
        transaction: TransactionSet,
    ) -> None:
        self.file = file
        self.sink = sink
        self.summary = summary
        self.delimiters = delimiters
        self.transaction = transaction
        self.out: list[Any] = []

    def emit(self, record: Any) -> None:
        self.out.append(record)

    def set_kind(self, kind: str) -> None:
        """A parser that learns the exact type from content (837P vs 837I) records it."""
        old = self.transaction.kind
        if old == kind:
            return
        self.transaction.kind = kind
        kinds = self.summary.kinds
        if old in kinds:
            kinds[old] -= 1
            if not kinds[old]:
                del kinds[old]
        kinds[kind] = kinds.get(kind, 0) + 1

    # Element readers: they never raise; a bad value becomes None plus a diagnostic.

    def amount(
        self, seg: list[str], pos: int, index: int, offset: int, *, required: bool = False
    ) -> Decimal | None:
        value = seg[pos] if pos < len(seg) else ""
        if not value:
            if required:
                self.sink.error(
                    "element.required",
                    f"{seg[0]}{pos:02d} is required and is empty.",
                    index=index,
                    offset=offset,
                    segment_id=seg[0],
                    element=pos,
                )
            return None
        try:
            result = Decimal(value)
        except InvalidOperation:
            result = None
        if result is None or not result.is_finite():
            self.sink.error(
                "element.amount",
                f"{seg[0]}{pos:02d} should be an amount and is not.",
                index=index,
                offset=offset,
                segment_id=seg[0],
                element=pos,
                value=value,
            )
            return None
        return result

    def date(self, seg: list[str], pos: int, index: int, offset: int) -> date | None:
        value = seg[pos] if pos < len(seg) else ""
        if not value:
            return None
        return self.parse_date(value, seg[0], pos, index, offset)

    def parse_date(
        self, value: str, segment_id: str, pos: int, index: int, offset: int
    ) -> Date | None:
        """CCYYMMDD (or YYMMDD in old files); cached because remits repeat few dates."""
        try:
            return _DATE_CACHE[value]
        except KeyError:
            pass
        parsed: Date | None = None
        try:
            if len(value) == 8 and value.isdigit():
                parsed = Date(int(value[:4]), int(value[4:6]), int(value[6:]))
            elif len(value) == 6 and value.isdigit():
                yy = int(value[:2])
                parsed = Date(2000 + yy if yy < 50 else 1900 + yy, int(value[2:4]), int(value[4:]))
        except ValueError:
            parsed = None
        if parsed is None:
            self.sink.error(
                "element.date",
                f"{segment_id}{pos:02d} should be a date (CCYYMMDD) and is not.",
                index=index,
                offset=offset,
                segment_id=segment_id,
                element=pos,
                value=value,
            )
            return None
        if len(_DATE_CACHE) < 100_000:
            _DATE_CACHE[value] = parsed
        return parsed

    def date_range(
        self, value: str, segment_id: str, pos: int, index: int, offset: int
    ) -> tuple[Date | None, Date | None]:
        """RD8 'CCYYMMDD-CCYYMMDD'; a single date yields (d, d)."""
        if "-" in value:
            a, _, b = value.partition("-")
            return (
                self.parse_date(a, segment_id, pos, index, offset),
                self.parse_date(b, segment_id, pos, index, offset),
            )
        d = self.parse_date(value, segment_id, pos, index, offset)
        return d, d

    def component(self, value: str) -> list[str]:
        return value.split(self.delimiters.component)
