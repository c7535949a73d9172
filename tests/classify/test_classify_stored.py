"""``classify.stored``: the one classification of a payment into its stored columns that
ingest, reclassify and explain share; results attached by the caller's keys."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from denialscope.classify import ClassificationConfig
from denialscope.classify.denial import AdjudicatedClaim, AdjudicatedLine, Adjustment
from denialscope.classify.stored import (
    AdjustmentCountError,
    claim_type_with_drg,
    classify_for_storage,
    fit,
)

# Partly paid: line 1 paid with a contractual CO-45, line 2 denied CO-16 with remark M51
# (the procedure code is missing or invalid: coding / invalid_procedure_code).
CLAIM = AdjudicatedClaim(
    status="1",
    charge=D(200),
    paid=D(90),
    lines=[
        AdjudicatedLine(
            charge=D(100),
            paid=D(90),
            procedure_code="99213",
            adjustments=[Adjustment("CO", "45", D(10))],
        ),
        AdjudicatedLine(
            charge=D(100),
            paid=D(0),
            procedure_code="80053",
            adjustments=[Adjustment("CO", "16", D(100))],
            remarks=["M51"],
        ),
    ],
)


def test_columns_are_attached_by_the_callers_keys(defaults: ClassificationConfig) -> None:
    stored = classify_for_storage(defaults, CLAIM, ["contractual-row", "denied-row"])

    assert stored.payment == {
        "denial_type": "line_denial",
        "is_denial": True,
        "primary_stream": "coding",
        "primary_root_cause": "invalid_procedure_code",
        "denied_amount": D(100),
        "config_version": defaults.version[:40],
    }
    assert stored.is_denial
    assert set(stored.adjustments) == {"contractual-row", "denied-row"}
    denied = stored.adjustments["denied-row"]
    assert list(denied) == [
        "category", "is_denial", "stream", "root_cause", "rule_id", "process_step",
        "owner_role", "owner_name",
    ]  # fmt: skip
    assert (denied["category"], denied["is_denial"], denied["root_cause"]) == (
        "denial",
        True,
        "invalid_procedure_code",
    )
    assert denied["rule_id"] == "missing-info-procedure-code"
    contractual = stored.adjustments["contractual-row"]
    assert (contractual["category"], contractual["is_denial"]) == ("contractual", False)
    assert stored.outcomes["denied-row"].adjustment == Adjustment("CO", "16", D(100))
    assert stored.outcomes["denied-row"].line == 1


def test_keys_must_name_every_adjustment(defaults: ClassificationConfig) -> None:
    with pytest.raises(AdjustmentCountError, match="1 adjustment keys for 2 adjustments"):
        classify_for_storage(defaults, CLAIM, ["only-one"])


def test_text_is_cut_to_its_column_and_a_drg_means_inpatient() -> None:
    assert fit("x" * 50, 40) == "x" * 40
    assert fit("", 40) is None
    assert fit(D(5), 0) == D(5)
    assert claim_type_with_drg(None, " 470 ") == "inpatient"
    assert claim_type_with_drg(None, "  ") is None
    assert claim_type_with_drg("outpatient", "470") == "outpatient"
