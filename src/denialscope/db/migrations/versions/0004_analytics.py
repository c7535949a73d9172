"""Change events, and the pre-aggregated cubes behind the dashboard summary.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

Revisions form a single line (0001 → … → 0006) so that ``upgrade head`` is unambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _cell_keys() -> list[sa.Column[Any]]:
    """The cell of a cube: cohort month, payer, department, facility, claim service line."""
    return [
        sa.Column("month_key", sa.Integer(), nullable=True),
        sa.Column("payer_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("facility_id", sa.Integer(), nullable=True),
        sa.Column("service_line", sa.String(80), nullable=True),
    ]


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

    money = sa.Numeric(18, 2)
    op.create_table(
        "analytics_claim_cube",
        sa.Column("id", sa.Integer(), nullable=False),
        *_cell_keys(),
        *[
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("submitted", "remitted", "denied", "zero_pay", "partial_pay", "first_pass")
        ],
        *[
            sa.Column(name, money, nullable=False)
            for name in ("charges_remitted", "charges_denied", "denied_amount")
        ],
        sa.PrimaryKeyConstraint("id", name="pk_analytics_claim_cube"),
    )
    op.create_table(
        "analytics_stream_cube",
        sa.Column("id", sa.Integer(), nullable=False),
        *_cell_keys(),
        sa.Column("stream", sa.String(10), nullable=True),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("dollars", money, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_analytics_stream_cube"),
    )
    op.create_table(
        "analytics_cube_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(400), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_analytics_cube_state"),
    )


def downgrade() -> None:
    op.drop_table("analytics_cube_state")
    op.drop_table("analytics_stream_cube")
    op.drop_table("analytics_claim_cube")
    op.drop_table("change_events")
