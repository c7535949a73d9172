"""The payer's pricing of one claim: paid in full, or denied for a root cause.

Allowed = contract % of charges; patient cost sharing (PR-1 deductible, PR-2 coinsurance,
PR-3 co-pay); Medicare's 2% sequestration (CO-253); the rest CO-45. A denial puts its
reason code at claim level (whole claim zero-paid), on one line, or as a partial cut.
Every result balances: charge - paid = the sum of its adjustments, claim and lines.
Inpatient (DRG) claims are priced at claim level, with no service lines, as payers do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from denialscope.demo.denial_model import ROOT_CAUSES, ReasonCode
from denialscope.demo.encounters import Claim, Line

__all__ = ["Adj", "Pricer", "Remit", "RemitLine", "Submission", "money"]

CENT = Decimal("0.01")
PART_A_DEDUCTIBLE = Decimal(1676)
_CAUSES = {rc.id: rc for rc in ROOT_CAUSES}
# Clinical causes that, outside a stay, deny the service line they are about (an LCD or a
# policy names procedures), not the whole claim.
LINE_OUTSIDE_INPATIENT = frozenset(
    {"medical_necessity", "documentation_insufficient", "auth_denied_clinical_review"}
)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Adj:
    group: str
    reason: str
    amount: Decimal
    quantity: int | None = None


@dataclass(slots=True)
class RemitLine:
    line: Line
    charge: Decimal
    paid: Decimal
    allowed: Decimal
    adjustments: list[Adj]
    remarks: list[str] = field(default_factory=list)
    units: int = 1


@dataclass(slots=True)
class Remit:
    claim: Claim  # for an unmatched remit: the claim it was cloned from (never written as 837)
    claim_id: str
    event: str  # initial, corrected, appeal_paid, appeal_upheld, reversal, repayment,
    # secondary, duplicate, unmatched
    payer: str
    remit_date: date
    status: str
    charge: Decimal
    paid: Decimal
    patient_resp: Decimal
    payer_claim_number: str
    frequency: str
    adjustments: list[Adj]
    lines: list[RemitLine]
    remarks: list[str]
    denial: ReasonCode | None = None
    root_cause: str | None = None
    payer_drg: str | None = None  # CLP11 when the payer paid another DRG than billed


@dataclass(slots=True)
class Submission:
    """One 837 claim sent on a date (original, replacement, or an accidental duplicate)."""

    claim: Claim
    sent: date
    frequency: str
    original_reference: str | None = None  # REF F8: the payer's claim number
    rejection: str | None = None  # 277CA STC01 when the payer's front end rejected it


def _fold(lines: list[RemitLine]) -> list[Adj]:
    totals: dict[tuple[str, str], Decimal] = {}
    for rl in lines:
        for a in rl.adjustments:
            totals[(a.group, a.reason)] = totals.get((a.group, a.reason), Decimal(0)) + a.amount
    return [Adj(g, r, amt) for (g, r), amt in totals.items() if amt]


class Pricer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _cost_share(self, c: Claim, allowed: Decimal, copay_left: list[Decimal]) -> list[Adj]:
        kind = c.payer.kind
        if kind == "medicare":
            if c.kind == "inpatient":
                return [Adj("PR", "1", min(PART_A_DEDUCTIBLE, allowed))]
            return [Adj("PR", "2", money(allowed * Decimal("0.20")))]
        if kind not in ("commercial", "medicare_advantage"):  # Medicaid: no cost sharing here
            return []
        if c.kind == "office":
            if copay_left[0] <= 0:
                return []
            amount = min(copay_left[0], allowed)
            copay_left[0] -= amount
            return [Adj("PR", "3", amount)]
        if c.start.month <= 3 and c.patient.member_id[-1] in "0123":
            deductible = min(Decimal(500), allowed)
            rest = money((allowed - deductible) * Decimal("0.15"))
            return [Adj("PR", "1", deductible), Adj("PR", "2", rest)]
        return [Adj("PR", "2", money(allowed * Decimal("0.15")))]

    def _price(
        self, c: Claim, charge: Decimal, copay_left: list[Decimal]
    ) -> tuple[Decimal, Decimal, list[Adj]]:
        """(allowed, paid, adjustments) for a charge."""
        allowed = money(charge * c.payer.contract_rate)
        adj = [a for a in self._cost_share(c, allowed, copay_left) if a.amount]
        paid = allowed - sum((a.amount for a in adj), Decimal(0))
        if c.payer.kind == "medicare":
            seq = money(paid * Decimal("0.02"))
            if seq:
                adj.append(Adj("CO", "253", seq))
                paid -= seq
        if charge - allowed:
            adj.insert(0, Adj("CO", "45", charge - allowed))
        return allowed, paid, adj

    def _line(self, c: Claim, ln: Line, copay_left: list[Decimal]) -> RemitLine:
        allowed, paid, adj = self._price(c, ln.charge, copay_left)
        return RemitLine(ln, ln.charge, paid, allowed, adj, units=ln.units)

    @staticmethod
    def _denied_line(ln: Line, code: ReasonCode) -> RemitLine:
        remarks = [code.rarc] if code.rarc else []
        adj = [Adj(code.group, code.carc, ln.charge)]
        return RemitLine(ln, ln.charge, Decimal(0), Decimal(0), adj, remarks, ln.units)

    def price(self, c: Claim, *, cause: str | None, code: ReasonCode | None) -> Remit:
        """One adjudication of the claim: paid, or denied as ``cause`` says."""
        rc = _CAUSES[cause] if cause else None
        status = "1"
        claim_adj: list[Adj] = []
        remarks: list[str] = []
        lines: list[RemitLine] = []
        copay = [Decimal(self.rng.choice((20, 25, 30, 40)))]
        payer_drg: str | None = None
        if c.kind == "inpatient":
            charge = c.charge
            if rc is not None and code is not None and rc.level == "drg":
                # Paid at the payer's lower DRG: the difference is the denial.
                high, low = c.drg_weight or Decimal(1), c.downgrade_weight or Decimal(1)
                cut = money(charge * (1 - low / high))
                payer_drg = c.downgrade_drg
                _, _, adj = self._price(c, charge - cut, copay)
                claim_adj = [*adj, Adj(code.group, code.carc, cut)]
            elif rc is not None and code is not None and rc.level != "partial":
                status = "4"
                claim_adj = [Adj(code.group, code.carc, charge)]
            else:
                cut = Decimal(0)
                if rc is not None and code is not None:  # days not approved
                    share = Decimal(self.rng.choice(("0.2", "0.25", "0.33", "0.4")))
                    cut = money(charge * share)
                    claim_adj.append(Adj(code.group, code.carc, cut))
                _, _, adj = self._price(c, charge - cut, copay)
                claim_adj = adj + claim_adj
            if code is not None and code.rarc:
                remarks.append(code.rarc)
        else:
            lines = [self._line(c, ln, copay) for ln in c.lines]
            if rc is not None and code is not None:
                level = "line" if rc.id in LINE_OUTSIDE_INPATIENT else rc.level
                if level == "claim" or (level == "line" and len(lines) == 1):
                    status = "4"
                    lines = [self._denied_line(ln, code) for ln in c.lines]
                elif level == "line":
                    idx = _target_line(c, rc.id)
                    lines[idx] = self._denied_line(c.lines[idx], code)
                else:
                    self._partial_units(c, lines, code)
        paid = sum((rl.paid for rl in lines), Decimal(0))
        if not lines:
            paid = c.charge - sum((a.amount for a in claim_adj), Decimal(0))
        all_adj = claim_adj + [a for rl in lines for a in rl.adjustments]
        pr = sum((a.amount for a in all_adj if a.group == "PR"), Decimal(0))
        return Remit(
            claim=c,
            claim_id=c.claim_id,
            event="initial",
            payer=c.payer.key,
            remit_date=c.submitted,
            status=status,
            charge=c.charge,
            paid=paid,
            patient_resp=pr,
            payer_claim_number="",
            frequency="1",
            adjustments=claim_adj,
            lines=lines,
            remarks=remarks,
            denial=code,
            root_cause=cause,
            payer_drg=payer_drg,
        )

    def _partial_units(self, c: Claim, lines: list[RemitLine], code: ReasonCode) -> None:
        """Units above the payer's maximum are cut before pricing (CO-151 with a quantity)."""
        idx = next(i for i, ln in enumerate(c.lines) if ln.units > 1 and ln.revenue != "0120")
        ln = c.lines[idx]
        allowed_units = max(1, ln.units // 2)
        cut = money(ln.charge * (ln.units - allowed_units) / ln.units)
        allowed, paid, adj = self._price(c, ln.charge - cut, [Decimal(0)])
        adj.append(Adj(code.group, code.carc, cut, ln.units - allowed_units))
        remarks = [code.rarc] if code.rarc else []
        lines[idx] = RemitLine(ln, ln.charge, paid, allowed, adj, remarks, ln.units)


def _target_line(c: Claim, cause: str) -> int:
    """Which line a line-level denial hits."""
    if cause == "ncci_bundling":  # the component code billed on top of the main one
        return max(i for i, ln in enumerate(c.lines) if ln.code)
    if cause == "modifier_missing_invalid" and c.modifier_line is not None:
        return c.modifier_line
    if cause in LINE_OUTSIDE_INPATIENT:  # the procedure under review, not the visit
        return max(range(len(c.lines)), key=lambda i: (c.lines[i].charge, -i))
    return 0
