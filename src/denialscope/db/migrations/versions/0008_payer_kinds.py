"""Payer kind from the claim: filing indicators, where each kind came from, appeal addresses.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("filing_indicator", sa.String(2), nullable=True))
    with op.batch_alter_table("payers") as batch:
        batch.add_column(sa.Column("kind_source", sa.String(16), nullable=True))
        batch.add_column(sa.Column("appeal_address", sa.Text(), nullable=True))
        batch.add_column(sa.Column("two_midnight", sa.Boolean(), nullable=True))
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("payer_kind", sa.String(20), nullable=True))
        batch.add_column(sa.Column("payer_kind_source", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("payer_kind_source")
        batch.drop_column("payer_kind")
    with op.batch_alter_table("payers") as batch:
        batch.drop_column("two_midnight")
        batch.drop_column("appeal_address")
        batch.drop_column("kind_source")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("filing_indicator")
