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

if TYPE_CHECKING:
    from denialscope.scrub import ClaimResult, ScrubContext
    from denialscope.x12.claim837.records import Claim

__all__ = ["register", "render"]

FIELDS = ("claim_id", "line", "rule", "category", "severity", "message", "suggestion")


def _claims(paths: list[Path]) -> Iterator[Claim]:
    from denialscope.x12.claim837.records import Claim
    from denialscope.x12.reader import open_x12

    for path in paths:
        with open_x12(path) as reader:
            for record in reader:
                if isinstance(record, Claim):
                    yield record


def build_context(pack: list[Path] | None, data_dir: Path | None) -> ScrubContext:
    """Packs given (else <data_dir>/scrub_pack.yaml when present) and the loaded tables."""
    from denialscope.scrub import ScrubContext, load_pack
    from denialscope.scrub.refdata import open_mue, open_ncci
    from denialscope.settings import data_dir as resolve

    folder = resolve(data_dir)
    own = folder / "scrub_pack.yaml"
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
        data = {"summary": summary, "findings": [f.to_dict() for f in findings]}
        return json.dumps(data, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for f in findings:
            writer.writerow(f.to_dict())
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


def register(app: typer.Typer) -> None:
    """Add ``scrub`` to the main application."""

    @app.command("scrub")
    def scrub_command(
        files: Annotated[list[Path], typer.Argument(help="837 files to check.")],
        fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
        pack: Annotated[
            list[Path] | None, typer.Option("--pack", help="Rule pack YAML, repeatable.")
        ] = None,
        data_dir: Annotated[
            Path | None, typer.Option("--data-dir", help="Data directory (loaded tables).")
        ] = None,
    ) -> None:
        """Check 837 claims with every scrub rule before submission."""
        from denialscope.errors import InputError
        from denialscope.scrub import scrub_claims

        if fmt not in ("table", "json", "csv"):
            raise InputError(f"--format must be table, json or csv, got {fmt!r}")
        context = build_context(pack, data_dir)
        notes = []
        if not context.ncci:
            notes.append("no NCCI PTP table loaded: ncci_ptp rules skipped")
        if not context.mue:
            notes.append("no MUE table loaded: mue rules skipped")
        results = list(scrub_claims(_claims(files), context=context))
        typer.echo(render(results, fmt, notes))
