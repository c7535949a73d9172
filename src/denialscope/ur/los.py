"""P(length-of-stay denial) of a stay in house on day d, from how long the organization's own
past stays lasted against their DRG's GMLOS / AMLOS and how often the payers denied the days
of each such length.

    P(days denial | in house on day d) = payer's relative risk
        x sum over the final-length bands b of P(b | still in on day d) x rate of days denials in b

* **The final-length bands** are the ones the payers' outlier reviews use: under the GMLOS,
  the GMLOS to the AMLOS, past the AMLOS (the stay's own DRG, ``los > AMLOS``).
* **P(band | still in on day d)**: a survival table of past stays discharged before the
  cut-off whose DRG was known by then (their 837I submitted or adjudicated before it). Pooled
  over DRGs on the length relative to the GMLOS (a past stay counts as "still in" when its
  length / its GMLOS reaches d / this stay's GMLOS), then refined by the past stays of the same
  DRG that lasted d days or more (a Beta prior worth ``PRIOR_WEIGHT`` stays on the pooled
  share). Bands the stay has already left (day d past the GMLOS or the AMLOS) get nothing. A
  stay whose DRG is pending uses every past stay in house on day d.
* **The rate of days denials per band**: past stays whose claim had a remittance before the
  cut-off, denied for length of stay on one before it, shrunk toward the rate over all.
* **The payer**: its days-denial rate shrunk toward its kind's, itself toward every payer's,
  over the rate of all (a relative risk), as ``ur.history`` does.

Fewer than ``MIN_STAYS`` labelled past stays or ``MIN_DENIED`` days denials: no estimate
(the worklist keeps the model's or the history's P). What is learned is only what was known
before the cut-off: a stay discharged on or after it is not in the table, a denial adjudicated
on or after it is not a label.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.adt.models import Stay
from denialscope.claims.models import Claim
from denialscope.orgs.models import Payer
from denialscope.reference.codesets import msdrg_weights
from denialscope.remits.models import Adjustment, ClaimPayment
from denialscope.ur.history import PRIOR_WEIGHT
from denialscope.ur.triggers import midnights

__all__ = [
    "BANDS",
    "MIN_DENIED",
    "MIN_STAYS",
    "LosEstimate",
    "LosRisk",
    "PastStay",
    "band_of",
    "los_risk",
    "past_stays",
]

BANDS = ("under GMLOS", "GMLOS-AMLOS", "past AMLOS")
MIN_STAYS = 30  # labelled past stays below which there is no estimate
MIN_DENIED = 5  # days denials below which there is no estimate
CAUSE = "length_of_stay"


def band_of(los: int, gmlos: float, amlos: float) -> int:
    """The final-length band (index in ``BANDS``) of a stay of ``los`` midnights."""
    if los < gmlos:
        return 0
    return 1 if los <= amlos else 2


@dataclass(frozen=True, slots=True)
class PastStay:
    """A discharged stay with its billed DRG's GMLOS / AMLOS, and what its claim became."""

    visit_number: str
    discharged: dt.datetime
    drg_known: dt.date  # the 837I's submission (else first remittance) day
    drg: str
    los: int  # midnights in house
    gmlos: float
    amlos: float
    payer_id: int | None
    kind: str | None
    adjudicated: dt.date | None  # the claim's first remittance
    denied: dt.date | None  # its first length-of-stay denial

    @property
    def band(self) -> int:
        return band_of(self.los, self.gmlos, self.amlos)


def past_stays(session: Session, *, before: dt.date | None = None) -> list[PastStay]:
    """Every stay discharged before ``before`` (all when None) with an 837I whose DRG is in
    the shipped table, and the dates of its remittance and days denial (the caller, ``LosRisk
    .build``, keeps only what was known before its own cut-off)."""
    query = (
        select(Stay.visit_number, Stay.admit_at, Stay.discharge_at, Claim.id, Claim.drg)
        .add_columns(Claim.submitted_at, Claim.payer_id, Payer.kind)
        .add_columns(ClaimPayment.adjudicated_at, Adjustment.root_cause)
        .join(Claim, Claim.control_number == Stay.visit_number)
        .outerjoin(Payer, Payer.id == Claim.payer_id)
        .outerjoin(
            ClaimPayment,
            (ClaimPayment.claim_id == Claim.id) & ClaimPayment.is_reversal.is_(False),
        )
        .outerjoin(
            Adjustment,
            (Adjustment.claim_payment_id == ClaimPayment.id) & (Adjustment.root_cause == CAUSE),
        )
        .where(Claim.kind == "837I", Claim.drg.is_not(None))
        .where(Stay.admit_at.is_not(None), Stay.discharge_at.is_not(None))
        .order_by(Claim.id)
    )
    if before is not None:
        query = query.where(Stay.discharge_at < dt.datetime.combine(before, dt.time()))
    weights = msdrg_weights()
    found: dict[str, _Entry] = {}
    for row in session.execute(query):
        number, admit, discharge, _, drg, submitted, payer_id, kind, paid, cause = row
        table_row = weights.get(drg)
        if table_row is None or not table_row.gmlos or not table_row.amlos:
            continue
        entry = found.setdefault(
            number,
            _Entry(admit, discharge, drg, submitted, payer_id, kind,
                   float(table_row.gmlos), float(table_row.amlos)),
        )  # fmt: skip
        if entry.drg != drg:  # a later claim of the visit with another DRG: the first counts
            continue
        if paid is not None and (entry.paid is None or paid < entry.paid):
            entry.paid = paid
        if cause is not None and paid is not None and (entry.denied is None or paid < entry.denied):
            entry.denied = paid
    out = []
    for number, e in found.items():
        known = [d for d in (e.submitted, e.paid) if d is not None]
        if not known:  # the DRG was never known (no submission date, no remittance)
            continue
        out.append(
            PastStay(
                visit_number=number,
                discharged=e.discharge,
                drg_known=min(known),
                drg=e.drg,
                los=midnights(e.admit, e.discharge),
                gmlos=e.gmlos,
                amlos=e.amlos,
                payer_id=e.payer_id,
                kind=e.kind,
                adjudicated=e.paid,
                denied=e.denied,
            )
        )
    return out


@dataclass(slots=True)
class _Entry:
    admit: dt.datetime
    discharge: dt.datetime
    drg: str
    submitted: dt.date | None
    payer_id: int | None
    kind: str | None
    gmlos: float
    amlos: float
    paid: dt.date | None = None
    denied: dt.date | None = None


def _shrunk(denied: float, stays: float, prior: float) -> float:
    return (denied + PRIOR_WEIGHT * prior) / (stays + PRIOR_WEIGHT)


@dataclass(frozen=True, slots=True)
class LosEstimate:
    probability: float
    basis: str


@dataclass(frozen=True, slots=True)
class LosRisk:
    """The survival table and the denial rates, as known before ``before``."""

    before: dt.date
    table: tuple[PastStay, ...]  # discharged before the cut-off, DRG known by then
    band_counts: tuple[tuple[int, int], ...]  # per band: (days denials, labelled stays)
    overall: tuple[int, int]
    payers: dict[int, tuple[int, int]]
    kinds: dict[str, tuple[int, int]]
    payer_kinds: dict[int, str]
    # per band, sorted: the table's lengths / GMLOS, lengths, and lengths per DRG (bisected)
    ratios: tuple[tuple[float, ...], ...] = ()
    lengths: tuple[tuple[int, ...], ...] = ()
    drg_lengths: dict[str, tuple[tuple[int, ...], ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, stays: Iterable[PastStay], *, before: dt.date) -> LosRisk:
        """Only what was known before ``before``: the stays discharged (and their DRG known)
        before it, labelled by remittances adjudicated before it."""
        cut = dt.datetime.combine(before, dt.time())
        table = tuple(s for s in stays if s.discharged < cut and s.drg_known < before)
        bands = [[0, 0] for _ in BANDS]
        payers: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        payer_kinds: dict[int, str] = {}
        denied_all = labelled = 0
        for s in table:
            if s.adjudicated is None or s.adjudicated >= before:
                continue
            hit = int(s.denied is not None and s.denied < before)
            labelled += 1
            denied_all += hit
            tallies = [bands[s.band]]
            if s.payer_id is not None:
                tallies.append(payers[s.payer_id])
                if s.kind:
                    payer_kinds[s.payer_id] = s.kind
                    tallies.append(kinds[s.kind])
            for t in tallies:
                t[0] += hit
                t[1] += 1
        drgs: dict[str, list[list[int]]] = defaultdict(lambda: [[] for _ in BANDS])
        for s in table:
            drgs[s.drg][s.band].append(s.los)
        return cls(
            ratios=tuple(
                tuple(sorted(s.los / s.gmlos for s in table if s.band == b))
                for b in range(len(BANDS))
            ),
            lengths=tuple(
                tuple(sorted(s.los for s in table if s.band == b)) for b in range(len(BANDS))
            ),
            drg_lengths={k: tuple(tuple(sorted(v)) for v in bands_) for k, bands_ in drgs.items()},
            before=before,
            table=table,
            band_counts=tuple((b[0], b[1]) for b in bands),
            overall=(denied_all, labelled),
            payers={k: (v[0], v[1]) for k, v in payers.items()},
            kinds={k: (v[0], v[1]) for k, v in kinds.items()},
            payer_kinds=payer_kinds,
        )

    def enough(self) -> str | None:
        """Why there is no estimate, or None when there is one."""
        denied, stays = self.overall
        if stays < MIN_STAYS:
            return f"too few past stays with a remittance ({stays} < {MIN_STAYS})"
        if denied < MIN_DENIED:
            return f"too few days denials ({denied} < {MIN_DENIED})"
        return None

    def band_shares(
        self, *, day: int, drg: str | None, gmlos: float | None, amlos: float | None
    ) -> tuple[list[float], str]:
        """P(final-length band | still in house on ``day``), with the counts it rests on."""
        if gmlos is None or amlos is None or gmlos <= 0:
            counts = [_at_least(v, day) for v in self.lengths]
            shares = _normalized(counts)
            return shares, f"DRG pending: past stays in on day {day} {_counts(counts)}"
        # A past stay "still in" at the same point of its own expected length (a small
        # tolerance so that day / GMLOS x GMLOS counts the stay of exactly that length).
        pooled_counts = [_at_least(v, day / gmlos - 1e-9) for v in self.ratios]
        pooled = _normalized(pooled_counts)
        own = [_at_least(v, day) for v in self.drg_lengths.get(drg or "", ((), (), ()))]
        same = sum(own)
        shares = [(own[b] + PRIOR_WEIGHT * pooled[b]) / (same + PRIOR_WEIGHT)
                  for b in range(len(BANDS))]  # fmt: skip
        # Bands this stay has already left.
        if day >= gmlos:
            shares[0] = 0.0
        if day > amlos:
            shares[1] = 0.0
        shares = _normalized(shares)
        basis = (
            f"past stays in on day {day} of GMLOS {gmlos:g}/AMLOS {amlos:g}: "
            f"{sum(pooled_counts)} relative to GMLOS {_counts(pooled_counts)}, {same} of DRG "
            f"{drg} {_counts(own)}"
        )
        return shares, basis

    def assess(
        self,
        *,
        payer_id: int | None,
        day: int,
        drg: str | None,
        gmlos: float | Decimal | None,
        amlos: float | Decimal | None,
    ) -> LosEstimate | None:
        """P(a days denial) of a stay in house on ``day``, or None without enough history."""
        if self.enough() is not None:
            return None
        d_all, n_all = self.overall
        base = d_all / n_all
        shares, share_basis = self.band_shares(
            day=day,
            drg=drg,
            gmlos=float(gmlos) if gmlos is not None else None,
            amlos=float(amlos) if amlos is not None else None,
        )
        rates = [_shrunk(d, n, base) for d, n in self.band_counts]
        p = sum(s * r for s, r in zip(shares, rates, strict=True))
        parts = ", ".join(
            f"{name} {s:.0%} x {d}/{n}"
            for name, s, (d, n) in zip(BANDS, shares, self.band_counts, strict=True)
        )
        basis = f"final length {parts} ({share_basis})"
        if payer_id is not None:
            kind = self.payer_kinds.get(payer_id)
            d_k, n_k = self.kinds.get(kind, (0, 0)) if kind else (0, 0)
            d_p, n_p = self.payers.get(payer_id, (0, 0))
            relative = _shrunk(d_p, n_p, _shrunk(d_k, n_k, base)) / base
            p *= relative
            basis += f" x payer {d_p}/{n_p} ({kind or 'kind unknown'} {d_k}/{n_k}; x{relative:.2f})"
        return LosEstimate(min(p, 1.0), basis)


def _normalized(values: list[float] | list[int]) -> list[float]:
    total = float(sum(values))
    if total <= 0:
        return [1.0 / len(values)] * len(values)
    return [v / total for v in values]


def _at_least(values: tuple[float, ...] | tuple[int, ...], x: float) -> int:
    """How many of the sorted ``values`` are >= ``x``."""
    return len(values) - bisect_left(values, x)


def _counts(counts: list[int]) -> str:
    return "/".join(str(c) for c in counts)


def los_risk(session: Session, *, before: dt.date) -> LosRisk:
    """The length-of-stay table as known before ``before``."""
    return LosRisk.build(past_stays(session, before=before), before=before)
