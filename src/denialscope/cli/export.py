"""`denialscope export parquet PATH... --out DIR`: the reader's tables as Parquet.

Import-light: pyarrow and the services are imported inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from denialscope.cli.options import DatabaseOption, DataDirOption, JsonOption, cli_settings
from denialscope.output.jsonout import dumps

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    export_app = typer.Typer(help="Export data in columnar formats for other engines.")
    app.add_typer(export_app, name="export")

    @export_app.command("parquet")
    def parquet(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(help="X12 files, folders (recursive) or .zip archives."),
        ] = None,
        out: Annotated[
            Path, typer.Option("--out", help="Output folder: one subfolder per table.")
        ] = Path("parquet"),
        from_database: Annotated[
            bool,
            typer.Option(
                "--from-database", help="Export the stored data instead of reading files."
            ),
        ] = False,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Write claims, lines, diagnoses, payments, adjustments (classified), PLB and
        acknowledgments as Parquet, partitioned by file date; files already written are
        skipped (manifest)."""
        from denialscope.errors import InputError

        if bool(paths) == from_database:
            raise InputError("give X12 files or folders, or --from-database (not both)")
        if paths:
            from denialscope.input_paths import expand_paths

            expand_paths(paths)  # a missing path or an empty folder: refused before any write
        settings = cli_settings(database, data_dir, create=False)
        if from_database:
            from denialscope.db.engine import open_database
            from denialscope.scale.export import export_database

            engine, _ = open_database(settings.database_url, lock_timeout_s=settings.lock_timeout_s)
            try:
                report = export_database(engine=engine, out=out)
            finally:
                engine.dispose()
        else:
            from denialscope.classify.config import load_config
            from denialscope.scale.export import export_files

            own = settings.classification_file
            config = load_config([own] if own.is_file() else [])
            report = export_files(paths=list(paths or []), out=out, classification=config)
        if as_json:
            data = {
                "out": str(report.out),
                "tables": report.tables,
                "files": [
                    {"file": f.name, "status": f.status, "rows": f.rows, "reason": f.reason}
                    for f in report.files
                ],
            }
            typer.echo(dumps(data, indent=None))
        else:
            for f in report.files:
                line = f"{f.status.replace('_', ' ')}: {f.name}"
                extra = f" ({f.rows:,} rows)" if f.status == "written" else ""
                typer.echo(line + extra + (f": {f.reason}" if f.reason else ""))
            counts = ", ".join(f"{t} {n:,}" for t, n in report.tables.items())
            typer.echo(f"wrote {report.out}: {counts}")
        if report.refused:
            raise typer.Exit(1)
