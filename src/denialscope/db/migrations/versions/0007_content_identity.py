"""Content identity: fingerprints of remittances, claim payments and claim versions.

A resent file (reformatted, or with new ISA13/GS06 control numbers) has other bytes but the
same content; ingest compares these fingerprints (SHA-256 of parsed values) so that a resend
stores nothing. ``source_files.queue_synced`` marks the files whose denials were turned into
work items in the file's own transaction; the catch-up repairs the others.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("remittances") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
        batch.create_index("ix_remittances_fingerprint", ["fingerprint"])
    with op.batch_alter_table("claim_payments") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
    with op.batch_alter_table("claim_versions") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
    with op.batch_alter_table("source_files") as batch:
        # Files stored before this revision went through the old after-the-files queue step.
        batch.add_column(
            sa.Column("queue_synced", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch.create_index("ix_source_files_queue_synced", ["queue_synced"])


def downgrade() -> None:
    with op.batch_alter_table("source_files") as batch:
        batch.drop_index("ix_source_files_queue_synced")
        batch.drop_column("queue_synced")
    with op.batch_alter_table("claim_versions") as batch:
        batch.drop_column("fingerprint")
    with op.batch_alter_table("claim_payments") as batch:
        batch.drop_column("fingerprint")
    with op.batch_alter_table("remittances") as batch:
        batch.drop_index("ix_remittances_fingerprint")
        batch.drop_column("fingerprint")
