"""``denialscope codes``: explain a payer reason, load the official lists, list and check rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from denialscope.classify import (
    ClassificationConfig,
    load_config,
)
from denialscope.classify.codes import install_official_list
from denialscope.cli.options import DataDirOption, cli_settings
from denialscope.errors import ConfigurationError, InputError
from denialscope.output.jsonout import dumps

__all__ = ["codes_app", "register"]

codes_app = typer.Typer(
    name="codes",
    help="Explain payer reason codes, load the official CARC/RARC lists, check your rules.",
    no_args_is_help=True,
)

ConfigOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--config",
        help="Override YAML merged over the defaults (default: <data_dir>/classification.yaml).",
    ),
]


def _config(paths: list[Path] | None, data_dir: Path | None) -> ClassificationConfig:
    """``--config`` files, else the data directory's classification.yaml, over the defaults."""
    return load_config(paths or None, settings=cli_settings(None, data_dir, create=False))


@codes_app.command("explain")
def explain(
    group: Annotated[str, typer.Argument(help="Group code: CO, PR, OA, PI or CR.")],
    carc: Annotated[str, typer.Argument(help="Claim adjustment reason code, e.g. 16, B7.")],
    rarc: Annotated[
        list[str] | None, typer.Option("--rarc", help="Claim-level remark code (repeatable).")
    ] = None,
    line_rarc: Annotated[
        list[str] | None, typer.Option("--line-rarc", help="Line-level remark code (repeatable).")
    ] = None,
    claim_type: Annotated[
        str | None, typer.Option(help="professional, inpatient or outpatient.")
    ] = None,
    payer: Annotated[str | None, typer.Option(help="Payer id.")] = None,
    department: Annotated[str | None, typer.Option(help="Department (layer 3).")] = None,
    service_line: Annotated[str | None, typer.Option(help="Service line (layer 3).")] = None,
    procedure: Annotated[str | None, typer.Option(help="Procedure code of the line.")] = None,
    modifier: Annotated[
        list[str] | None,
        typer.Option("--modifier", help="Line modifier, e.g. GA (repeatable)."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Adjudication date YYYY-MM-DD (default today).")
    ] = None,
    paid_nothing: Annotated[
        bool | None,
        typer.Option(
            "--paid-nothing/--paid-some",
            help="The payer paid nothing / something on the whole claim (default: unknown).",
        ),
    ] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show how a group + CARC (+ remarks, context) is classified, and why."""
    from denialscope.classify.service import explain_codes

    adjudicated_on = None
    if on is not None:
        try:
            adjudicated_on = date.fromisoformat(on)
        except ValueError:
            raise InputError(f"--date {on!r}: expected YYYY-MM-DD") from None
    explained = explain_codes(
        config=_config(config, data_dir),
        settings=cli_settings(None, data_dir, create=False),
        group=group,
        carc=carc,
        claim_rarcs=rarc or [],
        line_rarcs=line_rarc or [],
        claim_type=claim_type,
        payer=payer,
        department=department,
        service_line=service_line,
        procedure=procedure,
        modifiers=modifier or [],
        adjudicated_on=adjudicated_on,
        claim_paid_nothing=paid_nothing,
    )
    if as_json:
        typer.echo(dumps(explained.to_dict()))
        return
    result = explained.classification
    query = explained.query
    typer.echo(f"{query.group}-{query.carc}: {result.carc_label or '(no label)'}")
    if explained.official_description:
        typer.echo(f"  official: {explained.official_description}")
    for code, text in explained.official_remarks.items():
        typer.echo(f"  {code}: {text}")
    for code, status in explained.remark_notes.items():
        # A mistyped remark code would silently change nothing: say so.
        typer.echo(f"  note: {code} {status}")
    verdict = "DENIAL" if result.is_denial else f"not a denial ({result.category})"
    typer.echo(f"  decision: {verdict}")
    typer.echo(f"  stream / root cause: {result.stream} / {result.root_cause} ({result.label})")
    typer.echo(f"  rule: {result.rule_id}")
    if result.process_step:
        owner = (result.owner_role or "") + (f", {result.owner_name}" if result.owner_name else "")
        typer.echo(f"  fix at: {result.process_step} (owner: {owner})")
    typer.echo(f"  configuration: {result.config_version}")
    typer.echo(f"  why: {result.explanation}")


@codes_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="The official CARC or RARC list (.csv or .xlsx).")],
    data_dir: DataDirOption = None,
) -> None:
    """Load the official CARC or RARC list you downloaded; explanations then show its text."""
    folder = cli_settings(None, data_dir, create=False).ensure_data_dir()
    listing, target = install_official_list(file, data=folder)
    typer.echo(f"loaded {len(listing.codes)} {listing.kind.upper()} codes from {file} -> {target}")


@codes_app.command("list")
def list_codes(
    stream: Annotated[
        str | None, typer.Option(help="Only this stream: clinical, coding, access, billing, none.")
    ] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The taxonomy: every root cause with its stream and how many CARCs map to it."""
    from denialscope.classify.service import list_root_causes

    settings = _config(config, data_dir)
    causes = list_root_causes(config=settings, stream=stream)
    if as_json:
        typer.echo(dumps({"config_version": settings.version, "root_causes": causes}))
        return
    typer.echo(f"{'stream':9} {'root cause':30} {'CARCs':>5} {'rules':>5}  label")
    for c in causes:
        typer.echo(
            f"{c.stream:9} {c.root_cause:30} {c.mapped_carcs!s:>5} "
            f"{c.context_rules!s:>5}  {c.label}"
        )
    typer.echo(f"configuration {settings.version}")


@codes_app.command("check")
def check(
    file: Annotated[
        Path | None,
        typer.Argument(help="Your classification YAML (default: <data_dir>/classification.yaml)."),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Validate an organization's classification YAML; errors name the line and the key."""
    try:
        settings = _config([file] if file is not None else None, data_dir)
    except ConfigurationError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"OK: {' + '.join(settings.files)}: {len(settings.rules)} rules, "
        f"{len(settings.routes)} routes, configuration {settings.version}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``codes`` command group to the main application."""
    app.add_typer(codes_app, name="codes")
