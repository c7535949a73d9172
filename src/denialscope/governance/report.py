"""The quarterly governance report: top causes and owners, plans, trends, payer scorecard.

:func:`governance_report` gathers plain data (also the ``--format json`` document);
:func:`render_html` lays it out with the Jinja2 template (inline CSS and SVG, no external
asset, so the file opens offline and WeasyPrint needs no network); :func:`render_pdf`
prints that same HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import jinja2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.analytics import kpis
from denialscope.analytics.charts import pareto_svg, trend_svg
from denialscope.analytics.cohort import Filters, claim_cohort, group_label
from denialscope.analytics.kpi_types import AppealKpis, ReworkCost
from denialscope.analytics.pareto import pareto
from denialscope.analytics.periods import default_window
from denialscope.analytics.results import Rate, jsonable, to_decimal
from denialscope.analytics.rework import (
    appeal_summary,
    no_appeals,
    rework_costs,
)
from denialscope.analytics.trends import TrendPoint, trend_points
from denialscope.classify.taxonomy import DENIAL_STREAMS
from denialscope.errors import InputError
from denialscope.governance.models import ActionPlan
from denialscope.governance.report_types import (
    GovernanceCharts,
    GovernanceReport,
    GovernanceSummary,
    PlanRow,
    ScorecardRow,
    TopCause,
)
from denialscope.governance.service import (
    PlanProgress,
    complete_period,
    governance_as_of,
    list_plans,
    plan_progress,
)
from denialscope.remits.models import Adjustment

if TYPE_CHECKING:
    from denialscope.settings import Settings
    from denialscope.workqueue.config import WorkqueueConfig

__all__ = ["governance_report", "parse_quarter", "render_html", "render_pdf"]

TEMPLATES_DIR: Final = Path(__file__).with_name("templates")
TOP_CAUSES = 5
TREND_FIELDS = ("payer", "service_line", "facility")


def parse_quarter(value: str | None, *, as_of: dt.date) -> tuple[str, dt.date, dt.date]:
    """``"2025Q4"`` (or ``2025-Q4``) -> its label, first and last day.

    None = the latest quarter whose months are all complete on ``as_of`` (after the
    adjudication lag, see :func:`denialscope.governance.service.complete_period`).
    """
    if value is None:
        _, last = complete_period(as_of, 1)
        index = last.year * 4 + (last.month - 1) // 3 - (0 if last.month % 3 == 0 else 1)
        year, quarter = index // 4, index % 4 + 1
    else:
        match = re.fullmatch(r"(\d{4})-?Q([1-4])", value.strip().upper())
        if match is None:
            raise InputError(f"--quarter {value!r}: write it like 2025Q4")
        year, quarter = int(match[1]), int(match[2])
    start = dt.date(year, 3 * quarter - 2, 1)
    after = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return f"{year}-Q{quarter}", start, after - dt.timedelta(days=1)


Owner = tuple[str | None, str | None, str | None]  # process step, owner role, owner name
NOBODY: Final[Owner] = (None, None, None)


def _owners(session: Session, filters: Filters) -> dict[str, Owner]:
    """Per root cause, the layer-3 owner most of its denial adjustments name."""
    cohort = claim_cohort(filters)
    query = (
        select(
            Adjustment.root_cause,
            Adjustment.process_step,
            Adjustment.owner_role,
            Adjustment.owner_name,
            func.count().label("n"),
        )
        .join(cohort, cohort.c.payment_id == Adjustment.claim_payment_id)
        .where(Adjustment.is_denial.is_(True))
        .group_by(
            Adjustment.root_cause,
            Adjustment.process_step,
            Adjustment.owner_role,
            Adjustment.owner_name,
        )
    )
    votes: dict[str, Counter[Owner]] = defaultdict(Counter)
    for row in session.execute(query):
        votes[row.root_cause or "unclassified"][
            (row.process_step, row.owner_role, row.owner_name)
        ] += int(row.n)
    # Most frequent first, then by name, so ties give the same owner every run.
    return {
        cause: sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]
        for cause, counter in votes.items()
    }


def _top_causes(session: Session, filters: Filters) -> dict[str, tuple[TopCause, ...]]:
    owners = _owners(session, filters)
    out: dict[str, tuple[TopCause, ...]] = {}
    for stream in DENIAL_STREAMS:
        result = pareto(session, filters=Filters(**{**_fields(filters), "stream": stream}))
        out[stream] = tuple(
            TopCause(e.root_cause, e.claims, e.dollars, e.share, *owners.get(e.root_cause, NOBODY))
            for e in result.entries[:TOP_CAUSES]
        )
    return out


def _fields(filters: Filters) -> dict[str, Any]:
    return {name: getattr(filters, name) for name in Filters.__slots__}


def _days_to_pay(session: Session, filters: Filters) -> dict[str, Decimal | None]:
    """Per payer: mean days from submission to an initial adjudication that paid something."""
    cohort = claim_cohort(filters, by="payer", stubs=False)
    query = select(cohort.c.grp, cohort.c.cohort_date, cohort.c.adjudicated_at).where(
        cohort.c.remitted == 1, cohort.c.paid > 0
    )
    days: dict[str, list[int]] = defaultdict(list)
    for row in session.execute(query):
        if row.adjudicated_at is not None and row.cohort_date is not None:
            days[group_label("payer", row.grp)].append((row.adjudicated_at - row.cohort_date).days)
    return {
        payer: (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"))
        for payer, values in days.items()
        if values
    }


def _scorecard(
    session: Session, filters: Filters, workqueue: WorkqueueConfig
) -> tuple[ScorecardRow, ...]:
    totals = kpis.cohort_totals(session, filters=filters, by="payer", use_cube=False)
    streams = kpis.denials_by_stream(session, filters=filters, by="payer", use_cube=False)
    # The one overturn rate (HFMA: appeals paid fully or partly / appeals decided), by count.
    appeals = appeal_summary(session, filters=filters, by="payer", workqueue=workqueue)
    days = _days_to_pay(session, filters)
    rows: list[ScorecardRow] = []
    for payer, t in sorted(totals.items(), key=lambda kv: (-kv[1]["remitted"], kv[0])):
        if not t["remitted"] and not t["submitted"]:
            continue
        mix = streams.get(payer, {})
        denied = t["denied"]
        top = pareto(session, filters=Filters(**{**_fields(filters), "payer": payer}))
        overturn = (appeals.get(payer) or {}).get("overturn_rate") or {}
        rows.append(
            ScorecardRow(
                payer=payer,
                claims=int(t["submitted"]),
                claims_adjudicated=int(t["remitted"]),
                initial_denial_rate_count=Rate(denied, t["remitted"]).value,
                initial_denial_rate_charges=Rate(t["charges_denied"], t["charges_remitted"]).value,
                denial_mix={
                    s: Rate(mix.get(s, {}).get("count", Decimal(0)), denied).value
                    for s in DENIAL_STREAMS
                },
                top_root_causes=tuple(e.root_cause for e in top.entries[:3]),
                overturn_rate=overturn.get("count"),
                avg_days_to_pay=days.get(payer),
                zero_pay_rate=Rate(t["zero_pay"], t["remitted"]).value,
            )
        )
    return tuple(rows)


def _month_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def governance_report(
    session: Session,
    *,
    quarter: str | None = None,
    as_of: dt.date | None = None,
    min_claims: int | None = None,
    settings: Settings | None = None,
) -> GovernanceReport:
    """Everything the quarterly report shows (``to_dict()``: the ``--format json`` document).

    Without ``quarter``: the latest complete quarter whose every month holds enough claims
    (:func:`denialscope.analytics.periods.default_window`), not the quarter before the
    newest late claim. ``min_claims`` defaults to ``settings.min_claims``; ``settings`` also
    gives the work-queue configuration (rework rates, appeal actions); without it the
    shipped defaults apply.
    """
    from denialscope.workqueue.config import load_workqueue_config

    if min_claims is None and settings is not None:
        min_claims = settings.min_claims
    workqueue = load_workqueue_config(settings=settings)
    today = as_of or governance_as_of(session)
    if quarter is None:
        window = default_window(session, months=3, as_of=today, minimum=min_claims, quarters=True)
        quarter = f"{window.start.year}Q{(window.start.month - 1) // 3 + 1}"
        as_of_quarter = False
    else:
        as_of_quarter = True
    label, start, end = parse_quarter(quarter, as_of=today)
    scope = Filters(date_from=start, date_to=end)
    totals = kpis.cohort_totals(session, filters=scope, use_cube=False).get("all", {})
    plan_as_of = min(today, end) if as_of_quarter else today
    plans = tuple(
        _plan_row(plan, plan_progress(session, plan, as_of=plan_as_of, min_claims=min_claims))
        for plan in list_plans(session)
    )
    monthly = tuple(
        trend_points(
            session,
            filters=Filters(date_from=_month_back(start, 9), date_to=end),
            by="month",
            min_claims=min_claims,
        )
    )
    trends: dict[str, tuple[TrendPoint, ...]] = {"month": monthly}
    for by in TREND_FIELDS:
        trends[by] = tuple(trend_points(session, filters=scope, by=by, min_claims=min_claims))
    denied = to_decimal(totals.get("denied"))
    remitted = to_decimal(totals.get("remitted"))
    return GovernanceReport(
        quarter=label,
        period_from=start,
        period_to=end,
        data_as_of=today,
        summary=GovernanceSummary(
            claims_submitted=int(to_decimal(totals.get("submitted"))),
            claims_adjudicated=int(remitted),
            initial_denials=int(denied),
            initial_denial_rate=Rate(denied, remitted).value,
            denied_amount=to_decimal(totals.get("denied_amount")),
        ),
        appeals=AppealKpis.of(
            appeal_summary(session, filters=scope, workqueue=workqueue).get("all") or no_appeals()
        ),
        rework=ReworkCost.of(
            rework_costs(
                kpis.denials_by_stream(session, filters=scope, use_cube=False),
                workqueue.work_cost,
            ).get("all", {})
        ),
        top_root_causes=_top_causes(session, scope),
        action_plans=plans,
        trends=trends,
        payer_scorecard=_scorecard(session, scope, workqueue),
        charts=GovernanceCharts(
            pareto=pareto_svg(pareto(session, filters=scope)),
            trend=trend_svg([p.to_dict() for p in monthly if p.initial_denial_rate is not None]),
        ),
    )


def _plan_row(plan: ActionPlan, progress: PlanProgress) -> PlanRow:
    scope = (
        ("payer", plan.payer),
        ("department", plan.department),
        ("service line", plan.service_line),
    )
    return PlanRow(
        id=plan.id,
        root_cause=plan.root_cause,
        stream=plan.stream,
        scope=", ".join(f"{k} {v}" for k, v in scope if v) or "all",
        owner=f"{plan.owner_name} ({plan.owner_role})",
        metric=plan.metric,
        target=f"{plan.metric} {plan.change_pct:+.0f}% by {plan.due_date.isoformat()}",
        due_date=plan.due_date,
        status=plan.status,
        notes=plan.notes,
        progress=progress,
    )


def _inline_svg(svg: str) -> str:
    # Inline SVG in HTML needs no namespace; dropping it keeps the page free of any URL.
    return svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{float(value) * 100:.1f}%"


def _money(value: Any) -> str:
    return "–" if value is None else f"${Decimal(str(value)):,.2f}"


def _metric(value: Any, metric: str) -> str:
    if metric == "rate":
        return "–" if value is None else f"{float(value) * 100:.2f}%"
    if metric == "dollars":
        return _money(value)
    return "–" if value is None else str(int(value))


def render_html(report: GovernanceReport) -> str:
    """The report as one self-contained HTML page."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["pct"] = _pct
    environment.filters["money"] = _money
    environment.filters["metric"] = _metric
    charts = {name: _inline_svg(svg) for name, svg in report.charts.to_dict().items()}
    data = jsonable(report.to_dict())
    template = environment.get_template("governance.html.j2")
    return template.render(report=data, charts=charts, streams=DENIAL_STREAMS)


def render_pdf(html: str) -> bytes:
    """The same HTML printed to PDF (:func:`denialscope.output.pdf.html_to_pdf`; it is
    self-contained, so it needs nothing but its own templates folder)."""
    from denialscope.output.pdf import html_to_pdf

    return html_to_pdf(html, assets=TEMPLATES_DIR)
