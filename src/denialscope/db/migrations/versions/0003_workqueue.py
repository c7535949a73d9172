"""Work queues: work items, their history, documents (letters, corrected claims) and fixes.

Written by hand and frozen, like 0001: every constraint and index is named as the naming
convention in ``denialscope.db.base`` names it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _key(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def _fk(
    table: str, column: str, target: str, ondelete: str, *, nullable: bool = True
) -> sa.Column[Any]:
    foreign_key = sa.ForeignKey(
        f"{target}.id", name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )
    return sa.Column(column, sa.Integer(), foreign_key, nullable=nullable)


def _text(name: str, length: int, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _money(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.Numeric(14, 2), nullable=nullable)


def _date(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Date(), nullable=True)


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


_INDEXES: dict[str, list[tuple[str, ...]]] = {
    "work_items": [
        ("queue", "status", "priority"),
        ("denial_payment_id",),
        ("payer_id",),
        ("stream",),
        ("root_cause",),
        ("outcome",),
        ("assigned_to",),
        ("deadline",),
    ],
    "work_item_events": [("work_item_id",)],
    "work_item_fixes": [("work_item_id",)],
}


def upgrade() -> None:
    op.create_table(
        "work_items",
        _id(),
        _fk("work_items", "claim_id", "claims", "CASCADE", nullable=False),
        _fk("work_items", "denial_payment_id", "claim_payments", "CASCADE", nullable=False),
        _fk("work_items", "payer_id", "payers", "SET NULL"),
        _text("queue", 20, nullable=False),
        _text("stream", 10, nullable=False),
        _text("root_cause", 40, nullable=False),
        _text("owner_role", 80),
        _text("denial_type", 16),
        sa.Column("status", sa.String(16), server_default="new", nullable=False),
        _text("outcome", 24),
        _text("assigned_to", 80),
        _timestamp("assigned_at", nullable=True),
        _money("dollars_at_risk", nullable=False),
        _date("denied_on"),
        _date("service_date"),
        sa.Column("appeal_level", sa.Integer(), server_default="0", nullable=False),
        _text("recommended_action", 20),
        _text("recommended_reason", 300),
        _text("action", 20),
        sa.Column("p_recovery", sa.Numeric(6, 4), nullable=True),
        _text("p_basis", 300),
        _money("expected_net"),
        _money("priority"),
        _date("deadline"),
        _text("deadline_kind", 40),
        _date("submitted_on"),
        _date("resolved_on"),
        _fk("work_items", "resolved_payment_id", "claim_payments", "SET NULL"),
        _money("recovered_amount"),
        sa.Column("cycle_days", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _key("work_items"),
        sa.UniqueConstraint("claim_id", name="uq_work_items_claim_id"),
    )
    op.create_table(
        "work_item_events",
        _id(),
        _fk("work_item_events", "work_item_id", "work_items", "CASCADE", nullable=False),
        _timestamp("at"),
        _text("actor", 80, nullable=False),
        _text("kind", 20, nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        _key("work_item_events"),
    )
    op.create_table(
        "work_item_documents",
        _id(),
        _fk("work_item_documents", "work_item_id", "work_items", "CASCADE", nullable=False),
        _text("kind", 20, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _text("template", 80),
        _text("filename", 200, nullable=False),
        _text("media_type", 60, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        _text("created_by", 80, nullable=False),
        _timestamp("created_at"),
        _key("work_item_documents"),
        sa.UniqueConstraint(
            "work_item_id",
            "kind",
            "version",
            name="uq_work_item_documents_work_item_id_kind_version",
        ),
    )
    op.create_table(
        "work_item_fixes",
        _id(),
        _fk("work_item_fixes", "work_item_id", "work_items", "CASCADE", nullable=False),
        _text("kind", 24, nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=True),
        _text("current", 80),
        _text("proposed", 80),
        _text("reason", 300, nullable=False),
        sa.Column("status", sa.String(10), server_default="proposed", nullable=False),
        _text("reviewed_by", 80),
        _key("work_item_fixes"),
    )
    for table, indexes in _INDEXES.items():
        for columns in indexes:
            op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def downgrade() -> None:
    for table in ("work_item_fixes", "work_item_documents", "work_item_events", "work_items"):
        op.drop_table(table)
