"""The demo's length-of-stay denials against the stay's length (issue 18), with and without
the length-of-stay factor (``demo.denial_model.los_factor``).

Runs the generator's claims and lifecycle in memory twice for a seed (the factor on, then
switched off), and prints:

* per band of the stay's length against its DRG (under the GMLOS, GMLOS to AMLOS, past the
  AMLOS): stays, expected and realized initial length-of-stay denials, and the share;
* whether the same claims are denied (initial adjudication) and the generator's state after
  the claims is the same (same draws);
* whether every other claim's remits (dates, amounts, payer claim numbers, codes) are the
  same: a stay whose cause moved draws its own events from its own generator
  (``demo.lifecycle._Timeline.run_moved``), so the shared generator's draws stay as they were.

It reads no ground-truth file: the causes are the generator's own, in memory.

    python benchmarks/demo_los_denials.py --seed 7 [--claims 20000]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

from denialscope.demo import denial_model as dm
from denialscope.demo.encounters import Claim, make_claims
from denialscope.demo.lifecycle import RATES, run_lifecycle
from denialscope.demo.org import build_org
from denialscope.demo.pricing import Remit

BANDS = ("under GMLOS", "GMLOS to AMLOS", "past AMLOS")


def _band(c: Claim) -> str | None:
    f = c.facts
    if c.kind != "inpatient" or f is None or not f.gmlos or not f.amlos:
        return None
    if f.los < f.gmlos:
        return BANDS[0]
    return BANDS[1] if f.los <= f.amlos else BANDS[2]


def _run(seed: int, claims: int, factor: bool) -> tuple[list[Claim], Any, list[Remit]]:
    saved: Callable[[dm.ClaimFacts], float] = dm.los_factor
    if not factor:
        dm.los_factor = lambda f: 1.0  # type: ignore[assignment]
    try:
        # As demo.generator does: strays are drawn with the claims, then the lifecycle.
        rng = random.Random(seed)
        org = build_org(rng)
        strays = max(1, round(claims * RATES["unmatched"]))
        encounters = make_claims(
            rng, org, claims + strays, certain_rng=random.Random(f"{seed}-near-certain")
        )
        state = rng.getstate()
        step = len(encounters) // strays
        stray_ids = {c.claim_id for c in encounters[step - 1 :: step][:strays]}
        kept = [c for c in encounters if c.claim_id not in stray_ids]
        strays_list = [c for c in encounters if c.claim_id in stray_ids]
        _, remits = run_lifecycle(
            rng,
            kept,
            strays_list,
            reject_rng=random.Random(f"{seed}-front-end"),
            moved_rng=random.Random(f"{seed}-length-of-stay"),
        )
        return encounters, state, remits
    finally:
        dm.los_factor = saved  # type: ignore[assignment]


def _table(claims: list[Claim], label: str) -> None:
    stays: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    realized: Counter[str] = Counter()
    for c in claims:
        band = _band(c)
        if band is None or c.expected is None:
            continue
        stays[band] += 1
        expected[band] += c.expected.get("length_of_stay", 0.0)
        realized[band] += c.root_cause == "length_of_stay"
    total = sum(realized.values())
    print(f"\n{label}: length-of-stay denials (initial adjudication) by the stay's length")
    print(
        f"{'band':16} {'stays':>6} {'expected':>9} {'denied':>7} {'per 100 stays':>13} {'share':>6}"
    )
    for band in BANDS:
        n = stays[band]
        print(
            f"{band:16} {n:6d} {expected[band]:9.1f} {realized[band]:7d} "
            f"{100 * realized[band] / max(n, 1):13.2f} {realized[band] / max(total, 1):6.0%}"
        )
    print(f"{'all stays':16} {sum(stays.values()):6d} {sum(expected.values()):9.1f} {total:7d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--claims", type=int, default=20000)
    args = ap.parse_args()
    on, state_on, remits_on = _run(args.seed, args.claims, factor=True)
    off, state_off, remits_off = _run(args.seed, args.claims, factor=False)
    _table(off, "factor off (before)")
    _table(on, "factor on (after)")
    denied_on = {c.claim_id for c in on if c.root_cause}
    denied_off = {c.claim_id for c in off if c.root_cause}
    moved_ids = {a.claim_id for a, b in zip(on, off, strict=True) if a.root_cause != b.root_cause}
    moved = len(moved_ids)
    worst = max(
        abs(sum((a.expected or {}).values()) - sum((b.expected or {}).values()))
        for a, b in zip(on, off, strict=True)
    )
    print(f"\nclaims {len(on)}; denied {len(denied_on)} (after) / {len(denied_off)} (before);")
    print(f"same denied claims: {denied_on == denied_off}; same draws: {state_on == state_off};")
    print(f"largest change of a claim's total probability: {worst:.1e}")
    print(f"stays whose cause moved: {moved}")

    def key(r: Remit) -> tuple[str, str, str, str, str, str, str]:
        code = f"{r.denial.group}-{r.denial.carc}" if r.denial else ""
        return (r.claim_id, r.event, r.remit_date.isoformat(), r.status, str(r.paid),
                r.payer_claim_number, code)  # fmt: skip

    rest_on = sorted(key(r) for r in remits_on if r.claim_id not in moved_ids)
    rest_off = sorted(key(r) for r in remits_off if r.claim_id not in moved_ids)
    print(
        f"lifecycle: remits {len(remits_on)} after / {len(remits_off)} before; the remits of "
        f"every claim but the {len(moved_ids)} moved stays identical (date, status, paid, "
        f"payer claim number, code): {rest_on == rest_off} ({len(rest_on)} remits)"
    )
    events_on = Counter(r.event for r in remits_on)
    events_off = Counter(r.event for r in remits_off)
    print(f"events after {dict(sorted(events_on.items()))}")
    print(f"events before {dict(sorted(events_off.items()))}")


if __name__ == "__main__":
    main()
