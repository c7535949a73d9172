"""`denialscope demo`: generate the synthetic health system and load it.

Generation is ours; loading goes through the same ingest flow as ``denialscope ingest``,
with the demo's org.yaml, so the demo exercises the real path end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings
from denialscope.errors import InputError

if TYPE_CHECKING:
    from denialscope.settings import Settings

__all__ = ["register"]


def _reset_sqlite(url: str) -> None:
    """Delete a SQLite database file (and its WAL files) so the demo starts from nothing."""
    from sqlalchemy import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise InputError(
            "--reset only empties the embedded SQLite database; for PostgreSQL drop and "
            "recreate the database yourself, or point --database at an empty one"
        )
    name = parsed.database or ""
    for suffix in ("", "-wal", "-shm"):
        Path(name + suffix).unlink(missing_ok=True)


def _precheck(
    target: Path,
    claims: int,
    seed: int,
    where: Settings,
    settings: dict[str, Any],
) -> None:
    """Refuse before writing anything when the database holds data and the demo folder was
    made with other parameters: the files there would no longer match the database."""
    from sqlalchemy import func, select

    from denialscope.db.engine import open_database
    from denialscope.sources.models import SourceFile

    engine, factory = open_database(where.database_url, lock_timeout_s=where.lock_timeout_s)
    try:
        with factory() as session:
            stored = session.execute(select(func.count(SourceFile.id))).scalar_one()
    finally:
        engine.dispose()
    if not stored:
        return
    truth_path = target / "ground_truth.json"
    same = False
    if truth_path.is_file():
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        same = (
            truth.get("seed") == seed
            and truth.get("summary", {}).get("claims_submitted") == claims
            and (truth.get("settings") or {}) == settings
        )
    if not same:
        raise InputError(
            f"the database already holds {stored} files and {target} holds no demo made with "
            f"--claims {claims} --seed {seed} (and these settings); nothing was written. "
            "Use --data-dir DIR (or --database URL) for a separate demo database, or --reset "
            "to empty this SQLite database first."
        )


def _ingest(result: Any, where: Settings, *, reset: bool) -> tuple[Any, str | None]:
    """Load the generated files (837s first, so remits find their claims); return the
    report and the control number of one denied claim to show next.

    Refuses to load into a database that holds other files (the user's real remittances, or
    another demo): synthetic claims must never mix with real ones.
    """
    from sqlalchemy import select

    from denialscope.claims.models import Claim
    from denialscope.db.engine import open_database, redact_url
    from denialscope.ingest.service import ingest_paths
    from denialscope.ingest.sources import InputFile
    from denialscope.remits.models import ClaimPayment
    from denialscope.sources.models import SourceFile

    url = where.database_url
    if reset:
        _reset_sqlite(url)
    engine, factory = open_database(url, lock_timeout_s=where.lock_timeout_s)
    try:
        with factory() as session:
            stored = set(session.scalars(select(SourceFile.sha256)))
        if stored:
            ours = {InputFile(name=str(p), path=Path(p)).sha256() for p in result.files}
            others = len(stored - ours)
            if others:
                raise InputError(
                    f"the database {redact_url(url)} already holds {others} files that are "
                    "not this demo's; loading the demo there would mix synthetic claims with "
                    "them. Use --data-dir DIR (or --database URL) for a separate demo "
                    "database, or --reset to empty this SQLite database first. The demo files "
                    f"are written in {result.out_dir}."
                )
        report = ingest_paths(
            [str(p) for p in result.files],
            session_factory=factory,
            org_yaml=result.org_yaml,
            settings=where,
        )
        with factory() as session:
            example = session.execute(
                select(Claim.control_number)
                .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
                .where(ClaimPayment.is_denial.is_(True), ClaimPayment.primary_stream == "clinical")
                .order_by(ClaimPayment.denied_amount.desc())
                .limit(1)
            ).scalar()
    finally:
        engine.dispose()
    return report, example


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        claims: Annotated[
            int, typer.Option("--claims", min=100, help="Original claims to generate.")
        ] = 20000,
        seed: Annotated[
            int, typer.Option("--seed", help="Random seed (same seed, same files).")
        ] = 7,
        out: Annotated[
            Path | None, typer.Option("--out", help="Output folder (default <data dir>/demo).")
        ] = None,
        no_ingest: Annotated[
            bool, typer.Option("--no-ingest", help="Only write the files.")
        ] = False,
        reset: Annotated[
            bool,
            typer.Option("--reset", help="Empty the SQLite database before loading the demo."),
        ] = False,
        settings_file: Annotated[
            Path | None,
            typer.Option(
                "--settings",
                help="YAML file changing the generator's proportions (see docs/demo.md).",
            ),
        ] = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Generate a year of a demo health system's 837/835 files (with known signals)."""
        from denialscope.demo import generate_demo
        from denialscope.demo.settings import load_settings

        where = cli_settings(database, data_dir)
        settings = load_settings(settings_file) if settings_file else {}
        target = out or where.ensure_data_dir() / "demo"
        if not no_ingest and not reset:
            _precheck(target, claims, seed, where, settings)
        result = generate_demo(target, claims=claims, seed=seed, settings=settings)
        truth = json.loads(result.ground_truth.read_text(encoding="utf-8"))
        summary = truth["summary"]
        typer.echo(f"Demo health system written to {result.out_dir} in {result.seconds:.1f}s")
        typer.echo(
            f"  {len(result.files_837)} 837 files ({result.submissions:,} claim submissions), "
            f"{len(result.files_835)} 835 files ({result.remits:,} claim payments)"
        )
        typer.echo(
            f"  {result.claims:,} claims, initial denial rate {summary['denial_rate']:.1%}; "
            "streams: " + ", ".join(f"{k} {v:.0%}" for k, v in summary["stream_share"].items())
        )
        typer.echo("  injected signals (details in ground_truth.json):")
        for s in truth["signals"]:
            typer.echo(f"   - {s['id']}: {_describe(s)}")
        if no_ingest:
            typer.echo(f"Next: denialscope ingest {result.out_dir} --org {result.org_yaml}")
            return
        report, example = _ingest(result, where, reset=reset)
        totals = report.totals()
        shown = ("files", "claims", "claim_payments", "matched", "unmatched", "errors")
        typer.echo(
            "Loaded: "
            + ", ".join(f"{k.replace('_', ' ')} {totals[k]:,}" for k in shown if k in totals)
        )
        from denialscope.db.engine import redact_url

        typer.echo(f"Database: {redact_url(where.database_url)}")
        typer.echo("Next:")
        if example:
            typer.echo(
                f"  denialscope explain {example}    # the largest clinical denial, layer by layer"
            )
        typer.echo("  denialscope codes explain CO 50 --rarc N115 --claim-type outpatient")
        typer.echo(f"  denialscope parse {result.files_835[0]}")
        if report.failed:
            raise typer.Exit(1)


def _describe(signal: dict[str, Any]) -> str:
    if signal["type"] == "event":
        return (
            f"{signal['department']} {signal['root_cause']} after {signal['event_date']} "
            f"(expected x{signal['expected']['ratio']})"
        )
    if signal["type"] == "case_mix":
        mix, excess = signal["mix_only"], signal["true_excess"]
        return (
            f"{mix['department']} high raw ({mix['raw_rate']:.1%}) but as its mix predicts; "
            f"{excess['department']} O/E {excess['observed_over_expected']}"
        )
    return (
        f"{signal['payer_name']} x {signal['service_line']}: {signal['root_cause']} at "
        f"x{signal['multiplier']} baseline"
    )
