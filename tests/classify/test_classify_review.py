"""The CARC review (issue 11 item 10): every decision carries its reason, and each change holds.

The expected answers are the official meanings of the codes, worked by hand in
docs/classification-review.md; they do not come from the rules file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest

from denialscope.classify import (
    AdjudicatedClaim,
    AdjudicatedLine,
    Adjustment,
    ClassificationConfig,
    classify_adjustment,
    classify_claim,
    load_config,
)
from denialscope.errors import ConfigurationError


def test_every_code_and_context_rule_states_its_reason(defaults: ClassificationConfig) -> None:
    without = sorted(rule.id for rule in defaults.rules if len(rule.reason) < 20)
    assert without == [], f"rules without a written reason: {without}"


@pytest.mark.parametrize(
    ("group", "carc", "claim_type", "modifiers", "expected"),
    [
        # CARC 8: procedure vs provider type/taxonomy (not age/sex): billing.
        ("CO", "8", "professional", (), ("denial", "billing", "provider_type_mismatch")),
        ("CO", "12", "professional", (), ("denial", "billing", "provider_type_mismatch")),
        ("CO", "170", "professional", (), ("denial", "billing", "provider_type_mismatch")),
        # CARC 131: a repricer's claim-specific discount is the negotiated price.
        ("CO", "131", "professional", (), ("contractual", "none", "not_a_denial")),
        # Second review: a managed-care (e.g. Medicare Advantage) enrollee: bill that plan.
        ("CO", "24", "professional", (), ("denial", "access", "wrong_payer")),
        # CARC 251 / 250: records sent incomplete or wrong: HIM/billing.
        ("CO", "251", "inpatient", (), ("denial", "billing", "record_incomplete")),
        ("CO", "250", "professional", (), ("denial", "billing", "record_incomplete")),
        # CARC B15 / 107: qualifying service missing: coding, not NCCI.
        ("CO", "B15", "outpatient", (), ("denial", "coding", "qualifying_service_missing")),
        ("CO", "107", "professional", (), ("denial", "coding", "qualifying_service_missing")),
        # CARC 239: split the claim at the coverage change: billing.
        ("CO", "239", "inpatient", (), ("denial", "billing", "claim_data_error")),
        # Inpatient authorization days: concurrent review; elsewhere access.
        ("CO", "197", "inpatient", (), ("denial", "clinical", "concurrent_review")),
        ("CO", "62", "inpatient", (), ("denial", "clinical", "concurrent_review")),
        ("CO", "198", "inpatient", (), ("denial", "clinical", "concurrent_review")),
        ("CO", "197", "outpatient", (), ("denial", "access", "auth_not_obtained")),
        ("CO", "62", "professional", (), ("denial", "access", "auth_not_obtained")),
        ("CO", "197", None, (), ("denial", "access", "auth_not_obtained")),
        # PR-96/PR-204 and CO with a GA/GX/GY notice: the patient's, not a provider denial.
        ("PR", "204", "professional", (), ("patient_share", "none", "not_a_denial")),
        ("PR", "96", "outpatient", (), ("patient_share", "none", "not_a_denial")),
        ("CO", "204", "professional", ("GA",), ("patient_share", "none", "not_a_denial")),
        ("CO", "96", "professional", ("gx",), ("patient_share", "none", "not_a_denial")),
        ("CO", "96", "professional", ("GY",), ("patient_share", "none", "not_a_denial")),
        ("CO", "96", "professional", ("GA", "GZ"), ("denial", "access", "coverage_noncovered")),
        ("CO", "204", "professional", ("25",), ("denial", "access", "coverage_noncovered")),
        ("OA", "96", "professional", ("GA",), ("denial", "access", "coverage_noncovered")),
        # Second review (docs/classification-review.md, "Second review").
        ("CO", "38", "professional", (), ("denial", "access", "out_of_network")),
        ("CO", "60", "outpatient", (), ("denial", "billing", "claim_data_error")),
        ("CO", "141", "inpatient", (), ("denial", "billing", "claim_data_error")),
        ("CO", "238", "inpatient", (), ("denial", "access", "eligibility_terminated")),
        ("CO", "171", "outpatient", (), ("denial", "billing", "provider_type_mismatch")),
        ("CO", "B6", "professional", (), ("denial", "billing", "provider_type_mismatch")),
        ("CO", "211", "outpatient", (), ("denial", "coding", "invalid_procedure_code")),
        ("CO", "222", "outpatient", (), ("denial", "billing", "pricing_contract_dispute")),
        ("OA", "257", "professional", (), ("bookkeeping", "none", "not_a_denial")),
        ("OA", "277", "professional", (), ("bookkeeping", "none", "not_a_denial")),
        ("OA", "255", "professional", (), ("denial", "none", "unclassified")),
        ("OA", "P11", "professional", (), ("denial", "none", "unclassified")),
        # PR necessity-type denial with a waiver (ABN) on the line: the patient's.
        ("PR", "50", "outpatient", ("GA",), ("patient_share", "none", "not_a_denial")),
        ("PR", "55", "professional", ("GY",), ("patient_share", "none", "not_a_denial")),
        ("PR", "151", "professional", ("GX",), ("patient_share", "none", "not_a_denial")),
        ("PR", "50", "outpatient", (), ("denial", "clinical", "medical_necessity")),
        ("PR", "50", "outpatient", ("GA", "GZ"), ("denial", "clinical", "medical_necessity")),
        ("CO", "50", "outpatient", ("GA",), ("denial", "clinical", "medical_necessity")),
    ],
)
def test_review_changes(
    defaults: ClassificationConfig,
    group: str,
    carc: str,
    claim_type: str | None,
    modifiers: tuple[str, ...],
    expected: tuple[str, str, str],
) -> None:
    result = classify_adjustment(
        defaults, group=group, carc=carc, claim_type=claim_type, modifiers=modifiers
    )
    assert (result.category, result.stream, result.root_cause) == expected
    assert result.is_denial == (expected[0] == "denial")
    assert result.reason, "the decision's reason travels with the result"
    assert result.to_dict()["reason"] == result.reason


def test_the_reason_is_in_the_explanation(defaults: ClassificationConfig) -> None:
    result = classify_adjustment(defaults, group="CO", carc="131")
    assert "Why: " in result.explanation and "repricer" in result.explanation


def test_a_waiver_on_one_line_does_not_excuse_another() -> None:
    """Hand-computed claim: line 1 (GA) 300.00 PR-shifted by notice, line 2 (no notice)
    200.00 CO-96: only line 2's 200.00 is a provider denial."""
    config = load_config([])
    claim = AdjudicatedClaim(
        status="1",
        charge=Decimal("600.00"),
        paid=Decimal("100.00"),
        claim_type="professional",
        lines=[
            AdjudicatedLine(
                charge=Decimal("300.00"),
                paid=Decimal("0"),
                procedure_code="G0105",
                modifiers=("GA",),
                adjustments=[Adjustment("CO", "96", Decimal("300.00"))],
            ),
            AdjudicatedLine(
                charge=Decimal("200.00"),
                paid=Decimal("0"),
                procedure_code="97110",
                adjustments=[Adjustment("CO", "96", Decimal("200.00"))],
            ),
            AdjudicatedLine(
                charge=Decimal("100.00"), paid=Decimal("100.00"), procedure_code="99213"
            ),
        ],
    )
    result = classify_claim(config, claim)
    assert result.denied_amount == Decimal("200.00")
    assert result.denied_lines == (1,)
    assert result.denied_by_root_cause == {"coverage_noncovered": Decimal("200.00")}
    categories = [item.classification.category for item in result.adjustments]
    assert categories == ["patient_share", "denial"]


def test_inpatient_authorization_splits_on_whether_the_stay_was_paid() -> None:
    """Hand-computed: a stay paid 8,000.00 of 10,000.00 with CO-197 2,000.00 is days past the
    authorization (clinical); a stay paid nothing with CO-197 12,000.00 never had one (access)."""
    config = load_config([])
    partly = AdjudicatedClaim(
        status="1",
        charge=Decimal("10000.00"),
        paid=Decimal("8000.00"),
        claim_type="inpatient",
        adjustments=[Adjustment("CO", "197", Decimal("2000.00"))],
    )
    nothing = AdjudicatedClaim(
        status="4",
        charge=Decimal("12000.00"),
        paid=Decimal("0"),
        claim_type="inpatient",
        adjustments=[Adjustment("CO", "197", Decimal("12000.00"))],
    )
    part = classify_claim(config, partly)
    assert (part.denial_type, part.primary_stream, part.primary_root_cause) == (
        "partial_denial",
        "clinical",
        "concurrent_review",
    )
    assert part.denied_amount == Decimal("2000.00")
    whole = classify_claim(config, nothing)
    assert (whole.denial_type, whole.primary_stream, whole.primary_root_cause) == (
        "full_denial",
        "access",
        "auth_not_obtained",
    )
    assert whole.rule_ids == ("inpatient-stay-without-authorization",)
    assert whole.denied_amount == Decimal("12000.00")
    # Unknown payment (e.g. `codes explain`): the rule that needs it does not apply.
    unknown = classify_adjustment(config, group="CO", carc="197", claim_type="inpatient")
    assert unknown.rule_id == "inpatient-days-beyond-authorization"


def test_override_may_give_a_reason_and_notice_condition(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(
        dedent(
            """
            carc_defaults:
              "24": [cob_other_payer, Capitation, Our capitated plans misroute claims.]
            rules:
              - id: ours-50-abn
                carc: ["50"]
                patient_notice: true
                category: patient_share
                reason: Medicare ABN on file for necessity denials.
            """
        ).lstrip("\n"),
        encoding="utf-8",
    )
    config = load_config([path])
    capitation = classify_adjustment(config, group="CO", carc="24")
    assert capitation.root_cause == "cob_other_payer"
    assert capitation.reason == "Our capitated plans misroute claims."
    abn = classify_adjustment(config, group="CO", carc="50", modifiers=["GA"])
    assert (abn.category, abn.rule_id) == ("patient_share", "ours-50-abn")
    plain = classify_adjustment(config, group="CO", carc="50")
    assert plain.category == "denial"


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('carc_defaults:\n  "24": [contractual, A, b, c]\n', "carc_defaults.24", "optional reason"),
        (
            "rules:\n  - id: n\n    carc: [96]\n    patient_notice: maybe\n"
            "    category: patient_share\n",
            "rules[n].patient_notice",
            "expected true or false",
        ),
        (
            "rules:\n  - id: n\n    carc: [197]\n    claim_paid_nothing: yes please\n"
            "    root_cause: auth_not_obtained\n",
            "rules[n].claim_paid_nothing",
            "expected true or false",
        ),
    ],
)
def test_bad_reason_or_notice_is_named(tmp_path: Path, text: str, key: str, problem: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_config([path])
    assert key in str(caught.value) and problem in str(caught.value)
    assert "org.yaml" in str(caught.value)
