"""`denialscope ingest PATH...`: load 837/835/277CA/999 files into the database."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest(
        paths: Annotated[
            list[Path], typer.Argument(help="Files, folders (recursive) or .zip archives.")
        ],
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
        org: Annotated[
            Path | None,
            typer.Option(
                "--org", help="Organization mapping YAML (facilities, departments, providers)."
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    ) -> None:
        """Load files, one transaction per file; the same content twice is stored once."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from denialscope.db.engine import open_database
        from denialscope.ingest.service import ingest_paths
        from denialscope.input_paths import expand_paths

        # A missing path or a folder with nothing to read: refused before anything is stored.
        expand_paths(paths)
        from denialscope.output.jsonout import dumps

        settings = cli_settings(database, data_dir)
        engine, factory = open_database(
            settings.database_url, lock_timeout_s=settings.lock_timeout_s
        )
        try:
            err = Console(stderr=True)
            started = time.perf_counter()
            claims_done = 0
            show_progress = not as_json and sys.stderr.isatty()
            with Progress(
                TextColumn("[bold]ingest"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(
                    "files  {task.fields[claims]:,} claims  {task.fields[rate]:,.0f} claims/s"
                ),
                console=err,
                disable=not show_progress,
                transient=True,
            ) as progress:
                task = progress.add_task("ingest", total=None, claims=0, rate=0.0)

                def on_progress(event: str, amount: int) -> None:
                    nonlocal claims_done
                    if event == "total":
                        progress.update(task, total=amount)
                    elif event == "file":
                        progress.advance(task)
                    elif event == "claims":
                        claims_done += amount
                        rate = claims_done / max(time.perf_counter() - started, 1e-6)
                        progress.update(task, claims=claims_done, rate=rate)

                report = ingest_paths(
                    [str(p) for p in paths],
                    session_factory=factory,
                    org_yaml=org,
                    on_progress=on_progress,
                    settings=settings,
                )
            if as_json:
                typer.echo(dumps(report.to_dict(), indent=None))
            else:
                _print_summary(report)
        finally:
            engine.dispose()
        if report.failed:
            raise typer.Exit(1)


def _print_summary(report: object) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from denialscope.ingest.report import IngestReport

    assert isinstance(report, IngestReport)
    out = Console()
    err = Console(stderr=True)
    table = Table(title="ingest summary", show_lines=False)
    for col in (
        "file",
        "status",
        "type",
        "claims",
        "remits",
        "matched",
        "unmatched",
        "denials",
        "diagnostics",
    ):
        table.add_column(col, justify="left" if col in ("file", "status", "type") else "right")
    for f in report.files:
        diag = f"{f.errors} err, {f.warnings} warn" if f.status != "failed" else ""
        table.add_row(
            Text(f.name),  # a file or zip member name is data, never markup
            f.status.replace("_", " "),
            f.file_type or "",
            str(f.claims),
            str(f.claim_payments),
            str(f.matched),
            str(f.unmatched),
            str(f.denials),
            diag,
        )
    out.print(table)
    t = report.totals()
    out.print(
        f"{t['ingested']} ingested, {t['already_ingested']} already ingested, "
        f"{t['failed']} failed, {t['duplicate']} resent (nothing new); "
        f"{t['claims']:,} claims, {t['claim_payments']:,} claim payments "
        f"({t['matched']:,} matched, {t['unmatched']:,} unmatched) in {t['seconds']:.1f} s"
    )
    if t["duplicates"] or t["conflicts"]:
        out.print(
            f"resends: {t['duplicates']:,} claims or payments already stored (not stored "
            f"again), {t['conflicts']:,} conflicting with what is stored (see --json findings)"
        )
    for f in report.files:  # conflicts need a person; "already stored" needs nobody
        for finding in f.findings:
            if finding["severity"] == "warning":
                err.print(f"warning: {f.name}: {finding['message']}", markup=False)
    if report.work_items_created or report.work_items_closed:
        out.print(
            f"work queues: {report.work_items_created:,} new items, "
            f"{report.work_items_closed:,} closed by later payments"
        )
    if report.work_queue_error:
        err.print(f"warning: work queues not updated: {report.work_queue_error}", markup=False)
    for f in report.failed:
        err.print(f"error: {f.error}", highlight=False, markup=False, style="red")
