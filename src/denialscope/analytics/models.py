"""Change events: what the organization changed, so analytics can look before and after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from denialscope.db.base import Base, utcnow

__all__ = ["CUBE_MONEY", "EVENT_KINDS", "ChangeEvent", "ClaimCube", "CubeState", "StreamCube"]

# Sums over many claims: wider than a single amount's Numeric(14, 2).
CUBE_MONEY = Numeric(18, 2)

EVENT_KINDS = (
    "order_set",
    "template",
    "ehr_build",
    "payer_policy",
    "staffing",
    "chargemaster",
    "other",
)


class ChangeEvent(Base):
    """One change (a template go-live, a payer policy) in a department or service line.

    The department is kept as its code, not a foreign key: events are often registered
    from a YAML file before the organization structure is loaded.
    """

    __tablename__ = "change_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_date: Mapped[dt.date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))  # one of EVENT_KINDS
    department: Mapped[str | None] = mapped_column(String(40), index=True)
    service_line: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def to_dict(self) -> dict[str, Any]:
        """The documented row of ``event list`` (table and JSON)."""
        return {
            "id": self.id,
            "date": self.event_date,
            "kind": self.kind,
            "department": self.department,
            "service_line": self.service_line,
            "description": self.description,
        }


class ClaimCube(Base):
    """Pre-aggregated cohort totals (see ``denialscope.analytics.cube``): exact sums per cell."""

    __tablename__ = "analytics_claim_cube"

    id: Mapped[int] = mapped_column(primary_key=True)
    month_key: Mapped[int | None]  # cohort month as YYYYMM
    payer_id: Mapped[int | None]
    department_id: Mapped[int | None]
    facility_id: Mapped[int | None]
    service_line: Mapped[str | None] = mapped_column(String(80))  # the claim's own
    submitted: Mapped[int]
    remitted: Mapped[int]
    denied: Mapped[int]
    zero_pay: Mapped[int]
    partial_pay: Mapped[int]
    first_pass: Mapped[int]
    charges_remitted: Mapped[Decimal] = mapped_column(CUBE_MONEY)
    charges_denied: Mapped[Decimal] = mapped_column(CUBE_MONEY)
    denied_amount: Mapped[Decimal] = mapped_column(CUBE_MONEY)


class StreamCube(Base):
    """Pre-aggregated initial denials per stream, on the same cells as ``ClaimCube``."""

    __tablename__ = "analytics_stream_cube"

    id: Mapped[int] = mapped_column(primary_key=True)
    month_key: Mapped[int | None]
    payer_id: Mapped[int | None]
    department_id: Mapped[int | None]
    facility_id: Mapped[int | None]
    service_line: Mapped[str | None] = mapped_column(String(80))
    stream: Mapped[str | None] = mapped_column(String(10))
    claims: Mapped[int]
    dollars: Mapped[Decimal] = mapped_column(CUBE_MONEY)


class CubeState(Base):
    """What the cubes were built from: a fingerprint of the source tables."""

    __tablename__ = "analytics_cube_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(400))
    built_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
