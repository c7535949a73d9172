"""Change events: what the organization changed, so analytics can look before and after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from denialscope.db.base import Base, utcnow

__all__ = ["EVENT_KINDS", "ChangeEvent"]

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
