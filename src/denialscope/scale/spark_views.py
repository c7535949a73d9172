"""The Parquet tables as Spark views shaped like the database tables the analytics read.

The analytics functions (``denialscope.analytics``) are SQLAlchemy Core statements over the
database schema; :class:`~denialscope.scale.spark_sql.SparkSqlSession` runs them on Spark SQL.
What they need is a view per database table with the same name, column names and types.
This module builds those views from the Parquet tables of ``export parquet --from-database``:
each database column is either a column of a Parquet table (renamed, cast to the database
type) or a typed NULL (a column no analytics query reads). Nothing here computes a figure;
the views only rename and re-key.

Row ids: a key ``db:<id>`` (the database export) becomes that id again, so the ids and their
order are the database's; any other key (a file position) becomes its 64-bit hash. The
organization tables (payers, departments, facilities, providers) are the distinct values the
claims carry. Tables the Parquet does not hold (scrub results, the summary cube) are empty
views: the analytics then read the live data, as they do on a database without them.

The relational columns (which claim a payment matched, adjudication order, organization
mapping) are decided at ingest: a file export or ``spark ingest`` leaves them null, and
:func:`register_parquet_views` refuses such tables with a clear error (docs/scale.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from denialscope.errors import InputError
from denialscope.scale.schema import TABLES, arrow_schema

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["EMPTY_TABLES", "VIEW_SOURCES", "check_parquet_folder", "register_parquet_views"]

# Database tables the analytics read that the Parquet does not hold: empty views (no scrub
# run: the clean-claim rate is "not scrubbed"; no cube: the live queries answer).
EMPTY_TABLES = ("analytics_cube_state", "scrub_runs", "scrub_claim_results")


def _id(key: str) -> str:
    """The bigint id of a key column: the database id of ``db:<id>``, else a 64-bit hash."""
    return (
        f"CASE WHEN {key} IS NULL THEN NULL WHEN {key} LIKE 'db:%' "
        f"THEN CAST(substr({key}, 4) AS BIGINT) ELSE xxhash64({key}) END"
    )


def _hash(*columns: str) -> str:
    return f"xxhash64({', '.join(columns)})"


_PAYER_KEY = "coalesce(payer_key, payer_id, payer_name)"

# Per database table: the Parquet table (or a SELECT over the pq_* views) it comes from,
# and each database column it fills (an expression over that source). Every other column
# of the database table is a NULL of its type.
VIEW_SOURCES: dict[str, tuple[str, dict[str, str]]] = {
    "claims": (
        "pq_claims",
        {
            "id": _id("claim_key"),
            "claim_key": "claim_key",
            "control_number": "patient_control_number",
            "kind": "kind",
            "claim_type": "claim_type",
            "payer_id": _hash(_PAYER_KEY),
            "attending_provider_id": _hash("'npi:'", "attending_npi"),
            "rendering_provider_id": _hash("'npi:'", "rendering_npi"),
            "facility_id": _hash("facility"),
            "department_id": _hash("department"),
            "service_line": "service_line",
            "facility_code": "facility_code",
            "frequency": "frequency",
            "total_charge": "total_charge",
            "statement_from": "statement_from",
            "statement_to": "statement_to",
            "admission_date": "admission_date",
            "discharge_date": "discharge_date",
            "drg": "drg",
            "principal_dx": "principal_dx",
            "prior_auth": "prior_auth",
            "filing_indicator": "filing_indicator",
            "original_payer_claim_number": "original_payer_claim_number",
            "submitted_at": "submitted_at",
            "source_file_id": _hash("file_sha256"),
            "is_stub": "coalesce(is_stub, false)",
        },
    ),
    "payers": (
        f"(SELECT {_PAYER_KEY} AS k, min(payer_name) AS name, min(payer_id) AS ident "
        "FROM pq_claims GROUP BY 1)",
        {"id": _hash("k"), "payer_key": "k", "name": "name", "payer_id": "ident"},
    ),
    "departments": (
        "(SELECT department, min(department_service_line) AS line FROM pq_claims "
        "WHERE department IS NOT NULL GROUP BY department)",
        {
            "id": _hash("department"),
            "code": "department",
            "name": "department",
            "service_line": "line",
        },
    ),
    "facilities": (
        "(SELECT DISTINCT facility FROM pq_claims WHERE facility IS NOT NULL)",
        {"id": _hash("facility"), "code": "facility", "name": "facility"},
    ),
    "providers": (
        "(SELECT npi, min(name) AS name FROM ("
        "SELECT attending_npi AS npi, attending_name AS name FROM pq_claims "
        "UNION ALL SELECT rendering_npi, rendering_name FROM pq_claims"
        ") WHERE npi IS NOT NULL GROUP BY npi)",
        {"id": _hash("'npi:'", "npi"), "npi": "npi", "name": "name"},
    ),
    "claim_lines": (
        "pq_claim_lines",
        {
            "id": _hash("claim_key", "line_number"),
            "claim_id": _id("claim_key"),
            "line_no": "line_number",
            "line_control": "line_control",
            "procedure_qualifier": "procedure_qualifier",
            "procedure": "procedure",
            "modifiers": "modifiers",
            "revenue_code": "revenue_code",
            "charge": "charge",
            "units": "units",
            "place_of_service": "place_of_service",
            "diagnosis_pointers": "diagnosis_pointers",
            "service_from": "service_from",
            "service_to": "service_to",
            "ndc": "ndc",
        },
    ),
    "claim_versions": (
        "pq_claim_versions",
        {
            "id": _hash("claim_key", "version_no"),
            "claim_id": _id("claim_key"),
            "version_no": "version_no",
            "frequency": "frequency",
            "source_file_id": _hash("file_sha256"),
            "submitted_at": "submitted_at",
            "total_charge": "total_charge",
            "transaction_control": "transaction_control",
        },
    ),
    "claim_payments": (
        "pq_claim_payments",
        {
            "id": _id("payment_key"),
            "claim_id": _id("claim_key"),
            "seq": "seq",
            "status_code": "status_code",
            "payer_responsibility": "payer_responsibility",
            "is_reversal": "coalesce(is_reversal, false)",
            "reverses_payment_id": _id("reverses_payment_key"),
            "charge": "charge",
            "paid": "paid",
            "patient_responsibility": "patient_responsibility",
            "payer_claim_number": "payer_claim_number",
            "facility_type": "facility_type",
            "frequency": "frequency",
            "drg": "drg",
            "filing_indicator": "filing_indicator",
            "patient_control_number": "patient_control_number",
            "adjudicated_at": "adjudicated_at",
            "denial_type": "denial_type",
            "is_denial": "coalesce(is_denial, false)",
            "primary_stream": "primary_stream",
            "primary_root_cause": "primary_root_cause",
            "denied_amount": "denied_amount",
            "config_version": "config_version",
        },
    ),
    "service_payments": (
        "pq_service_payments",
        {
            "id": _hash("payment_key", "service_seq"),
            "claim_payment_id": _id("payment_key"),
            "line_control": "line_control",
            "procedure_qualifier": "procedure_qualifier",
            "procedure": "procedure",
            "modifiers": "modifiers",
            "original_procedure": "original_procedure",
            "revenue_code": "revenue_code",
            "charge": "charge",
            "paid": "paid",
            "allowed": "allowed",
            "units": "units",
            "service_from": "service_date",
        },
    ),
    "adjustments": (
        "pq_adjustments",
        {
            "claim_payment_id": _id("payment_key"),
            "service_payment_id": (
                "CASE WHEN service_seq IS NULL THEN NULL "
                f"ELSE {_hash('payment_key', 'service_seq')} END"
            ),
            "level": "level",
            "group_code": "group_code",
            "reason_code": "reason_code",
            "amount": "amount",
            "quantity": "quantity",
            "category": "category",
            "is_denial": "coalesce(is_denial, false)",
            "stream": "stream",
            "root_cause": "root_cause",
            "rule_id": "rule_id",
            "process_step": "process_step",
            "owner_role": "owner_role",
            "owner_name": "owner_name",
        },
    ),
    "acknowledgments": (
        "pq_acknowledgments",
        {
            "id": _hash("file_sha256", "kind", "control_number", "patient_control_number"),
            "claim_id": _id("claim_key"),
            "kind": "kind",
            "control_number": "control_number",
            "patient_control_number": "patient_control_number",
            "payer_claim_number": "payer_claim_number",
            "status": "status",
            "category_codes": "category_codes",
            "status_codes": "status_codes",
            "acknowledged_at": "acknowledged_at",
        },
    ),
    "work_items": (
        "pq_work_items",
        {
            "id": _id("claim_key"),  # one item per claim
            "claim_id": _id("claim_key"),
            "queue": "queue",
            "stream": "stream",
            "root_cause": "root_cause",
            "denial_type": "denial_type",
            "status": "status",
            "outcome": "outcome",
            "dollars_at_risk": "dollars_at_risk",
            "recovered_amount": "recovered_amount",
            "recommended_action": "recommended_action",
            "action": "action",
            "denied_on": "denied_on",
            "deadline": "deadline",
            "submitted_on": "submitted_on",
            "resolved_on": "resolved_on",
            "cycle_days": "cycle_days",
        },
    ),
}


def _read_table(spark: SparkSession, parquet: Path, table: str) -> Any:
    """One Parquet table as a DataFrame of the schema's columns (empty when absent)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = from_arrow_schema(arrow_schema(table))
    folder = parquet / table
    if not any(folder.glob("*/*.parquet")):
        return spark.createDataFrame([], schema)
    # The schema given: a column added to schema.yaml after a file was written reads null.
    return spark.read.schema(schema).parquet(str(folder))


def _check_links(spark: SparkSession, parquet: Path) -> None:
    """Refuse tables without the relational columns (a file export, spark ingest)."""
    unlinked = spark.sql(
        "SELECT count(*) FROM pq_claim_payments WHERE claim_key IS NULL OR seq IS NULL"
    ).collect()[0][0]
    if unlinked:
        raise InputError(
            f"{parquet}: {unlinked:,} claim payments have no claim link (claim_key, seq): "
            "KPIs on Spark need the relational columns that ingest decides; export the "
            "database with `denialscope export parquet --from-database`",
            file=str(parquet),
        )


def check_parquet_folder(parquet: Path) -> None:
    """InputError unless ``parquet`` holds the Parquet tables (checked before Spark starts)."""
    if not (parquet / "claims").is_dir():
        raise InputError(
            f"{parquet}: no Parquet tables here (no claims/ folder); write them with "
            "`denialscope export parquet --from-database --out DIR`",
            file=str(parquet),
        )


def register_parquet_views(spark: SparkSession, parquet: Path) -> list[str]:
    """Register every database table the analytics read as a view over ``parquet``.

    Returns the database table names registered. Raises InputError when ``parquet`` holds no
    Parquet tables or their payments carry no claim links.
    """
    from denialscope.db.base import load_models
    from denialscope.scale.spark_sql import spark_type

    check_parquet_folder(parquet)
    for table in TABLES:
        _read_table(spark, parquet, table).createOrReplaceTempView(f"pq_{table}")
    _check_links(spark, parquet)
    tables = load_models().tables
    for name in (*VIEW_SOURCES, *EMPTY_TABLES):
        source, filled = VIEW_SOURCES.get(name, ("(SELECT 1)", {}))
        columns = ", ".join(
            f"CAST({filled.get(c.name, 'NULL')} AS {spark_type(c.type)}) AS `{c.name}`"
            for c in tables[name].columns
        )
        where = " WHERE false" if name in EMPTY_TABLES else ""
        view = spark.sql(f"SELECT {columns} FROM {source} AS source{where}")
        if spark.catalog.tableExists(name):
            spark.catalog.uncacheTable(name)  # the previous folder's, if any
        # Each report runs a dozen queries over the same views: read the Parquet once.
        view.cache().createOrReplaceTempView(name)
    return [*VIEW_SOURCES, *EMPTY_TABLES]
