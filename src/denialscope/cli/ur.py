"""``denialscope ur ...``: the utilization-review worklist, reviews, escalations, KPIs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from denialscope.cli.adt import AsOfOption, FormatOption, parse_moment
from denialscope.cli.analytics_options import parse_date
from denialscope.cli.options import (
    DatabaseOption,
    DataDirOption,
    JsonOption,
    cli_settings,
    open_session,
)
from denialscope.output.jsonout import dumps

__all__ = ["register"]

VisitArgument = Annotated[str, typer.Argument(help="The stay's visit number (PV1-19).")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="When (YYYY-MM-DDTHH:MM, facility time); default now.")
]


def _settings(database: str | None, data_dir: Path | None) -> tuple[Path, Path]:

    settings = cli_settings(database, data_dir)
    return settings.ur_file, settings.inpatient_only_file


def register(app: typer.Typer) -> None:
    """Add the ``ur`` command group."""
    ur = typer.Typer(help="Utilization review: worklist, reviews, physician advisor, KPIs.")
    app.add_typer(ur, name="ur")

    @ur.command("worklist")
    def worklist_command(
        as_of: AsOfOption = None,
        limit: Annotated[int, typer.Option("--limit", help="Rows to show (0: all).")] = 50,
        sort: Annotated[
            str,
            typer.Option(
                "--sort",
                help="dollars: expected loss x urgency (default); likely: P(denial) first.",
            ),
        ] = "dollars",
        fmt: FormatOption = "table",
        history_only: Annotated[
            bool,
            typer.Option(
                "--history-only",
                help="P from the empirical-Bayes history even when a trained model is saved.",
            ),
        ] = False,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Stays ranked by expected loss (P(status or days denial) x what it takes) x urgency."""
        from denialscope.cli.render import emit
        from denialscope.predict.store import ModelStoreError
        from denialscope.ur.model import load_model
        from denialscope.ur.worklist import build_worklist

        settings = cli_settings(database, data_dir)
        stay_model = None
        if not history_only:
            try:
                stay_model = load_model(settings.data_dir)
            except ModelStoreError as exc:  # the worklist still works, on the history
                typer.echo(f"warning: UR model not used: {exc}", err=True)
        with open_session(settings) as session:
            rows = build_worklist(
                session,
                as_of=parse_moment(as_of, "--as-of"),
                rules_file=settings.ur_file,
                inpatient_only_file=settings.inpatient_only_file,
                sort=sort,
                stay_model=stay_model,
            )
        shown = rows[:limit] if limit else rows
        if fmt == "json":
            typer.echo(dumps([r.to_dict() for r in shown], indent=2))
            return
        table = [
            {
                "rank": i,
                "visit": r.visit_number,
                "payer": r.payer,
                "class": r.patient_class,
                "day": r.day,
                "drg": r.drg.drg if r.drg else None,
                "open_triggers": ", ".join(h.rule for h in r.triggers.open) or None,
                "next_checkpoint": r.triggers.next_at.isoformat(sep=" ", timespec="minutes")
                if r.triggers.next_at
                else None,
                "expected_loss_dollars": r.expected_loss,
                "denial_rate": r.denial_rate,
                "at_risk_dollars": r.dollars,
                "urgency": round(r.urgency, 2),
                "score": round(r.score, 1),
                "p_from": r.p_source,
                "basis": f"{r.dollars_basis}; {r.denial_basis}; {r.urgency_basis}",
            }
            for i, r in enumerate(shown, start=1)
        ]
        emit(table, fmt, title="UR worklist")

    @ur.command("train")
    def train_command(
        before: Annotated[
            str | None,
            typer.Option(
                "--before",
                help="Learn from remittances adjudicated before this day (YYYY-MM-DD; "
                "default today).",
            ),
        ] = None,
        l2: Annotated[float, typer.Option("--l2", help="L2 penalty of the logistic fit.")] = 5.0,
        fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Fit P(level-of-care / length-of-stay denial) on past stay-days; save a new version."""
        from denialscope.errors import InputError
        from denialscope.ur.model import train

        if fmt not in ("table", "json"):
            raise InputError(f"--format {fmt!r}: expected table or json")
        day = parse_date(before, "--before")
        if l2 < 0:
            raise InputError("--l2: must be 0 or more")
        settings = cli_settings(database, data_dir)
        with open_session(settings) as session:
            model = train(
                session,
                data_dir=settings.ensure_data_dir(),
                before=day,
                l2=l2,
            )
        folder = settings.data_dir / "models" / "ur_denial" / model.version
        if fmt == "json":
            typer.echo(dumps({"folder": str(folder), **model.summary()}, indent=2))
            return
        typer.echo(
            f"model ur_denial {model.version} saved in {folder}\n"
            f"trained on {model.stay_days:,} stay-days of {model.stays:,} stays "
            f"({model.first_day or '-'}..{model.last_day or '-'}), remittances adjudicated "
            f"before {model.before}"
        )
        held = model.metrics.get("held_out", {})
        for cause, fit in model.causes.items():
            line = f"  {cause}: {fit.denied} of {fit.stays:,} stays denied; "
            line += "fitted" if fit.weights is not None else f"not fitted ({fit.note})"
            test = held.get(cause, {})
            if test.get("auc") is not None:
                line += (
                    f"; held out from {held['trained_before']}: AUC {test['auc']:.3f} over "
                    f"{held['test_stay_days']:,} stay-days ({test['denied_stays']} denied stays)"
                )
            typer.echo(line)

    @ur.command("review")
    def review_command(
        visit: VisitArgument,
        outcome: Annotated[str, typer.Option("--outcome", help="met, not_met or escalate.")],
        criteria_set: Annotated[
            str, typer.Option("--criteria-set", help="Criteria applied, e.g. 'InterQual 2025'.")
        ],
        reviewer: Annotated[str, typer.Option("--reviewer", help="Who reviewed.")],
        level: Annotated[
            str | None, typer.Option("--level", help="Level the criteria support: I or O.")
        ] = None,
        note: Annotated[str | None, typer.Option("--note")] = None,
        at: AtOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Record a review outcome against a named criteria set."""
        from denialscope.ur.reviews import create_review

        with open_session(cli_settings(database, data_dir)) as session, session.begin():
            review = create_review(
                session,
                visit_number=visit,
                outcome=outcome,
                criteria_set=criteria_set,
                reviewer=reviewer,
                reviewed_at=parse_moment(at, "--at") or dt.datetime.now(),
                level=level,
                note=note,
            )
            typer.echo(f"review {review.id}: {visit} {review.outcome} ({review.criteria_set})")

    @ur.command("escalate")
    def escalate_command(
        visit: VisitArgument,
        advisor: Annotated[str, typer.Option("--advisor", help="The physician advisor.")],
        note: Annotated[str | None, typer.Option("--note")] = None,
        at: AtOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Send a stay to a physician advisor; shows the payer's peer-to-peer window."""
        from denialscope.ur.reviews import escalate

        rules_file, _ = _settings(database, data_dir)
        with open_session(cli_settings(database, data_dir)) as session, session.begin():
            esc = escalate(
                session,
                visit_number=visit,
                advisor=advisor,
                requested_at=parse_moment(at, "--at") or dt.datetime.now(),
                rules_file=rules_file,
                note=note,
            )
            window = (
                f"peer-to-peer window until {esc.window_ends_at:%Y-%m-%d %H:%M}"
                if esc.outcome == "pending"
                else "no peer-to-peer with this payer"
            )
            typer.echo(f"escalation {esc.id}: {visit} to {esc.advisor}; {window}")

    @ur.command("p2p")
    def p2p_command(
        escalation: Annotated[int, typer.Argument(help="Escalation number.")],
        schedule: Annotated[
            str | None, typer.Option("--schedule", help="Book the call at YYYY-MM-DDTHH:MM.")
        ] = None,
        outcome: Annotated[
            str | None, typer.Option("--outcome", help="overturned, upheld or no_p2p.")
        ] = None,
        note: Annotated[str | None, typer.Option("--note")] = None,
        at: AtOption = None,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Schedule the peer-to-peer inside the payer's window, or record its outcome."""
        from denialscope.errors import InputError
        from denialscope.ur.reviews import record_p2p, schedule_p2p

        if (schedule is None) == (outcome is None):
            raise InputError("give either --schedule or --outcome")
        with open_session(cli_settings(database, data_dir)) as session, session.begin():
            if schedule is not None:
                moment = parse_moment(schedule, "--schedule")
                assert moment is not None
                esc = schedule_p2p(session, escalation_id=escalation, at=moment)
                typer.echo(f"escalation {esc.id}: peer-to-peer at {moment:%Y-%m-%d %H:%M}")
            else:
                assert outcome is not None
                esc = record_p2p(
                    session,
                    escalation_id=escalation,
                    outcome=outcome,
                    at=parse_moment(at, "--at") or dt.datetime.now(),
                    note=note,
                )
                typer.echo(f"escalation {esc.id}: {esc.outcome}")

    @ur.command("authorize")
    def authorize_command(
        visit: VisitArgument,
        days: Annotated[int, typer.Option("--days", help="Days the payer authorized.")],
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Record the payer's authorized days (the authorized-days trigger)."""
        from denialscope.ur.reviews import set_authorized_days

        with open_session(cli_settings(database, data_dir)) as session, session.begin():
            set_authorized_days(session, visit_number=visit, days=days)
            typer.echo(f"{visit}: {days} authorized day(s)")

    @ur.command("stay")
    def stay_command(
        visit: VisitArgument,
        as_json: JsonOption = False,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """One stay: status history, reviews, escalations, its 837I and 835 outcome."""
        from denialscope.analytics.results import jsonable
        from denialscope.ur.record import stay_record

        with open_session(cli_settings(database, data_dir)) as session, session.begin():
            record = stay_record(session, visit_number=visit)
        if as_json:
            typer.echo(dumps(jsonable(record), indent=2))
            return
        typer.echo(
            f"{record['visit']} {record['facility'] or ''}: {record['status']}, class "
            f"{record['class']}, admitted {record['admitted']}, discharged "
            f"{record['discharged'] or '-'}; payer {record['payer'] or '-'}"
        )
        for c in record["changes"]:
            typer.echo(f"  {c['at']} {c['event']} {c['status']} {c['class']}")
        for r in record["reviews"]:
            typer.echo(f"  review {r['at']}: {r['outcome']} ({r['criteria_set']}) {r['reviewer']}")
        for e in record["escalations"]:
            typer.echo(
                f"  escalation {e['id']} to {e['advisor']}: p2p {e['p2p'] or '-'} "
                f"(window until {e['window_ends']}), {e['outcome']}"
            )
        claim = record["claim"]
        if claim is None:
            typer.echo("  no 837I stored yet for this visit number")
            return
        typer.echo(f"  837I {claim['control_number']}: DRG {claim['billed_drg'] or '-'}")
        for p in claim["remittances"]:
            causes = ", ".join(p["root_causes"]) or "-"
            typer.echo(
                f"  835 {p['adjudicated']}: status {p['status']}, paid {p['paid']}, payer DRG "
                f"{p['payer_drg'] or '-'}, {'denied: ' + causes if p['denied'] else 'not denied'}"
            )

    @ur.command("kpis")
    def kpis_command(
        start: Annotated[
            str | None, typer.Option("--from", help="Discharged on or after YYYY-MM-DD.")
        ] = None,
        end: Annotated[str | None, typer.Option("--to", help="Discharged on or before.")] = None,
        as_json: JsonOption = False,
        database: DatabaseOption = None,
        data_dir: DataDirOption = None,
    ) -> None:
        """Reviewed vs unreviewed UR denials, obs-to-inpatient, short stays, p2p overturns."""
        from denialscope.cli.render import emit
        from denialscope.ur.kpis import ur_kpis

        first = parse_moment(start, "--from")
        last = parse_moment(end, "--to")
        with open_session(cli_settings(database, data_dir)) as session, session.begin():
            k = ur_kpis(
                session,
                start=first.date() if first else None,
                end=last.date() if last else None,
            )
        if as_json:
            typer.echo(dumps(k.to_dict(), indent=2))
            return
        rows = [
            {"kpi": name, "count": share.part, "of_stays": share.whole, "rate": share.rate}
            for name, share in (
                ("LOC/LOS denials, reviewed stays", k.reviewed_denied),
                ("LOC/LOS denials, unreviewed stays", k.unreviewed_denied),
                ("Observation converted to inpatient", k.observation_to_inpatient),
                ("Inpatient stays under two midnights", k.short_stays),
                ("Peer-to-peer overturned (of decided)", k.p2p_overturned),
            )
        ]
        emit(rows, "table", title=f"UR KPIs ({k.linked_stays:,} stays linked to their 837I)")
