"""Change events for the before/after analysis of denial analytics.

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-27

Numbered 0004 as planned, but it follows 0005 (work queues), the newest revision when it was
written: a single line of revisions keeps ``upgrade head`` unambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column("service_line", sa.String(80), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_change_events"),
    )
    op.create_index("ix_change_events_event_date", "change_events", ["event_date"])
    op.create_index("ix_change_events_department", "change_events", ["department"])


def downgrade() -> None:
    op.drop_table("change_events")
