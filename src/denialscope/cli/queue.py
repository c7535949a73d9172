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
    from sqlalchemy.orm import Session

__all__ = ["register"]

Format = Annotated[str, typer.Option("--format", help="table or json.")]
User = Annotated[str | None, typer.Option("--user", help="Who is working (default: login).")]


def _user(user: str | None) -> str:
    return user or getpass.getuser()


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


def _show(item: dict[str, Any], fmt: str) -> None:
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


def _details(session: Session, item_id: int) -> dict[str, Any]:
    from sqlalchemy import select

    from denialscope.workqueue.claim_facts import claim_facts
    from denialscope.workqueue.models import WorkItemDocument
    from denialscope.workqueue.service import get_or_raise, item_to_dict

    item = get_or_raise(session, item_id)
    data = {**item_to_dict(item), **claim_facts(session, [item])[item.id]}
    data["history"] = item_to_dict(item, with_history=True)["history"]
    data["fixes"] = [
        {
            "fix": f.id,
            "kind": f.kind,
            "line": f.line_no,
            "current": f.current,
            "proposed": f.proposed,
            "status": f.status,
            "reason": f.reason,
        }
        for f in item.fixes
    ]
    documents = session.execute(
        select(
            WorkItemDocument.kind,
            WorkItemDocument.version,
            WorkItemDocument.filename,
            WorkItemDocument.created_by,
            WorkItemDocument.created_at,
        )
        .where(WorkItemDocument.work_item_id == item.id)
        .order_by(WorkItemDocument.id)
    )
    data["documents"] = [
        {"kind": k, "version": v, "file": f, "by": b, "at": a.isoformat()}
        for k, v, f, b, a in documents
    ]
    return data


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
        from denialscope.workqueue.claim_facts import claim_facts
        from denialscope.workqueue.config import load_workqueue_config
        from denialscope.workqueue.outcomes import apply_outcomes
        from denialscope.workqueue.service import item_to_dict, list_items, sync_work_items

        _check_format(fmt)
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            workqueue = load_workqueue_config(settings=settings)
            sync_work_items(session, config=workqueue)
            apply_outcomes(session, config=workqueue)
            session.commit()
            items = list_items(
                session,
                queue=queue,
                status=status,
                limit=limit or None,
                include_resolved=include_resolved,
            )
            facts = claim_facts(session, items)
            rows = [{**item_to_dict(item), **facts[item.id]} for item in items]
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
        from denialscope.workqueue.service import next_item

        _check_format(fmt)
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            item = next_item(session, queue=queue, user=_user(user))
            session.commit()
            if item is None:
                typer.echo(f"queue {queue} has no unassigned open item")
                return
            data = _details(session, item.id)
        _show(data, fmt)

    @queue_app.command("show")
    def show_command(
        item_id: Annotated[int, typer.Argument(help="Work item id.")],
        fmt: Format = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """One item with its ranking basis, fixes, documents and history."""

        _check_format(fmt)
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            data = _details(session, item_id)
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
            assign(session, item_id=item_id, user=None if to == "-" else to, actor=_user(user))
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
        from denialscope.workqueue import service
        from denialscope.workqueue.config import load_workqueue_config

        _check_format(fmt)
        if not any((action, status, note, outcome)):
            raise InputError("give --action, --status, --note or --outcome")
        amount = None
        if recovered is not None:
            try:
                amount = Decimal(recovered)
            except InvalidOperation as error:
                raise InputError(f"--recovered is a dollar amount, not {recovered!r}") from error
        actor = _user(user)
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            if note:
                service.add_note(session, item_id=item_id, actor=actor, text=note)
            if action:
                service.choose_action(
                    session,
                    item_id=item_id,
                    action=action,
                    actor=actor,
                    reason=reason,
                    force=force,
                    config=load_workqueue_config(settings=settings),
                )
            if status:
                service.set_status(session, item_id=item_id, status=status, actor=actor)
            if outcome:
                service.resolve(
                    session,
                    item_id=item_id,
                    outcome=outcome,
                    actor=actor,
                    recovered=amount,
                    force=force,
                )
            session.commit()
            data = _details(session, item_id)
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
        from denialscope.appeals.corrected import propose_fixes, review_fix, write_corrected

        _check_format(fmt)
        actor = _user(user)
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            propose_fixes(session, item_id=item_id, actor=actor, settings=settings)
            for spec in approve or []:
                fix_id, _, value = spec.partition("=")
                if not fix_id.isdigit():
                    raise InputError(f"--approve takes FIX or FIX=VALUE, not {spec!r}")
                review_fix(
                    session, fix_id=int(fix_id), approve=True, actor=actor, value=value or None
                )
            for rejected in reject or []:
                review_fix(session, fix_id=rejected, approve=False, actor=actor)
            session.commit()
            data = _details(session, item_id)
            written = None
            if any(f["status"] == "approved" for f in data["fixes"]):
                document = write_corrected(session, item_id=item_id, actor=actor)
                session.commit()
                written = out or Path(document.filename)
                written.write_bytes(document.content)
                data = _details(session, item_id)
        notes = [h["detail"] for h in data["history"] if h["kind"] == "fix_note"]
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
