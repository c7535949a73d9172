"""Classification results on claim payments and adjustments, and their change history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _payment_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("denial_type", sa.String(16), nullable=True),
        sa.Column("is_denial", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("primary_stream", sa.String(10), nullable=True),
        sa.Column("primary_root_cause", sa.String(40), nullable=True),
        sa.Column("denied_amount", sa.Numeric(14, 2), nullable=True),
        sa.Column("config_version", sa.String(40), nullable=True),
    ]


def _adjustment_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("category", sa.String(16), nullable=True),
        sa.Column("is_denial", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("stream", sa.String(10), nullable=True),
        sa.Column("root_cause", sa.String(40), nullable=True),
        sa.Column("rule_id", sa.String(80), nullable=True),
        sa.Column("process_step", sa.String(120), nullable=True),
        sa.Column("owner_role", sa.String(80), nullable=True),
        sa.Column("owner_name", sa.String(120), nullable=True),
    ]


_INDEXES = {
    "claim_payments": ["primary_root_cause"],
    "adjustments": ["root_cause"],
}


def upgrade() -> None:
    for column in _payment_columns():
        op.add_column("claim_payments", column)
    for column in _adjustment_columns():
        op.add_column("adjustments", column)
    for table, columns in _INDEXES.items():
        for name in columns:
            op.create_index(f"ix_{table}_{name}", table, [name])
    op.create_table(
        "classification_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adjustment_id", sa.Integer(), nullable=False),
        sa.Column("claim_payment_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_root_cause", sa.String(40), nullable=True),
        sa.Column("old_rule_id", sa.String(80), nullable=True),
        sa.Column("old_config_version", sa.String(40), nullable=True),
        sa.Column("new_root_cause", sa.String(40), nullable=True),
        sa.Column("new_rule_id", sa.String(80), nullable=True),
        sa.Column("new_config_version", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["adjustment_id"],
            ["adjustments.id"],
            name="fk_classification_changes_adjustment_id_adjustments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claim_payment_id"],
            ["claim_payments.id"],
            name="fk_classification_changes_claim_payment_id_claim_payments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_classification_changes"),
    )
    for name in ("adjustment_id", "claim_payment_id", "changed_at"):
        op.create_index(f"ix_classification_changes_{name}", "classification_changes", [name])


def downgrade() -> None:
    op.drop_table("classification_changes")
    with op.batch_alter_table("adjustments") as batch:
        for name in _INDEXES["adjustments"]:
            batch.drop_index(f"ix_adjustments_{name}")
        for column in _adjustment_columns():
            batch.drop_column(column.name)
    with op.batch_alter_table("claim_payments") as batch:
        for name in _INDEXES["claim_payments"]:
            batch.drop_index(f"ix_claim_payments_{name}")
        for column in _payment_columns():
            batch.drop_column(column.name)
