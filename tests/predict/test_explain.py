"""Every feature has a sentence, and sentences carry the claim's own figures."""

from __future__ import annotations

import math

import numpy as np

from denialscope.predict.explain import explain_rows, templates
from denialscope.predict.features import FEATURES


def test_every_feature_has_a_sentence() -> None:
    assert set(templates()) == set(FEATURES)


def test_the_largest_positive_contributions_are_said_with_the_figures() -> None:
    row = np.full(len(FEATURES), math.nan)
    row[FEATURES.index("payer")] = 1
    row[FEATURES.index("charge_log")] = math.log1p(1234.5)
    row[FEATURES.index("prior_auth")] = 0
    row[FEATURES.index("referral")] = 1
    row[FEATURES.index("payer_procedure_modifier_rate_90d")] = 0.38
    row[FEATURES.index("payer_procedure_modifier_claims_90d")] = 97
    contrib = np.zeros((1, len(FEATURES) + 1))
    contrib[0, FEATURES.index("payer_procedure_modifier_rate_90d")] = 0.9
    contrib[0, FEATURES.index("charge_log")] = 0.2
    contrib[0, FEATURES.index("prior_auth")] = 0.4
    contrib[0, FEATURES.index("referral")] = -0.5  # lowers the risk: never a reason
    facts = [{"payer": "SUMMIT", "payer_procedure_modifier": "97110|-", "payer_procedure": "97110"}]
    vocab = {"payer": {"OTHER": 0, "SHP": 1}}
    [reasons] = explain_rows(contrib, row[None, :], facts, vocab, top=4)
    assert [r.text for r in reasons] == [
        "payer SUMMIT denied 38% of 97 claims with 97110 with no modifier in the last 90 days",
        "prior authorization number missing",
        "a charge of $1,234.50",
    ]
    facts[0]["payer_procedure_modifier"] = "97110|GP+59"
    [reasons] = explain_rows(contrib, row[None, :], facts, vocab, top=1)
    assert reasons[0].text.endswith("with 97110 with modifiers GP, 59 in the last 90 days")
