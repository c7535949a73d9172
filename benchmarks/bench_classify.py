"""Classification throughput on a realistic mix (ingest classifies every adjustment).

    .venv/bin/python benchmarks/bench_classify.py

Prints adjustments per second (best of three runs: other processes on a shared machine only
ever make a run slower) against the target of 200,000/s. Ingest's own cost of classifying is
measured by benchmarks/bench_ingest.py (with and without classification, same run).
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from denialscope.classify import classify_adjustment, load_config

TARGET_PER_SECOND = 200_000


def _mix(count: int) -> list[dict[str, object]]:
    rng = random.Random(7)
    common = [("CO", "45"), ("PR", "1"), ("PR", "2"), ("PR", "3"), ("CO", "253"), ("OA", "23")]
    denials = [
        ("CO", "16"),
        ("CO", "50"),
        ("CO", "97"),
        ("CO", "197"),
        ("CO", "29"),
        ("CO", "18"),
        ("CO", "4"),
        ("CO", "151"),
        ("CO", "150"),
        ("CO", "27"),
        ("CO", "96"),
        ("PR", "96"),
        ("CO", "B7"),
        ("CO", "252"),
        ("CO", "11"),
        ("CO", "A1"),
    ]
    remarks = ["M51", "N706", "MA130", "M25", "N10", "M15", "N115", "M76", "N822"]
    claim_types = ["professional", "inpatient", "outpatient"]
    start = date(2024, 1, 1)
    items: list[dict[str, object]] = []
    for _ in range(count):
        group, carc = rng.choice(common) if rng.random() < 0.7 else rng.choice(denials)
        items.append(
            {
                "group": group,
                "carc": carc,
                "claim_rarcs": tuple(rng.sample(remarks, rng.choice((0, 0, 1, 2)))),
                "line_rarcs": (),
                "claim_type": rng.choice(claim_types),
                "payer_id": f"P{rng.randrange(40)}",
                "adjudicated_on": start + timedelta(days=rng.randrange(700)),
                "department": rng.choice(("ED", "Surgery", None)),
                "procedure_code": rng.choice(("99213", "27447", None)),
            }
        )
    return items


def main() -> int:
    defaults = load_config([])
    items = _mix(50_000)
    for item in items[:1000]:  # warm the result cache the way a long ingest would
        classify_adjustment(defaults, **item)  # type: ignore[arg-type]
    rates = []
    for _ in range(3):
        began = time.perf_counter()
        for item in items:
            classify_adjustment(defaults, **item)  # type: ignore[arg-type]
        rates.append(len(items) / (time.perf_counter() - began))
    rate = max(rates)
    verdict = "met" if rate >= TARGET_PER_SECOND else "missed"
    print(
        f"classification throughput: {rate:,.0f} adjustments/second "
        f"(target {TARGET_PER_SECOND:,}: {verdict})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
