"""`denialscope spark ingest PATHS --out DIR`: the Parquet tables, read in parallel on Spark.

Import-light: pyspark is imported inside the command (the ``spark`` extra).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from denialscope.cli.options import DataDirOption, JsonOption, cli_settings
from denialscope.output.jsonout import dumps

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    spark_app = typer.Typer(help="Run denialscope on Apache Spark (pip extra: spark).")
    app.add_typer(spark_app, name="spark")

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
        import importlib.util

        from denialscope.errors import ConfigurationError

        if importlib.util.find_spec("pyspark") is None:
            raise ConfigurationError(
                "pyspark is not installed: pip install 'denialscope[spark]' (and Java 17)"
            )
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
