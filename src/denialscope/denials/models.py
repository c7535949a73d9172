"""Classification history: what `reclassify` changed, so no earlier decision is lost."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from denialscope.db.base import Base, utcnow

__all__ = ["ClassificationChange"]


class ClassificationChange(Base):
    """One adjustment whose layer-2/3 result changed when the rules were re-applied."""

    __tablename__ = "classification_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    adjustment_id: Mapped[int] = mapped_column(
        ForeignKey("adjustments.id", ondelete="CASCADE"), index=True
    )
    claim_payment_id: Mapped[int] = mapped_column(
        ForeignKey("claim_payments.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    old_root_cause: Mapped[str | None] = mapped_column(String(40))
    old_rule_id: Mapped[str | None] = mapped_column(String(80))
    old_config_version: Mapped[str | None] = mapped_column(String(40))
    new_root_cause: Mapped[str | None] = mapped_column(String(40))
    new_rule_id: Mapped[str | None] = mapped_column(String(80))
    new_config_version: Mapped[str | None] = mapped_column(String(40))
