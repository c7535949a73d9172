"""``denialscope report drg-downgrades``: stays paid at a lower DRG than billed."""

from __future__ import annotations

from typing import Annotated

import typer

from denialscope.cli.analytics_options import (
    DepartmentOption,
    FacilityOption,
    FromOption,
    OutOption,
    PayerOption,
    ServiceLineOption,
    SheetFormatOption,
    ToOption,
    build_filters,
)
from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings, open_session
from denialscope.cli.render import emit
from denialscope.errors import InputError

__all__ = ["add_report_command"]


def add_report_command(report: typer.Typer) -> None:
    """Add ``report drg-downgrades`` to the ``report`` group (called by denialscope.cli.report)."""

    @report.command("drg-downgrades")
    def drg_downgrades_command(
        payer: PayerOption = None,
        department: DepartmentOption = None,
        service_line: ServiceLineOption = None,
        facility: FacilityOption = None,
        date_from: FromOption = None,
        date_to: ToOption = None,
        by: Annotated[
            str, typer.Option("--by", help="drg (payer and billed DRG) or payer.")
        ] = "drg",
        claims: Annotated[
            bool, typer.Option("--claims", help="One row per downgraded claim, not per DRG.")
        ] = False,
        fmt: SheetFormatOption = "table",
        out: OutOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Payer DRG (835 CLP11) below the billed DRG (837I), by payer and DRG, with dollars."""
        from denialscope.analytics.drg_downgrades import DOLLAR_BASIS, drg_downgrades

        if by not in ("drg", "payer"):
            raise InputError(f"--by {by!r}: use drg or payer")
        filters = build_filters(payer, None, department, service_line, facility, date_from, date_to)
        with open_session(cli_settings(database, data_dir)) as session:
            result = drg_downgrades(session, filters=filters)
        if claims:
            rows = [c.to_dict() for c in result.downgrades]
        elif by == "payer":
            rows = [g.to_dict() for g in result.payers]
        else:
            rows = [g.to_dict() for g in result.groups]
        emit(rows, fmt, title="DRG downgrades", document=result, out=out)
        if fmt == "table":
            summary = result.to_dict()
            typer.echo(
                f"{summary['downgrades']:,} downgrade(s) of {summary['drg_claims']:,} DRG-paid "
                f"stays; estimated difference ${result.total_difference:,.2f} "
                f"(basis: {DOLLAR_BASIS})"
            )
