"""ADT stays keep the physician's expected discharge (PV2-9) and when it was set.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("adt_stays", sa.Column("expected_discharge_at", sa.DateTime(), nullable=True))
    op.add_column("adt_stays", sa.Column("expected_discharge_set_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("adt_stays") as batch:
        batch.drop_column("expected_discharge_set_at")
        batch.drop_column("expected_discharge_at")
