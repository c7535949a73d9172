"""`denialscope queue ...`: work the denial queues from the command line.

queue list [--queue Q] [--format table|json]   ranked open items (creates missing items
                                               and applies outcomes from new remittances)
queue next --queue Q [--user U]                take the top unassigned item of a queue
queue show ID                                  one item: ranking basis, history, documents
queue assign ID USER                           give an item to someone ("-" = back)
queue act ID [--action A] [--status S] [--note T] [--outcome O [--recovered X]] [--force]
queue letter ID [--out FILE] [--argument T]... [--signer/--contact/--criteria/--enclosure...]
                [--draft] [--force [--good-cause T]]
                                               render the appeal letter PDF (a new version)
queue resubmit ID [--approve N[=VALUE]] [--reject N] [--out FILE]
                                               coding fixes: review, then write the 837
"""

from __future__ import annotations

import datetime as dt
import getpass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from denialscope.cli.options import (
    DatabaseOption,
    DataDirOption,
    cli_settings,
    open_session,
    output_file,
)
from denialscope.errors import InputError

if TYPE_CHECKING:
    from denialscope.settings import Settings
    from denialscope.workqueue.config import WorkqueueConfig
    from denialscope.workqueue.schemas import WorkItemDetails

__all__ = ["register"]

Format = Annotated[str, typer.Option("--format", help="table or json.")]
User = Annotated[str | None, typer.Option("--user", help="Who is working (default: login).")]


def _user(user: str | None) -> str:
    return user or getpass.getuser()


def _queue_config(settings: Settings) -> WorkqueueConfig:
    from denialscope.workqueue.config import load_workqueue_config  # heavy: only when run

    return load_workqueue_config(settings=settings)


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "json"):
        raise InputError(f"--format is table or json, not {fmt!r}")


def _date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise InputError(f"{option} is a date YYYY-MM-DD, not {value!r}") from error


def _print_json(data: Any) -> None:
    from denialscope.output.jsonout import dumps

    typer.echo(dumps(data))


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    # Plain-text cells (a user or payer named "[/]" is not markup), sized to the terminal.
    from denialscope.output.tables import print_table

    print_table(rows, columns)


def _show(details: WorkItemDetails, fmt: str) -> None:
    item = details.to_dict()
    if fmt == "json":
        _print_json(item)
        return
    for key, value in item.items():
        if key in ("history", "documents", "fixes"):
            continue
        typer.echo(f"{key:>20}: {'' if value is None else value}")
    for section in ("fixes", "documents", "history"):
        if item.get(section):
            typer.echo(f"\n{section}:")
            for entry in item[section]:
                typer.echo("  " + "  ".join(str(v) for v in entry.values() if v is not None))


def _known_queue(value: str | None) -> str | None:
    """Typer callback: a misspelt queue would otherwise look like an empty one."""
    from denialscope.workqueue.models import QUEUES

    if value is not None and value not in QUEUES:
        raise typer.BadParameter(f"unknown queue {value!r}: use one of {', '.join(QUEUES)}")
    return value


def register(app: typer.Typer) -> None:
    queue_app = typer.Typer(help="Work queues: ranked denials, actions, letters, corrected claims.")
    app.add_typer(queue_app, name="queue")

    @queue_app.command("list")
    def list_command(
        queue: Annotated[
            str | None, typer.Option("--queue", help="One queue only.", callback=_known_queue)
        ] = None,
        status: Annotated[str | None, typer.Option("--status", help="One status only.")] = None,
        include_resolved: Annotated[bool, typer.Option("--all", help="Resolved too.")] = False,
        limit: Annotated[int, typer.Option("--limit", help="At most this many (0: all).")] = 50,
        fmt: Format = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Open items, highest priority first (brings the queues up to date first)."""
        from denialscope.workqueue.details import list_work

        _check_format(fmt)
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            items = list_work(
                session=session,
                config=_queue_config(settings),
                queue=queue,
                status=status,
                limit=limit or None,
                include_resolved=include_resolved,
            )
            session.commit()
        rows = [item.to_dict() for item in items]
        if fmt == "json":
            _print_json(rows)
            return
        _table(
            rows,
            [
                "id",
                "claim_number",
                "payer",
                "queue",
                "root_cause",
                "dollars_at_risk",
                "p_recovery",
                "priority",
                "deadline",
                "recommended_action",
                "status",
                "assigned_to",
            ],
        )

    @queue_app.command("next")
    def next_command(
        queue: Annotated[
            str, typer.Option("--queue", help="The queue to take from.", callback=_known_queue)
        ],
        user: User = None,
        fmt: Format = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Take the top unassigned item of a queue (no one else gets it)."""
        from denialscope.workqueue.details import take_next

        _check_format(fmt)
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            data = take_next(session=session, queue=queue, user=_user(user))
            session.commit()
        if data is None:
            typer.echo(f"queue {queue} has no unassigned open item")
            return
        _show(data, fmt)

    @queue_app.command("show")
    def show_command(
        item_id: Annotated[int, typer.Argument(help="Work item id.")],
        fmt: Format = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """One item with its ranking basis, fixes, documents and history."""
        from denialscope.workqueue.details import get_details

        _check_format(fmt)
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            data = get_details(session=session, item_id=item_id)
        _show(data, fmt)

    @queue_app.command("assign")
    def assign_command(
        item_id: Annotated[int, typer.Argument(help="Work item id.")],
        to: Annotated[str, typer.Argument(help="User to assign to; '-' puts it back.")],
        user: User = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Give an item to a user, or back to its queue."""
        from denialscope.workqueue.service import assign

        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            assign(
                session=session, item_id=item_id, user=None if to == "-" else to, actor=_user(user)
            )
            session.commit()
        typer.echo(f"item {item_id} assigned to {to if to != '-' else 'its queue'}")

    @queue_app.command("act")
    def act_command(
        item_id: Annotated[int, typer.Argument(help="Work item id.")],
        action: Annotated[
            str | None,
            typer.Option(
                "--action",
                help="resubmit, appeal_level_1, "
                "appeal_level_2, external_review, reopening, write_off, bill_patient",
            ),
        ] = None,
        reason: Annotated[str | None, typer.Option("--reason", help="Why this action.")] = None,
        status: Annotated[
            str | None,
            typer.Option("--status", help="in_review, action_chosen, submitted, awaiting_payer"),
        ] = None,
        note: Annotated[str | None, typer.Option("--note", help="Add a note.")] = None,
        outcome: Annotated[
            str | None,
            typer.Option(
                "--outcome",
                help="Close: overturned, "
                "partially_overturned, upheld, written_off, billed_to_patient",
            ),
        ] = None,
        recovered: Annotated[str | None, typer.Option("--recovered", help="Dollars.")] = None,
        force: Annotated[
            bool,
            typer.Option(
                "--force", help="Replace the outcome of a resolved item (kept in history)."
            ),
        ] = False,
        user: User = None,
        fmt: Format = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Choose an action, move the status, add a note, or record an outcome."""
        from denialscope.workqueue.details import act

        _check_format(fmt)
        amount = None
        if recovered is not None:
            try:
                amount = Decimal(recovered)
            except InvalidOperation as error:
                raise InputError(f"--recovered is a dollar amount, not {recovered!r}") from error
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            data = act(
                session=session,
                config=_queue_config(settings),
                item_id=item_id,
                actor=_user(user),
                note=note,
                action=action,
                reason=reason,
                status=status,
                outcome=outcome,
                recovered=amount,
                force=force,
            )
            session.commit()
        _show(data, fmt)

    @queue_app.command("letter")
    def letter_command(
        item_id: Annotated[int, typer.Argument(help="Work item id.")],
        out: Annotated[
            Path | None, typer.Option("--out", help="Write the PDF here.", callback=output_file)
        ] = None,
        template: Annotated[str | None, typer.Option("--template", help="Template name.")] = None,
        argument: Annotated[
            list[str] | None,
            typer.Option("--argument", help="A paragraph of the argument (repeat)."),
        ] = None,
        argument_file: Annotated[
            Path | None,
            typer.Option("--argument-file", help="Argument text; paragraphs split by blank lines."),
        ] = None,
        signer: Annotated[
            str | None, typer.Option("--signer", help="Name under the letter.")
        ] = None,
        letter_date: Annotated[
            str | None, typer.Option("--date", help="Letter date YYYY-MM-DD (default: today).")
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Write an appeal whose window has closed.")
        ] = False,
        good_cause: Annotated[
            str | None,
            typer.Option("--good-cause", help="Why the request is late (printed in the letter)."),
        ] = None,
        contact: Annotated[
            str | None, typer.Option("--contact", help="Who the payer calls with questions.")
        ] = None,
        criteria: Annotated[
            str | None,
            typer.Option("--criteria", help="Criteria set used (InterQual, MCG, payer policy)."),
        ] = None,
        enclosure: Annotated[
            list[str] | None, typer.Option("--enclosure", help="An enclosure (repeat).")
        ] = None,
        attending: Annotated[
            str | None, typer.Option("--attending", help="Attending physician (default: 837).")
        ] = None,
        admission_order: Annotated[
            str | None,
            typer.Option("--admission-order", help="Inpatient order date and time."),
        ] = None,
        order_status: Annotated[
            str | None, typer.Option("--order-status", help="Order status (e.g. inpatient).")
        ] = None,
        draft: Annotated[
            bool, typer.Option("--draft", help="Missing facts as visible placeholders.")
        ] = False,
        user: User = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Render the appeal letter to PDF, store it as a new version, write it to a file."""
        from denialscope.appeals.letter_facts import LetterFacts
        from denialscope.appeals.letters import write_letter
        from denialscope.files import write_atomic

        paragraphs = list(argument or [])
        if argument_file is not None:
            text = argument_file.read_text(encoding="utf-8")
            paragraphs += [p.strip() for p in text.split("\n\n") if p.strip()]
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            document = write_letter(
                session,
                item_id=item_id,
                actor=_user(user),
                template=template,
                argument=paragraphs or None,
                signer=signer,
                letter_date=_date(letter_date, "--date"),
                force=force,
                good_cause=good_cause,
                warn=lambda text: typer.echo(text, err=True),
                settings=settings,
                facts=LetterFacts(
                    contact=contact,
                    criteria=criteria,
                    enclosures=list(enclosure or []),
                    attending=attending,
                    admission_order=admission_order,
                    order_status=order_status,
                ),
                draft=draft,
            )
            target = out or Path(document.filename.replace(".pdf", f"-v{document.version}.pdf"))
            # The file first, whole or not at all; the version is committed only once the
            # PDF is on disk, so a failed write leaves neither an empty file nor a phantom
            # version in the history.
            write_atomic(target, document.content)
            session.commit()
            version = document.version
        typer.echo(f"letter version {version} of item {item_id} written to {target}")

    @queue_app.command("resubmit")
    def resubmit_command(
        item_id: Annotated[int, typer.Argument(help="Work item id.")],
        approve: Annotated[
            list[str] | None,
            typer.Option("--approve", help="FIX or FIX=VALUE to approve (repeat)."),
        ] = None,
        reject: Annotated[list[int] | None, typer.Option("--reject", help="FIX to reject.")] = None,
        out: Annotated[
            Path | None, typer.Option("--out", help="Write the 837 here.", callback=output_file)
        ] = None,
        user: User = None,
        fmt: Format = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Show the proposed fixes; with approvals, write the corrected 837 (frequency 7)."""
        from denialscope.files import write_atomic
        from denialscope.workqueue.details import resubmit

        _check_format(fmt)
        approvals: list[tuple[int, str | None]] = []
        for spec in approve or []:
            fix_id, _, value = spec.partition("=")
            if not fix_id.isdigit():
                raise InputError(f"--approve takes FIX or FIX=VALUE, not {spec!r}")
            approvals.append((int(fix_id), value or None))
        written = None
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            result = resubmit(
                session=session,
                item_id=item_id,
                actor=_user(user),
                approve=approvals,
                reject=list(reject or []),
                settings=settings,
            )
            if result.content is not None and result.filename is not None:
                # The file first, whole or not at all; the version is committed once on disk.
                written = out or Path(result.filename)
                write_atomic(written, result.content)
            session.commit()
        data = result.details.to_dict()
        notes = result.details.notes
        if fmt == "json":
            _print_json({**data, "notes": notes, "written": str(written) if written else None})
            return
        _table(data["fixes"], ["fix", "kind", "line", "current", "proposed", "status", "reason"])
        for note in notes:
            typer.echo(f"note: {note}")
        if written:
            typer.echo(f"corrected claim written to {written}")
        else:
            typer.echo("approve fixes with --approve FIX[=VALUE] to write the corrected 837")
