"""Indexes for the work screens: the queue page, "take next" and the queue's counts.

``ix_work_items_rank`` walks the items in the queue's order (priority, then deadline, then
id) and carries the columns the queue filters on (stream, status, assignee), so the top of
a queue is read from the index alone instead of sorting every item of the streams.
``ix_work_items_open`` counts a worker's open and unassigned items from the index.
``ix_work_items_updated_at`` gives the newest change in one step: the queue's filter
choices are cached until an item changes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RANK = ["priority", "deadline", "id", "stream", "status", "assigned_to"]


def upgrade() -> None:
    op.create_index("ix_work_items_rank", "work_items", _RANK)
    op.create_index("ix_work_items_open", "work_items", ["status", "stream", "assigned_to"])
    op.create_index("ix_work_items_updated_at", "work_items", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_work_items_updated_at", table_name="work_items")
    op.drop_index("ix_work_items_open", table_name="work_items")
    op.drop_index("ix_work_items_rank", table_name="work_items")
