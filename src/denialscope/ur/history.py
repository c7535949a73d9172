"""The payer's history of level-of-care and length-of-stay denials: how likely this payer is to
deny this stay's status or days, from the denial database (``ur.risk`` keeps one history
per cause).

Three things drive these denials, and each is estimated where it has the volume to be:

* the payer: its rate over all its inpatient stays, shrunk toward its kind's rate (Medicare
  Advantage plans deny short stays more than fee-for-service Medicare does) and that toward
  the rate over every payer (empirical Bayes, a Beta prior worth ``PRIOR_WEIGHT`` stays at
  each step);
* the stay's stage: its expected length (the DRG's GMLOS band) and the midnights it has
  already had. A stay expected to end within two midnights is the one an auditor calls
  observation (level of care); one still in house past two midnights has met that benchmark,
  and what is left is its days (length of stay). The rate of past stays that were in house at
  that stage (billed DRG's GMLOS, statement dates), over all payers and shrunk toward the
  overall rate, scales the payer's rate as a relative risk (the payer and the stage act
  independently);
* the hospital service (ADT PV1-10 of the past stay, linked by visit number): its relative
  risk scales the estimate when the caller names the stay's service (a days denial follows
  the service more than the stage);
* the DRG: the payer x DRG-family rate, only once the cell holds ``MIN_DRG_STAYS`` stays,
  shrunk toward the estimate above. A thin cell is noise, and pooled over payers a DRG family
  says little: these denials follow the payer and the stay's length, not the diagnosis.

The DRG family is the same base DRG with and without CC/MCC (e.g. 193-195): a working
diagnosis rarely carries the secondary codes yet, so the working DRG is usually the "without
CC/MCC" member while the billed DRGs of past stays are spread over the family.
Only remittances adjudicated before the worklist's moment count: a replayed worklist never sees
the outcome it is predicting.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.adt.models import Stay
from denialscope.claims.models import Claim
from denialscope.orgs.models import Payer
from denialscope.reference.codesets import msdrg_weights
from denialscope.remits.models import Adjustment, ClaimPayment

__all__ = [
    "GMLOS_BANDS",
    "LAST_DAY",
    "MIN_DRG_STAYS",
    "PRIOR_WEIGHT",
    "UR_ROOT_CAUSES",
    "DenialHistory",
    "Rate",
    "denial_history",
    "drg_family",
    "expectation_label",
    "gmlos_band",
]

# What utilization review prevents: the status (level of care) and the days (length of stay).
# Days past an authorization (concurrent_review) are an authorization-process failure and are
# left out, as the KPI asks for level of care and length of stay.
UR_ROOT_CAUSES = ("level_of_care", "length_of_stay")
PRIOR_WEIGHT = 20
# Below this many stays a payer x DRG-family cell is not used: a handful of stays says nothing.
MIN_DRG_STAYS = 30
# Expected-length bands on the DRG's GMLOS in days (upper bound excluded): under two is what
# the two-midnight benchmark and the payers' short-stay audits look at.
GMLOS_BANDS: tuple[tuple[int | None, str], ...] = (
    (2, "GMLOS under 2"),
    (3, "GMLOS 2-3"),
    (5, "GMLOS 3-5"),
    (None, "GMLOS 5+"),
)
# Midnights in house, the last bucket open: past two the two-midnight benchmark is met.
LAST_DAY = 3
_K = TypeVar("_K")
# The severity suffix of an MS-DRG title; what is left is the base DRG the family shares.
_SEVERITY = re.compile(r"\s+(WITH|WITHOUT)\s+(MCC|CC/MCC|CC)(\s+OR\s+[A-Z/ ]+)?$")


@cache
def _families() -> dict[str, str]:
    members: dict[str, list[str]] = {}
    for drg, row in msdrg_weights().items():
        members.setdefault(_SEVERITY.sub("", row.title), []).append(drg)
    out = {}
    for drgs in members.values():
        label = drgs[0] if len(drgs) == 1 else f"{min(drgs)}-{max(drgs)}"
        out.update(dict.fromkeys(drgs, label))
    return out


def drg_family(drg: str | None) -> str:
    """The DRG's family label ("193-195"), or the DRG itself when it is not in the table."""
    return _families().get(drg or "", drg or "")


def gmlos_band(gmlos: float | Decimal) -> str:
    """The expected-length band of a DRG with this GMLOS."""
    for upper, label in GMLOS_BANDS:
        if upper is None or gmlos < upper:
            return label
    raise AssertionError("the last band is open")  # pragma: no cover


def expectation_label(expected_midnights: int) -> str:
    """The two-midnight benchmark's question about the physician's expectation at the order."""
    return "expected under 2 midnights" if expected_midnights < 2 else "expected 2+ midnights"


def _day_label(day: int) -> str:
    return f"day {LAST_DAY}+" if day >= LAST_DAY else f"day {day}"


def _shrunk(counts: tuple[int, int], prior: float) -> float:
    denied, stays = counts
    return (denied + PRIOR_WEIGHT * prior) / (stays + PRIOR_WEIGHT)


@dataclass(frozen=True, slots=True)
class Rate:
    denied: int  # of the most specific level used: the DRG cell, else the payer
    stays: int
    rate: float  # shrunk
    basis: str  # "payer 9/310 (medicare_advantage 20/400) x stay under 2 days ..."


@dataclass(frozen=True, slots=True)
class DenialHistory:
    cells: dict[tuple[int, str], tuple[int, int]]  # (payer id, DRG family) -> (denied, stays)
    payers: dict[int, tuple[int, int]]
    overall: tuple[int, int]
    kinds: dict[str, tuple[int, int]] = field(default_factory=dict)  # payer kind -> counts
    payer_kinds: dict[int, str] = field(default_factory=dict)  # payer id -> its kind
    # (GMLOS band, midnights in house capped at LAST_DAY) -> stays in house at that stage
    stages: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    # (the physician's expectation at the order, midnights in house) -> stays at that stage,
    # for past stays whose ADT feed carried it (PV2-9) and whose 837I closed the loop
    expectations: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    # the hospital service of the stay (ADT PV1-10: MED, ORT, PSY ...) -> counts
    services: dict[str, tuple[int, int]] = field(default_factory=dict)

    def _expectation_stage(
        self, expected_midnights: int | None, day: int
    ) -> tuple[str, tuple[int, int]] | None:
        if expected_midnights is None:
            return None
        label = expectation_label(expected_midnights)
        counts = self.expectations.get((label, min(day, LAST_DAY)), (0, 0))
        if counts[1] < MIN_DRG_STAYS:  # too few past stays with the expectation known
            return None
        return f"{label}, {_day_label(min(day, LAST_DAY))}", counts

    def _stage(self, gmlos: float | Decimal | None, day: int) -> tuple[str, tuple[int, int]]:
        day = min(day, LAST_DAY)
        if gmlos is not None:
            band = gmlos_band(gmlos)
            return f"{band}, {_day_label(day)}", self.stages.get((band, day), (0, 0))
        # DRG pending: every band at that day.
        counts = [v for (_, d), v in self.stages.items() if d == day]
        return _day_label(day), (sum(c[0] for c in counts), sum(c[1] for c in counts))

    def rate(
        self,
        *,
        payer_id: int | None,
        drg: str | None,
        gmlos: float | Decimal | None = None,
        day: int | None = None,
        expected_midnights: int | None = None,
        service: str | None = None,
    ) -> Rate:
        """The shrunk rate for one payer, stage and DRG, with the counts it rests on.

        The stage is the physician's expected midnights (PV2-9) x midnights so far when the
        feed gives the expectation and past stays with it are enough to count; otherwise the
        working DRG's GMLOS band x midnights so far. With ``service`` (PV1-10), the relative
        risk of the stays of that hospital service scales it too."""
        d_all, n_all = self.overall
        base = (d_all + 1) / (n_all + 50)  # one denial in 50 stays before any data
        if payer_id is None:
            payer_rate, denied, stays = base, 0, 0
            basis = f"all payers {d_all}/{n_all}"
        else:
            kind = self.payer_kinds.get(payer_id)
            d_k, n_k = self.kinds.get(kind, (0, 0)) if kind else (0, 0)
            d_p, n_p = denied, stays = self.payers.get(payer_id, (0, 0))
            payer_rate = _shrunk((d_p, n_p), _shrunk((d_k, n_k), base))
            basis = f"payer {d_p}/{n_p} ({kind or 'kind unknown'} {d_k}/{n_k})"
        estimate = payer_rate
        if day is not None:
            label, counts = self._expectation_stage(expected_midnights, day) or self._stage(
                gmlos, day
            )
            relative = _shrunk(counts, base) / base
            estimate = min(payer_rate * relative, 1.0)
            basis += f" x {label} {counts[0]}/{counts[1]} vs all {d_all}/{n_all} (x{relative:.2f})"
        if service is not None:
            counts = self.services.get(service, (0, 0))
            relative = _shrunk(counts, base) / base
            estimate = min(estimate * relative, 1.0)
            basis += f" x service {service} {counts[0]}/{counts[1]} (x{relative:.2f})"
        family = drg_family(drg)
        cell = self.cells.get((payer_id, family), (0, 0)) if payer_id is not None else (0, 0)
        if family and cell[1] >= MIN_DRG_STAYS:
            denied, stays = cell
            estimate = _shrunk(cell, estimate)
            basis += f"; payer x DRG {family} {cell[0]}/{cell[1]}"
        elif family:
            basis += f"; payer x DRG {family} {cell[0]}/{cell[1]}: too few to count"
        return Rate(denied, stays, estimate, basis)


def denial_history(
    session: Session,
    *,
    before: dt.date | None = None,
    causes: tuple[str, ...] = UR_ROOT_CAUSES,
) -> DenialHistory:
    """Counts of adjudicated inpatient stays and of those denied for ``causes``, per payer,
    payer kind, stage (GMLOS band, or the physician's expectation, x midnights in house) and
    payer x DRG family."""
    query = (
        select(Claim.id, Claim.payer_id, Payer.kind, Claim.drg)
        .add_columns(Claim.statement_from, Claim.statement_to, Adjustment.root_cause)
        .add_columns(Stay.admit_at, Stay.expected_discharge_at, Stay.service)
        .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
        .join(Payer, Payer.id == Claim.payer_id)
        # The stay's ADT record, by the link ur.payers.link_claims stores (CLM01 = visit
        # number), matched here directly so the history needs no write.
        .outerjoin(Stay, Stay.visit_number == Claim.control_number)
        .outerjoin(
            Adjustment,
            (Adjustment.claim_payment_id == ClaimPayment.id) & Adjustment.root_cause.in_(causes),
        )
        .where(Claim.kind == "837I", Claim.drg.is_not(None))
    )
    if before is not None:
        query = query.where(ClaimPayment.adjudicated_at < before)
    stays: dict[int, tuple[int, str | None, str, int, int | None, str | None]] = {}
    denied: set[int] = set()
    for row_ in session.execute(query):
        claim_id, payer_id, kind, drg, start, end, cause, admit_at, expected_at, service = row_
        # Midnights in house; without both dates the stay is known in house on its first day.
        length = max((end - start).days, 0) if start is not None and end is not None else 0
        expected = (
            midnights_between(admit_at, expected_at)
            if admit_at is not None and expected_at is not None
            else None
        )
        stays[claim_id] = (payer_id, kind, drg, length, expected, service)
        if cause is not None:
            denied.add(claim_id)
    weights = msdrg_weights()
    cells: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    payers: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    stages: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    expectations: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    services: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    payer_kinds: dict[int, str] = {}
    for claim_id, (payer_id, kind, drg, length, expected, service) in stays.items():
        counted = [cells[(payer_id, drg_family(drg))], payers[payer_id]]
        if service:
            counted.append(services[service])
        if kind:
            payer_kinds[payer_id] = kind
            counted.append(kinds[kind])
        row = weights.get(drg)
        if row is not None and row.gmlos:
            # In house on each day 0..length (the last bucket counts the stay once).
            band = gmlos_band(row.gmlos)
            counted += [stages[(band, day)] for day in range(min(length, LAST_DAY) + 1)]
        if expected is not None:
            label = expectation_label(expected)
            counted += [expectations[(label, d)] for d in range(min(length, LAST_DAY) + 1)]
        hit = int(claim_id in denied)
        for counts in counted:
            counts[0] += hit
            counts[1] += 1
    return DenialHistory(
        cells=_frozen(cells),
        payers=_frozen(payers),
        overall=(len(denied), len(stays)),
        kinds=_frozen(kinds),
        payer_kinds=payer_kinds,
        stages=_frozen(stages),
        expectations=_frozen(expectations),
        services=_frozen(services),
    )


def midnights_between(start: dt.datetime, end: dt.datetime) -> int:
    """Midnights between two wall-clock moments (as ``ur.triggers.midnights`` counts them)."""
    return max((end.date() - start.date()).days, 0)


def _frozen(tallies: dict[_K, list[int]]) -> dict[_K, tuple[int, int]]:
    return {key: (v[0], v[1]) for key, v in tallies.items()}
