"""The file report: what reading one X12 file produced, for any interface (CLI, web).

:func:`read_file_report` reads a file to the end and keeps only the reader's counters and
diagnostics (records are streamed and discarded, so a file of any size reads in flat memory);
:func:`file_reports` does it for many files, one report at a time, in the order given.
:func:`report_json` is the JSON form (money as exact decimal strings) that ``parse --json``
prints and the web returns.

Patient data: a diagnostic's value reaches a report only through :func:`shown_value`. The
reader's sink has already masked it (codes, counts, amounts and control numbers as read,
anything else as its shape, see :mod:`denialscope.x12.diagnostics`); on top of that a report
never carries a value from a name, address or demographic segment, not even its shape. So no
caller can print what the reports do not hold.

A file that cannot be read at all is a report with ``error`` set (never an exception), so one
bad file in a folder does not stop the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from denialscope.errors import UnreadableFileError
from denialscope.x12.diagnostics import (
    CODE_VALUE_RULES,
    PRIVATE_SEGMENTS,
    Diagnostic,
    mask_value,
)
from denialscope.x12.envelope import FileSummary
from denialscope.x12.reader import open_x12

__all__ = [
    "SHOWN_VALUE_RULES",
    "Fact",
    "FileReport",
    "ReportedDiagnostic",
    "file_reports",
    "read_file_report",
    "report_json",
    "shown_value",
    "summary_facts",
]

# Rules whose values are shown as read (when short and plain); documented in docs/parse.md.
SHOWN_VALUE_RULES = CODE_VALUE_RULES
ACK_KINDS = frozenset({"277CA", "999", "997", "277"})


def shown_value(d: Diagnostic) -> str | None:
    """The diagnostic's value as a report may show it: masked unless it is a code, and
    None in name, address and demographic segments."""
    if d.value is None or d.segment_id in PRIVATE_SEGMENTS:
        return None
    return mask_value(d.rule, d.segment_id, d.value)


@dataclass(frozen=True, slots=True)
class ReportedDiagnostic:
    """One problem found, with its position; ``value`` already redacted."""

    severity: str  # "error", "warning", "info"
    rule: str  # documented in docs/diagnostics.md
    message: str
    segment_index: int | None  # 1-based position of the segment in the file
    offset: int | None  # byte offset of the segment
    segment_id: str | None
    element: int | None  # 1-based element position (2 for CLP02)
    value: str | None
    interchange: str | None  # ISA13
    transaction: str | None  # ST02

    @property
    def where(self) -> str:
        """``CLP02``, or the segment id alone, or empty."""
        if self.segment_id and self.element:
            return f"{self.segment_id}{self.element:02d}"
        return self.segment_id or ""

    @classmethod
    def of(cls, d: Diagnostic) -> ReportedDiagnostic:
        return cls(
            severity=d.severity.value,
            rule=d.rule,
            message=d.message,
            segment_index=d.segment_index,
            offset=d.offset,
            segment_id=d.segment_id,
            element=d.element,
            value=shown_value(d),
            interchange=d.interchange,
            transaction=d.transaction,
        )


@dataclass(frozen=True, slots=True)
class Fact:
    """One line of a file's summary: a label a biller reads and its value."""

    key: str  # the JSON key of the same figure
    label: str
    value: int | Decimal | str


@dataclass(frozen=True, slots=True)
class FileReport:
    """What reading one file produced: counters and diagnostics, or why it could not be read."""

    file: str
    summary: FileSummary | None = None
    diagnostics: tuple[ReportedDiagnostic, ...] = ()
    dropped: int = 0  # diagnostics beyond the reader's cap
    error: str | None = None  # set when the file could not be read at all
    error_offset: int | None = None

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    @property
    def total_diagnostics(self) -> int:
        """All diagnostics found, including those beyond the cap."""
        return len(self.diagnostics) + self.dropped


def read_file_report(*, path: Path) -> FileReport:
    """Read one file to the end, keeping only its summary and (redacted) diagnostics."""
    name = str(path)
    if path.is_dir():
        return FileReport(file=name, error="a folder with no files to read")
    try:
        with open_x12(path, name=name) as reader:
            for _ in reader:
                pass
            return FileReport(
                file=name,
                summary=reader.summary,
                diagnostics=tuple(ReportedDiagnostic.of(d) for d in reader.diagnostics),
                dropped=reader.sink.dropped,
            )
    except UnreadableFileError as exc:
        return FileReport(file=name, error=exc.reason, error_offset=exc.context.get("offset"))
    except OSError as exc:
        return FileReport(file=name, error=f"cannot read: {exc.strerror or type(exc).__name__}")
    except Exception as exc:  # a reader bug must not surface text that quotes the file
        return FileReport(
            file=name,
            error=f"denialscope failed while reading ({type(exc).__name__}); please report it",
        )


def file_reports(*, paths: Iterable[Path]) -> Iterator[FileReport]:
    """One report per file, lazily and in order (a caller prints each as it is ready)."""
    for path in paths:
        yield read_file_report(path=path)


def summary_facts(summary: FileSummary) -> list[Fact]:
    """The summary lines that apply to the file's transaction types, in report order."""
    kinds = set(summary.kinds)
    is_835 = "835" in kinds
    is_837 = any(k.startswith("837") for k in kinds)
    facts = [
        Fact("transaction", "transaction", summary.transaction or "-"),
        Fact("version", "version", summary.version or "-"),
        Fact("interchanges", "interchanges", summary.interchanges),
        Fact("transactions", "transactions", summary.transactions),
        Fact("claims", "claims", summary.claims),
        Fact("service_lines", "service lines", summary.service_lines),
    ]
    if is_835 or is_837:
        facts.append(Fact("adjustments", "adjustments", summary.adjustments))
    if is_835:
        facts.append(
            Fact("provider_adjustments", "provider adjustments", summary.provider_adjustments)
        )
    if is_835 or is_837 or summary.total_charge:
        facts.append(Fact("total_charge", "total charge", summary.total_charge))
    if is_835:
        facts.append(Fact("total_paid", "total paid (CLP04)", summary.total_paid))
        facts.append(Fact("total_payment", "total payment (BPR02)", summary.total_payment))
    if kinds & ACK_KINDS:
        facts.append(Fact("accepted", "accepted", summary.accepted))
        facts.append(Fact("rejected", "rejected", summary.rejected))
    return facts


def report_json(report: FileReport) -> dict[str, Any]:
    """The JSON object of one file: plain types only, money as exact decimal strings."""
    if report.error is not None:
        return {"file": report.file, "error": report.error, "offset": report.error_offset}
    s = report.summary
    assert s is not None  # a report without error always has its summary
    return {
        "file": report.file,
        "transaction": s.transaction,
        "version": s.version,
        "interchanges": s.interchanges,
        "groups": s.groups,
        "transactions": s.transactions,
        "claims": s.claims,
        "service_lines": s.service_lines,
        "adjustments": s.adjustments,
        "provider_adjustments": s.provider_adjustments,
        "total_charge": str(s.total_charge),
        "total_paid": str(s.total_paid),
        "total_payment": str(s.total_payment),
        "accepted": s.accepted,
        "rejected": s.rejected,
        "errors": report.errors,
        "warnings": report.warnings,
        "diagnostics_dropped": report.dropped,
        "diagnostics": [
            {
                "severity": d.severity,
                "rule": d.rule,
                "segment_index": d.segment_index,
                "offset": d.offset,
                "segment_id": d.segment_id,
                "element": d.element,
                "value": d.value,
                "interchange": d.interchange,
                "transaction": d.transaction,
                "message": d.message,
            }
            for d in report.diagnostics
        ],
    }
