"""claim_versions.transaction_control: the 837 GS06/ST02 a submission came in, so a 999
rejecting that transaction set can be linked to its claims.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim_versions") as batch:
        batch.add_column(sa.Column("transaction_control", sa.String(50), nullable=True))
        batch.create_index(
            "ix_claim_versions_transaction_control", ["transaction_control"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_versions") as batch:
        batch.drop_index("ix_claim_versions_transaction_control")
        batch.drop_column("transaction_control")
