"""Diagnostics: what is wrong in a file, said precisely and never raised.

Readers collect :class:`Diagnostic` objects in a :class:`DiagnosticSink`; only input that
cannot be read at all raises (see ``denialscope.errors.UnreadableFileError``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Diagnostic", "DiagnosticSink", "Severity"]


class Severity(StrEnum):
    ERROR = "error"  # the data is wrong and a record may be incomplete
    WARNING = "warning"  # the data breaks the guide but was read
    INFO = "info"  # worth knowing, nothing lost


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    rule: str  # stable id such as "envelope.se_count"; documented in docs/diagnostics.md
    message: str  # a sentence a biller understands
    file: str
    segment_index: int | None = None  # 1-based position of the segment in the file
    offset: int | None = None  # byte offset of the segment's first byte
    segment_id: str | None = None
    element: int | None = None  # 1-based element position (CLP02 -> 2)
    value: str | None = None
    interchange: str | None = None  # ISA13
    transaction: str | None = None  # ST02

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    def location(self) -> str:
        parts = []
        if self.segment_index is not None:
            parts.append(f"segment {self.segment_index}")
        if self.segment_id:
            el = f"{self.segment_id}{self.element:02d}" if self.element else self.segment_id
            parts.append(el)
        if self.offset is not None:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts)


class DiagnosticSink:
    """Collects diagnostics for one file, stamping each with the current envelope context."""

    __slots__ = ("_limit", "dropped", "file", "interchange", "items", "transaction")

    def __init__(self, file: str, *, limit: int = 10_000) -> None:
        self.file = file
        self.items: list[Diagnostic] = []
        self.interchange: str | None = None
        self.transaction: str | None = None
        self._limit = limit  # a broken generator can emit millions; keep memory bounded
        self.dropped = 0

    def report(
        self,
        severity: Severity,
        rule: str,
        message: str,
        *,
        index: int | None = None,
        offset: int | None = None,
        segment_id: str | None = None,
        element: int | None = None,
        value: str | None = None,
    ) -> None:
        if len(self.items) >= self._limit:
            self.dropped += 1
            return
        self.items.append(
            Diagnostic(
                severity=severity,
                rule=rule,
                message=message,
                file=self.file,
                segment_index=index,
                offset=offset,
                segment_id=segment_id,
                element=element,
                value=value,
                interchange=self.interchange,
                transaction=self.transaction,
            )
        )

    def error(self, rule: str, message: str, **where: Any) -> None:
        self.report(Severity.ERROR, rule, message, **where)

    def warning(self, rule: str, message: str, **where: Any) -> None:
        self.report(Severity.WARNING, rule, message, **where)

    def info(self, rule: str, message: str, **where: Any) -> None:
        self.report(Severity.INFO, rule, message, **where)

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.items if d.severity is Severity.ERROR)
