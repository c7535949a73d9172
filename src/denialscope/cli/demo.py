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

if TYPE_CHECKING:
    pass

__all__ = ["register"]


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
        from denialscope.db.engine import redact_url
        from denialscope.demo import generate_demo
        from denialscope.demo.load import check_demo_target, load_demo
        from denialscope.demo.settings import load_settings

        resolved = cli_settings(database, data_dir)
        settings = load_settings(settings_file) if settings_file else {}
        target = out or resolved.ensure_data_dir() / "demo"
        if not no_ingest and not reset:
            check_demo_target(
                where=resolved,
                target=target,
                claims=claims,
                seed=seed,
                settings=settings,
            )
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
        loaded = load_demo(result=result, where=resolved, reset=reset)
        report, example = loaded.report, loaded.example_claim
        totals = report.totals()
        # Ingest counts each CLM it stores: resubmissions are versions of one claim, so the
        # line says "claim submissions" (the claims are the line above).
        shown = {
            "files": "files",
            "claims": "claim submissions",
            "claim_payments": "claim payments",
            "matched": "matched",
            "unmatched": "unmatched",
            "errors": "errors",
        }
        typer.echo(
            "Loaded: "
            + ", ".join(f"{label} {totals[k]:,}" for k, label in shown.items() if k in totals)
        )
        typer.echo(f"Database: {redact_url(resolved.database_url)}")
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
