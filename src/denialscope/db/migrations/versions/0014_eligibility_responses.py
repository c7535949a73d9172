"""Eligibility responses (X12 271): what a payer said of a member's coverage, and when.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "eligibility_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_file_id", sa.Integer(), nullable=False),
        sa.Column("payer_id", sa.String(length=80), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("plan_begin", sa.Date(), nullable=True),
        sa.Column("plan_end", sa.Date(), nullable=True),
        sa.Column("rejection", sa.String(length=4), nullable=True),
        sa.Column("segment_index", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_file_id"],
            ["source_files.id"],
            name=op.f("fk_eligibility_responses_source_file_id_source_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_responses")),
    )
    op.create_index(
        op.f("ix_eligibility_responses_source_file_id"),
        "eligibility_responses",
        ["source_file_id"],
        unique=False,
    )
    op.create_index(
        "ix_eligibility_responses_member",
        "eligibility_responses",
        ["payer_id", "member_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_eligibility_responses_member", table_name="eligibility_responses")
    op.drop_index(
        op.f("ix_eligibility_responses_source_file_id"), table_name="eligibility_responses"
    )
    op.drop_table("eligibility_responses")
