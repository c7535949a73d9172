"""Front-end acknowledgments: a 999 (syntax) or 277CA (claim acceptance) outcome.

A rejection here means the payer never adjudicated the claim: it is counted apart from
denials, which only come from 835s.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from denialscope.claims.models import Claim
from denialscope.db.base import Base
from denialscope.sources.models import SourceFile

__all__ = ["ACK_KINDS", "ACK_STATUSES", "Acknowledgment"]

ACK_KINDS = ("999", "277CA")
ACK_STATUSES = ("accepted", "rejected", "accepted_with_errors", "unknown")


class Acknowledgment(Base):
    """One acknowledged unit: a transaction set (999) or a claim (277CA)."""

    __tablename__ = "acknowledgments"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(
        ForeignKey("source_files.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(6), index=True)  # one of ACK_KINDS
    # 999: the acknowledged group/transaction control number; 277CA: the claim's TRN.
    control_number: Mapped[str | None] = mapped_column(String(50), index=True)
    patient_control_number: Mapped[str | None] = mapped_column(String(50), index=True)
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )
    payer_claim_number: Mapped[str | None] = mapped_column(String(50), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)  # one of ACK_STATUSES
    # Comma-joined, in the order received (277CA STC01-1 categories, STC01-2 statuses).
    category_codes: Mapped[str | None] = mapped_column(String(100))
    status_codes: Mapped[str | None] = mapped_column(String(200))
    details_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    acknowledged_at: Mapped[dt.date | None] = mapped_column(index=True)

    source_file: Mapped[SourceFile] = relationship()
    claim: Mapped[Claim | None] = relationship()

    @property
    def details(self) -> dict[str, Any]:
        """The stored details (error segments, free text), decoded."""
        value: dict[str, Any] = json.loads(self.details_json or "{}")
        return value

    @details.setter
    def details(self, data: dict[str, Any]) -> None:
        self.details_json = json.dumps(data, default=str, separators=(",", ":"))
