"""Initial schema: source files, organizations, claims (837), remittances (835), acks.

Written by hand, frozen: it does not import the models, so later model changes cannot change
what this revision creates. Every constraint and index is named here as the naming
convention in ``denialscope.db.base`` would name it, so the schema is identical on SQLite
and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column[Any]:
    # The primary key comes from _key(); an integer key autoincrements on both engines.
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


def _unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=f"uq_{table}_{'_'.join(columns)}")


def _text(name: str, length: int, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _money(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.Numeric(14, 2), nullable=nullable)


def _quantity(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Numeric(12, 3), nullable=True)


def _date(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Date(), nullable=True)


def _count(name: str, default: int = 0) -> sa.Column[Any]:
    return sa.Column(name, sa.Integer(), server_default=str(default), nullable=False)


def _timestamp(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _flag(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)


# Non-unique indexes, named ix_<table>_<columns>: every key a lookup, join or filter uses.
_INDEXES: dict[str, list[tuple[str, ...]]] = {
    "source_files": [("file_type",), ("received_at",), ("status",)],
    "payers": [("payer_id",), ("kind",)],
    "providers": [("taxonomy",), ("tax_id",)],
    "departments": [("service_line",), ("facility_id",)],
    "provider_mappings": [("match_kind", "match_value"), ("facility_id",), ("department_id",)],
    "patients": [("member_id",)],
    "claims": [
        ("control_number",),
        ("kind",),
        ("claim_type",),
        ("payer_id",),
        ("patient_id",),
        ("billing_provider_id",),
        ("rendering_provider_id",),
        ("attending_provider_id",),
        ("referring_provider_id",),
        ("facility_id",),
        ("department_id",),
        ("service_line",),
        ("facility_code",),
        ("drg",),
        ("principal_dx",),
        ("original_payer_claim_number",),
        ("submitted_at",),
        ("source_file_id",),
        ("is_stub",),
    ],
    "claim_versions": [("source_file_id",)],
    "claim_diagnoses": [("code",)],
    "claim_procedures": [("code",)],
    "claim_codes": [("claim_id",), ("kind", "code")],
    "claim_lines": [
        ("line_control",),
        ("procedure",),
        ("revenue_code",),
        ("rendering_provider_id",),
    ],
    "remittances": [
        ("source_file_id",),
        ("payer_id",),
        ("payee_npi",),
        ("payment_date",),
        ("trace_number",),
    ],
    "claim_payments": [
        ("remittance_id",),
        ("claim_id", "seq"),
        ("status_code",),
        ("reverses_payment_id",),
        ("payer_claim_number",),
        ("patient_control_number",),
        ("patient_id",),
        ("rendering_npi",),
        ("adjudicated_at",),
    ],
    "service_payments": [
        ("claim_payment_id",),
        ("claim_line_id",),
        ("line_control",),
        ("procedure",),
        ("revenue_code",),
    ],
    "adjustments": [
        ("claim_payment_id",),
        ("service_payment_id",),
        ("reason_code",),
        ("group_code", "reason_code"),
    ],
    "remark_codes": [("claim_payment_id",), ("service_payment_id",), ("code",)],
    "provider_adjustments": [("remittance_id",), ("reason",)],
    "acknowledgments": [
        ("source_file_id",),
        ("kind",),
        ("control_number",),
        ("patient_control_number",),
        ("claim_id",),
        ("payer_claim_number",),
        ("status",),
        ("acknowledged_at",),
    ],
}


def _create_org_tables() -> None:
    op.create_table(
        "source_files",
        _id(),
        _text("sha256", 64, nullable=False),
        _text("name", 1000, nullable=False),
        sa.Column("size", sa.BigInteger(), server_default="0", nullable=False),
        _text("file_type", 40),
        _text("version", 40),
        _timestamp("received_at"),
        sa.Column("status", sa.String(20), server_default="ingested", nullable=False),
        _count("interchanges"),
        _count("transactions"),
        _count("claims"),
        sa.Column("diagnostics_json", sa.Text(), server_default="[]", nullable=False),
        _count("error_count"),
        _count("warning_count"),
        _key("source_files"),
        _unique("source_files", "sha256"),
    )
    op.create_table(
        "payers",
        _id(),
        _text("payer_key", 120, nullable=False),
        _text("name", 200),
        _text("id_qualifier", 4),
        _text("payer_id", 80),
        _text("kind", 20),
        _key("payers"),
        _unique("payers", "payer_key"),
    )
    op.create_table(
        "providers",
        _id(),
        _text("npi", 10),
        _text("name", 200),
        _text("taxonomy", 10),
        _text("tax_id", 20),
        _text("role_hint", 20),
        _key("providers"),
        _unique("providers", "npi"),
    )
    op.create_table(
        "facilities",
        _id(),
        _text("code", 40, nullable=False),
        _text("name", 200, nullable=False),
        _key("facilities"),
        _unique("facilities", "code"),
    )
    op.create_table(
        "departments",
        _id(),
        _text("code", 40, nullable=False),
        _text("name", 200, nullable=False),
        _text("service_line", 80),
        _fk("departments", "facility_id", "facilities", "SET NULL"),
        _key("departments"),
        _unique("departments", "code"),
    )
    op.create_table(
        "provider_mappings",
        _id(),
        _text("match_kind", 20, nullable=False),
        _text("match_value", 80, nullable=False),
        _fk("provider_mappings", "facility_id", "facilities", "CASCADE"),
        _fk("provider_mappings", "department_id", "departments", "CASCADE"),
        _text("service_line", 80),
        _count("priority", 100),
        _key("provider_mappings"),
        sa.CheckConstraint(
            "match_kind IN ('npi', 'billing_npi', 'taxonomy', 'facility_code')",
            name="ck_provider_mappings_match_kind",
        ),
    )


def _create_claim_tables() -> None:
    op.create_table(
        "patients",
        _id(),
        _text("patient_key", 64, nullable=False),
        _text("member_id", 80),
        _text("last_name", 100),
        _text("first_name", 100),
        _date("birth_date"),
        _text("sex", 1),
        _key("patients"),
        _unique("patients", "patient_key"),
    )
    op.create_table(
        "claims",
        _id(),
        _text("claim_key", 120, nullable=False),
        _text("control_number", 50, nullable=False),
        _text("kind", 4),
        _text("claim_type", 20),
        _fk("claims", "payer_id", "payers", "SET NULL"),
        _fk("claims", "patient_id", "patients", "SET NULL"),
        _fk("claims", "billing_provider_id", "providers", "SET NULL"),
        _fk("claims", "rendering_provider_id", "providers", "SET NULL"),
        _fk("claims", "attending_provider_id", "providers", "SET NULL"),
        _fk("claims", "referring_provider_id", "providers", "SET NULL"),
        _fk("claims", "facility_id", "facilities", "SET NULL"),
        _fk("claims", "department_id", "departments", "SET NULL"),
        _text("service_line", 80),
        _text("facility_code", 4),
        _text("frequency", 1),
        _money("total_charge"),
        _date("statement_from"),
        _date("statement_to"),
        _date("admission_date"),
        _date("discharge_date"),
        _text("admission_type", 2),
        _text("patient_status", 2),
        _text("drg", 4),
        _text("principal_dx", 8),
        _text("prior_auth", 50),
        _text("referral", 50),
        _text("original_payer_claim_number", 50),
        _text("medical_record", 50),
        _date("submitted_at"),
        _fk("claims", "source_file_id", "source_files", "SET NULL"),
        _flag("is_stub"),
        _count("current_version", 1),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        _key("claims"),
        _unique("claims", "claim_key"),
    )
    op.create_table(
        "claim_versions",
        _id(),
        _fk("claim_versions", "claim_id", "claims", "CASCADE", nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        _text("frequency", 1),
        _fk("claim_versions", "source_file_id", "source_files", "SET NULL"),
        _date("submitted_at"),
        _money("total_charge"),
        _text("original_payer_claim_number", 50),
        _key("claim_versions"),
        _unique("claim_versions", "claim_id", "version_no"),
    )
    op.create_table(
        "claim_diagnoses",
        _id(),
        _fk("claim_diagnoses", "claim_id", "claims", "CASCADE", nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _text("qualifier", 3, nullable=False),
        _text("code", 8, nullable=False),
        _text("poa", 1),
        _key("claim_diagnoses"),
        _unique("claim_diagnoses", "claim_id", "seq"),
    )
    op.create_table(
        "claim_procedures",
        _id(),
        _fk("claim_procedures", "claim_id", "claims", "CASCADE", nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _text("qualifier", 3, nullable=False),
        _text("code", 8, nullable=False),
        _date("date"),
        _key("claim_procedures"),
        _unique("claim_procedures", "claim_id", "seq"),
    )
    op.create_table(
        "claim_codes",
        _id(),
        _fk("claim_codes", "claim_id", "claims", "CASCADE", nullable=False),
        _text("kind", 16, nullable=False),
        _text("code", 4, nullable=False),
        _date("date_from"),
        _date("date_to"),
        _money("amount"),
        _key("claim_codes"),
    )
    op.create_table(
        "claim_lines",
        _id(),
        _fk("claim_lines", "claim_id", "claims", "CASCADE", nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        _text("line_control", 50),
        _text("procedure_qualifier", 2),
        _text("procedure", 48),
        _text("modifiers", 20),
        _text("revenue_code", 4),
        _money("charge"),
        _quantity("units"),
        _text("place_of_service", 2),
        _text("diagnosis_pointers", 20),
        _date("service_from"),
        _date("service_to"),
        _fk("claim_lines", "rendering_provider_id", "providers", "SET NULL"),
        _text("ndc", 20),
        _key("claim_lines"),
        _unique("claim_lines", "claim_id", "line_no"),
    )


def _create_remittance_tables() -> None:
    op.create_table(
        "remittances",
        _id(),
        _fk("remittances", "source_file_id", "source_files", "CASCADE", nullable=False),
        _fk("remittances", "payer_id", "payers", "SET NULL"),
        _text("payee_npi", 10),
        _text("payee_tax_id", 20),
        _money("payment_amount"),
        _text("payment_method", 3),
        _date("payment_date"),
        _text("trace_number", 50),
        _date("production_date"),
        _key("remittances"),
    )
    op.create_table(
        "claim_payments",
        _id(),
        _fk("claim_payments", "remittance_id", "remittances", "CASCADE", nullable=False),
        _fk("claim_payments", "claim_id", "claims", "SET NULL"),
        sa.Column("match_method", sa.String(24), server_default="none", nullable=False),
        _count("seq", 1),
        _text("status_code", 2),
        sa.Column("payer_responsibility", sa.String(10), server_default="unknown", nullable=False),
        _flag("is_reversal"),
        _fk("claim_payments", "reverses_payment_id", "claim_payments", "SET NULL"),
        _money("charge"),
        _money("paid"),
        _money("patient_responsibility"),
        _text("payer_claim_number", 50),
        _text("facility_type", 2),
        _text("frequency", 1),
        _text("drg", 4),
        _quantity("drg_weight"),
        _text("filing_indicator", 2),
        _date("service_from"),
        _date("service_to"),
        _date("received_date"),
        _text("patient_control_number", 50),
        _fk("claim_payments", "patient_id", "patients", "SET NULL"),
        _text("rendering_npi", 10),
        _date("adjudicated_at"),
        _key("claim_payments"),
    )
    op.create_table(
        "service_payments",
        _id(),
        _fk("service_payments", "claim_payment_id", "claim_payments", "CASCADE", nullable=False),
        _fk("service_payments", "claim_line_id", "claim_lines", "SET NULL"),
        _text("line_match_method", 24),
        _text("line_control", 50),
        _text("procedure_qualifier", 2),
        _text("procedure", 48),
        _text("modifiers", 20),
        _text("original_procedure", 48),
        _text("original_modifiers", 20),
        _text("revenue_code", 4),
        _money("charge"),
        _money("paid"),
        _money("allowed"),
        _quantity("units"),
        _quantity("original_units"),
        _date("service_from"),
        _date("service_to"),
        _key("service_payments"),
    )
    op.create_table(
        "adjustments",
        _id(),
        _fk("adjustments", "claim_payment_id", "claim_payments", "CASCADE", nullable=False),
        _fk("adjustments", "service_payment_id", "service_payments", "CASCADE"),
        _text("level", 5, nullable=False),
        _text("group_code", 2, nullable=False),
        _text("reason_code", 5, nullable=False),
        _money("amount", nullable=False),
        _quantity("quantity"),
        _key("adjustments"),
    )
    op.create_table(
        "remark_codes",
        _id(),
        _fk("remark_codes", "claim_payment_id", "claim_payments", "CASCADE", nullable=False),
        _fk("remark_codes", "service_payment_id", "service_payments", "CASCADE"),
        _text("level", 5, nullable=False),
        _text("source", 3, nullable=False),
        _text("code", 8, nullable=False),
        _key("remark_codes"),
    )
    op.create_table(
        "provider_adjustments",
        _id(),
        _fk("provider_adjustments", "remittance_id", "remittances", "CASCADE", nullable=False),
        _text("provider_id_text", 50),
        _date("fiscal_date"),
        _text("reason", 4, nullable=False),
        _text("reference", 50),
        _money("amount", nullable=False),
        _key("provider_adjustments"),
    )
    op.create_table(
        "acknowledgments",
        _id(),
        _fk("acknowledgments", "source_file_id", "source_files", "CASCADE", nullable=False),
        _text("kind", 6, nullable=False),
        _text("control_number", 50),
        _text("patient_control_number", 50),
        _fk("acknowledgments", "claim_id", "claims", "SET NULL"),
        _text("payer_claim_number", 50),
        _text("status", 24, nullable=False),
        _text("category_codes", 100),
        _text("status_codes", 200),
        sa.Column("details_json", sa.Text(), server_default="{}", nullable=False),
        _date("acknowledged_at"),
        _key("acknowledgments"),
    )


# Children before parents, for the downgrade.
_TABLES_IN_DROP_ORDER = (
    "acknowledgments",
    "provider_adjustments",
    "remark_codes",
    "adjustments",
    "service_payments",
    "claim_payments",
    "remittances",
    "claim_lines",
    "claim_codes",
    "claim_procedures",
    "claim_diagnoses",
    "claim_versions",
    "claims",
    "patients",
    "provider_mappings",
    "departments",
    "facilities",
    "providers",
    "payers",
    "source_files",
)


def upgrade() -> None:
    _create_org_tables()
    _create_claim_tables()
    _create_remittance_tables()
    for table, indexes in _INDEXES.items():
        for columns in indexes:
            op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints on both engines.
    for table in _TABLES_IN_DROP_ORDER:
        op.drop_table(table)
