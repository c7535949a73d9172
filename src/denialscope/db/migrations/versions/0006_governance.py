"""Governance action plans.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    value = sa.Numeric(20, 6)
    op.create_table(
        "governance_action_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("root_cause", sa.String(80), nullable=False),
        sa.Column("stream", sa.String(10), nullable=False),
        sa.Column("payer", sa.String(120), nullable=True),
        sa.Column("department", sa.String(40), nullable=True),
        sa.Column("service_line", sa.String(80), nullable=True),
        sa.Column("owner_role", sa.String(80), nullable=False),
        sa.Column("owner_name", sa.String(120), nullable=False),
        sa.Column("metric", sa.String(10), nullable=False),
        sa.Column("change_pct", sa.Numeric(7, 2), nullable=False),
        sa.Column("baseline_value", value, nullable=False),
        sa.Column("baseline_from", sa.Date(), nullable=False),
        sa.Column("baseline_to", sa.Date(), nullable=False),
        sa.Column("target_value", value, nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_governance_action_plans"),
    )
    op.create_index(
        "ix_governance_action_plans_root_cause", "governance_action_plans", ["root_cause"]
    )


def downgrade() -> None:
    op.drop_table("governance_action_plans")
