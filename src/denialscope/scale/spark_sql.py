"""KPIs on Spark: the analytics functions, unchanged, on Spark SQL.

The analytics (``denialscope.analytics``) build their queries with SQLAlchemy Core and run
them with ``session.execute(statement)`` / ``session.scalar(statement)``.
:class:`SparkSqlSession` is the part of a session they use: it compiles each statement with
the PostgreSQL dialect (ANSI enough for Spark SQL: ``IS true``, ``CASE``, ``coalesce``,
``extract``, window functions) with the values inlined, and runs it with ``spark.sql``.
One operator differs: PostgreSQL divides integers with ``/``, Spark with ``DIV`` (its ``/``
returns a double), so integer floor division (``(month + 2) // 3``) compiles to ``DIV``.
Given views named and shaped like the database tables
(:func:`denialscope.scale.spark_views.register_parquet_views`, or the database itself with
:func:`register_database_tables`), one definition of each KPI runs on both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from sqlalchemy.engine import Engine

__all__ = [
    "SparkResult",
    "SparkSqlSession",
    "register_database_tables",
    "spark_sql_text",
    "spark_type",
]

_DIALECT: Any = None


def _dialect() -> Any:
    global _DIALECT  # built once: a dialect and its compiler class are reusable
    if _DIALECT is None:
        from sqlalchemy import Integer
        from sqlalchemy.dialects.postgresql.base import PGCompiler, PGDialect

        class SparkCompiler(PGCompiler):
            def visit_floordiv_binary(self, binary: Any, operator: Any, **kw: Any) -> str:
                integers = all(
                    side.type._type_affinity is Integer for side in (binary.left, binary.right)
                )
                if not integers:
                    return str(super().visit_floordiv_binary(binary, operator, **kw))  # type: ignore[no-untyped-call]
                left = self.process(binary.left, **kw)
                return f"({left} DIV {self.process(binary.right, **kw)})"

        class SparkDialect(PGDialect):
            statement_compiler = SparkCompiler

        _DIALECT = SparkDialect()  # type: ignore[no-untyped-call]
    return _DIALECT


def spark_sql_text(statement: Any) -> str:
    """A SQLAlchemy Core statement as Spark SQL text, its values inlined."""
    compiled = statement.compile(dialect=_dialect(), compile_kwargs={"literal_binds": True})
    return str(compiled)


class SparkResult:
    """The part of a SQLAlchemy ``Result`` the analytics use, over collected Spark rows."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[Any]:
        # Spark rows are tuples with attribute access by column label, as SQLAlchemy rows.
        return iter(self.rows)

    def all(self) -> list[Any]:
        return list(self.rows)

    def one(self) -> Any:
        if len(self.rows) != 1:
            raise ValueError(f"expected one row, got {len(self.rows)}")
        return self.rows[0]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]


class SparkSqlSession:
    """What the analytics functions need of a session, executed on Spark SQL (read only)."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def execute(self, statement: Any) -> SparkResult:
        return SparkResult(self.spark.sql(spark_sql_text(statement)).collect())

    def scalar(self, statement: Any) -> Any:
        return self.execute(statement).scalar()


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
            schema = ", ".join(f"`{c.name}` {spark_type(c.type)}" for c in table.columns)
            spark.createDataFrame(rows, schema=schema).createOrReplaceTempView(table.name)
            names.append(table.name)
    return names


def spark_type(kind: Any) -> str:
    """The Spark SQL type of a database column (a column may be all NULL: no inference)."""
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric
    from sqlalchemy.types import TypeDecorator

    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance

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
