"""`denialscope spark ingest PATHS --out DIR`: the Parquet tables, read in parallel on Spark;
`denialscope spark kpis|pareto|departments --parquet DIR`: the reports, computed on Spark.

Import-light: pyspark is imported inside the command (the ``spark`` extra).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from denialscope.cli.analytics_options import (
    ByOption,
    DepartmentOption,
    FacilityOption,
    FormatOption,
    FromOption,
    PayerOption,
    ServiceLineOption,
    StreamOption,
    ToOption,
    build_filters,
    pareto_target,
)
from denialscope.cli.options import DataDirOption, JsonOption, cli_settings
from denialscope.cli.render import emit
from denialscope.output.jsonout import dumps

if TYPE_CHECKING:
    from denialscope.scale.spark_sql import SparkSqlSession

__all__ = ["register"]

MasterOption = Annotated[
    str, typer.Option("--master", help="Spark master: local[N], spark://host:port ...")
]
ParquetOption = Annotated[
    Path,
    typer.Option(
        "--parquet", help="Folder of `export parquet --from-database`: one subfolder per table."
    ),
]


def _require_pyspark() -> None:
    import importlib.util

    from denialscope.errors import ConfigurationError

    if importlib.util.find_spec("pyspark") is None:
        raise ConfigurationError(
            "pyspark is not installed: pip install 'denialscope[spark]' (and Java 17)"
        )


@contextmanager
def _parquet_reports(master: str, parquet: Path) -> Iterator[SparkSqlSession]:
    """The Parquet tables as the analytics' views on a Spark session, stopped afterwards."""
    from denialscope.scale.spark_job import spark_session
    from denialscope.scale.spark_reports import parquet_session
    from denialscope.scale.spark_views import check_parquet_folder

    check_parquet_folder(parquet)  # a wrong folder is refused before the JVM starts
    _require_pyspark()
    spark = spark_session(master)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield parquet_session(spark=spark, parquet=parquet)
    finally:
        spark.stop()


def register(app: typer.Typer) -> None:
    spark_app = typer.Typer(help="Run denialscope on Apache Spark (pip extra: spark).")
    app.add_typer(spark_app, name="spark")
    _register_reports(spark_app)

    @spark_app.command("ingest")
    def ingest(
        paths: Annotated[list[Path], typer.Argument(help="X12 files or folders (recursive).")],
        out: Annotated[Path, typer.Option("--out", help="Output folder: one subfolder per table.")],
        master: Annotated[
            str, typer.Option("--master", help="Spark master: local[N], spark://host:port ...")
        ] = "local[2]",
        part_mb: Annotated[
            int,
            typer.Option("--part-mb", min=1, help="Split files larger than this (MB) by ST/SE."),
        ] = 32,
        data_dir: DataDirOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Read files in parallel (one task per file or part) with our reader and classifier
        and write the Parquet tables; files already written add nothing (manifest)."""
        _require_pyspark()
        from denialscope.input_paths import expand_paths
        from denialscope.scale.spark_job import render, spark_ingest, spark_session

        expand_paths(paths)  # a missing path or an empty folder: refused before Spark starts

        settings = cli_settings(None, data_dir, create=False)
        own = settings.classification_file
        spark = spark_session(master)
        try:
            report = spark_ingest(
                spark=spark,
                paths=paths,
                out=out,
                classification_files=[own] if own.is_file() else [],
                part_bytes_target=part_mb << 20,
                progress=lambda text: typer.echo(text, err=True),
            )
        finally:
            spark.stop()
        if as_json:
            typer.echo(
                dumps(
                    {
                        "out": str(report.out),
                        "files": report.files,
                        "parts": report.parts,
                        "written": report.written,
                        "same_bytes": report.same_bytes,
                        "same_content": report.same_content,
                        "refused": report.refused,
                        "tables": report.tables,
                    }
                )
            )
        else:
            typer.echo(render(report))
        if report.refused:
            raise typer.Exit(1)


def _register_reports(spark_app: typer.Typer) -> None:
    @spark_app.command("kpis")
    def kpis_command(
        parquet: ParquetOption,
        payer: PayerOption = None,
        stream: StreamOption = None,
        department: DepartmentOption = None,
        service_line: ServiceLineOption = None,
        facility: FacilityOption = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        by: ByOption = None,
        fmt: FormatOption = "table",
        master: MasterOption = "local[2]",
        data_dir: DataDirOption = None,
    ) -> None:
        """Every KPI, as `report kpis` computes it, on Spark from the Parquet tables."""
        from denialscope.scale.spark_reports import spark_kpis

        filters = build_filters(
            payer, stream, department, service_line, facility, date_from, date_to
        )
        settings = cli_settings(None, data_dir, create=False)
        with _parquet_reports(master, parquet) as session:
            report = spark_kpis(session=session, settings=settings, filters=filters, by=by)
        rows = [{"group": label, **group.to_dict()} for label, group in report.groups.items()]
        emit(rows, fmt, title="KPIs (Spark)", document=report.to_dict(), transpose=True)

    @spark_app.command("pareto")
    def pareto_command(
        parquet: ParquetOption,
        payer: PayerOption = None,
        stream: StreamOption = None,
        department: DepartmentOption = None,
        service_line: ServiceLineOption = None,
        facility: FacilityOption = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        target: Annotated[str, typer.Option("--target", help="Share to reach, e.g. 0.7.")] = "0.8",
        measure: Annotated[str, typer.Option("--measure", help="count or dollars.")] = "count",
        fmt: FormatOption = "table",
        master: MasterOption = "local[2]",
    ) -> None:
        """The Pareto of root causes, as `report pareto` computes it, on Spark."""
        from denialscope.scale.spark_reports import spark_pareto

        filters = build_filters(
            payer, stream, department, service_line, facility, date_from, date_to
        )
        share = pareto_target(target)
        with _parquet_reports(master, parquet) as session:
            result = spark_pareto(session=session, filters=filters, target=share, measure=measure)
        rows = [e.to_dict() for e in result.entries]
        emit(rows, fmt, title=f"Pareto ({measure}, target {target}, Spark)", document=result)

    @spark_app.command("departments")
    def departments_command(
        parquet: ParquetOption,
        payer: PayerOption = None,
        stream: StreamOption = None,
        service_line: ServiceLineOption = None,
        facility: FacilityOption = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        fmt: FormatOption = "table",
        master: MasterOption = "local[2]",
    ) -> None:
        """Department rates, case-mix adjusted, as `report departments` computes them."""
        from denialscope.scale.spark_reports import spark_departments

        filters = build_filters(payer, stream, None, service_line, facility, date_from, date_to)
        with _parquet_reports(master, parquet) as session:
            results = spark_departments(session=session, filters=filters)
        emit([r.to_dict() for r in results], fmt, title="Departments (case-mix adjusted, Spark)")
