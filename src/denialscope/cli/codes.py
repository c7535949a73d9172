"""``denialscope codes``: explain a payer reason, load the official lists, list and check rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from denialscope.classify import (
    ClassificationConfig,
    classify_adjustment,
    load_config,
)
from denialscope.classify.codes import install_official_list, official_codes
from denialscope.classify.taxonomy import CLAIM_TYPES, STREAMS
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
    if group.strip().upper() not in ("CO", "PR", "OA", "PI", "CR"):
        raise InputError(f"group {group!r}: expected CO, PR, OA, PI or CR", group=group)
    if claim_type is not None and claim_type.strip().lower() not in CLAIM_TYPES:
        raise InputError(f"--claim-type {claim_type!r}: expected {', '.join(CLAIM_TYPES)}")
    adjudicated_on = None
    if on is not None:
        try:
            adjudicated_on = date.fromisoformat(on)
        except ValueError:
            raise InputError(f"--date {on!r}: expected YYYY-MM-DD") from None
    claim_rarcs = [code.strip().upper() for code in rarc or []]
    line_rarcs = [code.strip().upper() for code in line_rarc or []]
    folder = cli_settings(None, data_dir, create=False).data_dir
    settings = _config(config, data_dir)
    result = classify_adjustment(
        settings,
        group=group,
        carc=carc,
        claim_rarcs=claim_rarcs,
        line_rarcs=line_rarcs,
        claim_type=claim_type.strip().lower() if claim_type else None,
        payer_id=payer,
        adjudicated_on=adjudicated_on,
        department=department,
        service_line=service_line,
        procedure_code=procedure,
        modifiers=[code.strip().upper() for code in modifier or []],
        claim_paid_nothing=paid_nothing,
    )
    carc_code = carc.strip().upper()
    official_carc = official_codes("carc", data=folder).get(carc_code)
    rarc_list = official_codes("rarc", data=folder)
    official_rarcs = {
        code: rarc_list[code].description
        for code in dict.fromkeys([*claim_rarcs, *line_rarcs])
        if code in rarc_list
    }
    if as_json:
        payload = {
            "input": {
                "group": group.strip().upper(),
                "carc": carc_code,
                "claim_rarcs": claim_rarcs,
                "line_rarcs": line_rarcs,
                "claim_type": claim_type,
                "payer": payer,
                "modifiers": [code.strip().upper() for code in modifier or []],
                "claim_paid_nothing": paid_nothing,
            },
            **result.to_dict(),
            "owner": {"role": result.owner_role, "name": result.owner_name},
            "official_description": official_carc.description if official_carc else None,
            "official_remarks": official_rarcs,
            "carc_retired": carc_code in settings.deactivated_carcs,
            "remark_notes": _remark_statuses([*claim_rarcs, *line_rarcs]),
        }
        typer.echo(dumps(payload))
        return
    typer.echo(f"{group.strip().upper()}-{carc_code}: {result.carc_label or '(no label)'}")
    if official_carc:
        typer.echo(f"  official: {official_carc.description}")
    for code, text in official_rarcs.items():
        typer.echo(f"  {code}: {text}")
    for code, status in _remark_statuses([*claim_rarcs, *line_rarcs]).items():
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


def _remark_statuses(codes: list[str]) -> dict[str, str]:
    """Remark codes that are not current RARCs, with what they are instead."""
    from denialscope.reference import rarc_numbers

    known = rarc_numbers()
    notes: dict[str, str] = {}
    for code in dict.fromkeys(codes):
        status = known.get(code)
        if status is None:
            notes[code] = "is not a RARC code in the published list (a typo?)"
        elif status != "current":
            notes[code] = f"is a {status} RARC code"
    return notes


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
    if stream is not None and stream not in STREAMS:
        raise InputError(f"--stream {stream!r}: expected one of {', '.join(STREAMS)}")
    settings = _config(config, data_dir)
    default_carcs: dict[str, set[str]] = {}
    context_rules: dict[str, int] = {}
    for rule in settings.rules:
        if rule.id.startswith("carc-") and rule.carcs is not None:
            default_carcs.setdefault(rule.root_cause, set()).update(rule.carcs)
        else:
            context_rules[rule.root_cause] = context_rules.get(rule.root_cause, 0) + 1
    rows = [
        {
            "stream": cause.stream,
            "root_cause": cause.id,
            "label": cause.label,
            "documentation_driven": cause.documentation_driven,
            "mapped_carcs": len(default_carcs.get(cause.id, ())),
            "context_rules": context_rules.get(cause.id, 0),
            "process_step": cause.process_step,
            "owner_role": cause.owner_role,
        }
        for cause in settings.root_causes.values()
        if stream is None or cause.stream == stream
    ]
    rows.sort(key=lambda row: (STREAMS.index(str(row["stream"])), str(row["root_cause"])))
    if as_json:
        typer.echo(dumps({"config_version": settings.version, "root_causes": rows}))
        return
    typer.echo(f"{'stream':9} {'root cause':30} {'CARCs':>5} {'rules':>5}  label")
    for row in rows:
        typer.echo(
            f"{row['stream']!s:9} {row['root_cause']!s:30} {row['mapped_carcs']!s:>5} "
            f"{row['context_rules']!s:>5}  {row['label']}"
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
