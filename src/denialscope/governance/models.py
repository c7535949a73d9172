"""Action plans: who fixes which root cause, by how much, by when, measured from the KPIs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from denialscope.db.base import Base, TimestampMixin

__all__ = ["METRICS", "METRIC_VALUE", "PLAN_STATUSES", "ActionPlan"]

METRICS = ("count", "dollars", "rate")
PLAN_STATUSES = ("open", "on_track", "at_risk", "done", "dropped")
# Rates need six places; dollar sums over a quarter need more than 12 integer digits.
METRIC_VALUE = Numeric(20, 6)


class ActionPlan(TimestampMixin, Base):
    """One plan: e.g. "modifier_missing_invalid denials at payer X -40% by quarter end".

    Scope is kept as the texts the user typed (payer name part, department code), like
    change events, so a plan survives a reload of the organization tables. The baseline is
    frozen at creation; progress is recomputed from the claims each time it is asked for.
    """

    __tablename__ = "governance_action_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    root_cause: Mapped[str] = mapped_column(String(80), index=True)
    stream: Mapped[str] = mapped_column(String(10))
    payer: Mapped[str | None] = mapped_column(String(120))
    department: Mapped[str | None] = mapped_column(String(40))
    service_line: Mapped[str | None] = mapped_column(String(80))
    owner_role: Mapped[str] = mapped_column(String(80))
    owner_name: Mapped[str] = mapped_column(String(120))
    metric: Mapped[str] = mapped_column(String(10))  # one of METRICS
    change_pct: Mapped[Decimal] = mapped_column(Numeric(7, 2))  # -40 = reduce by 40 %
    baseline_value: Mapped[Decimal] = mapped_column(METRIC_VALUE)
    baseline_from: Mapped[dt.date]
    baseline_to: Mapped[dt.date]
    target_value: Mapped[Decimal] = mapped_column(METRIC_VALUE)
    due_date: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(12), default="open")  # one of PLAN_STATUSES
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
