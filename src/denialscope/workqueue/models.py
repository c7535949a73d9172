"""Work items: one per denied claim, routed to a queue, worked by a person, closed by an outcome.

A work item groups every line denial of one claim (the claim payment that first denied it is
``denial_payment_id``). Its history (``work_item_events``) records who did what and when,
notes included; letters and corrected 837s are ``work_item_documents``, versioned per kind;
proposed coding fixes wait for a human in ``work_item_fixes``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from denialscope.db.base import Base, TimestampMixin, utcnow

__all__ = [
    "ACTIONS",
    "OPEN_STATUSES",
    "OUTCOMES",
    "QUEUES",
    "STATUSES",
    "WorkItem",
    "WorkItemDocument",
    "WorkItemEvent",
    "WorkItemFix",
]

QUEUES = ("cdi", "ur", "physician_advisor", "coding", "access", "billing", "profee")
STATUSES = ("new", "in_review", "action_chosen", "submitted", "awaiting_payer", "resolved")
OPEN_STATUSES = ("new", "in_review", "action_chosen", "submitted", "awaiting_payer")
OUTCOMES = (
    "overturned",
    "partially_overturned",
    "upheld",
    "written_off",
    "billed_to_patient",
)
ACTIONS = (
    "resubmit",
    "appeal_level_1",
    "appeal_level_2",
    "external_review",
    "write_off",
    "bill_patient",
    "reopening",
)

# Recovery probabilities in [0, 1] with four places; priorities are dollar-like scores.
PROBABILITY = Numeric(6, 4)


class WorkItem(TimestampMixin, Base):
    __tablename__ = "work_items"
    __table_args__ = (
        Index(None, "queue", "status", "priority"),
        # The queue's order with the columns it filters on: the top of a queue is read from
        # the index (migration 0013). Its twin counts open items from the index alone.
        Index(
            "ix_work_items_rank", "priority", "deadline", "id", "stream", "status", "assigned_to"
        ),
        Index("ix_work_items_open", "status", "stream", "assigned_to"),
        Index("ix_work_items_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), unique=True)
    denial_payment_id: Mapped[int] = mapped_column(
        ForeignKey("claim_payments.id", ondelete="CASCADE"), index=True
    )
    payer_id: Mapped[int | None] = mapped_column(
        ForeignKey("payers.id", ondelete="SET NULL"), index=True
    )
    # The payer kind this claim was worked under and where it came from (org table / filing
    # indicator / name): see orgs/payer_kinds.py.
    payer_kind: Mapped[str | None] = mapped_column(String(20))
    payer_kind_source: Mapped[str | None] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(20))  # one of QUEUES
    stream: Mapped[str] = mapped_column(String(10), index=True)
    root_cause: Mapped[str] = mapped_column(String(40), index=True)
    owner_role: Mapped[str | None] = mapped_column(String(80))
    denial_type: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="new", server_default="new")
    outcome: Mapped[str | None] = mapped_column(String(24), index=True)  # one of OUTCOMES
    assigned_to: Mapped[str | None] = mapped_column(String(80), index=True)
    assigned_at: Mapped[dt.datetime | None]
    dollars_at_risk: Mapped[Decimal]
    denied_on: Mapped[dt.date | None]  # adjudication date of the denial
    service_date: Mapped[dt.date | None]
    appeal_level: Mapped[int] = mapped_column(default=0, server_default="0")
    recommended_action: Mapped[str | None] = mapped_column(String(20))
    recommended_reason: Mapped[str | None] = mapped_column(String(300))
    action: Mapped[str | None] = mapped_column(String(20))  # chosen by a person
    p_recovery: Mapped[Decimal | None] = mapped_column(PROBABILITY)
    p_basis: Mapped[str | None] = mapped_column(String(300))
    expected_net: Mapped[Decimal | None]
    priority: Mapped[Decimal | None]
    deadline: Mapped[dt.date | None] = mapped_column(index=True)
    deadline_kind: Mapped[str | None] = mapped_column(String(40))
    submitted_on: Mapped[dt.date | None]
    resolved_on: Mapped[dt.date | None]
    resolved_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_payments.id", ondelete="SET NULL")
    )
    recovered_amount: Mapped[Decimal | None]
    cycle_days: Mapped[int | None]

    events: Mapped[list[WorkItemEvent]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="WorkItemEvent.id"
    )
    fixes: Mapped[list[WorkItemFix]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="WorkItemFix.id"
    )


class WorkItemEvent(Base):
    """One thing that happened to an item: created, assigned, status, action, note, outcome."""

    __tablename__ = "work_item_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_item_id: Mapped[int] = mapped_column(
        ForeignKey("work_items.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))  # a user name, or "system"
    kind: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)


class WorkItemDocument(Base):
    """A rendered letter (PDF) or corrected claim (837), versioned per item and kind."""

    __tablename__ = "work_item_documents"
    __table_args__ = (UniqueConstraint("work_item_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # letter / corrected_837
    version: Mapped[int]
    template: Mapped[str | None] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(60))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WorkItemFix(Base):
    """A proposed correction of a coding denial; applied only once a person approves it."""

    __tablename__ = "work_item_fixes"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_item_id: Mapped[int] = mapped_column(
        ForeignKey("work_items.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))  # add_modifier, replace_diagnosis ...
    line_no: Mapped[int | None]
    current: Mapped[str | None] = mapped_column(String(80))
    proposed: Mapped[str | None] = mapped_column(String(80))  # None: the reviewer supplies it
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="proposed", server_default="proposed")
    reviewed_by: Mapped[str | None] = mapped_column(String(80))
