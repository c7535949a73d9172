"""What an ingest run did, file by file: the summary the CLI prints and `--json` returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["FileResult", "IngestReport"]


@dataclass(slots=True)
class FileResult:
    name: str
    # "ingested", "already_ingested" (same bytes), "duplicate" (same content, resent: nothing
    # stored), "conflict" (nothing new, some of it conflicts with what is stored), "failed"
    status: str
    file_type: str | None = None
    version: str | None = None
    claims: int = 0  # 837 claims stored
    claim_payments: int = 0  # 835 CLP stored
    matched: int = 0  # claim payments linked to a submitted claim
    unmatched: int = 0
    service_lines: int = 0
    adjustments: int = 0
    acknowledgments: int = 0
    eligibility_responses: int = 0  # 271 subscriber/dependent levels stored
    denials: int = 0  # claim payments with at least one denial
    errors: int = 0  # error diagnostics in a readable file
    warnings: int = 0
    duplicates: int = 0  # claims and claim payments already stored: not stored again
    conflicts: int = 0  # claims and claim payments that disagree with what is stored
    findings: list[dict[str, Any]] = field(default_factory=list)  # IdentityFinding.to_dict()
    work_items_created: int = 0  # by this file's own queue step
    work_items_closed: int = 0
    error: str | None = None  # why the file failed
    database_error: str | None = None  # "DiskFullError", "LockTimeoutError": not the file's fault
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    work_items_created: int = 0  # denials that became work items
    work_items_closed: int = 0  # items closed by later payments (overturned, upheld)
    work_queue_error: str | None = None
    not_attempted: int = 0  # files left unread after the disk filled up

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def totals(self) -> dict[str, int | float]:
        keys = (
            "claims",
            "claim_payments",
            "matched",
            "unmatched",
            "service_lines",
            "adjustments",
            "acknowledgments",
            "denials",
            "errors",
            "warnings",
            "duplicates",
            "conflicts",
        )
        out: dict[str, int | float] = {k: sum(getattr(f, k) for f in self.files) for k in keys}
        out["files"] = len(self.files)
        out["ingested"] = sum(1 for f in self.files if f.status == "ingested")
        out["already_ingested"] = sum(1 for f in self.files if f.status == "already_ingested")
        out["duplicate"] = sum(1 for f in self.files if f.status in ("duplicate", "conflict"))
        out["failed"] = len(self.failed)
        out["not_attempted"] = self.not_attempted
        out["seconds"] = round(sum(f.seconds for f in self.files), 3)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "totals": self.totals(),
            "work_queues": {
                "items_created": self.work_items_created,
                "items_closed": self.work_items_closed,
                "error": self.work_queue_error,
            },
        }
