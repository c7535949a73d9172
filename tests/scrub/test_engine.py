"""The engine itself: rule scope, the registry's refusals, results and findings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from denialscope.scrub import Finding, Rule, ScrubContext, scrub_claims
from denialscope.scrub.registry import CATEGORIES, build_registry
from denialscope.x12.claim837.records import Claim
from factories.claim837 import build_claim


class Always(Rule):
    """Flags every claim (a test double)."""

    id = "test.always"
    category = "test"
    severity = "warn"

    def check(self, claim: Claim, context: ScrubContext) -> Iterator[Finding]:
        yield self.finding(claim, None, "seen", "nothing to do")


class Scoped(Always):
    id = "test.scoped"
    claim_types = frozenset({"inpatient"})
    payers = frozenset({"P9"})
    effective_from = date(2026, 1, 1)
    effective_to = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("spec", "applies"),
    [
        ({"kind": "837I", "facility_code": "11", "payer": "P9"}, True),
        ({"kind": "837I", "facility_code": "13", "payer": "P9"}, False),  # outpatient
        ({"kind": "837I", "facility_code": "11", "payer": "P1"}, False),  # other payer
        (
            {"kind": "837I", "facility_code": "11", "payer": "P9", "service_date": "2025-12-31"},
            False,
        ),
        (
            {"kind": "837I", "facility_code": "11", "payer": "P9", "service_date": "2026-07-01"},
            False,
        ),
    ],
)
def test_rule_scope(spec: dict[str, str], applies: bool) -> None:
    assert Scoped().applies(build_claim(spec)) is applies
    [result] = scrub_claims([build_claim(spec)], context=ScrubContext(), rules=[Scoped()])
    assert len(result.findings) == int(applies)


def test_warnings_leave_a_claim_clean() -> None:
    [result] = scrub_claims([build_claim()], context=ScrubContext(), rules=[Always()])
    assert result.clean and result.to_dict()["findings"][0] == {
        "claim_id": "C1",
        "line": None,
        "rule": "test.always",
        "category": "test",
        "severity": "warn",
        "message": "seen",
        "suggestion": "nothing to do",
    }


def test_registry_refuses_duplicates_and_misfiled_rules() -> None:
    class Twin(Always):
        pass

    with pytest.raises(ValueError, match=r"duplicate rule id 'test\.always'"):
        build_registry({"test": [Always, Twin]})
    with pytest.raises(ValueError, match="filed under 'modifier'"):
        build_registry({"modifier": [Always]})
    assert set(build_registry({"test": [Always, Scoped]})) == {"test.always", "test.scoped"}


def test_categories_of_the_issue() -> None:
    assert set(CATEGORIES) == {
        "ncci_ptp", "mue", "modifier", "dx_validity", "principal_dx", "dx_specificity",
        "age_sex", "dx_procedure_coverage", "prior_auth", "timely_filing", "duplicate",
        "provider_id", "missing_data", "place_of_service", "mce", "drg", "dx_combination",
    }  # fmt: skip
