"""What happens to a claim after it is sent: the timeline of 837s and 835s.

Initial adjudication 1-4 weeks after submission, on the payer's weekly remit (Fridays).
Then, for denials: correction and resubmission (frequency 7, REF F8 = the payer claim
number), appeals paid or upheld, or nothing (written off). For paid claims: Medicaid
crossover after Medicare (CLP02 19 then 2), occasional reversals with a corrected
payment, accidental duplicate submissions (OA-18). A few remits match no 837 at all.
Events after ``CUTOFF`` (the demo's today) are left out: still pending when the data ends.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from denialscope.demo.acks import REJECTIONS
from denialscope.demo.denial_model import ROOT_CAUSES, ReasonCode, payer_codes
from denialscope.demo.encounters import Claim
from denialscope.demo.period import TODAY
from denialscope.demo.pricing import Adj, Pricer, Remit, RemitLine, Submission, money

__all__ = ["CUTOFF", "run_lifecycle"]

CUTOFF = TODAY
_STREAM = {rc.id: rc.stream for rc in ROOT_CAUSES}
_CAUSE = {rc.id: rc for rc in ROOT_CAUSES}
_LEVEL = {rc.id: rc.level for rc in ROOT_CAUSES}
# Denials a provider fixes by sending a corrected claim, and those it appeals.
_CORRECTABLE = frozenset({"coding", "billing"})
_APPEALABLE = frozenset(
    {"medical_necessity", "level_of_care", "length_of_stay", "auth_denied_clinical_review",
     "clinical_validation", "concurrent_review",
     "documentation_insufficient", "experimental_investigational", "auth_not_obtained",
     "timely_filing", "out_of_network", "coverage_noncovered", "benefit_maximum",
     "referral_not_obtained"}
)  # fmt: skip
_REBILL_ACCESS = frozenset(
    {"eligibility_terminated", "patient_not_identified", "cob_other_payer", "wrong_payer"}
)
RATES = {
    "correct": 0.55,  # share of correctable denials corrected and resubmitted
    "correct_paid": 0.85,
    "appeal": 0.45,  # share of appealable claim-level denials appealed
    "overturn": 0.55,
    "reversal": 0.008,  # paid claims reversed and repaid
    "duplicate": 0.025,  # claims accidentally sent twice
    "unmatched": 0.003,  # remits for claims sent by another system (no 837 here)
    "front_end_reject": 0.035,  # 277CA rejections (industry first-pass rates ~95-98%)
}


def _weekly(day: date, rng: random.Random, lo: int, hi: int) -> date:
    """The payer's next Friday remit at least ``lo`` days after ``day``."""
    d = day + timedelta(days=rng.randint(lo, hi))
    return d + timedelta(days=(4 - d.weekday()) % 7)


def _clone(rng: random.Random) -> random.Random:
    copy = random.Random()
    copy.setstate(rng.getstate())
    return copy


def _negate(r: Remit, when: date) -> Remit:
    lines = [
        RemitLine(rl.line, -rl.charge, -rl.paid, -rl.allowed,
                  [Adj(a.group, a.reason, -a.amount, a.quantity) for a in rl.adjustments],
                  list(rl.remarks), rl.units)
        for rl in r.lines
    ]  # fmt: skip
    return replace(
        r,
        event="reversal",
        remit_date=when,
        status="22",
        charge=-r.charge,
        paid=-r.paid,
        patient_resp=-r.patient_resp,
        adjustments=[Adj(a.group, a.reason, -a.amount, a.quantity) for a in r.adjustments],
        lines=lines,
        remarks=list(r.remarks),
    )


# Payer claim numbers: a counter, and another range for the stays whose cause the
# length-of-stay factor moved (their own events; see _Timeline.run_moved).
ICN_BASE = 2025_0000_000
MOVED_ICN_BASE = 2025_9000_000


class _Timeline:
    def __init__(
        self, rng: random.Random, reject_rng: random.Random, moved_rng: random.Random
    ) -> None:
        self.rng = rng
        self.reject_rng = reject_rng
        self.moved_rng = moved_rng
        self.pricer = Pricer(rng)
        self.submissions: list[Submission] = []
        self.remits: list[Remit] = []
        self._icn = 0
        self._icn_base = ICN_BASE
        self._moved_icn = 0

    def icn(self, payer: str) -> str:
        self._icn += 1
        return f"{payer}{self._icn_base + self._icn * 7:011d}"

    def remit(self, r: Remit) -> None:
        if r.remit_date <= CUTOFF:
            self.remits.append(r)

    def submit(self, s: Submission) -> bool:
        if s.sent > CUTOFF:
            return False
        self.submissions.append(s)
        return True

    def run(self, c: Claim) -> None:
        if c.root_cause != c.cause_without_los_factor:
            self.run_moved(c)
        else:
            self._run(c)

    def run_moved(self, c: Claim) -> None:
        """A stay whose denial cause the length-of-stay factor moved (the same draw fell on
        another clinical cause). Its events (a partial payment, an appeal) draw differently
        from its former cause's, so the shared generator and the payer claim numbers first
        advance as that former cause made them (a throw-away run), and every later claim's
        lifecycle stays what it was; the stay's own events draw from their own generator."""
        ghost = _Timeline(self.rng, _clone(self.reject_rng), self.moved_rng)
        ghost._icn = self._icn
        ghost._run(replace(c, root_cause=c.cause_without_los_factor))
        shared = self.rng
        own = random.Random(self.moved_rng.getrandbits(64))
        self.rng = self.pricer.rng = own
        self._icn, self._icn_base = self._moved_icn, MOVED_ICN_BASE
        try:
            self._run(c)
        finally:
            self._moved_icn = self._icn
            self.rng = self.pricer.rng = shared
            self._icn, self._icn_base = ghost._icn, ICN_BASE

    def _run(self, c: Claim) -> None:
        rng = self.rng
        # A separate generator decides front-end rejections, so the adjudication draws (and
        # every planted signal) stay what they were without them.
        rj = self.reject_rng
        if c.root_cause != "timely_filing" and rj.random() < RATES["front_end_reject"]:
            self.submit(Submission(c, c.submitted, "1", rejection=rj.choice(REJECTIONS)))
            c.submitted += timedelta(days=rj.randint(2, 8))  # corrected and sent again
        self.submit(Submission(c, c.submitted, "1"))
        code: ReasonCode | None = None
        if c.root_cause:
            code = rng.choice(payer_codes(_CAUSE[c.root_cause], c.payer.kind))
        first = self.pricer.price(c, cause=c.root_cause, code=code)
        first.remit_date = _weekly(c.submitted, rng, 7, 28)
        first.payer_claim_number = self.icn(c.payer.key)
        crossover = c.patient.dual_medicaid and first.status == "1" and first.patient_resp > 0
        if crossover:
            first.status = "19"
            first.remarks.append("MA18")
        self.remit(first)
        if crossover:
            self._secondary(c, first)
        if rng.random() < RATES["duplicate"]:
            self._duplicate(c, first)
        if c.root_cause is None:
            if rng.random() < RATES["reversal"]:
                self._reversal(c, first)
            return
        self._after_denial(c, first, code)

    def _secondary(self, c: Claim, primary: Remit) -> None:
        """Medicaid pays the Medicare coinsurance/deductible of a dual-eligible patient."""
        paid = primary.patient_resp
        prior = c.charge - paid
        self.remit(
            Remit(
                claim=c, claim_id=c.claim_id, event="secondary", payer="MCD",
                remit_date=_weekly(primary.remit_date, self.rng, 10, 25), status="2",
                charge=c.charge, paid=paid, patient_resp=Decimal(0),
                payer_claim_number=self.icn("MCD"), frequency="1",
                adjustments=[Adj("OA", "23", prior)] if prior else [], lines=[], remarks=[],
            )
        )  # fmt: skip

    def _duplicate(self, c: Claim, first: Remit) -> None:
        sent = c.submitted + timedelta(days=self.rng.randint(20, 40))
        if not self.submit(Submission(c, sent, "1")):
            return
        code = ReasonCode("OA", "18")
        r = self.pricer.price(c, cause=None, code=None)
        r.event, r.status, r.paid, r.patient_resp = "duplicate", "4", Decimal(0), Decimal(0)
        r.remit_date = _weekly(sent, self.rng, 7, 21)
        r.payer_claim_number = self.icn(c.payer.key)
        r.denial = code
        if r.lines:
            r.lines = [Pricer._denied_line(rl.line, code) for rl in r.lines]
            r.adjustments = []
        else:
            r.adjustments = [Adj("OA", "18", c.charge)]
        r.remarks = []
        self.remit(r)

    def _reversal(self, c: Claim, first: Remit) -> None:
        """The payer takes the payment back and pays again at a corrected (higher) rate."""
        when = _weekly(first.remit_date, self.rng, 30, 90)
        self.remit(_negate(first, when))
        again = self.pricer.price(c, cause=None, code=None)
        bump = money(c.charge * Decimal("0.02"))
        target = again.lines[0].adjustments if again.lines else again.adjustments
        co45 = next((a for a in target if a.group == "CO" and a.reason == "45"), None)
        if co45 is not None and co45.amount > bump:
            co45.amount -= bump
            again.paid += bump
            if again.lines:
                again.lines[0].paid += bump
                again.lines[0].allowed += bump
        again.event, again.remit_date = "repayment", when
        again.payer_claim_number = self.icn(c.payer.key)
        if first.status == "19":
            again.status = "19"
        self.remit(again)

    def _after_denial(self, c: Claim, first: Remit, code: ReasonCode | None) -> None:
        rng = self.rng
        cause = c.root_cause or ""
        level = _LEVEL[cause]
        claim_level = first.status == "4"
        appealable = claim_level or _LEVEL[cause] == "drg"  # a DRG downgrade is appealed too
        if appealable and cause in _APPEALABLE and rng.random() < RATES["appeal"]:
            when = _weekly(first.remit_date, rng, 40, 100)
            overturned = rng.random() < RATES["overturn"]
            r = self.pricer.price(c, cause=None if overturned else cause, code=code)
            r.event = "appeal_paid" if overturned else "appeal_upheld"
            r.remit_date = when
            r.payer_claim_number = first.payer_claim_number
            self.remit(r)
            return
        correctable = _STREAM[cause] in _CORRECTABLE or cause in _REBILL_ACCESS
        if cause == "timely_filing" or not correctable or rng.random() >= RATES["correct"]:
            return
        sent = _weekly(first.remit_date, rng, 3, 20)
        fixed = c.corrected()
        if not self.submit(Submission(fixed, sent, "7", first.payer_claim_number)):
            return
        when = _weekly(sent, rng, 7, 28)
        paid = rng.random() < RATES["correct_paid"]
        if not claim_level or level != "claim":
            # The payer reverses the original adjudication and processes the replacement.
            self.remit(_negate(first, when))
        r = self.pricer.price(fixed, cause=None if paid else cause, code=None if paid else code)
        r.event, r.remit_date, r.frequency = "corrected", when, "7"
        r.payer_claim_number = self.icn(c.payer.key)
        self.remit(r)

    def unmatched(self, template: Claim, number: int) -> None:
        """A paid remit for an encounter this system never billed."""
        r = self.pricer.price(template, cause=None, code=None)
        r.claim_id = f"EXT{number:07d}"
        r.event = "unmatched"
        r.remit_date = _weekly(template.submitted, self.rng, 7, 28)
        r.payer_claim_number = self.icn(template.payer.key)
        self.remit(r)


def run_lifecycle(
    rng: random.Random,
    claims: list[Claim],
    strays: Sequence[Claim] = (),
    *,
    reject_rng: random.Random | None = None,
    moved_rng: random.Random | None = None,
) -> tuple[list[Submission], list[Remit]]:
    """All 837 submissions and all remits of the demo.

    ``strays`` are encounters whose claims were never sent from this system (another
    billing system, a former vendor): they only appear as remits, with no 837 to match.
    """
    t = _Timeline(rng, reject_rng or random.Random(0), moved_rng or random.Random(1))
    for c in claims:
        t.run(c)
    for n, c in enumerate(strays, 1):
        t.unmatched(c, n)
    return t.submissions, t.remits
