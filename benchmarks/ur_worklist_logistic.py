"""The first measurement of a small L2 logistic model per cause (level of care, length of
stay) trained on past stay-days, against the worklist's empirical-Bayes score: it replays the
census to make its rows. The shipped model (``ur.model``, ``denialscope ur train``) makes its
rows from the stored stays instead; ``ur_worklist_lift.py --p-from model`` measures it.

    .venv/bin/python benchmarks/ur_worklist_logistic.py --data-dir /tmp/d [--l2 5]

The census is replayed at noon every day. Each Monday a model per cause is fitted (Newton's
method, L2 penalty ``--l2``) on the stay-days of earlier snapshots whose stay's claim was
adjudicated before that Monday (no leakage: a stay still unpaid is not a training row), on
one-hot features known on the day: payer kind, payer, class, midnights (0, 1, 2, 3+), the
physician's expectation (PV2-9, once the feed has sent it) and its cross with midnights,
hospital service (PV1-10) and DRG weight band. Its P per cause times the row's dollars per
cause (``Row.risks``) x urgency ranks the day like the worklist's score; the lift is counted
as in ``ur_worklist_lift.py`` (top decile and first 5 a day, after 90 days of warm-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np
from sqlalchemy import select

from denialscope.adt.models import Stay
from denialscope.claims.models import Claim
from denialscope.db.engine import open_database
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.settings import Settings
from denialscope.ur.drg import WorkingGrouper
from denialscope.ur.model import fit_logistic
from denialscope.ur.risk import risk_model
from denialscope.ur.rules import load_rules
from denialscope.ur.triggers import midnights
from denialscope.ur.worklist import Row, build_worklist

CAUSES = ("level_of_care", "length_of_stay")


def features(row: Row, stay: Stay, now: dt.datetime) -> list[str]:
    expected = None
    known = stay.expected_discharge_set_at is not None and stay.expected_discharge_set_at <= now
    if known and stay.expected_discharge_at is not None and stay.admit_at is not None:
        expected = "short" if midnights(stay.admit_at, stay.expected_discharge_at) < 2 else "2+"
    day = min(row.day, 3)
    weight = float(row.drg.weight) if row.drg else 1.0
    band = "<1" if weight < 1 else "1-2" if weight < 2 else "2+"
    return [f"kind={row.payer_kind}", f"payer={row.payer}", f"class={row.patient_class}",
            f"day={day}", f"expected={expected}", f"expected x day={expected}:{day}",
            f"service={stay.service}", f"weight={band}"]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--l2", type=float, default=5.0, help="L2 penalty of the logistic fit.")
    parser.add_argument("--warm-up-days", type=int, default=90)
    args = parser.parse_args()
    settings = Settings.resolve(data_dir=args.data_dir)
    engine, factory = open_database(settings.database_url, lock_timeout_s=settings.lock_timeout_s)
    with factory() as session:
        stays = {s.visit_number: s for s in session.scalars(select(Stay))}
        paid: dict[str, dt.date] = {}  # visit -> first adjudication
        for number, at in session.execute(
            select(Claim.control_number, ClaimPayment.adjudicated_at).join(
                ClaimPayment, ClaimPayment.claim_id == Claim.id
            )
        ):
            if at is not None and (number not in paid or at < paid[number]):
                paid[number] = at
        denied: dict[str, set[str]] = defaultdict(set)
        for number, cause in session.execute(
            select(Claim.control_number, Adjustment.root_cause)
            .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
            .join(Adjustment, Adjustment.claim_payment_id == ClaimPayment.id)
            .where(Adjustment.root_cause.in_(CAUSES))
        ):
            denied[number].add(cause)
        admits = [s.admit_at for s in stays.values() if s.admit_at is not None]
        if not admits:
            print("no stays: load the ADT feed first (denialscope adt load)")
            return 1
        book, grouper = load_rules(path=settings.ur_file), WorkingGrouper()
        day = dt.datetime.combine(min(admits).date(), dt.time(12))
        start = day + dt.timedelta(days=args.warm_up_days)
        models = {}
        snapshots: list[tuple[dt.datetime, list[Row]]] = []
        while day <= max(admits):
            monday = day.date() - dt.timedelta(days=day.weekday())
            if monday not in models:
                models[monday] = risk_model(session, before=monday)
            rows = build_worklist(session, as_of=day, rules=book, model=models[monday],
                                  grouper=grouper,
                                  inpatient_only_file=settings.inpatient_only_file)  # fmt: skip
            snapshots.append((day, rows))
            day += dt.timedelta(days=1)
        grouper.close()
    engine.dispose()
    vocabulary: dict[str, int] = {}
    coded = [
        (
            now,
            row,
            [
                vocabulary.setdefault(f, len(vocabulary))
                for f in features(row, stays[row.visit_number], now)
            ],
        )
        for now, rows in snapshots
        for row in rows
    ]
    width = len(vocabulary) + 1
    rankings: dict[str, list[list[tuple[Row, float]]]] = {
        "empirical Bayes score (shipped)": [], "logistic expected loss x urgency": [],
        "logistic P (likely)": [],
    }  # fmt: skip
    weights: dict[dt.date, dict[str, np.ndarray]] = {}
    for now, rows in snapshots:
        if now < start:
            continue
        monday = now.date() - dt.timedelta(days=now.weekday())
        if monday not in weights:
            # Only stays whose claim was adjudicated before the Monday: no later outcome.
            train = [
                (idx, row.visit_number)
                for when, row, idx in coded
                if when.date() < monday and paid.get(row.visit_number, monday) < monday
            ]
            weights[monday] = {
                cause: fit_logistic(
                    [i for i, _ in train],
                    np.array([float(cause in denied[v]) for _, v in train]),
                    width,
                    args.l2,
                )
                for cause in CAUSES
            }
        for ranking in rankings.values():
            ranking.append([])
        for row in rows:
            idx = [vocabulary[f] for f in features(row, stays[row.visit_number], now)] + [width - 1]
            p = {c: float(1 / (1 + np.exp(-weights[monday][c][idx].sum()))) for c in CAUSES}
            dollars = {c.cause: float(c.dollars) for c in row.risks}
            loss = sum(p[c] * dollars[c] for c in CAUSES) * row.urgency
            rankings["empirical Bayes score (shipped)"][-1].append((row, row.score))
            rankings["logistic expected loss x urgency"][-1].append((row, loss))
            rankings["logistic P (likely)"][-1].append((row, p[CAUSES[0]] + p[CAUSES[1]]))
    targets = {
        "level_of_care": {v for v, c in denied.items() if "level_of_care" in c},
        "length_of_stay": {v for v, c in denied.items() if "length_of_stay" in c},
    }
    targets["both"] = targets["level_of_care"] | targets["length_of_stay"]
    for label, wanted in targets.items():
        print(f"\ntargets: stays denied for {label}")
        for name, days in rankings.items():
            top = seen = census_top = census = first = census_first = 0
            for snap in days:
                ranked = sorted(snap, key=lambda x: (-x[1], zlib.crc32(x[0].visit_number.encode())))
                cut = max(1, round(len(ranked) * 0.10))
                hits = [row.visit_number in wanted for row, _ in ranked]
                seen += sum(hits)
                top += sum(hits[:cut])
                census += len(ranked)
                census_top += cut
                first += sum(hits[:5])
                census_first += min(5, len(ranked))
            if not seen or not census:
                continue
            print(f"  {name:34s} target stay-days {seen:5,}: top 10% lift "
                  f"{top / seen / (census_top / census):4.2f}x; first 5 a day lift "
                  f"{first / seen / (census_first / census):4.2f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
