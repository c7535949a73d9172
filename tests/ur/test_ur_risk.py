"""The expected loss per cause (ur.risk) on both databases: the hospital service's relative
risk, the observation factor, what past days denials took, and no look at later remittances;
all hand computed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from denialscope.adt.models import Stay, StayChange
from denialscope.orgs.models import Payer
from denialscope.remits.models import Adjustment, ClaimPayment, Remittance
from denialscope.ur.history import DenialHistory
from denialscope.ur.risk import DEFAULT_DAYS_SHARE, RiskModel, risk_model
from factories.stays import inpatient_claim, payer, remittance

SEEN, LATE, CUT = dt.date(2026, 1, 1), dt.date(2026, 1, 9), dt.date(2026, 1, 5)
ADMIT = dt.datetime(2025, 12, 1, 8)


def _past_stay(
    session: Session,
    number: str,
    plan: Payer,
    remit: Remittance,
    *,
    service: str,
    cause: str | None = None,
    when: dt.date = SEEN,
    observation: bool = False,
) -> None:
    """A discharged stay (ADT) and its adjudicated 837I, linked by visit number = CLM01."""
    inpatient_claim(session, number=number, payer=plan, drg="195", adjudicated=when,
                    denied_for=cause, remit=remit)  # fmt: skip
    stay = Stay(visit_number=number, status="discharged", patient_class="I", service=service,
                admit_at=ADMIT, discharge_at=ADMIT + dt.timedelta(days=2))  # fmt: skip
    session.add(stay)
    session.flush()
    classes = ["O", "I"] if observation else ["I"]
    for hour, cls in enumerate(classes):
        session.add(StayChange(stay_id=stay.id, at=ADMIT + dt.timedelta(hours=hour),
                               event="A04" if cls == "O" else "A06", status="active",
                               patient_class=cls))  # fmt: skip
    session.flush()


@pytest.fixture
def history(session: Session) -> Session:
    plan = payer(session, "P1", "commercial")
    remit = remittance(session)
    # Orthopedics: 4 stays, 2 denied for days (one after an observation period); medicine:
    # 4 stays, 1 denied for status (it began in observation), 1 more observation stay.
    _past_stay(session, "O1", plan, remit, service="ORT", cause="length_of_stay")
    _past_stay(session, "O2", plan, remit, service="ORT", cause="length_of_stay", observation=True)
    _past_stay(session, "O3", plan, remit, service="ORT")
    _past_stay(session, "O4", plan, remit, service="ORT")
    _past_stay(session, "M1", plan, remit, service="MED", cause="level_of_care", observation=True)
    _past_stay(session, "M2", plan, remit, service="MED", observation=True)
    _past_stay(session, "M3", plan, remit, service="MED")
    _past_stay(session, "M4", plan, remit, service="MED")
    # Adjudicated after the cut: a model of 5 January must not see it.
    _past_stay(session, "L1", plan, remit, service="MED", cause="length_of_stay", when=LATE,
               observation=True)  # fmt: skip
    # The days denials took 2,000 of 9,000 and 2,500 of 9,000 (a second adjustment line of
    # one claim counts with it); the status denial took the whole claim.
    for number, amounts in (("O1", ("2000",)), ("O2", ("1500", "1000")), ("L1", ("9000",))):
        adjustments = (
            session.query(Adjustment)
            .join(ClaimPayment, ClaimPayment.id == Adjustment.claim_payment_id)
            .filter(ClaimPayment.claim.has(control_number=number))
            .all()
        )
        first = adjustments[0]
        first.amount = Decimal(amounts[0])
        for extra in amounts[1:]:
            session.add(Adjustment(claim_payment_id=first.claim_payment_id, level="claim",
                                   group_code="CO", reason_code="152", amount=Decimal(extra),
                                   is_denial=True, root_cause="length_of_stay"))  # fmt: skip
    session.flush()
    return session


def test_the_model_counts_services_observation_and_what_denials_took(history: Session) -> None:
    model = risk_model(history, before=CUT)
    status, days = model.histories["level_of_care"], model.histories["length_of_stay"]
    # L1 (adjudicated 9 January) is nowhere: 8 stays, 1 status and 2 days denials.
    assert status.overall == (1, 8) and days.overall == (2, 8)
    assert status.services == {"ORT": (0, 4), "MED": (1, 4)}
    assert days.services == {"ORT": (2, 4), "MED": (0, 4)}
    # Stays with an observation period: O2, M1, M2 (L1 is later).
    assert model.observation == {"level_of_care": (1, 3), "length_of_stay": (1, 3)}
    assert model.taken["length_of_stay"] == (Decimal("4500.00"), Decimal("18000.00"))
    assert model.taken["level_of_care"] == (Decimal("9000.00"), Decimal("9000.00"))
    assert model.days_share() == (
        Decimal("0.2500"),
        "25% (past days denials took $4,500.00 of $18,000.00)",
    )
    # With every remittance: L1 counts, its 9,000 days denial too.
    everything = risk_model(history)
    assert everything.histories["length_of_stay"].overall == (3, 9)
    assert everything.observation["length_of_stay"] == (2, 4)
    assert everything.taken["length_of_stay"] == (Decimal("13500.00"), Decimal("27000.00"))


def test_service_and_observation_scale_the_probability(history: Session) -> None:
    model = risk_model(history, before=CUT)
    plan = history.query(Payer).one()

    def assess(service: str, patient_class: str = "I") -> dict[str, float]:
        risk = model.assess(payer_id=plan.id, drg=None, gmlos=None, day=0,
                            expected_midnights=None, service=service,
                            patient_class=patient_class, inpatient_pay=Decimal("6000.00"),
                            observation_pay=Decimal("3800.00"))  # fmt: skip
        return {c.cause: c.probability for c in risk.causes}

    # Days: base (2 + 1) / (8 + 50); the payer (2 of 8) shrunk toward its kind (2 of 8) and
    # that toward the base; no stage counts (DRG pending, no discharge dates on the claims:
    # every past stay is in house on day 0), then the service's relative risk.
    base = 3 / 58
    kind = (2 + 20 * base) / 28
    payer_rate = (2 + 20 * kind) / 28
    stage = ((2 + 20 * base) / 28) / base  # day 0: 2 of 8
    ortho = ((2 + 20 * base) / 24) / base  # ORT: 2 of 4
    medicine = ((0 + 20 * base) / 24) / base  # MED: 0 of 4
    assert assess("ORT")["length_of_stay"] == pytest.approx(payer_rate * stage * ortho)
    assert assess("MED")["length_of_stay"] == pytest.approx(payer_rate * stage * medicine)
    # Observation now: x the observation stays' shrunk rate (1 of 3) over the base.
    observed = ((1 + 20 * base) / 23) / base
    assert assess("MED", "O")["length_of_stay"] == pytest.approx(
        payer_rate * stage * medicine * observed
    )
    assert payer_rate * stage * ortho * observed > 1  # a probability stays one at most
    assert assess("ORT", "O")["length_of_stay"] == 1.0
    # An unknown service counts as 0/0: relative risk 1.
    assert assess("XYZ")["length_of_stay"] == pytest.approx(payer_rate * stage)


def test_dollars_per_cause_and_the_expected_loss() -> None:
    empty = DenialHistory(cells={}, payers={}, overall=(0, 0))
    model = RiskModel({"level_of_care": empty, "length_of_stay": empty}, {}, {})
    risk = model.assess(payer_id=None, drg=None, gmlos=None, day=1, expected_midnights=None,
                        service=None, patient_class="I", inpatient_pay=Decimal("6000.00"),
                        observation_pay=Decimal("3800.00"))  # fmt: skip
    status, days = risk.causes
    # No history at all: one denial in 50 stays for each cause.
    assert status.probability == days.probability == pytest.approx(1 / 50)
    assert status.dollars == Decimal("2200.00")  # 6,000 - 3,800: rebilled as observation
    assert days.dollars == Decimal("6000.00") * DEFAULT_DAYS_SHARE == Decimal("1500.00")
    assert (status.expected_loss, days.expected_loss) == (Decimal("44.00"), Decimal("30.00"))
    assert risk.expected_loss == Decimal("74.00")
    assert risk.probability == pytest.approx(2 / 50)
    # An observation payment above the inpatient payment: nothing to lose on status.
    cheap = model.assess(payer_id=None, drg=None, gmlos=None, day=1, expected_midnights=None,
                         service=None, patient_class="I", inpatient_pay=Decimal("3000.00"),
                         observation_pay=Decimal("3800.00"))  # fmt: skip
    assert cheap.causes[0].dollars == Decimal("0.00")
