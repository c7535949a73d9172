"""Near-certain denials: what real feeds hold and a payer denies almost every time.

The demo's other denials are draws from moderate probabilities (``denial_model``); these
four are facts of the claim a payer applies mechanically, so their probability is close to
1 (payers miss some: not 1.0):

- ``timely_filing``: the claim was sent after the payer's filing limit (days from service,
  from discharge for a stay, to submission above ``Payer.timely_filing_days``);
- ``eligibility_terminated``: the patient's coverage with this payer ended before the date of
  service and registration still had the old plan on file (the 837 goes to the old payer);
- ``coverage_noncovered``: a line's procedure is on the payer's non-covered list
  (``noncovered.yaml``);
- exact duplicates are *not* made near-certain denials here: CARC 18 is worked but excluded
  from the denial rate (docs/DOMAIN, Epic), so the lifecycle keeps sending its accidental
  duplicates (``lifecycle.RATES['duplicate']``) as OA-18 remits outside the label.

Rates and probabilities are the table ``NEAR_CERTAIN`` (demo settings key ``near_certain``);
the ground truth folds them into each claim's probability (:func:`combine`), so the oracle
stays the best achievable. Draws use their own random generator, so the planted signals and
the other draws stay what they were.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache
from importlib import resources

import yaml

from denialscope.demo.period import TODAY, YEAR_END, YEAR_START

__all__ = [
    "COVERED_ALTERNATIVE",
    "NEAR_CERTAIN",
    "billed_anyway",
    "certain_causes",
    "combine",
    "coverage_end",
    "coverage_ended",
    "late_days",
    "noncovered",
    "noncovered_lines",
]

NEAR_CERTAIN: dict[str, float] = {
    # Share of claims (that can still be adjudicated before the demo's today) sent after the
    # payer's filing limit.
    "late_filing_rate": 0.01,
    # Share of patients whose coverage with their payer ends during the year (times the
    # payer kind's ``COVERAGE_END_FACTOR``); registration learns of it ``STALE_DAYS`` later,
    # until then their claims still go to that payer.
    "coverage_end_rate": 0.035,
    # Share of the visits on a payer's non-covered list still billed with the non-covered
    # code (the others are billed with the covered alternative, ``COVERED_ALTERNATIVE``).
    "noncovered_billed_share": 0.2,
    # P(denial) of each near-certain condition.
    "timely_filing_p": 0.985,
    "eligibility_terminated_p": 0.97,
    "noncovered_p": 0.975,
}
# The covered service a practice bills instead of a non-covered one (G0439: Medicare's
# annual wellness visit, subsequent).
COVERED_ALTERNATIVE: dict[str, str] = {"99395": "G0439", "99396": "G0439", "99397": "G0439"}
# Medicare fee-for-service coverage rarely ends (it is for life); Medicaid coverage churns
# at redeterminations more than employer coverage (our assumption, after MACPAC's churn
# reports).
COVERAGE_END_FACTOR: dict[str, float] = {"medicare": 0.1, "medicaid": 1.5, "managed_medicaid": 1.5}
STALE_DAYS = 90
# A late claim is sent 5-30 days past the limit; its first remit comes up to 5 weeks later.
LATE_RANGE = (5, 30)
REMIT_ALLOWANCE_DAYS = 35


@cache
def _noncovered_table() -> dict[str, frozenset[str]]:
    text = resources.files("denialscope.demo").joinpath("noncovered.yaml").read_text("utf-8")
    raw = yaml.safe_load(text) or {}
    return {str(payer): frozenset(map(str, codes)) for payer, codes in raw.items()}


def noncovered(payer: str) -> frozenset[str]:
    """The procedure codes ``payer`` never covers."""
    return _noncovered_table().get(payer, frozenset())


def noncovered_lines(payer: str, codes: list[str]) -> int:
    listed = noncovered(payer)
    return sum(1 for code in codes if code in listed)


def billed_anyway(rng: random.Random) -> bool:
    """Whether a visit on the payer's non-covered list is billed with that code anyway."""
    return rng.random() < NEAR_CERTAIN["noncovered_billed_share"]


def coverage_end(rng: random.Random, payer_kind: str) -> date | None:
    """A new patient's coverage end (None: covered all year). Ends start ``STALE_DAYS``
    before the year, so stale coverage is as frequent in January as in December."""
    rate = NEAR_CERTAIN["coverage_end_rate"] * COVERAGE_END_FACTOR.get(payer_kind, 1.0)
    if rng.random() >= rate:
        return None
    first = YEAR_START - timedelta(days=STALE_DAYS)
    return first + timedelta(days=rng.randrange((YEAR_END - first).days))


def coverage_ended(end: date | None, service: date) -> bool:
    """The plan on file had ended by the date of service, registration not yet told."""
    return end is not None and end < service <= end + timedelta(days=STALE_DAYS)


def late_days(rng: random.Random, *, filing_from: date, limit_days: int) -> int:
    """Days from service to submission for a claim sent past the limit, or 0 when this claim
    is sent on time (a late claim must still get its first remit before the demo's today)."""
    latest = filing_from + timedelta(days=limit_days + LATE_RANGE[1] + REMIT_ALLOWANCE_DAYS)
    if latest > TODAY or rng.random() >= NEAR_CERTAIN["late_filing_rate"]:
        return 0
    return limit_days + rng.randint(*LATE_RANGE)


def certain_causes(
    *, days_past_limit: int, coverage_ended: bool, noncovered: int
) -> dict[str, float]:
    """The near-certain causes that apply, in the order the payer checks them."""
    out: dict[str, float] = {}
    if coverage_ended:
        out["eligibility_terminated"] = NEAR_CERTAIN["eligibility_terminated_p"]
    if days_past_limit > 0:
        out["timely_filing"] = NEAR_CERTAIN["timely_filing_p"]
    if noncovered:
        out["coverage_noncovered"] = NEAR_CERTAIN["noncovered_p"]
    return out


def combine(certain: Mapping[str, float], other: Mapping[str, float]) -> dict[str, float]:
    """Mutually exclusive cause probabilities: each near-certain cause fires with its p when
    the ones before did not; only when none did does the usual model decide."""
    out: dict[str, float] = {}
    left = 1.0
    for cause, p in certain.items():
        out[cause] = out.get(cause, 0.0) + left * p
        left *= 1.0 - p
    for cause, p in other.items():
        out[cause] = out.get(cause, 0.0) + left * p
    return out
