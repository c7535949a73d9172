"""KPIs, Pareto and department rates on Spark: the database path's functions, unchanged.

:func:`parquet_session` registers the Parquet tables as views shaped like the database tables
(:mod:`denialscope.scale.spark_views`) once; each report then calls the same analytics
function the ``report`` commands call, with that
:class:`~denialscope.scale.spark_sql.SparkSqlSession` in place of the database session.
No formula lives here: the figures come from
:func:`denialscope.analytics.service.kpi_groups_configured`,
:func:`denialscope.analytics.pareto.pareto` and
:func:`denialscope.analytics.departments.department_report`, so both engines give the same
documents (tests/scale/test_spark_reports.py compares them on the demo).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from denialscope.analytics.cohort import Filters
    from denialscope.analytics.departments import DepartmentResult
    from denialscope.analytics.kpi_types import KpiReport
    from denialscope.analytics.pareto import ParetoResult
    from denialscope.scale.spark_sql import SparkSqlSession
    from denialscope.settings import Settings

__all__ = ["parquet_session", "spark_departments", "spark_kpis", "spark_pareto"]


def parquet_session(*, spark: SparkSession, parquet: Path) -> SparkSqlSession:
    """A read-only session over the Parquet tables of ``parquet`` (InputError when they are
    missing or carry no claim links)."""
    from denialscope.scale.spark_sql import SparkSqlSession
    from denialscope.scale.spark_views import register_parquet_views

    register_parquet_views(spark, parquet)
    return SparkSqlSession(spark)


def spark_kpis(
    *,
    session: SparkSqlSession,
    settings: Settings,
    filters: Filters,
    by: str | None = None,
) -> KpiReport:
    """Every KPI per group, as ``report kpis`` computes it, from the Parquet tables."""
    from denialscope.analytics.service import kpi_groups_configured

    return kpi_groups_configured(
        session=session,  # type: ignore[arg-type]
        settings=settings,
        filters=filters,
        by=by,
    )


def spark_pareto(
    *,
    session: SparkSqlSession,
    filters: Filters,
    target: Decimal = Decimal("0.8"),
    measure: str = "count",
) -> ParetoResult:
    """The Pareto of root causes, as ``report pareto`` computes it, from the Parquet tables."""
    from denialscope.analytics.pareto import pareto

    return pareto(
        session,  # type: ignore[arg-type]
        filters=filters,
        target=target,
        measure=measure,  # type: ignore[arg-type]
    )


def spark_departments(*, session: SparkSqlSession, filters: Filters) -> list[DepartmentResult]:
    """Department rates, case-mix adjusted, as ``report departments`` computes them."""
    from denialscope.analytics.departments import department_report

    return department_report(session, filters=filters)  # type: ignore[arg-type]
