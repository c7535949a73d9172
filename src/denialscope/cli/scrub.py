"""``denialscope scrub FILE.837...``: check claims before they go out.

Prints a summary (claims clean and flagged, findings by rule) and each finding, as a
table, JSON or CSV. Findings name claims by CLM01 and never show patient identifiers.
Exit code 0 even when claims are flagged: findings are results, not errors.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings, open_session

if TYPE_CHECKING:
    from denialscope.scrub import ClaimResult, ScrubContext
    from denialscope.scrub.backtest import BacktestReport
    from denialscope.settings import Settings
    from denialscope.x12.claim837.records import Claim

__all__ = ["build_context", "register", "render", "render_backtest"]

FIELDS = ("claim_id", "line", "rule", "category", "severity", "message", "suggestion")


def _claims(paths: list[Path], notes: list[str]) -> Iterator[Claim]:
    """The 837 claims of the files (folders expanded by the one path expander, see
    :mod:`denialscope.input_paths`); a file holding none gets a note."""
    from denialscope.x12.claim837.records import Claim
    from denialscope.x12.reader import open_x12

    for path in paths:
        found = 0
        with open_x12(path) as reader:
            for record in reader:
                if isinstance(record, Claim):
                    found += 1
                    yield record
            if not found:
                kind = reader.summary.transaction or "no transaction set"
                notes.append(f"{path}: no 837 claim to scrub (it holds {kind})")


def _require_claims(results: list[ClaimResult], notes: list[str]) -> None:
    """Scrubbing nothing is a mistake (an 835 given for an 837, an empty folder): say so."""
    if not results:
        from denialscope.errors import InputError

        empty = [n for n in notes if "no 837 claim" in n]
        raise InputError("nothing to scrub: " + ("; ".join(empty) or "no file in the paths given"))


def build_context(pack: list[Path] | None, settings: Settings) -> ScrubContext:
    """Packs given (else <data_dir>/scrub_pack.yaml when present) and the loaded tables."""
    from denialscope.scrub import ScrubContext, load_pack
    from denialscope.scrub.refdata import open_mue, open_ncci

    folder = settings.data_dir
    own = settings.scrub_pack_file
    paths = pack or ([own] if own.is_file() else [])
    return ScrubContext(pack=load_pack(*paths), ncci=open_ncci(folder), mue=open_mue(folder))


def render(results: list[ClaimResult], fmt: str, notes: list[str]) -> str:
    """The run as text (table), JSON (summary + findings) or CSV (one row per finding)."""
    findings = [f for r in results for f in r.findings]
    by_rule = Counter(f.rule for f in findings)
    clean = sum(1 for r in results if r.clean)
    summary = {
        "claims": len(results),
        "clean": clean,
        "flagged": len(results) - clean,
        "findings_by_rule": dict(by_rule.most_common()),
        "notes": notes,
    }
    if fmt == "json":
        from denialscope.output.jsonout import dumps

        return dumps({"summary": summary, "findings": [f.to_dict() for f in findings]})
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        from denialscope.output.values import inert

        for f in findings:
            # Claim numbers and messages come from the file: keep them out of formulas.
            row = f.to_dict()
            writer.writerow({k: inert(v) if isinstance(v, str) else v for k, v in row.items()})
        return out.getvalue()
    lines = [
        f"{len(results)} claims: {clean} clean, {len(results) - clean} flagged, "
        f"{len(findings)} findings",
        *(f"  note: {n}" for n in notes),
    ]
    for rule, count in by_rule.most_common():
        lines.append(f"  {count:6d}  {rule}")
    for f in findings:
        where = f"line {f.line}" if f.line else "claim"
        lines.append(f"{f.claim_id} {where} [{f.severity}] {f.rule}: {f.message}")
        lines.append(f"    fix: {f.suggestion}")
    return "\n".join(lines)


def render_backtest(report: BacktestReport, fmt: str) -> str:
    """The backtest as JSON or text: totals, top-10 coding rules, every rule, candidates."""
    if fmt == "json":
        from denialscope.output.jsonout import dumps

        return dumps(report.to_dict())
    out = [
        f"{report.claims} stored claims, {report.adjudicated} adjudicated, {report.denied} "
        f"denied ({report.coding_denied} coding); {report.flagged} flagged by the rules",
        "",
        "top rules by coding denials they would have prevented:",
    ]
    for rank, score in enumerate(report.top_coding(), 1):
        out.append(
            f"  {rank:2d}. {score.rule:36s} {score.coding_caught:5d} coding denials  "
            f"${score.coding_dollars:,.2f}"
        )
    out += [
        "",
        "every rule: flagged / caught ($, denials its category can prevent) / other denials / "
        "false alarms / precision / recall / by stream",
    ]
    for score in report.rules:
        precision = "-" if score.precision is None else f"{score.precision:.1%}"
        recall = "-" if score.recall is None else f"{score.recall:.1%}"
        streams = ", ".join(f"{k} {v}" for k, v in score.by_stream.most_common())
        carcs = ", ".join(f"CARC {k} {v}" for k, v in score.by_carc.most_common(3))
        out.append(
            f"  {score.rule:36s} {score.flagged:6,d} {score.caught:6,d} "
            f"(${score.caught_dollars:,.2f}) {score.other_denials:6,d} {score.false_alarms:6,d} "
            f"{precision:>6s} {recall:>6s}  {streams}{'; ' + carcs if carcs else ''}"
        )
    out += ["", f"candidate rules from history ({len(report.candidates)}):"]
    for c in report.candidates[:20]:
        mods = f"-{c.modifiers}" if c.modifiers else ""
        out.append(
            f"  payer {c.payer} x {c.procedure}{mods}: {c.coding_denials}/{c.volume} coding "
            f"denials ({c.rate:.0%}), CARC {', '.join(c.top_carcs) or '-'}; pack: "
            f"{json.dumps(c.pack_entry)}"
        )
    return "\n".join(out)


def _backtest(
    settings: Settings,
    pack: list[Path] | None,
    fmt: str,
    min_volume: int,
    min_rate: float,
) -> None:
    from denialscope.scrub.backtest import run_backtest

    # Nothing is stored: a backtest must not move the clean claim rate.
    context = build_context(pack, settings)
    with open_session(settings) as session:
        report = run_backtest(
            session=session, context=context, min_volume=min_volume, min_rate=min_rate
        )
        session.rollback()
    typer.echo(render_backtest(report, "json" if fmt == "json" else "table"))


def register(app: typer.Typer) -> None:
    """Add ``scrub`` (and ``scrub backtest``) to the main application."""

    @app.command("scrub")
    def scrub_command(
        files: Annotated[
            list[Path], typer.Argument(help="837 files or folders, or the word 'backtest'.")
        ],
        fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
        pack: Annotated[
            list[Path] | None, typer.Option("--pack", help="Rule pack YAML, repeatable.")
        ] = None,
        store: Annotated[
            bool, typer.Option("--store", help="Save the results (clean claim rate KPI).")
        ] = False,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
        min_volume: Annotated[
            int, typer.Option("--min-volume", help="backtest: claims a candidate cell needs.")
        ] = 20,
        min_rate: Annotated[
            float, typer.Option("--min-rate", help="backtest: coding-denial rate of a candidate.")
        ] = 0.2,
    ) -> None:
        """Check 837 claims with every scrub rule before submission.

        `denialscope scrub backtest` instead runs the rules over the stored claims and
        ranks them by the denials they would have prevented.
        """
        from denialscope.errors import InputError
        from denialscope.scrub import scrub_claims

        if fmt not in ("table", "json", "csv"):
            raise InputError(f"--format must be table, json or csv, got {fmt!r}")
        if [str(f) for f in files] == ["backtest"] and not Path("backtest").exists():
            _backtest(cli_settings(database, data_dir), pack, fmt, min_volume, min_rate)
            return
        from denialscope.input_paths import expand_paths

        files = expand_paths(files)  # a missing path or an empty folder: refused first
        # The database (and the data directory holding it) only when results are stored.
        settings = cli_settings(database, data_dir, create=store)
        context = build_context(pack, settings)
        notes = []
        if not context.ncci:
            notes.append("no NCCI PTP table loaded: ncci_ptp rules skipped")
        if not context.mue:
            notes.append("no MUE table loaded: mue rules skipped")
        if not store:
            results = list(scrub_claims(_claims(files, notes), context=context))
            _require_claims(results, notes)
            typer.echo(render(results, fmt, notes))
            return
        from denialscope.scrub.service import create_run, stored_duplicate_lookup

        with open_session(settings) as session:
            context.session = session
            context.stored_lookup = stored_duplicate_lookup(session)
            results = list(scrub_claims(_claims(files, notes), context=context))
            _require_claims(results, notes)  # before anything is stored
            run = create_run(
                session=session,
                results=results,
                source=", ".join(str(f) for f in files),
            )
            session.commit()
            notes.append(f"stored as scrub run {run.id}")
        typer.echo(render(results, fmt, notes))
