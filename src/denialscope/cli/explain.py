"""``denialscope reclassify`` and ``denialscope explain CLAIM``: classification on stored data.

Thin commands over :mod:`denialscope.denials.service`: they open the database, own the
transaction and render the result as rich tables or JSON. Patient names and member ids are
never shown; a claim is named by its control number and id.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from denialscope.cli.options import (
    DatabaseOption,
    DataDirOption,
    JsonOption,
    cli_settings,
    open_session,
)
from denialscope.output.jsonout import dumps
from denialscope.output.values import display

if TYPE_CHECKING:
    from rich.console import Console

    from denialscope.classify import ClassificationConfig
    from denialscope.denials.explain import (
        AdjustmentExplanation,
        ClaimExplanation,
        PaymentExplanation,
    )
    from denialscope.denials.service import ReclassifyReport
    from denialscope.settings import Settings

__all__ = ["register"]

ConfigOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--config",
        help="Override YAML merged over the defaults, repeatable "
        "(default: <data_dir>/classification.yaml when it exists).",
    ),
]


def _config(paths: list[Path] | None, settings: Settings) -> ClassificationConfig:
    """Defaults plus the given files, else the data directory's own override file."""
    from denialscope.classify import load_config

    return load_config(paths or None, settings=settings)


def _console() -> Console:
    from rich.console import Console

    # Claim data goes into the tables as plain text: a "[" in a claim number is not markup.
    return Console(highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``reclassify`` and ``explain`` to the main application."""

    @app.command("reclassify")
    def reclassify_command(
        config: ConfigOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Re-apply the classification rules to every stored claim payment (one transaction)."""
        from denialscope.denials.service import reclassify
        from denialscope.workqueue.config import load_workqueue_config

        where = cli_settings(database, data_dir)
        settings = _config(config, where)
        workqueue = load_workqueue_config(settings=where)
        with open_session(where) as session, session.begin():
            report = reclassify(session=session, config=settings, workqueue=workqueue)
        if as_json:
            typer.echo(dumps(report.to_dict()))
        else:
            _print_report(report)

    @app.command("explain")
    def explain_command(
        claim: Annotated[
            str,
            typer.Argument(help="Claim control number (CLM01/CLP01), payer claim number or id."),
        ],
        config: ConfigOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Explain a claim's payments and adjustments in three layers, and the rule behind each."""
        from denialscope.denials.explain import AmbiguousClaimError, explain_claim

        where = cli_settings(database, data_dir)
        settings = _config(config, where)
        with open_session(where) as session:
            try:
                explanation = explain_claim(
                    session=session, claim=claim, config=settings, data=where.data_dir
                )
            except AmbiguousClaimError as error:
                if not as_json:
                    raise
                typer.echo(dumps(error.to_dict()))
                raise typer.Exit(1) from None
        if as_json:
            typer.echo(dumps(explanation.to_dict()))
        else:
            _print_explanation(explanation)


def _print_report(report: ReclassifyReport) -> None:
    from rich.table import Table

    out = _console()
    out.print(
        f"reclassified under {report.config_version}: "
        f"{report.payments_examined:,} claim payments examined, "
        f"{report.payments_changed:,} changed, {report.payments_restamped:,} restamped "
        f"(same result, new version); {report.adjustments_examined:,} adjustments examined, "
        f"{report.adjustments_changed:,} changed root cause or rule (history kept), "
        f"{report.adjustments_rerouted:,} rerouted, "
        f"{report.adjustments_first_classified:,} classified for the first time; "
        f"{report.work_items_reclassified:,} open work items took the new root cause "
        f"({report.work_items_requeued:,} moved to another queue) "
        f"in {report.seconds:.1f} s"
    )
    if report.transitions:
        table = Table(title="root cause changes")
        table.add_column("from")
        table.add_column("to")
        table.add_column("adjustments", justify="right")
        for item in report.to_dict()["transitions"]:
            table.add_row(str(item["from"]), str(item["to"]), f"{item['count']:,}")
        out.print(table)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _print_explanation(explanation: ClaimExplanation) -> None:
    out = _console()
    c = explanation.claim
    where = " / ".join(x for x in (c.department, c.service_line) if x)
    out.print(
        f"[bold]claim {c.id}[/bold]  control number {_escape(c.control_number)}  "
        f"{_escape(' '.join(x for x in (c.kind, c.claim_type) if x))}"
        f"{'  (stub: no 837 received)' if c.is_stub else ''}"
    )
    out.print(
        f"payer {_escape(c.payer or 'unknown')}"
        + (f"  department {_escape(where)}" if where else "")
        + f"  current configuration {explanation.config_version}"
    )
    if not explanation.payments:
        out.print("no remittance for this claim yet")
    for payment in explanation.payments:
        _print_payment(out, payment, len(explanation.payments))
    if not explanation.official_text_loaded:
        out.print("official CARC/RARC text: not loaded (denialscope codes load FILE)")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _print_payment(out: Console, payment: PaymentExplanation, total: int) -> None:
    from rich.table import Table

    s = payment.stored
    day = payment.claim.adjudicated_on
    out.print()
    out.print(
        f"[bold]payment {payment.seq} of {total}[/bold] (id {payment.id})  "
        f"status {_escape(_text(payment.status))} {payment.status_label}  "
        f"charge {display('charge', payment.claim.charge)}  "
        f"paid {display('paid_amount', payment.claim.paid)}  "
        f"payer claim {_escape(_text(payment.payer_claim_number) or '-')}  "
        f"adjudicated {day.isoformat() if day else 'unknown'}"
    )
    if s.denial_type is None:
        verdict = "not classified yet"
    elif s.primary_root_cause is None:
        verdict = f"{s.denial_type}: no denial"
    else:
        verdict = (
            f"{s.denial_type}: {s.primary_stream} / {s.primary_root_cause}"
            f"  denied {display('denied_amount', s.denied_amount or Decimal(0))}"
        )
    out.print(f"  {_escape(verdict)}  (stored under {payment.config_version or 'no version'})")
    if payment.note:
        out.print(f"  [yellow]! {_escape(payment.note)}[/yellow]")
    if not payment.adjustments:
        return
    table = Table(show_lines=False, pad_edge=False)
    for name, justify in (
        ("#", "right"),
        ("line", "left"),
        ("reason", "left"),
        ("amount", "right"),
        ("stream / root cause", "left"),
        ("fix at / owner", "left"),
        ("rule", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for n, item in enumerate(payment.adjustments, 1):
        table.add_row(*(_escape(cell) for cell in _adjustment_cells(n, item)))
    out.print(table)
    seen: dict[tuple[str, str | None], int] = {}
    for n, item in enumerate(payment.adjustments, 1):
        # Lines often repeat one reason: say it once and point back to it.
        key = (item.current.explanation, item.note)
        if key in seen:
            out.print(f"  {n}. as {seen[key]}")
            continue
        seen[key] = n
        out.print(f"  {n}. {_escape(item.current.explanation)}")
        if item.official_description:
            out.print(f"     official: {_escape(item.official_description)}")
        for code, text in item.official_remarks.items():
            out.print(f"     {code}: {_escape(text)}")
        if item.note:
            out.print(f"     [yellow]! {_escape(item.note)}[/yellow]")


def _adjustment_cells(n: int, item: AdjustmentExplanation) -> list[str]:
    s = item.stored
    reason = f"{item.adjustment.group}-{item.adjustment.carc}"
    if item.current.carc_label:
        reason += f" {item.current.carc_label}"
    remarks = [*item.claim_remarks, *item.line_remarks]
    if remarks:
        reason += f" [{' '.join(remarks)}]"
    line = "claim" if item.line is None else f"{item.line} {_text(item.procedure)}".strip()
    if s.category in (None, "denial", "duplicate"):
        cause = f"{_text(s.stream)} / {_text(s.root_cause)}"
        if item.root_cause_label:
            cause += f" ({item.root_cause_label})"
    else:
        cause = f"not a denial: {s.category}"
    owner = ", ".join(x for x in (s.owner_role, s.owner_name) if x)
    fix = f"{_text(s.process_step)} ({owner})" if s.process_step else ""
    amount = display("amount", item.adjustment.amount)
    return [str(n), line, reason, amount, cause, fix, _text(s.rule_id)]
