"""Prototype for KPIs on Spark: the analytics functions, unchanged, on Spark SQL.

The analytics (``denialscope.analytics``) build their queries with SQLAlchemy Core and run
them with ``session.execute(statement)``. :class:`SparkSqlSession` is the part of a
session they use: it compiles each statement with the PostgreSQL dialect (ANSI enough for
Spark SQL: ``IS true``, ``CASE``, ``coalesce``, ``extract``, window functions) with the
values inlined, and runs it with ``spark.sql``. Given views named and shaped like the
database tables, one definition of each KPI runs on both engines. Today those views come
from the database (:func:`register_database_tables`); building them from the Parquet tables
needs claim matching and adjudication order on Spark (see docs/scale.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from sqlalchemy.engine import Engine

__all__ = ["SparkSqlSession", "register_database_tables", "spark_sql_text"]


def spark_sql_text(statement: Any) -> str:
    """A SQLAlchemy Core statement as Spark SQL text, its values inlined."""
    from sqlalchemy.dialects.postgresql.base import PGDialect

    dialect = PGDialect()  # type: ignore[no-untyped-call]
    compiled = statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return str(compiled)


class SparkSqlSession:
    """What the analytics functions need of a session, executed on Spark SQL."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def execute(self, statement: Any) -> list[Any]:
        # Spark rows have attribute access by column label, as SQLAlchemy rows do.
        rows: list[Any] = self.spark.sql(spark_sql_text(statement)).collect()
        return rows


def register_database_tables(spark: SparkSession, engine: Engine) -> list[str]:
    """Each non-empty table of the database as a Spark temporary view of the same name."""
    from sqlalchemy import MetaData, select

    metadata = MetaData()
    metadata.reflect(engine)
    names = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = [dict(r._mapping) for r in conn.execute(select(table))]
            if not rows:
                continue
            schema = ", ".join(f"`{c.name}` {_spark_type(c.type)}" for c in table.columns)
            spark.createDataFrame(rows, schema=schema).createOrReplaceTempView(table.name)
            names.append(table.name)
    return names


def _spark_type(kind: Any) -> str:
    """The Spark SQL type of a database column (a column may be all NULL: no inference)."""
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric

    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "bigint"
    if isinstance(kind, Float):
        return "double"
    if isinstance(kind, Numeric):
        return f"decimal({kind.precision or 18},{kind.scale or 0})"
    if isinstance(kind, DateTime):
        return "timestamp"
    if isinstance(kind, Date):
        return "date"
    return "string"
