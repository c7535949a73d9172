"""``denialscope scrub FILE.837...``: check claims before they go out.

Prints a summary (claims clean and flagged, findings by rule) and each finding, as a
table, JSON or CSV. Findings name claims by CLM01 and never show patient identifiers.
Exit code 0 even when claims are flagged: findings are results, not errors.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings, open_session

if TYPE_CHECKING:
    from denialscope.scrub.backtest import BacktestReport
    from denialscope.scrub.service import ScrubReport
    from denialscope.settings import Settings

__all__ = ["register", "render", "render_backtest"]

FIELDS = ("claim_id", "line", "rule", "category", "severity", "message", "suggestion")


def render(report: ScrubReport, fmt: str) -> str:
    """The run as text (table), JSON (summary + findings) or CSV (one row per finding)."""
    findings = report.findings
    summary = report.summary
    if fmt == "json":
        from denialscope.output.jsonout import dumps

        return dumps(report.to_dict())
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
        f"{summary.claims} claims: {summary.clean} clean, {summary.flagged} flagged, "
        f"{len(findings)} findings",
        *(f"  note: {n}" for n in summary.notes),
    ]
    for rule, count in summary.findings_by_rule:
        lines.append(f"  {count:6d}  {rule}")
    risk_of = {str(r["claim_id"]): r for r in report.risks or ()}
    last = None
    for f in findings:
        if f.claim_id != last and f.claim_id in risk_of:
            lines.append(_risk_line(risk_of.pop(f.claim_id)))
        last = f.claim_id
        where = f"line {f.line}" if f.line else "claim"
        lines.append(f"{f.claim_id} {where} [{f.severity}] {f.rule}: {f.message}")
        lines.append(f"    fix: {f.suggestion}")
    lines += [_risk_line(r) for r in risk_of.values()]  # claims without findings
    return "\n".join(lines)


def _risk_line(risk: Mapping[str, Any]) -> str:
    cause = f", likely {risk['likely_root_cause']}" if risk.get("likely_root_cause") else ""
    why = "; ".join(str(r["text"]) for r in risk.get("reasons", []))
    return f"{risk['claim_id']} denial risk {risk['p_denial']:.1%}{cause}" + (
        f": {why}" if why else ""
    )


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
    from denialscope.scrub.service import build_context

    # Nothing is stored: a backtest must not move the clean claim rate.
    context = build_context(settings=settings, packs=pack or [])
    with open_session(settings) as session:
        report = run_backtest(
            session=session, context=context, min_volume=min_volume, min_rate=min_rate
        )
        # Nothing is stored: a backtest must not move the clean claim rate.
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
        from denialscope.scrub.service import build_context, scrub_files, with_risks

        if fmt not in ("table", "json", "csv"):
            raise InputError(f"--format must be table, json or csv, got {fmt!r}")
        if [str(f) for f in files] == ["backtest"] and not Path("backtest").exists():
            _backtest(cli_settings(database, data_dir), pack, fmt, min_volume, min_rate)
            return
        from denialscope.input_paths import expand_paths

        files = expand_paths(files)  # a missing path or an empty folder: refused first
        # The database (and the data directory holding it) only when results are stored.
        settings = cli_settings(database, data_dir, create=store)
        context = build_context(settings=settings, packs=pack or [])
        if not store:
            report = scrub_files(paths=files, context=context)
        else:
            with open_session(settings) as session:
                report = scrub_files(paths=files, context=context, session=session)
                session.commit()
        typer.echo(render(with_risks(report, settings=settings), fmt))
