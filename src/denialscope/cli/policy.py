"""``denialscope policy check|list|validate|serve-cds``: payer criteria at the point of order.

The library is ``--library FILE``, else ``DATA_DIR/payer_policies.yaml``, else the shipped
example (invented payers' policies; the commands say so). FastAPI and uvicorn are imported
inside ``serve-cds`` only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from denialscope.cli.options import DataDirOption, cli_settings
from denialscope.errors import InputError

if TYPE_CHECKING:
    from denialscope.policy.library import PolicyLibrary

__all__ = ["register"]

LibraryOption = Annotated[
    Path | None,
    typer.Option(
        "--library",
        help="Policy library YAML (default DATA_DIR/payer_policies.yaml, else the shipped "
        "example with invented policies).",
    ),
]
EXAMPLE_NOTE = (
    "note: using the shipped example library (invented payers' policies); put yours in "
    "DATA_DIR/payer_policies.yaml or pass --library"
)


def _library(path: Path | None, data_dir: Path | None) -> PolicyLibrary:
    from denialscope.policy.library import load_library, organization_library

    if path is not None:
        return load_library(path)
    settings = cli_settings(None, data_dir, create=False)
    library = organization_library(data_dir=settings.data_dir)
    if library.is_example:
        typer.echo(EXAMPLE_NOTE, err=True)
    return library


def register(app: typer.Typer) -> None:
    """Add the ``policy`` command group."""
    policy = typer.Typer(help="Payer policy library, order check and the CDS Hooks service.")
    app.add_typer(policy, name="policy")

    @policy.command("check")
    def check_command(
        codes: Annotated[list[str], typer.Argument(help="CPT/HCPCS codes ordered.")],
        payer: Annotated[
            str | None, typer.Option("--payer", help="Payer id or name (library), or a kind.")
        ] = None,
        payer_kind: Annotated[
            str | None,
            typer.Option("--payer-kind", help="medicare, medicare_advantage, medicaid, ..."),
        ] = None,
        dx: Annotated[
            list[str] | None, typer.Option("--dx", help="ICD-10-CM diagnosis (repeat).")
        ] = None,
        setting: Annotated[
            str | None,
            typer.Option("--setting", help="office, outpatient, inpatient, ... or a POS code."),
        ] = None,
        date: Annotated[
            str | None, typer.Option("--date", help="Service date YYYY-MM-DD (default today).")
        ] = None,
        auth: Annotated[
            str | None, typer.Option("--auth", help="Authorization number on file.")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        library_path: LibraryOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """What the payer's policies ask of an order: authorization, criteria, documents."""
        from denialscope.cli.render import emit
        from denialscope.policy.check import Order, check_orders, resolve_payer

        if fmt not in ("table", "json"):
            raise InputError(f"--format {fmt!r}: use table or json")
        try:
            on = dt.date.fromisoformat(date) if date else dt.date.today()
        except ValueError:
            raise InputError(f"--date {date!r} is not a date (YYYY-MM-DD)") from None
        library = _library(library_path, data_dir)
        who = resolve_payer(library, payer=payer, kind=payer_kind)
        orders = [Order(code, tuple(dx or ()), setting, None, auth) for code in codes]
        result = check_orders(library=library, payer=who, orders=orders, on=on)
        rows = [
            {"code": r.order.code, "risk": r.risk, **f.to_dict()}
            for r in result.results
            for f in r.findings
        ]
        emit(rows, fmt, title=f"Order check: {who.label}, {on.isoformat()}", document=result)
        if fmt == "table":
            for r in result.results:
                if not r.matches:
                    typer.echo(f"{r.order.code}: no policy of {who.label} governs it")

    @policy.command("list")
    def list_command(
        payer: Annotated[
            str | None, typer.Option("--payer", help="Only this payer's (id, name or kind).")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
        library_path: LibraryOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """The policies of the library: payers, services, authorization, criteria, dates."""
        from denialscope.cli.render import emit
        from denialscope.policy.check import resolve_payer

        library = _library(library_path, data_dir)
        policies = list(library.policies)
        if payer is not None:
            who = resolve_payer(library, payer=payer)
            policies = [
                p
                for p in policies
                if (not p.payers and not p.payer_kinds)
                or who.id in p.payers
                or who.kind in p.payer_kinds
            ]
        rows = [
            {
                "id": p.id,
                "title": p.title,
                "payers": ", ".join(sorted(p.payers | p.payer_kinds)) or "every payer",
                "services": str(p.services),
                "prior_authorization": p.prior_authorization,
                "criteria": "; ".join(c.label for c in p.criteria),
                "effective": f"{p.effective_from.isoformat()} to "
                + (p.effective_to.isoformat() if p.effective_to else "open"),
            }
            for p in policies
        ]
        emit(rows, fmt, title=f"Payer policies ({library.source})")

    @policy.command("validate")
    def validate_command(
        file: Annotated[Path, typer.Argument(help="Policy library YAML to check.")],
    ) -> None:
        """Check a policy library file; every problem is named with its line."""
        from denialscope.policy.library import load_library

        library = load_library(file)
        typer.echo(
            f"{file}: valid: {len(library.policies):,} policies, {len(library.payers):,} payers"
        )

    @policy.command("serve-cds")
    def serve_cds_command(
        host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8010,
        include_info: Annotated[
            bool,
            typer.Option(
                "--include-info", help="Also answer info cards for orders with nothing missing."
            ),
        ] = False,
        library_path: LibraryOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Serve the CDS Hooks service (GET /cds-services, POST /cds-services/{id})."""
        import logging

        import uvicorn

        from denialscope.policy.cds_hooks import create_app

        library = _library(library_path, data_dir)
        # One line a call (hook, counts; never patient data) for the operator.
        logging.getLogger("denialscope.policy.cds").setLevel(logging.INFO)
        typer.echo(
            f"CDS Hooks service on http://{host}:{port}/cds-services "
            f"({len(library.policies):,} policies from {library.source})",
            err=True,
        )
        uvicorn.run(create_app(library=library, include_info=include_info), host=host, port=port)
