"""Does the UR worklist put the stays the payers later deny for level of care or length of
stay near its top? Replays the census at a moment every day, ranks it, and counts where
those stays land, against their share of the census (and against each factor alone).

    .venv/bin/denialscope demo --data-dir /tmp/d
    .venv/bin/denialscope adt load --data-dir /tmp/d /tmp/d/demo/adt/*.hl7
    .venv/bin/python benchmarks/ur_worklist_lift.py --data-dir /tmp/d [--p-from model|oracle]
        [--oracle-expected]

The worklist of each snapshot uses only remittances adjudicated before it (the risk model,
``ur.risk.risk_model``, is built as of the Monday of the snapshot's week; with ``--p-from
model`` the shipped stay-day model, ``ur.model``, is retrained each Monday on the stays whose
claims were adjudicated before that Monday, as ``denialscope ur train --before MONDAY``
would); the denials that mark the targets come from the 835s that arrive later (the
evaluation's oracle, read here only). Rankings: the worklist's score (expected loss x
urgency), the "likely" sort (P of a status or days denial), and each factor alone; per
ranking, the stay-days' lift and, as a case manager counts, how many of the target stays
were in the top decile / first rows on some day in house and on their first day.
docs/ur.md defines "near the top" and keeps the figures.

``--p-from oracle`` is the best achievable, a benchmark-only upper bound never used by the
product: each stay's P(level of care) and P(length of stay) are the demo generator's own
(``demo.denial_model.cause_probabilities``), recomputed from the facts the ground truth
stores for the stay's claim (``demo/ground_truth_claims.csv``, read here as the evaluation's
oracle), times the same dollars and urgency as the worklist (built with the history), so only
the probabilities differ. It knows the stay's final length and the physician's expectation at
the order, so it is not a fair competitor: it says how near the top the denied stays can be.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from denialscope.adt.models import Stay
from denialscope.claims.models import Claim
from denialscope.db.engine import open_database
from denialscope.demo.denial_model import ClaimFacts, cause_probabilities
from denialscope.demo.encounters import expected_midnights
from denialscope.reference import msdrg_weights
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.settings import Settings
from denialscope.ur.drg import WorkingGrouper
from denialscope.ur.model import StayDayModel, stay_days, stay_outcomes, train_model
from denialscope.ur.risk import risk_model
from denialscope.ur.rules import load_rules
from denialscope.ur.worklist import Row, build_worklist


def _p(cause: str) -> Callable[[Row], float]:
    return lambda r: next((c.probability for c in r.risks if c.cause == cause), 0.0)


RANKINGS: dict[str, Callable[[Row], float]] = {
    "score (expected loss x urgency)": lambda r: r.score,
    "expected loss alone": lambda r: float(r.expected_loss),
    "likely denial (P status + P days)": lambda r: r.denial_rate,
    "P status alone": _p("level_of_care"),
    "P days alone": _p("length_of_stay"),
    "status impact dollars alone": lambda r: float(r.dollars),
    "urgency alone": lambda r: r.urgency,
}


def targets(session, causes: tuple[str, ...]) -> set[str]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Claim.control_number)
        .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
        .join(Adjustment, Adjustment.claim_payment_id == ClaimPayment.id)
        .where(Adjustment.root_cause.in_(causes))
    )
    return {number for (number,) in rows}


# -- the oracle (benchmark only: the demo's ground truth, never read by the product) ---------

# The worklist's causes, and concurrent review for the expected counts of the widest targets.
ORACLE_CAUSES = ("level_of_care", "length_of_stay", "concurrent_review")
_CENT = Decimal("0.01")


def _bool(text: str) -> bool:
    return text == "True"


def oracle_facts(
    truth: Iterable[Mapping[str, str]],
    claims: Mapping[str, tuple[str | None, dt.date | None]],
) -> dict[str, tuple[ClaimFacts, float]]:
    """The generator's facts for each stay's claim, rebuilt from ``ground_truth_claims.csv``
    rows: claim number -> (facts, the p_denial the generator wrote). ``claims`` gives, per
    claim number of a stay, the billed DRG and the service date as the 837 sent them (the
    truth file has neither): the DRG's GMLOS / AMLOS are the shipped table's, as the
    generator took them, and the physician's expected midnights the generator's own draw.
    Refuses a stay whose billed DRG's weight is not the one the truth wrote (the length-of-
    stay factor moves P between causes without changing the total, so the total alone would
    not show a wrong GMLOS)."""
    weights = msdrg_weights()
    out: dict[str, tuple[ClaimFacts, float]] = {}
    wrong = []
    for r in truth:
        number = r["claim_id"]
        if number not in claims:
            continue
        drg_code, service_date = claims[number]
        inpatient = r["kind"] == "inpatient"
        los = int(r["los"] or 0)
        drg = weights.get(drg_code) if inpatient and drg_code else None
        written = Decimal(r["drg_weight"]) if r["drg_weight"] else None
        if inpatient and (drg is None or drg.weight != written):
            wrong.append(f"{number}: DRG {drg_code} weight {drg.weight if drg else None} "
                         f"!= {written}")  # fmt: skip
        facts = ClaimFacts(
            payer=r["payer"],
            payer_kind=r["payer_kind"],
            kind=r["kind"],
            family=r["family"],
            department=r["department"],
            service_line=r["service_line"],
            template=r["template"],
            service_date=service_date or dt.date.min,
            drg_weight=written,
            cpt_lines=int(r["cpt_lines"]),
            has_modifier_line=_bool(r["has_modifier_line"]),
            has_multi_unit=_bool(r["has_multi_unit"]),
            professional=_bool(r["professional"]),
            timely_limit_days=int(r["timely_limit_days"]),
            los=los,
            downgradable=_bool(r["downgradable"]),
            expected_midnights=expected_midnights(number, los) if inpatient else None,
            days_past_limit=int(r["days_past_limit"] or 0),
            coverage_ended=_bool(r["coverage_ended"]),
            noncovered_lines=int(r["noncovered_lines"] or 0),
            gmlos=float(drg.gmlos) if drg and drg.gmlos is not None else None,
            amlos=float(drg.amlos) if drg and drg.amlos is not None else None,
        )
        out[number] = (facts, float(r["p_denial"]))
    if wrong:
        raise ValueError(f"{len(wrong)} stays' billed DRG disagree with the ground truth: "
                         + "; ".join(wrong[:5]))  # fmt: skip
    return out


def oracle_probabilities(
    facts: Mapping[str, tuple[ClaimFacts, float]], *, tolerance: float = 2e-6
) -> dict[str, dict[str, float]]:
    """Claim number -> P per worklist cause, the generator's. Refuses a join that does not
    give back the total the generator wrote (a wrong DRG, expectation or fact would)."""
    out: dict[str, dict[str, float]] = {}
    wrong = []
    for number, (f, written) in facts.items():
        p = cause_probabilities(f)
        if abs(sum(p.values()) - written) > tolerance:
            wrong.append(f"{number}: {sum(p.values()):.6f} != {written:.6f}")
        out[number] = {cause: p.get(cause, 0.0) for cause in ORACLE_CAUSES}
    if wrong:
        raise ValueError(
            f"{len(wrong)} claims' recomputed P(denial) differ from the ground truth's: "
            + "; ".join(wrong[:5])
        )
    return out


def with_oracle(row: Row, p: Mapping[str, float]) -> Row:
    """The row with the oracle's P per cause, its dollars and urgency unchanged."""
    risks = tuple(
        dataclasses.replace(
            c,
            probability=p.get(c.cause, 0.0),
            expected_loss=(Decimal(str(p.get(c.cause, 0.0))) * c.dollars).quantize(_CENT),
            basis="oracle (the demo generator's P)",
            source="oracle",
        )
        for c in row.risks
    )
    return dataclasses.replace(
        row,
        risks=risks,
        denial_rate=min(sum(c.probability for c in risks), 1.0),
        expected_loss=sum((c.expected_loss for c in risks), Decimal("0.00")),
        score=sum(c.probability * float(c.dollars) for c in risks) * row.urgency,
    )


def load_oracle(session, truth_csv: Path) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    """The oracle's P per cause for every stay's claim (the evaluation's oracle)."""
    claims: dict[str, tuple[str | None, dt.date | None]] = {}
    rows = session.execute(
        select(Claim.control_number, Claim.drg, Claim.statement_from)
        .join(Stay, Stay.visit_number == Claim.control_number)
        .order_by(Claim.id)
    )
    for number, drg, start in rows:
        if number not in claims or (drg and not claims[number][0]):
            claims[number] = (drg, start)
    with truth_csv.open(newline="", encoding="utf-8") as fh:
        facts = oracle_facts(csv.DictReader(fh), claims)
    return oracle_probabilities(facts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--hour", type=int, default=12, help="Snapshot hour each day.")
    parser.add_argument("--top", type=float, default=0.10, help="Top share (decile: 0.10).")
    parser.add_argument(
        "--first", type=int, default=5, help="Rows a day a case manager reviews first."
    )
    parser.add_argument(
        "--warm-up-days", type=int, default=90,
        help="Days of remittances before the first snapshot counted (history to learn from).",
    )  # fmt: skip
    parser.add_argument(
        "--oracle-expected", action="store_true",
        help="Also score each ranking by the oracle's expected hits (the generator's P of "
        "the target causes summed over the rows, instead of the few realized denials); "
        "reads demo/ground_truth_claims.csv (evaluation only).",
    )  # fmt: skip
    parser.add_argument(
        "--p-from", choices=("history", "model", "oracle"), default="history",
        help="history: the empirical-Bayes rates; model: the stay-day model retrained each "
        "Monday (ur.model); oracle: the demo generator's own P (benchmark only, the best "
        "achievable; reads demo/ground_truth_claims.csv).",
    )  # fmt: skip
    args = parser.parse_args()
    settings = Settings.resolve(data_dir=args.data_dir)
    engine, factory = open_database(settings.database_url, lock_timeout_s=settings.lock_timeout_s)
    with factory() as session:
        first, last = session.execute(
            select(func.min(Stay.admit_at), func.max(Stay.admit_at))
        ).one()
        if first is None:
            print("no stays: load the ADT feed first (denialscope adt load)", file=sys.stderr)
            return 1
        group_causes = {
            "level_of_care (status)": ("level_of_care",),
            "length_of_stay (days)": ("length_of_stay",),
            "level_of_care + length_of_stay": ("level_of_care", "length_of_stay"),
            "+ concurrent_review": ("level_of_care", "length_of_stay", "concurrent_review"),
        }
        groups = {label: targets(session, causes) for label, causes in group_causes.items()}
        oracle: dict[str, dict[str, float]] = {}
        if args.p_from == "oracle" or args.oracle_expected:
            oracle = load_oracle(session, args.data_dir / "demo" / "ground_truth_claims.csv")
            print(f"oracle: the generator's P for {len(oracle):,} stays' claims "
                  "(ground truth, benchmark only)")  # fmt: skip
        book = load_rules(path=settings.ur_file)
        grouper = WorkingGrouper()
        day = dt.datetime.combine(first.date(), dt.time(args.hour))
        day += dt.timedelta(days=args.warm_up_days)
        histories = {}
        models: dict[dt.date, StayDayModel] = {}
        clock = time.perf_counter()
        if args.p_from == "model":
            # Every stay-day row once; each Monday's fit keeps only the rows and denials
            # dated before that Monday (train_model filters them by date).
            outcomes = stay_outcomes(session)
            until = dt.datetime.combine(last.date() + dt.timedelta(days=1), dt.time())
            rows_all = stay_days(session, visits=outcomes, until=until, grouper=grouper)
            print(f"stay-day rows: {len(rows_all):,} of {len(outcomes):,} adjudicated stays "
                  f"in {time.perf_counter() - clock:.1f} s")  # fmt: skip
        fit_seconds = 0.0
        snapshots: list[list[Row]] = []
        while day <= last:
            monday = day.date() - dt.timedelta(days=day.weekday())
            if monday not in histories:
                histories[monday] = risk_model(session, before=monday)
                if args.p_from == "model":
                    started = time.perf_counter()
                    models[monday] = train_model(rows_all, outcomes, before=monday)
                    fit_seconds += time.perf_counter() - started
            rows = build_worklist(
                session, as_of=day, rules=book, model=histories[monday], grouper=grouper,
                inpatient_only_file=settings.inpatient_only_file,
                stay_model=models.get(monday),
            )  # fmt: skip
            if args.p_from == "oracle":
                rows = [with_oracle(r, oracle.get(r.visit_number, {})) for r in rows]
            snapshots.append(rows)
            day += dt.timedelta(days=1)
        grouper.close()
    engine.dispose()
    fits = f" ({len(models)} weekly fits, {fit_seconds:.1f} s fitting)" if models else ""
    print(f"{len(snapshots):,} daily snapshots at {args.hour:02d}:00, "
          f"{sum(len(s) for s in snapshots):,} stay-days in the census; P from "
          f"{args.p_from}{fits}")  # fmt: skip
    for label, wanted in groups.items():
        print(f"\ntargets: stays denied for {label}")
        causes = group_causes[label]
        p_target = {n: sum(p.get(c, 0.0) for c in causes) for n, p in oracle.items()}
        for name, key in RANKINGS.items():
            # the oracle's expected hits: P(the stay is a target) summed over the rows
            e_top = e_all = e_first = 0.0
            stays_top: set[str] = set()  # every stay in the top decile on some day
            stays_first: set[str] = set()
            stays_seen: set[str] = set()
            in_top = seen = census_top = census = in_first = census_first = 0
            first_seen: dict[str, bool] = {}  # target stay -> in the top at its first snapshot
            first_rows: dict[str, bool] = {}  # target stay -> in the first rows at its first
            ever_top: set[str] = set()  # target stays in the top decile on some day
            ever_first: set[str] = set()  # ... in the first rows on some day
            for rows in snapshots:
                # Ties (equal keys) are ordered at random but reproducibly, never by id.
                ranked = sorted(rows, key=lambda r: (-key(r), zlib.crc32(r.visit_number.encode())))
                cut = max(1, round(len(ranked) * args.top))
                hits = [r.visit_number in wanted for r in ranked]
                seen += sum(hits)
                in_top += sum(hits[:cut])
                census += len(ranked)
                census_top += cut
                in_first += sum(hits[: args.first])
                census_first += min(args.first, len(ranked))
                if args.oracle_expected:
                    ps = [p_target.get(r.visit_number, 0.0) for r in ranked]
                    e_all += sum(ps)
                    e_top += sum(ps[:cut])
                    e_first += sum(ps[: args.first])
                    stays_seen.update(r.visit_number for r in ranked)
                    stays_top.update(r.visit_number for r in ranked[:cut])
                    stays_first.update(r.visit_number for r in ranked[: args.first])
                for pos, r in enumerate(ranked):
                    if not hits[pos]:
                        continue
                    if r.visit_number not in first_seen:
                        first_seen[r.visit_number] = pos < cut
                        first_rows[r.visit_number] = pos < args.first
                    if pos < cut:
                        ever_top.add(r.visit_number)
                    if pos < args.first:
                        ever_first.add(r.visit_number)
            base = census_top / census if census else 0
            share = in_top / seen if seen else 0
            lift = share / base if base else 0
            first_share = in_first / seen if seen else 0
            first_base = census_first / census if census else 0
            first_lift = first_share / first_base if first_base else 0
            print(
                f"  {name:36s} target stay-days {seen:5,}: {share:6.1%} in the top "
                f"{args.top:.0%} (rows there: {base:5.1%} of the census) lift {lift:4.2f}x; "
                f"{first_share:5.1%} in the first {args.first} a day "
                f"({first_base:5.1%} of the census, lift {first_lift:4.2f}x); "
                f"first day in house: {sum(first_seen.values())}/{len(first_seen)} in the top"
            )
            print(
                f"  {'':36s} of {len(first_seen)} target stays: {len(ever_top)} in the top "
                f"{args.top:.0%} and {len(ever_first)} in the first {args.first} on some day in "
                f"house; on their first day {sum(first_seen.values())} and "
                f"{sum(first_rows.values())}"
            )
            if args.oracle_expected and e_all:
                e_stays = sum(p_target.get(n, 0.0) for n in stays_seen)
                print(
                    f"  {'':36s} expected (oracle P): {e_top / e_all:6.1%} of the target "
                    f"stay-days in the top {args.top:.0%} (lift {e_top / e_all / base:4.2f}x), "
                    f"{e_first / e_all:5.1%} in the first {args.first} (lift "
                    f"{e_first / e_all / first_base:4.2f}x); of {e_stays:.1f} target stays: "
                    f"{sum(p_target.get(n, 0.0) for n in stays_top):.1f} in the top "
                    f"{args.top:.0%} and {sum(p_target.get(n, 0.0) for n in stays_first):.1f} in "
                    f"the first {args.first} on some day"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
