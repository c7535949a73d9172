"""Backtest: run the rules over stored claims and score them against what payers decided.

A claim's outcome is its first adjudication (``claim_payments.seq = 1``) as classified at
ingest: a denial with its stream (coding, clinical, access, billing), root cause, denied
dollars and the CARCs of its denial adjustments, or paid clean. For each rule:

- caught: flagged claims denied with a CARC (and RARC, where needed) that the rule's category
  can prevent, from ``scrub/data/preventable.yaml`` (count, dollars; by stream and CARC), and
  of those the coding denials;
- other denials: flagged claims denied for a reason the rule cannot prevent (no credit);
- false alarms: flagged claims that were paid clean;
- precision = caught / flagged claims with an outcome; recall = caught / every adjudicated
  denial the category can prevent (flagged or not).

Candidate rules come from history alone: payer x procedure (x modifiers) cells with enough
volume and a coding-denial rate well above the overall one, each with a pack entry to start
from (prior authorization, a coverage list of the diagnoses that were paid, or a review).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.record import stored_claims
from denialscope.remits.models import Adjustment, ClaimPayment, RemarkCode
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.preventable import can_prevent
from denialscope.scrub.runner import ClaimResult, scrub_claims
from denialscope.x12.claim837.records import Claim

__all__ = ["BacktestReport", "Candidate", "Outcome", "RuleScore", "run_backtest"]

_AUTH_CARCS = frozenset({"15", "197", "198", "62", "39"})
_NECESSITY_CARCS = frozenset({"50", "11", "167", "55", "56"})


@dataclass(slots=True)
class Outcome:
    denied: bool
    stream: str | None
    denied_amount: Decimal
    carcs: list[str]
    rarcs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RuleScore:
    rule: str
    category: str
    flagged: int = 0
    caught: int = 0
    caught_dollars: Decimal = Decimal(0)
    coding_caught: int = 0
    coding_dollars: Decimal = Decimal(0)
    other_denials: int = 0
    false_alarms: int = 0
    preventable_denials: int = 0  # adjudicated denials the category can prevent
    by_stream: Counter[str] = field(default_factory=Counter)
    by_carc: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float | None:
        judged = self.caught + self.other_denials + self.false_alarms
        return self.caught / judged if judged else None

    @property
    def recall(self) -> float | None:
        return self.caught / self.preventable_denials if self.preventable_denials else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "category": self.category,
            "flagged": self.flagged,
            "caught": self.caught,
            "caught_dollars": str(self.caught_dollars),
            "coding_caught": self.coding_caught,
            "coding_dollars": str(self.coding_dollars),
            "other_denials": self.other_denials,
            "false_alarms": self.false_alarms,
            "preventable_denials": self.preventable_denials,
            "precision": None if self.precision is None else round(self.precision, 3),
            "recall": None if self.recall is None else round(self.recall, 3),
            "by_stream": dict(self.by_stream.most_common()),
            "by_carc": dict(self.by_carc.most_common(10)),
        }


@dataclass(slots=True)
class Candidate:
    payer: str
    procedure: str
    modifiers: str
    volume: int
    coding_denials: int
    top_carcs: list[str]
    pack_entry: dict[str, Any]

    @property
    def rate(self) -> float:
        return self.coding_denials / self.volume

    def to_dict(self) -> dict[str, Any]:
        return {
            "payer": self.payer,
            "procedure": self.procedure,
            "modifiers": self.modifiers,
            "volume": self.volume,
            "coding_denials": self.coding_denials,
            "rate": round(self.rate, 3),
            "top_carcs": self.top_carcs,
            "pack_entry": self.pack_entry,
        }


@dataclass(slots=True)
class BacktestReport:
    claims: int = 0
    adjudicated: int = 0
    denied: int = 0
    coding_denied: int = 0
    flagged: int = 0
    rules: list[RuleScore] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)

    def top_coding(self, count: int = 10) -> list[RuleScore]:
        """The rules that would have prevented the most coding denials (then dollars)."""
        ranked = [r for r in self.rules if r.coding_caught]
        ranked.sort(key=lambda r: (-r.coding_caught, -r.coding_dollars, r.rule))
        return ranked[:count]

    def to_dict(self) -> dict[str, Any]:
        return {
            "claims": self.claims,
            "adjudicated": self.adjudicated,
            "denied": self.denied,
            "coding_denied": self.coding_denied,
            "flagged": self.flagged,
            "rules": [r.to_dict() for r in self.rules],
            "top_coding_rules": [r.rule for r in self.top_coding()],
            "candidates": [c.to_dict() for c in self.candidates],
        }


def _outcomes(session: Session) -> dict[int, Outcome]:
    """claims.id -> first adjudication, from the classification stored at ingest."""
    out: dict[int, Outcome] = {}
    payments = session.execute(
        select(
            ClaimPayment.id,
            ClaimPayment.claim_id,
            ClaimPayment.is_denial,
            ClaimPayment.primary_stream,
            ClaimPayment.denied_amount,
        )
        .where(ClaimPayment.seq == 1, ClaimPayment.claim_id.is_not(None))
        .order_by(ClaimPayment.id)
    ).tuples()
    by_payment: dict[int, Outcome] = {}
    for payment_id, claim_id, denied, stream, amount in payments:
        if claim_id is None or claim_id in out:
            continue
        outcome = Outcome(bool(denied), stream if denied else None, amount or Decimal(0), [])
        out[claim_id] = by_payment[payment_id] = outcome
    carcs = session.execute(
        select(Adjustment.claim_payment_id, Adjustment.reason_code).where(
            Adjustment.is_denial.is_(True)
        )
    ).tuples()
    for payment_id, carc in carcs:
        found = by_payment.get(payment_id)
        if found is not None and carc not in found.carcs:
            found.carcs.append(carc)
    remarks = session.execute(select(RemarkCode.claim_payment_id, RemarkCode.code)).tuples()
    for payment_id, code in remarks:
        found = by_payment.get(payment_id)
        if found is not None and found.denied and code not in found.rarcs:
            found.rarcs.append(code)
    return out


def _score(
    results: Iterable[tuple[ClaimResult, Outcome | None]],
) -> tuple[dict[str, RuleScore], int]:
    scores: dict[str, RuleScore] = {}
    flagged_claims = 0
    for result, outcome in results:
        rules = {(f.rule, f.category) for f in result.findings}
        flagged_claims += result.flagged
        for rule, category in rules:
            score = scores.setdefault(rule, RuleScore(rule, category))
            score.flagged += 1
            if outcome is None:
                continue
            if not outcome.denied:
                score.false_alarms += 1
                continue
            if not can_prevent(category, outcome.carcs, outcome.rarcs):
                score.other_denials += 1
                continue
            score.caught += 1
            score.caught_dollars += outcome.denied_amount
            score.by_stream[outcome.stream or "?"] += 1
            score.by_carc.update(outcome.carcs)
            if outcome.stream == "coding":
                score.coding_caught += 1
                score.coding_dollars += outcome.denied_amount
    return scores, flagged_claims


def _recall_denominators(scores: dict[str, RuleScore], outcomes: Iterable[Outcome]) -> None:
    """Each rule's preventable denials: adjudicated denials its category could prevent."""
    per_category: Counter[str] = Counter()
    categories = {s.category for s in scores.values()}
    for outcome in outcomes:
        if outcome.denied:
            per_category.update(
                c for c in categories if can_prevent(c, outcome.carcs, outcome.rarcs)
            )
    for score in scores.values():
        score.preventable_denials = per_category[score.category]


def _candidates(
    rows: list[tuple[Claim, Outcome]], *, min_volume: int, min_rate: float, baseline: float
) -> list[Candidate]:
    cells: dict[tuple[str, str, str], list[tuple[Claim, Outcome]]] = defaultdict(list)
    for claim, outcome in rows:
        seen = set()
        for line in claim.lines:
            if not line.procedure:
                continue
            cell = (claim.payer.identifier, line.procedure, ",".join(line.modifiers))
            if cell not in seen:
                seen.add(cell)
                cells[cell].append((claim, outcome))
    out = []
    for (payer, procedure, modifiers), members in cells.items():
        denied = [o for _, o in members if o.denied and o.stream == "coding"]
        rate = len(denied) / len(members)
        if len(members) < min_volume or rate < min_rate or rate < 2 * baseline:
            continue
        carcs = Counter(c for o in denied for c in o.carcs)
        top = [c for c, _ in carcs.most_common(3)]
        out.append(
            Candidate(
                payer,
                procedure,
                modifiers,
                len(members),
                len(denied),
                top,
                _pack_entry(payer, procedure, top, members),
            )
        )
    out.sort(key=lambda c: (-c.coding_denials, -c.rate, c.payer, c.procedure))
    return out


def _pack_entry(
    payer: str, procedure: str, carcs: list[str], members: list[tuple[Claim, Outcome]]
) -> dict[str, Any]:
    """A starting pack entry: what the denials' CARCs point to."""
    if _AUTH_CARCS & set(carcs):
        return {"prior_auth": [{"payer": payer, "procedures": [procedure]}]}
    if _NECESSITY_CARCS & set(carcs):
        paid = Counter(
            c.principal_diagnosis.code
            for c, o in members
            if not o.denied and c.principal_diagnosis is not None
        )
        return {
            "coverage": [
                {
                    "id": f"history-{payer}-{procedure}",
                    "payer": payer,
                    "procedures": [procedure],
                    "diagnoses": [code for code, _ in paid.most_common(20)],
                }
            ]
        }
    return {"code_lists": {f"review_{payer}_{procedure}": [procedure]}}


def run_backtest(
    *,
    session: Session,
    context: ScrubContext,
    min_volume: int = 20,
    min_rate: float = 0.2,
    limit: int | None = None,
) -> BacktestReport:
    """Scrub every stored claim and score each rule against the claims' first outcomes."""
    outcomes = _outcomes(session)
    ids: list[int] = []

    def claims() -> Iterable[Claim]:
        for claim_id, claim in stored_claims(session=session, limit=limit):
            ids.append(claim_id)
            yield claim

    pairs: list[tuple[ClaimResult, Outcome | None]] = []
    for result in scrub_claims(claims(), context=context):
        pairs.append((result, outcomes.get(ids[len(pairs)])))
    scores, flagged = _score(pairs)
    judged = [(r.claim, o) for r, o in pairs if o is not None]
    _recall_denominators(scores, (o for _, o in judged))
    coding = sum(1 for _, o in judged if o.denied and o.stream == "coding")
    report = BacktestReport(
        claims=len(pairs),
        adjudicated=len(judged),
        denied=sum(1 for _, o in judged if o.denied),
        coding_denied=coding,
        flagged=flagged,
    )
    report.rules = sorted(scores.values(), key=lambda s: (-s.caught, s.rule))
    baseline = coding / len(judged) if judged else 0.0
    report.candidates = _candidates(
        judged, min_volume=min_volume, min_rate=min_rate, baseline=baseline
    )
    return report
