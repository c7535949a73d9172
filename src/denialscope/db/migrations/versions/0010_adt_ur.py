"""ADT census (stays, status changes, applied message ids) and utilization reviews with
physician-advisor escalations.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from denialscope.db.base import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "adt_stays",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("visit_number", sa.String(64), nullable=False),
        sa.Column("facility", sa.String(40), nullable=True),
        sa.Column("patient_ref", sa.String(80), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(1), nullable=True),
        sa.Column("payer_key", sa.String(120), nullable=True),
        sa.Column(
            "payer_id",
            sa.Integer(),
            sa.ForeignKey("payers.id", ondelete="SET NULL", name="fk_adt_stays_payer_id_payers"),
            nullable=True,
        ),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("patient_class", sa.String(1), nullable=False),
        sa.Column("status_at", sa.DateTime(), nullable=True),
        sa.Column("admit_at", sa.DateTime(), nullable=True),
        sa.Column("discharge_at", sa.DateTime(), nullable=True),
        sa.Column("attending_npi", sa.String(20), nullable=True),
        sa.Column("attending_name", sa.String(120), nullable=True),
        sa.Column("service", sa.String(10), nullable=True),
        sa.Column("diagnoses", sa.String(400), nullable=True),
        sa.Column("diagnoses_at", sa.DateTime(), nullable=True),
        sa.Column("procedures", sa.String(400), nullable=True),
        sa.Column("authorized_days", sa.Integer(), nullable=True),
        sa.Column(
            "claim_id",
            sa.Integer(),
            sa.ForeignKey("claims.id", ondelete="SET NULL", name="fk_adt_stays_claim_id_claims"),
            nullable=True,
        ),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_adt_stays"),
        sa.UniqueConstraint("visit_number", name="uq_adt_stays_visit_number"),
    )
    for column in ("facility", "patient_ref", "payer_key", "payer_id", "status", "admit_at",
                   "discharge_at", "claim_id"):  # fmt: skip
        op.create_index(f"ix_adt_stays_{column}", "adt_stays", [column])
    op.create_table(
        "adt_stay_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "stay_id",
            sa.Integer(),
            sa.ForeignKey(
                "adt_stays.id", ondelete="CASCADE", name="fk_adt_stay_changes_stay_id_adt_stays"
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("event", sa.String(4), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("patient_class", sa.String(1), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_adt_stay_changes"),
    )
    op.create_index("ix_adt_stay_changes_at", "adt_stay_changes", ["at"])
    op.create_table(
        "adt_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("control_id", sa.String(80), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("event", sa.String(8), nullable=False),
        sa.Column(
            "stay_id",
            sa.Integer(),
            sa.ForeignKey(
                "adt_stays.id", ondelete="CASCADE", name="fk_adt_messages_stay_id_adt_stays"
            ),
            nullable=True,
        ),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_adt_messages"),
        sa.UniqueConstraint("control_id", name="uq_adt_messages_control_id"),
    )
    op.create_index("ix_adt_messages_stay_id", "adt_messages", ["stay_id"])
    op.create_table(
        "ur_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "stay_id",
            sa.Integer(),
            sa.ForeignKey(
                "adt_stays.id", ondelete="CASCADE", name="fk_ur_reviews_stay_id_adt_stays"
            ),
            nullable=False,
        ),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("criteria_set", sa.String(80), nullable=False),
        sa.Column("level", sa.String(1), nullable=True),
        sa.Column("reviewer", sa.String(80), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ur_reviews"),
        sa.CheckConstraint(
            "outcome IN ('met', 'not_met', 'escalate')", name="ck_ur_reviews_outcome"
        ),
    )
    op.create_index("ix_ur_reviews_stay_id", "ur_reviews", ["stay_id"])
    op.create_index("ix_ur_reviews_reviewed_at", "ur_reviews", ["reviewed_at"])
    op.create_table(
        "ur_escalations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "stay_id",
            sa.Integer(),
            sa.ForeignKey(
                "adt_stays.id", ondelete="CASCADE", name="fk_ur_escalations_stay_id_adt_stays"
            ),
            nullable=False,
        ),
        sa.Column(
            "review_id",
            sa.Integer(),
            sa.ForeignKey(
                "ur_reviews.id", ondelete="SET NULL", name="fk_ur_escalations_review_id_ur_reviews"
            ),
            nullable=True,
        ),
        sa.Column("advisor", sa.String(80), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("window_ends_at", sa.DateTime(), nullable=False),
        sa.Column("p2p_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("outcome_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ur_escalations"),
        sa.CheckConstraint(
            "outcome IN ('pending', 'overturned', 'upheld', 'no_p2p')",
            name="ck_ur_escalations_outcome",
        ),
    )
    op.create_index("ix_ur_escalations_stay_id", "ur_escalations", ["stay_id"])
    op.create_index("ix_ur_escalations_review_id", "ur_escalations", ["review_id"])


def downgrade() -> None:
    op.drop_table("ur_escalations")
    op.drop_table("ur_reviews")
    op.drop_table("adt_messages")
    op.drop_table("adt_stay_changes")
    op.drop_table("adt_stays")
