"""The order check on a hand-built library: each finding, risk level and filter."""

from __future__ import annotations

import datetime as dt

import pytest

from denialscope.errors import InputError
from denialscope.policy import (
    Order,
    PolicyLibrary,
    check_orders,
    parse_library,
    resolve_payer,
    resolve_setting,
)

LIBRARY = """version: 1
payers:
  - {id: ACME1, name: ACME HEALTH, kind: commercial}
  - {id: MEDI9, name: MEDICARE NINE, kind: medicare}
policies:
  - id: ACME-MRI
    title: Lumbar MRI
    payers: [ACME1]
    services: ["72148-72158"]
    settings: [outpatient, office]
    prior_authorization: required
    criteria: [{type: payer_policy, id: ACME-MRI, url: "https://acme.example/mri"}]
    covered_diagnoses: ["M51.16-M51.17", "M48.06"]
    documentation: [Six weeks of conservative treatment]
    effective_from: 2025-01-01
    effective_to: 2025-12-31
  - id: MCR-PAP
    title: PAP device
    payer_kinds: [medicare]
    services: [E0601]
    prior_authorization: not_required
    criteria: [{type: LCD, id: L33718}]
    effective_from: 2025-01-01
  - id: ALL-ADMIT
    title: Elective admission
    services: ["27447"]
    prior_authorization: notification
    effective_from: 2025-01-01
"""
DAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def library() -> PolicyLibrary:
    return parse_library(LIBRARY, name="test.yaml")


def _one(library: PolicyLibrary, payer: str | None, order: Order) -> dict[str, object]:
    result = check_orders(
        library=library, payer=resolve_payer(library, payer=payer), orders=[order], on=DAY
    )
    (only,) = result.results
    return only.to_dict()


def _codes(result: dict[str, object]) -> list[tuple[str, str]]:
    findings = result["findings"]
    assert isinstance(findings, list)
    return [(f["code"], f["severity"]) for f in findings]


def test_auth_required_and_diagnosis_not_covered_is_high_risk(library: PolicyLibrary) -> None:
    result = _one(library, "ACME1", Order("72148", ("M54.50",), "office"))
    assert result["risk"] == "high"
    assert _codes(result) == [
        ("diagnosis.not_supported", "critical"),
        ("auth.required", "warning"),
        ("criteria", "info"),
        ("documentation", "info"),
    ]
    findings = result["findings"]
    assert isinstance(findings, list)
    assert findings[0]["message"] == (
        "none of the diagnoses (M54.50) is covered by ACME-MRI; covered: M51.16-M51.17, M48.06"
    )
    assert findings[1]["message"] == (
        "ACME HEALTH requires prior authorization for 72148 (Lumbar MRI); none is on file"
    )


def test_auth_on_file_and_a_covered_diagnosis_is_info_only(library: PolicyLibrary) -> None:
    result = _one(library, "acme health", Order("72158", ("m48.062",), "22", authorization="A-1"))
    assert result["risk"] == "info"
    assert result["setting"] == "outpatient"
    assert _codes(result) == [
        ("auth.on_file", "info"),
        ("diagnosis.supported", "info"),
        ("criteria", "info"),
        ("documentation", "info"),
    ]
    policies = result["policies"]
    assert isinstance(policies, list)
    assert policies[0]["supported_diagnoses"] == ["M48.062"]
    assert policies[0]["authorization"] == "required_on_file"


def test_no_diagnosis_is_a_warning(library: PolicyLibrary) -> None:
    result = _one(library, "ACME1", Order("72148", authorization="A-1"))
    assert ("diagnosis.missing", "warning") in _codes(result)
    assert result["risk"] == "high"


@pytest.mark.parametrize(
    ("payer", "order", "policies"),
    [
        ("ACME1", Order("72159", ("M51.16",)), []),  # outside the range
        ("ACME1", Order("72148", ("M51.16",), "inpatient"), []),  # not its setting
        ("ACME1", Order("72148", ("M51.16",), on=dt.date(2026, 1, 1)), []),  # expired
        ("ACME1", Order("72148", ("M51.16",), on=dt.date(2024, 12, 31)), []),  # not yet
        ("MEDI9", Order("72148", ("M51.16",)), []),  # another payer
        ("ACME1", Order("72148", ("M51.16",)), ["ACME-MRI"]),  # setting unknown: applies
        ("MEDI9", Order("E0601", ("G47.33",), "home"), ["MCR-PAP"]),  # by payer kind
        ("medicare", Order("E0601"), ["MCR-PAP"]),  # a kind given instead of a payer
        ("ACME1", Order("E0601"), []),
        (None, Order("27447"), ["ALL-ADMIT"]),  # a policy for every payer
    ],
)
def test_which_policies_apply(
    library: PolicyLibrary, payer: str | None, order: Order, policies: list[str]
) -> None:
    result = _one(library, payer, order)
    found = result["policies"]
    assert isinstance(found, list)
    assert [p["policy"] for p in found] == policies
    assert result["risk"] == ("none" if not policies else result["risk"])


def test_a_policy_without_auth_or_diagnoses_is_info(library: PolicyLibrary) -> None:
    result = _one(library, "MEDI9", Order("E0601", ("G47.33",)))
    assert result["risk"] == "info"
    assert _codes(result) == [("criteria", "info")]
    findings = result["findings"]
    assert isinstance(findings, list)
    assert findings[0]["message"] == "criteria: LCD L33718"


def test_notification_and_an_unknown_payer(library: PolicyLibrary) -> None:
    result = _one(library, "ZZZ99", Order("27447"))
    assert _codes(result) == [("auth.notification", "warning"), ("payer.unknown", "info")]
    assert result["risk"] == "high"


def test_invalid_diagnoses_are_flagged(library: PolicyLibrary) -> None:
    result = _one(library, "ACME1", Order("99213", ("M54", "Q99.99")))
    assert _codes(result) == [("diagnosis.invalid", "warning")] * 2
    assert result["policies"] == []


def test_bad_codes_and_settings_are_input_errors(library: PolicyLibrary) -> None:
    with pytest.raises(InputError, match="order code '7214' is not a CPT or HCPCS code"):
        _one(library, "ACME1", Order("7214"))
    with pytest.raises(InputError, match="setting 'clinic': use one of office"):
        resolve_setting("clinic")
    with pytest.raises(InputError, match="payer kind 'medicare_d'"):
        resolve_payer(library, payer=None, kind="medicare_d")
    assert resolve_setting("11") == "office"
    assert resolve_setting(None) is None
