"""Utilization reviews of a stay and their escalations to a physician advisor."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from denialscope.adt.models import Stay
from denialscope.db.base import Base, utcnow

__all__ = ["ESCALATION_OUTCOMES", "REVIEW_OUTCOMES", "Escalation", "Review"]

REVIEW_OUTCOMES = ("met", "not_met", "escalate")
# upheld = the payer kept its adverse determination; overturned = the peer-to-peer won.
ESCALATION_OUTCOMES = ("pending", "overturned", "upheld", "no_p2p")


class Review(Base):
    __tablename__ = "ur_reviews"
    __table_args__ = (CheckConstraint("outcome IN ('met', 'not_met', 'escalate')", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("adt_stays.id", ondelete="CASCADE"), index=True)
    reviewed_at: Mapped[dt.datetime] = mapped_column(DateTime(), index=True)  # wall clock
    outcome: Mapped[str] = mapped_column(String(10))
    criteria_set: Mapped[str] = mapped_column(String(80))  # named by the user (InterQual ...)
    level: Mapped[str | None] = mapped_column(String(1))  # class the criteria support: I or O
    reviewer: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    stay: Mapped[Stay] = relationship()


class Escalation(Base):
    """A review sent to a physician advisor, the peer-to-peer call and what came of it."""

    __tablename__ = "ur_escalations"
    __table_args__ = (
        CheckConstraint("outcome IN ('pending', 'overturned', 'upheld', 'no_p2p')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("adt_stays.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("ur_reviews.id", ondelete="SET NULL"), index=True
    )
    advisor: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime())
    window_ends_at: Mapped[dt.datetime] = mapped_column(DateTime())  # the payer's p2p window
    p2p_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    outcome: Mapped[str] = mapped_column(String(10), default="pending")
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    note: Mapped[str | None] = mapped_column(Text)

    stay: Mapped[Stay] = relationship()
