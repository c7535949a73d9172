"""The payer's history of level-of-care and length-of-stay denials, by DRG, from the
denial database: how likely this payer is to deny this stay's status or days.

The cell is the DRG's family (the same base DRG with and without CC/MCC, e.g. 193-195): a
working diagnosis rarely carries the secondary codes yet, so the working DRG is usually the
"without CC/MCC" member while the billed DRGs of past stays are spread over the family.

A payer x DRG-family cell is often thin, so its rate is shrunk toward the payer's rate over all its
inpatient stays, itself shrunk toward the rate over every payer (empirical Bayes with a
prior worth ``PRIOR_WEIGHT`` stays). Only remittances adjudicated before the worklist's
moment count: a replayed worklist never sees the outcome it is predicting.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.reference.codesets import msdrg_weights
from denialscope.remits.models import Adjustment, ClaimPayment

__all__ = [
    "PRIOR_WEIGHT",
    "UR_ROOT_CAUSES",
    "DenialHistory",
    "Rate",
    "denial_history",
    "drg_family",
]

# What utilization review prevents: the status (level of care) and the days (length of stay).
# Days past an authorization (concurrent_review) are an authorization-process failure and are
# left out, as the KPI asks for level of care and length of stay.
UR_ROOT_CAUSES = ("level_of_care", "length_of_stay")
PRIOR_WEIGHT = 20
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


@dataclass(frozen=True, slots=True)
class Rate:
    denied: int
    stays: int
    rate: float  # shrunk
    basis: str  # "payer x DRG 312: 2/14", "payer: 9/310", ...


@dataclass(frozen=True, slots=True)
class DenialHistory:
    cells: dict[tuple[int, str], tuple[int, int]]  # (payer id, DRG family) -> (denied, stays)
    payers: dict[int, tuple[int, int]]
    overall: tuple[int, int]

    def rate(self, *, payer_id: int | None, drg: str | None) -> Rate:
        """The shrunk rate for one payer and DRG, with the counts it rests on."""
        d_all, n_all = self.overall
        base = (d_all + 1) / (n_all + 50)  # one denial in 50 stays before any data
        d_p, n_p = self.payers.get(payer_id, (0, 0)) if payer_id is not None else (0, 0)
        payer_rate = (d_p + PRIOR_WEIGHT * base) / (n_p + PRIOR_WEIGHT)
        if payer_id is None:
            return Rate(0, 0, base, f"all payers: {d_all}/{n_all}")
        family = drg_family(drg)
        d_c, n_c = self.cells.get((payer_id, family), (0, 0))
        rate = (d_c + PRIOR_WEIGHT * payer_rate) / (n_c + PRIOR_WEIGHT)
        return Rate(d_c, n_c, rate, f"payer x DRG {family or '?'}: {d_c}/{n_c}, payer {d_p}/{n_p}")


def denial_history(session: Session, *, before: dt.date | None = None) -> DenialHistory:
    """Counts of adjudicated inpatient stays and of those denied for UR causes, per payer x DRG."""
    query = (
        select(Claim.id, Claim.payer_id, Claim.drg, Adjustment.root_cause)
        .join(ClaimPayment, ClaimPayment.claim_id == Claim.id)
        .outerjoin(
            Adjustment,
            (Adjustment.claim_payment_id == ClaimPayment.id)
            & Adjustment.root_cause.in_(UR_ROOT_CAUSES),
        )
        .where(Claim.kind == "837I", Claim.drg.is_not(None), Claim.payer_id.is_not(None))
    )
    if before is not None:
        query = query.where(ClaimPayment.adjudicated_at < before)
    stays: dict[int, tuple[int, str]] = {}
    denied: set[int] = set()
    for claim_id, payer_id, drg, cause in session.execute(query):
        stays[claim_id] = (payer_id, drg)
        if cause is not None:
            denied.add(claim_id)
    cells: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    payers: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for claim_id, (payer_id, drg) in stays.items():
        hit = int(claim_id in denied)
        for counts in (cells[(payer_id, drg_family(drg))], payers[payer_id]):
            counts[0] += hit
            counts[1] += 1
    return DenialHistory(
        cells={k: (v[0], v[1]) for k, v in cells.items()},
        payers={k: (v[0], v[1]) for k, v in payers.items()},
        overall=(len(denied), len(stays)),
    )
