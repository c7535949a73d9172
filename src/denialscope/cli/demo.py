"""`denialscope demo`: generate the synthetic health system and load it.

Generation is ours; loading goes through the same ingest flow as ``denialscope ingest``,
with the demo's org.yaml, so the demo exercises the real path end to end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["register"]


def _ingest(result: Any, database: str | None, data_dir: Path | None) -> Any:
    """Load the generated files; None when the ingest flow is not installed yet."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("denialscope.ingest.service") is None:
        return None
    # Call site for the ingest flow (imported by name: it is being built in parallel).
    # 837s are passed first so that remits find their claims.
    from denialscope.db.engine import open_database

    service: Any = importlib.import_module("denialscope.ingest.service")
    _, factory = open_database(database, data_dir=data_dir)
    return service.ingest_paths(
        [str(p) for p in result.files], session_factory=factory, org_yaml=result.org_yaml
    )


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
        database: Annotated[
            str | None,
            typer.Option(
                "--database", help="SQLAlchemy URL; default DENIALSCOPE_DATABASE_URL or SQLite."
            ),
        ] = None,
        data_dir: Annotated[
            Path | None, typer.Option("--data-dir", help="Where the data directory is.")
        ] = None,
    ) -> None:
        """Generate a year of a demo health system's 837/835 files (with known signals)."""
        from denialscope.demo import generate_demo
        from denialscope.settings import data_dir as resolve_data_dir

        target = out or resolve_data_dir(data_dir) / "demo"
        result = generate_demo(target, claims=claims, seed=seed)
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
        report = _ingest(result, database, data_dir)
        if report is None:
            typer.echo("Ingest is not available in this build; files only.")
            typer.echo(f"Next: denialscope ingest {result.out_dir} --org {result.org_yaml}")
            return
        totals = report.totals() if callable(getattr(report, "totals", None)) else {}
        shown = ("files", "claims", "claim_payments", "matched", "unmatched", "errors")
        typer.echo(
            "Loaded: "
            + ", ".join(f"{k.replace('_', ' ')} {totals[k]:,}" for k in shown if k in totals)
        )
        typer.echo("Next: denialscope serve, then open the denials dashboard.")
        if getattr(report, "failed", None):
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
