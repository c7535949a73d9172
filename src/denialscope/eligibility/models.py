"""Stored eligibility responses: one row per subscriber or dependent level of a 271."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from denialscope.db.base import Base

__all__ = ["EligibilityResponseRow"]


class EligibilityResponseRow(Base):
    """What a payer said about a member's coverage on the day it answered (BHT04).

    ``payer_id`` is the 271's NM1*PR NM109, the id an 837 puts in its own NM1*PR NM109, so a
    claim finds the responses about its payer and member without any mapping.
    """

    __tablename__ = "eligibility_responses"
    __table_args__ = (Index("ix_eligibility_responses_member", "payer_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(
        ForeignKey("source_files.id", ondelete="CASCADE"), index=True
    )
    payer_id: Mapped[str] = mapped_column(String(80))
    member_id: Mapped[str] = mapped_column(String(80))
    responded_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(10))  # active / inactive / "" (no statement)
    plan_begin: Mapped[dt.date | None]
    plan_end: Mapped[dt.date | None]
    rejection: Mapped[str | None] = mapped_column(String(4))  # AAA03
    segment_index: Mapped[int]
