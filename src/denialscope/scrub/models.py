"""Stored scrub results: one run, its per-claim outcome and findings (clean claim rate KPI).

A claim is named by ``claim_key`` (CLM01 + "|" + billing NPI, as on ``claims``) so results
of claims scrubbed before they were ever ingested still join once the 837 is stored.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from denialscope.db.base import Base, utcnow

__all__ = ["ScrubClaimResult", "ScrubFinding", "ScrubRun"]


class ScrubRun(Base):
    __tablename__ = "scrub_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(400))  # file names, or "backtest"
    claims: Mapped[int]
    clean: Mapped[int]
    flagged: Mapped[int]

    results: Mapped[list[ScrubClaimResult]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )


class ScrubClaimResult(Base):
    __tablename__ = "scrub_claim_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scrub_runs.id", ondelete="CASCADE"), index=True)
    claim_key: Mapped[str] = mapped_column(String(120), index=True)
    control_number: Mapped[str] = mapped_column(String(50))
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )
    clean: Mapped[bool]
    rejects: Mapped[int]
    warnings: Mapped[int]

    run: Mapped[ScrubRun] = relationship(back_populates="results")
    findings: Mapped[list[ScrubFinding]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ScrubFinding.id"
    )


class ScrubFinding(Base):
    __tablename__ = "scrub_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(
        ForeignKey("scrub_claim_results.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int | None]
    rule: Mapped[str] = mapped_column(String(60), index=True)
    category: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(6))
    message: Mapped[str] = mapped_column(String(400))
    suggestion: Mapped[str] = mapped_column(String(400))
