"""Trigger rules on hand-built stays (times are the facility's wall clock)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from denialscope.ur.drg import WorkingDrg
from denialscope.ur.rules import inpatient_only, load_rules
from denialscope.ur.triggers import StayFacts, evaluate, midnights

T = dt.datetime
BOOK = load_rules()
COMMERCIAL = BOOK.for_payer(kind="commercial", payer_id=None, name=None, two_midnight=None)
MEDICARE = BOOK.for_payer(kind="medicare", payer_id=None, name=None, two_midnight=None)
IPO = inpatient_only()
PNEUMONIA = WorkingDrg("195", "pneumonia", Decimal("0.6285"), Decimal("2.2"), Decimal("2.7"))
AMI = WorkingDrg("282", "ami", Decimal("0.7231"), Decimal("1.7"), Decimal("2.0"))


def _inpatient(**changes: object) -> StayFacts:
    facts = {"patient_class": "I", "admit_at": T(2026, 1, 5, 8), "class_since": T(2026, 1, 5, 8),
             "drg": PNEUMONIA}  # fmt: skip
    facts.update(changes)
    return StayFacts(**facts)  # type: ignore[arg-type]


def test_midnights_count_calendar_days() -> None:
    assert midnights(T(2026, 1, 5, 23, 59), T(2026, 1, 6, 0, 1)) == 1
    assert midnights(T(2026, 1, 5, 8), T(2026, 1, 5, 23)) == 0


def test_new_admission_needs_a_status_review_and_waits_for_day_one() -> None:
    result = evaluate(_inpatient(), COMMERCIAL, now=T(2026, 1, 5, 12), ipo=IPO)
    assert [h.rule for h in result.open] == ["status_review"]
    # Commercial: concurrent review on day 1 (midnight of 6 January) comes first.
    assert result.next_at == T(2026, 1, 6)


def test_gmlos_checkpoint_and_concurrent_review_then_amlos_next() -> None:
    result = evaluate(_inpatient(), COMMERCIAL, now=T(2026, 1, 7, 6), ipo=IPO)
    # GMLOS 2.2 - 1 = 1.2 -> checkpoint on day 2 (7 January); AMLOS 2.7 -> outlier on day 3.
    assert [h.rule for h in result.open] == [
        "status_review",
        "concurrent_review",
        "gmlos_checkpoint",
    ]
    assert result.next_at == T(2026, 1, 8)
    later = evaluate(_inpatient(), COMMERCIAL, now=T(2026, 1, 8, 6), ipo=IPO)
    assert "beyond_amlos" in [h.rule for h in later.open]
    assert later.next_at == T(2026, 1, 9)  # concurrent review again on day 4 (1 + every 3)


def test_a_review_after_the_triggers_satisfies_them() -> None:
    facts = _inpatient(last_review_at=T(2026, 1, 7, 1))
    result = evaluate(facts, COMMERCIAL, now=T(2026, 1, 7, 6), ipo=IPO)
    assert result.open == ()
    assert all(h.reviewed for h in result.hits)


def test_observation_hours_and_two_midnight_expectation_for_medicare() -> None:
    facts = StayFacts(patient_class="O", admit_at=T(2026, 1, 5, 14), class_since=T(2026, 1, 5, 14),
                      drg=PNEUMONIA)  # fmt: skip
    result = evaluate(facts, MEDICARE, now=T(2026, 1, 7, 15), ipo=IPO)
    assert {h.rule for h in result.open} == {
        "status_review", "observation_24h", "observation_48h", "two_midnight_observation"
    }  # fmt: skip
    early = evaluate(facts, MEDICARE, now=T(2026, 1, 5, 20), ipo=IPO)
    assert [h.rule for h in early.open] == ["status_review"]
    assert early.next_at == T(2026, 1, 6)  # the first midnight passes in observation
    # The same stay with a commercial payer: no two-midnight rule.
    commercial = evaluate(facts, COMMERCIAL, now=T(2026, 1, 7, 15), ipo=IPO)
    assert "two_midnight_observation" not in {h.rule for h in commercial.hits}


def test_medicare_inpatient_expected_under_two_midnights() -> None:
    result = evaluate(_inpatient(drg=AMI), MEDICARE, now=T(2026, 1, 5, 9), ipo=IPO)
    assert "two_midnight_short" in [h.rule for h in result.open]
    assert "two_midnight_short" not in [
        h.rule for h in evaluate(_inpatient(), MEDICARE, now=T(2026, 1, 5, 9), ipo=IPO).hits
    ]
    # A plan marked two_midnight follows the rule whatever its kind.
    plan = BOOK.for_payer(kind="commercial", payer_id=None, name=None, two_midnight=True)
    assert "two_midnight_short" in [
        h.rule for h in evaluate(_inpatient(drg=AMI), plan, now=T(2026, 1, 5, 9), ipo=IPO).hits
    ]


def test_inpatient_only_procedure_on_an_outpatient() -> None:
    facts = StayFacts(patient_class="O", admit_at=T(2026, 1, 5, 7), class_since=T(2026, 1, 5, 7),
                      drg=None, procedures=("CPT:33405", "PCS:02RF0JZ"))  # fmt: skip
    hit = [h for h in evaluate(facts, COMMERCIAL, now=T(2026, 1, 5, 9), ipo=IPO).hits
           if h.rule == "inpatient_only"]  # fmt: skip
    assert len(hit) == 1 and "33405" in hit[0].reason
    other = StayFacts(patient_class="O", admit_at=T(2026, 1, 5, 7), class_since=T(2026, 1, 5, 7),
                      drg=None, procedures=("CPT:99223",))  # fmt: skip
    assert "inpatient_only" not in [
        h.rule for h in evaluate(other, COMMERCIAL, now=T(2026, 1, 5, 9), ipo=IPO).hits
    ]


def test_authorized_days_used_up() -> None:
    facts = _inpatient(authorized_days=3)
    before = evaluate(facts, MEDICARE, now=T(2026, 1, 7, 23), ipo=IPO)
    assert "authorized_days_used" not in [h.rule for h in before.hits]
    assert before.next_at is not None and before.next_at <= T(2026, 1, 8)
    after = evaluate(facts, MEDICARE, now=T(2026, 1, 8, 0, 5), ipo=IPO)
    assert "authorized_days_used" in [h.rule for h in after.open]


def test_the_physicians_expectation_decides_the_two_midnight_triggers() -> None:
    # GMLOS 2.2 says "two midnights", but the physician ordered a one-midnight stay (PV2-9).
    short = _inpatient(expected_discharge_at=T(2026, 1, 6, 11))
    result = evaluate(short, MEDICARE, now=T(2026, 1, 5, 9), ipo=IPO)
    hit = next(h for h in result.open if h.rule == "two_midnight_short")
    assert hit.reason == "inpatient, physician expects 1 midnight(s) < two midnights"
    # GMLOS 1.7 says "short", but the physician expects three midnights: no trigger.
    longer = _inpatient(drg=AMI, expected_discharge_at=T(2026, 1, 8, 11))
    assert "two_midnight_short" not in [
        h.rule for h in evaluate(longer, MEDICARE, now=T(2026, 1, 5, 9), ipo=IPO).hits
    ]
    observation = StayFacts(patient_class="O", admit_at=T(2026, 1, 5, 14),
                            class_since=T(2026, 1, 5, 14), drg=AMI,
                            expected_discharge_at=T(2026, 1, 7, 14))  # fmt: skip
    hits = evaluate(observation, MEDICARE, now=T(2026, 1, 6, 15), ipo=IPO).hits
    assert "two_midnight_observation" in [h.rule for h in hits]
