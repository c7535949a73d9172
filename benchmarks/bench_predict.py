"""Denial-risk model: training and scoring time at 1M claims, and the feature path.

    .venv/bin/python benchmarks/bench_predict.py                 # 1M rows, 100k claims
    .venv/bin/python benchmarks/bench_predict.py --rows 200000 --claims 20000   # quicker

Three measurements, each with a baseline timed in the same run:
1. train: the cross-fit (``predict.crossfit``: one LightGBM member per block of months, on
   the other blocks) on ``--rows`` synthetic feature rows (the model's exact columns and
   parameters), beside one fit on every row, vs one pass of a numpy least-squares fit;
2. score: calibrated P(denial) of the ``--rows`` rows (every member), claims/s, vs a numpy
   dot product;
3. features: synthetic claims (ClaimInput) with a history of as many adjudicated claims
   through ``feature_frame`` (the six as-of-submission history look-ups included), claims/s,
   then scored with reasons; vs building the same claims (the Python loop floor).
The synthetic rows are random but shaped like claims (categorical codes, rates, counts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

import numpy as np

from denialscope.predict.crossfit import cross_fit
from denialscope.predict.features import CATEGORICAL, FEATURES, build_vocabulary, feature_frame
from denialscope.predict.model import ROUNDS, RiskModel, fit_risk
from denialscope.predict.records import ClaimInput, LineInput, Outcome


def synthetic_matrix(rows: int, seed: int = 17) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.empty((rows, len(FEATURES)))
    for j, name in enumerate(FEATURES):
        if name in CATEGORICAL:
            x[:, j] = rng.integers(0, 40, rows)
        elif "rate" in name:
            x[:, j] = rng.beta(2, 12, rows)
        else:
            x[:, j] = rng.poisson(3, rows)
    logit = (
        -2.0
        + 4 * x[:, FEATURES.index("payer_procedure_modifier_rate_90d")]
        + 0.3 * (x[:, FEATURES.index("scrub_rejects")] > 4)
    )
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    return x, y


def synthetic_claims(n: int, seed: int = 17) -> list[tuple[ClaimInput, Outcome]]:
    rnd = random.Random(seed)
    start = dt.date(2025, 1, 1)
    procedures = [str(99202 + i) for i in range(10)] + [str(97110 + i) for i in range(30)]
    out = []
    for i in range(n):
        day = start + dt.timedelta(days=rnd.randrange(365))
        lines = tuple(
            LineInput(rnd.choice(procedures), rnd.choice(((), ("25",), ("GP",))), 1.0, 120.0, "11")
            for _ in range(rnd.randint(1, 4))
        )
        claim = ClaimInput(
            key=f"K{i}",
            control_number=f"C{i}",
            payer=f"P{rnd.randrange(8)}",
            payer_name="P",
            payer_kind="commercial",
            kind="837P",
            facility_code="11",
            department=f"D{rnd.randrange(30)}",
            service_line="L",
            provider=f"N{rnd.randrange(400)}",
            patient=f"pt{rnd.randrange(n // 3 + 1)}",
            submitted=day,
            service_from=day - dt.timedelta(days=5),
            charge=480.0,
            lines=lines,
            diagnoses=("M54.50", "I10"),
            drg="",
            prior_auth=False,
            referral=False,
        )
        remit = day + dt.timedelta(days=rnd.randint(7, 40))
        out.append((claim, Outcome(remit, rnd.random() < 0.14, 100.0, "x", "coding")))
    return out


CPU: dict[str, float] = {}


def timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Wall seconds; the process CPU seconds go to CPU[label] (a shared machine's wall time
    includes waiting for a core: both are printed)."""
    t, c = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    CPU[label] = time.process_time() - c
    return result, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--claims", type=int, default=100_000)
    args = ap.parse_args()

    x, y = synthetic_matrix(args.rows)
    _, t_one = timed("one", fit_risk, x, y)
    # The product's fit: one member per block of months (ten synthetic months, in row order)
    months = [f"2025-{1 + i * 10 // args.rows:02d}" for i in range(args.rows)]
    crossed, t_train = timed("train", cross_fit, x, y, months, rounds=ROUNDS)
    _, t_lsq = timed("lstsq", np.linalg.lstsq, x, y, rcond=None)
    model = RiskModel(crossed.members, crossed.calibration, None, [])
    _, t_score = timed("score", model.probability, x)
    single = RiskModel(crossed.members[:1], crossed.calibration, None, [])
    _, t_single = timed("score1", single.probability, x)
    w = np.ones(x.shape[1])
    _, t_dot = timed("dot", np.dot, x, w)
    print(
        f"train   {args.rows:>9,} rows, cross-fit of {len(crossed.members)} members: "
        f"{t_train:7.1f} s wall, {CPU['train']:.1f} s CPU (one fit on every row: {t_one:.1f} s "
        f"wall, {CPU['one']:.1f} s CPU; numpy lstsq {t_lsq:.2f} s, x{t_train / t_lsq:,.0f})"
    )
    print(
        f"score   {args.rows:>9,} rows: {t_score:7.2f} s = {args.rows / t_score:>10,.0f} "
        f"claims/s wall, {args.rows / CPU['score']:,.0f} claims/s CPU "
        f"(numpy dot {t_dot:.3f} s, x{t_score / t_dot:,.0f}; one member: "
        f"{args.rows / t_single:,.0f} claims/s wall, {args.rows / CPU['score1']:,.0f} CPU)"
    )

    history, t_build = timed("build", synthetic_claims, args.claims)
    claims = [c for c, _ in history]
    vocab = build_vocabulary(claims)
    frame, t_feat = timed("features", feature_frame, claims, history=history, vocabulary=vocab)
    _, t_p = timed("score2", model.probability, frame.matrix)
    from denialscope.predict.explain import explain_rows

    sample = min(20_000, len(claims))
    contrib, t_contrib = timed("contrib", model.contributions, frame.matrix[:sample])
    _, t_explain = timed(
        "explain", explain_rows, contrib, frame.matrix[:sample], frame.facts[:sample], vocab
    )
    total = t_feat + t_p
    cpu = CPU["features"] + CPU["score2"]
    print(
        f"features {args.claims:>8,} claims with {args.claims:,} in history: {t_feat:6.2f} s "
        f"+ score {t_p:.2f} s = {args.claims / total:>8,.0f} claims/s wall, "
        f"{args.claims / cpu:,.0f} CPU (building the claims: {t_build:.2f} s, "
        f"x{total / t_build:.1f})"
    )
    cpu = CPU["contrib"] + CPU["explain"]
    print(
        f"reasons  {sample:>8,} claims: contributions {t_contrib:.2f} s + sentences "
        f"{t_explain:.2f} s = {sample / (t_contrib + t_explain):>8,.0f} claims/s wall, "
        f"{sample / cpu:,.0f} CPU"
    )


if __name__ == "__main__":
    main()
