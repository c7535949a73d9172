"""``denialscope adt ...``: load ADT files, listen for MLLP messages, show the census."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from denialscope.cli.options import (
    DatabaseOption,
    DataDirOption,
    JsonOption,
    cli_settings,
    open_session,
)
from denialscope.errors import InputError
from denialscope.output.jsonout import dumps

__all__ = ["parse_moment", "register"]

FormatOption = Annotated[str, typer.Option("--format", help="table, json or csv.")]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Replay the census at this moment (YYYY-MM-DDTHH:MM, facility time); "
        "default: the current census.",
    ),
]


def parse_moment(value: str | None, option: str) -> dt.datetime | None:
    """A wall-clock moment from an option (date, or date and time)."""
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date/time (YYYY-MM-DDTHH:MM)") from None


def register(app: typer.Typer) -> None:
    """Add the ``adt`` command group."""
    adt = typer.Typer(help="ADT feed: HL7 v2 and FHIR intake, MLLP listener, census.")
    app.add_typer(adt, name="adt")

    @adt.command("load")
    def load_command(
        files: Annotated[list[Path], typer.Argument(help="HL7 v2 files or FHIR R4 bundles.")],
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Apply ADT messages to the census (a message already applied is skipped)."""
        from denialscope.adt.service import load_file

        results = []
        with open_session(cli_settings(database, data_dir)) as session:
            for path in files:
                with session.begin():  # one transaction per file
                    results.append(load_file(session, path=path))
        if as_json:
            typer.echo(dumps([r.to_dict() for r in results], indent=2))
            return
        for r in results:
            typer.echo(
                f"{r.file}: {r.applied:,} applied, {r.duplicates:,} already applied, "
                f"{len(r.rejected):,} refused"
            )
            for bad in r.rejected:
                typer.echo(f"  line {bad['line']}: {bad['control_id'] or '-'}: {bad['reason']}")

    @adt.command("listen")
    def listen_command(
        port: Annotated[int, typer.Option("--port", help="TCP port (0: any free port).")] = 2575,
        host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Receive HL7 v2 ADT over MLLP; answer each message with an ACK once stored."""
        from denialscope.adt.mllp import serve
        from denialscope.db.engine import open_database

        settings = cli_settings(database, data_dir)
        engine, factory = open_database(
            settings.database_url, lock_timeout_s=settings.lock_timeout_s
        )
        try:
            serve(
                factory=factory,
                host=host,
                port=port,
                on_ready=lambda bound: typer.echo(f"listening on {host}:{bound} (Ctrl-C stops)"),
            )
        finally:
            engine.dispose()

    @adt.command("census")
    def census_command(
        as_of: AsOfOption = None,
        fmt: FormatOption = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Inpatient and observation patients in house: class, payer, attending, working codes."""
        from denialscope.adt.census import census, state_at
        from denialscope.cli.render import emit
        from denialscope.ur.payers import payers_for

        moment = parse_moment(as_of, "--as-of")
        with open_session(cli_settings(database, data_dir)) as session:
            stays = census(session, as_of=moment)
            payers = payers_for(session, stays=stays)
            now = moment or dt.datetime.now()
            rows = []
            for stay in stays:
                state = state_at(stay, now) if moment else None
                changes = [f"{c.event} {c.at:%m-%d %H:%M} {c.patient_class}"
                           for c in stay.changes if c.at <= now]  # fmt: skip
                payer = payers.get(stay.id)
                rows.append(
                    {
                        "visit": stay.visit_number,
                        "facility": stay.facility,
                        "class": state[1] if state else stay.patient_class,
                        "admitted": stay.admit_at.isoformat(sep=" ", timespec="minutes")
                        if stay.admit_at
                        else None,
                        "payer": payer.name if payer else None,
                        "payer_kind": payer.kind if payer else None,
                        "attending": stay.attending_name,
                        "working_dx": stay.diagnoses,
                        "procedures": stay.procedures,
                        "changes": " / ".join(changes),
                    }
                )
        emit(rows, fmt, title="Census")
