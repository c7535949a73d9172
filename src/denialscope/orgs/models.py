"""Payers, providers, and the organization structure an analyst maps claims onto.

``facilities``, ``departments`` and ``provider_mappings`` are edited by users (YAML file or
the UI); ``payers`` and ``providers`` are filled by ingest, with ``payers.kind`` editable.
"""

from __future__ import annotations

import re

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from denialscope.db.base import Base

__all__ = [
    "MATCH_KINDS",
    "PAYER_KINDS",
    "Department",
    "Facility",
    "Payer",
    "Provider",
    "ProviderMapping",
    "normalize_match_value",
    "payer_key_for",
]

# Medicare Advantage and managed Medicaid are private plans with their own rules and windows:
# never lump them with fee-for-service Medicare or Medicaid.
PAYER_KINDS = (
    "medicare",
    "medicare_advantage",
    "medicaid",
    "managed_medicaid",
    "commercial",
    "other",
)
# In order of precedence: the first kind that matches a claim decides its org assignment.
MATCH_KINDS = ("npi", "billing_npi", "taxonomy", "facility_code")

_SPACES = re.compile(r"\s+")


def payer_key_for(payer_id: str | None, name: str | None) -> str | None:
    """The key that merges one payer across files: its identifier, else its name.

    The identifier (837 NM1*PR NM109, 835 N1*PR N104 or REF*2U) wins because names vary in
    spelling between files; a name-only key is prefixed so it can never equal an id.
    """
    ident = (payer_id or "").strip().upper()
    if ident:
        return ident
    label = _SPACES.sub(" ", (name or "").strip().upper())
    return f"NAME:{label}" if label else None


def normalize_match_value(value: str | None) -> str:
    """How mapping values and claim values are compared: trimmed, upper case."""
    return (value or "").strip().upper()


class Payer(Base):
    __tablename__ = "payers"

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_key: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    id_qualifier: Mapped[str | None] = mapped_column(String(4))
    payer_id: Mapped[str | None] = mapped_column(String(80), index=True)
    kind: Mapped[str | None] = mapped_column(String(20), index=True)  # one of PAYER_KINDS
    # "org" (the organization's payers: table) or "name" (guessed from the payer's name).
    kind_source: Mapped[str | None] = mapped_column(String(16))
    appeal_address: Mapped[str | None] = mapped_column(Text)  # where appeals are sent
    two_midnight: Mapped[bool | None]  # a plan that adopts the two-midnight rule


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique when present; a provider known only by tax id or name has none.
    npi: Mapped[str | None] = mapped_column(String(10), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    taxonomy: Mapped[str | None] = mapped_column(String(10), index=True)
    tax_id: Mapped[str | None] = mapped_column(String(20), index=True)
    # Where ingest first saw it: "billing", "rendering", "attending", "referring", "payee".
    role_hint: Mapped[str | None] = mapped_column(String(20))


class Facility(Base):
    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    departments: Mapped[list[Department]] = relationship(
        back_populates="facility", order_by="Department.code"
    )


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    service_line: Mapped[str | None] = mapped_column(String(80), index=True)
    facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilities.id", ondelete="SET NULL"), index=True
    )

    facility: Mapped[Facility | None] = relationship(back_populates="departments")


class ProviderMapping(Base):
    """One rule: claims whose ``match_kind`` value equals ``match_value`` belong here."""

    __tablename__ = "provider_mappings"
    __table_args__ = (
        CheckConstraint(
            "match_kind IN ('npi', 'billing_npi', 'taxonomy', 'facility_code')",
            name="match_kind",
        ),
        Index(None, "match_kind", "match_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_kind: Mapped[str] = mapped_column(String(20))
    match_value: Mapped[str] = mapped_column(String(80))
    facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilities.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    service_line: Mapped[str | None] = mapped_column(String(80))
    priority: Mapped[int] = mapped_column(default=100, server_default="100")  # lower wins

    facility: Mapped[Facility | None] = relationship()
    department: Mapped[Department | None] = relationship()
