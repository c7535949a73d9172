"""Claim-level decisions: which adjustments are denials and what kind of denial the claim is."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from denialscope.classify import (
    AdjudicatedClaim,
    AdjudicatedLine,
    Adjustment,
    ClassificationConfig,
    classify_adjustment,
    classify_claim,
    line_is_denied,
)

D = Decimal


def _claim(**fields: object) -> AdjudicatedClaim:
    base: dict[str, object] = {
        "status": "1",
        "charge": D("500.00"),
        "paid": D("0"),
        "patient_responsibility": D("0"),
        "claim_type": "professional",
        "payer_id": "PAYER1",
        "adjudicated_on": date(2025, 3, 1),
    }
    base.update(fields)
    return AdjudicatedClaim(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("group", "carc", "category"),
    [
        ("CO", "45", "contractual"),
        ("CO", "253", "contractual"),
        ("CO", "59", "contractual"),
        ("PR", "1", "patient_share"),
        ("PR", "3", "patient_share"),
        ("PR", "45", "patient_share"),
        ("CR", "97", "bookkeeping"),
        ("OA", "23", "bookkeeping"),
        ("CO", "225", "bookkeeping"),
        ("CO", "18", "duplicate"),
        ("CO", "97", "denial"),
        ("PR", "96", "patient_share"),  # non-covered, assigned to the patient
        ("CO", "96", "denial"),
        ("PI", "50", "denial"),
        ("co", " 16 ", "denial"),
    ],
)
def test_adjustment_categories(
    defaults: ClassificationConfig, group: str, carc: str, category: str
) -> None:
    result = classify_adjustment(defaults, group=group, carc=carc)
    assert result.category == category
    assert result.is_denial == (category == "denial")
    assert result.config_version == defaults.version


def test_status_4_is_a_full_denial_with_primary_by_amount(defaults: ClassificationConfig) -> None:
    claim = _claim(
        status="4",
        adjustments=[Adjustment("CO", "197", D("100.00"))],
        lines=[
            AdjudicatedLine(
                charge=D("400.00"),
                paid=D("0"),
                allowed=D("0"),
                adjustments=[Adjustment("CO", "50", D("400.00"))],
            )
        ],
    )
    result = classify_claim(defaults, claim)
    assert result.denial_type == "full_denial" and result.is_denial
    assert (result.primary_root_cause, result.primary_stream) == ("medical_necessity", "clinical")
    assert result.denied_amount == D("500.00")
    assert result.denied_by_root_cause == {
        "auth_not_obtained": D("100.00"),
        "medical_necessity": D("400.00"),
    }
    assert result.denied_lines == (0,)
    assert result.rule_ids == ("carc-197", "carc-50")


def test_zero_paid_with_only_deductible_is_paid(defaults: ClassificationConfig) -> None:
    claim = _claim(
        patient_responsibility=D("120.00"),
        charge=D("200.00"),
        adjustments=[Adjustment("PR", "1", D("120.00")), Adjustment("CO", "45", D("80.00"))],
    )
    result = classify_claim(defaults, claim)
    assert result.denial_type == "paid" and not result.is_denial
    assert result.primary_root_cause is None and result.primary_stream == "none"


def test_zero_paid_duplicate_is_worked_but_not_a_denial(defaults: ClassificationConfig) -> None:
    claim = _claim(status="4", adjustments=[Adjustment("CO", "18", D("500.00"))])
    result = classify_claim(defaults, claim)
    assert result.denial_type == "duplicate" and not result.is_denial
    assert (result.primary_root_cause, result.primary_stream) == ("duplicate", "billing")


def test_status_4_without_reasons_is_still_a_denial(defaults: ClassificationConfig) -> None:
    result = classify_claim(defaults, _claim(status="4"))
    assert result.denial_type == "full_denial"
    assert result.primary_root_cause == "unclassified"


def test_denied_line_on_a_paid_claim(defaults: ClassificationConfig) -> None:
    claim = _claim(
        paid=D("150.00"),
        lines=[
            AdjudicatedLine(
                charge=D("200.00"),
                paid=D("150.00"),
                allowed=D("150.00"),
                procedure_code="99213",
                adjustments=[Adjustment("CO", "45", D("50.00"))],
            ),
            AdjudicatedLine(
                charge=D("300.00"),
                paid=D("0"),
                allowed=D("0"),
                procedure_code="20610",
                adjustments=[Adjustment("CO", "97", D("300.00"))],
                remarks=["M15"],
            ),
        ],
    )
    result = classify_claim(defaults, claim)
    assert result.denial_type == "line_denial"
    assert result.denied_lines == (1,)
    assert (result.primary_root_cause, result.primary_stream) == ("ncci_bundling", "coding")
    assert [r.line for r in result.adjustments] == [0, 1]


def test_partial_denial_reduces_a_paid_line(defaults: ClassificationConfig) -> None:
    claim = _claim(
        paid=D("100.00"),
        lines=[
            AdjudicatedLine(
                charge=D("500.00"),
                paid=D("100.00"),
                allowed=D("100.00"),
                procedure_code="97110",
                adjustments=[
                    Adjustment("CO", "45", D("200.00")),
                    Adjustment("CO", "151", D("200.00"), quantity=D("2")),
                ],
            )
        ],
    )
    result = classify_claim(defaults, claim)
    assert result.denial_type == "partial_denial"
    assert result.denied_lines == ()
    assert result.primary_root_cause == "units_mue"


def test_line_with_patient_share_only_is_not_denied() -> None:
    line = AdjudicatedLine(
        charge=D("100.00"),
        paid=D("0"),
        adjustments=[Adjustment("PR", "1", D("80.00")), Adjustment("CO", "45", D("20.00"))],
    )
    assert not line_is_denied(line)
    assert line_is_denied(AdjudicatedLine(charge=D("100.00"), paid=D("0")))
    assert line_is_denied(AdjudicatedLine(charge=D("100.00"), paid=D("5"), allowed=D("0")))
    assert not line_is_denied(AdjudicatedLine(charge=D("0"), paid=D("0")))


def test_reversal_is_bookkeeping(defaults: ClassificationConfig) -> None:
    claim = _claim(
        status="22",
        charge=D("-500.00"),
        paid=D("-300.00"),
        adjustments=[Adjustment("CR", "45", D("-200.00"))],
    )
    result = classify_claim(defaults, claim)
    assert result.denial_type == "reversal" and not result.is_denial
    assert result.adjustments[0].classification.category == "bookkeeping"


def test_context_flows_from_claim_to_adjustments(defaults: ClassificationConfig) -> None:
    claim = _claim(
        claim_type="inpatient",
        department="ED",
        remarks=["M25"],
        adjustments=[Adjustment("CO", "50", D("500.00"))],
    )
    result = classify_claim(defaults, claim)
    assert result.primary_root_cause == "level_of_care"
    decision = result.adjustments[0].classification
    assert decision.rule_id == "necessity-inpatient-level-of-care"


def test_ties_go_to_the_first_adjustment(defaults: ClassificationConfig) -> None:
    claim = _claim(
        adjustments=[Adjustment("CO", "29", D("250.00")), Adjustment("CO", "27", D("250.00"))],
    )
    assert classify_claim(defaults, claim).primary_root_cause == "timely_filing"
