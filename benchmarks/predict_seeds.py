"""Denial prediction against the demo's oracle on several seeds: the robustness figure.

    .venv/bin/python benchmarks/predict_seeds.py                       # seeds 7 3 11 5 13
    .venv/bin/python benchmarks/predict_seeds.py --seeds 7 3 --reuse   # keep built demos

For each seed: build the demo (`denialscope demo --seed S`, 20,000 claims, in
``--root``/s<seed>; ``--reuse`` keeps one already built there), run `denialscope predict
evaluate` on it (3 test months, 2 calibration months) and print the test months' recall at
95% (and 80%) precision of the model, the payer x procedure baseline and the oracle, the
model's ratio to the oracle, then the mean and the smallest ratio over the seeds.

Evaluation only, and labelled so: the oracle is the demo generator's true probability
(``demo/ground_truth_claims.csv``), which the product reads only in ``predict evaluate``.
The script also reads that file (the ORACLE lines) to say how many of the test months'
near-certain denials there were and how precise they were, how many claims whose coverage
had ended showed it before submission (a 271 saying so, or an earlier coverage denial), and
the oracle's recall when the coverage ends nothing showed are scored by the claim's other
causes only (``knowable``: coverage ended is decided first with its own probability, so the
rest is (p - p_ended) / (1 - p_ended)). With a few hundred denials one claim moves a recall
by about 0.2 points.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from denialscope.cli.options import cli_settings, open_session
from denialscope.demo.certain import NEAR_CERTAIN
from denialscope.predict import service
from denialscope.predict.evaluate import recall_at_precision
from denialscope.predict.features import FEATURES
from denialscope.predict.filing import filing_limits
from denialscope.predict.stored import load_history
from denialscope.predict.training import fit_split, measure

CLI = "import sys; from denialscope.cli.main import main; sys.argv[0] = 'denialscope'; main()"


def build(data_dir: Path, seed: int, claims: int, reuse: bool) -> float:
    """Build the demo unless reusing one; seconds spent."""
    if reuse and (data_dir / "demo" / "ground_truth_claims.csv").is_file():
        return 0.0
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CLI, "demo", "--data-dir", str(data_dir), "--seed", str(seed),
         "--claims", str(claims), "--reset"],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def oracle_facts(data_dir: Path, fitted: Any) -> dict[str, Any]:
    """ORACLE (evaluation only): the test months' near-certain claims from the ground truth."""
    with (data_dir / service.TRUTH_FILE).open(encoding="utf-8", newline="") as fh:
        truth = {row["claim_id"]: row for row in csv.DictReader(fh)}
    test = fitted.rows("test")
    x = fitted.frame.matrix[test]
    inactive = x[:, FEATURES.index("eligibility_inactive")] == 1
    earlier = x[:, FEATURES.index("patient_payer_eligibility_denials")] > 0
    certain = denied = coverage = shown = 0
    rows = [(c, o) for c, o, t in zip(fitted.claims, fitted.outcomes, test, strict=True) if t]
    known = np.zeros(len(rows))  # the oracle with only what is knowable at submission
    labels = np.array([float(o.denied) for _, o in rows])
    ended_p = NEAR_CERTAIN["eligibility_terminated_p"]
    for i, (claim, outcome) in enumerate(rows):
        row = truth[claim.control_number]
        known[i] = float(row["p_denial"])
        ended = row["coverage_ended"] == "True"
        if row["days_past_limit"] != "0" or ended or row["noncovered_lines"] != "0":
            certain += 1
            denied += int(outcome.denied)
        if ended:
            coverage += 1
            seen = bool(inactive[i] or earlier[i])
            shown += int(seen)
            if not seen:  # nothing on the day shows the coverage end: its other causes only
                known[i] = (known[i] - ended_p) / (1.0 - ended_p)
    return {
        "certain": certain,
        "certain_denied": denied,
        "coverage": coverage,
        "shown": shown,
        "knowable_recall_at_95_precision": recall_at_precision(known, labels, 0.95) or 0.0,
    }


def evaluate(data_dir: Path) -> dict[str, Any]:
    """`predict evaluate`'s report, with the oracle facts of the same split."""
    settings = cli_settings(None, data_dir)
    with open_session(settings) as session:
        context = service.scrub_context(data_dir)
        limits = filing_limits(settings, context.pack)
        history = load_history(session, context=context, limits=limits)
    fitted = fit_split(
        history.labelled(), test_months=3, calibration_months=2, eligibility=history.eligibility
    )
    report = measure(fitted, oracle=service.read_oracle(data_dir))
    report["first_sent"] = history.first_sent.to_dict()
    report["oracle_facts"] = oracle_facts(data_dir, fitted)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 3, 11, 5, 13])
    parser.add_argument("--root", type=Path, default=Path("benchmarks/out/predict_seeds"))
    parser.add_argument("--claims", type=int, default=20000)
    parser.add_argument("--reuse", action="store_true", help="keep demos already built")
    args = parser.parse_args()
    ratios: list[float] = []
    print(
        "seed  denials  model95  oracle95  knowable95  base95  ratio  model80  oracle80  "
        "prauc/oracle  capacity  near-certain(denied)  coverage-ended(shown)  build s  eval s"
    )
    for seed in args.seeds:
        data_dir = args.root / f"s{seed}"
        built = build(data_dir, seed, args.claims, args.reuse)
        started = time.perf_counter()
        r = evaluate(data_dir)
        spent = time.perf_counter() - started
        model, oracle = r["recall_at_95_precision"], r["oracle_recall_at_95_precision"]
        ratio = model / oracle if oracle else float("nan")
        ratios.append(ratio)
        facts, cap = r["oracle_facts"], r["capacity"]
        print(
            f"{seed:>4}  {r['test_denials']:>7}  {model:>7.1%}  {oracle:>8.1%}  "
            f"{facts['knowable_recall_at_95_precision']:>10.1%}  "
            f"{r['baseline_recall_at_95_precision']:>6.1%}  {ratio:>5.2f}  "
            f"{r['recall_at_80_precision']:>7.1%}  {r['oracle']['recall_at_80_precision']:>8.1%}  "
            f"{r['pr_auc']:.3f}/{r['oracle']['pr_auc']:.3f}   "
            f"{cap['min_data_in_leaf']:>3},{cap['rounds']:<4}  "
            f"{facts['certain']:>12} ({facts['certain_denied']})  "
            f"{facts['coverage']:>15} ({facts['shown']})  {built:>7.0f}  {spent:>6.0f}",
            flush=True,
        )
    arr = np.array(ratios)
    print(f"ratio to the oracle at 95% precision: mean {arr.mean():.2f}, minimum {arr.min():.2f}")
    print(f"seeds at or above 0.80: {int((arr >= 0.8).sum())} of {len(arr)}")


if __name__ == "__main__":
    main()
