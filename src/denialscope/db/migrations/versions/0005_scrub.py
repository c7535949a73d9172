"""Scrub runs, their per-claim results and findings (clean claim rate before submission).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Revisions form a single line (0001 → … → 0006) so that ``upgrade head`` is unambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scrub_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("clean", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scrub_runs"),
    )
    op.create_index("ix_scrub_runs_run_at", "scrub_runs", ["run_at"])
    op.create_table(
        "scrub_claim_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("claim_key", sa.String(120), nullable=False),
        sa.Column("control_number", sa.String(50), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("clean", sa.Boolean(), nullable=False),
        sa.Column("rejects", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["scrub_runs.id"],
            name="fk_scrub_claim_results_run_id_scrub_runs",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name="fk_scrub_claim_results_claim_id_claims",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_scrub_claim_results"),
    )
    for name in ("run_id", "claim_key", "claim_id"):
        op.create_index(f"ix_scrub_claim_results_{name}", "scrub_claim_results", [name])
    op.create_table(
        "scrub_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("rule", sa.String(60), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("severity", sa.String(6), nullable=False),
        sa.Column("message", sa.String(400), nullable=False),
        sa.Column("suggestion", sa.String(400), nullable=False),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["scrub_claim_results.id"],
            name="fk_scrub_findings_result_id_scrub_claim_results",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_scrub_findings"),
    )
    for name in ("result_id", "rule"):
        op.create_index(f"ix_scrub_findings_{name}", "scrub_findings", [name])


def downgrade() -> None:
    op.drop_table("scrub_findings")
    op.drop_table("scrub_claim_results")
    op.drop_table("scrub_runs")
