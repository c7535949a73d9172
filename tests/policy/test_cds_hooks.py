"""CDS Hooks contract: discovery, cards for high-risk orders, none for low-risk, 400s.

Runs the FastAPI router with TestClient over the shipped example library (invented payers'
policies), with the service date fixed at 2025-06-01.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from denialscope.policy.cds_hooks import create_app, create_router
from denialscope.policy.library import example_text, parse_library

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "urn:oid:2.16.840.1.113883.6.285"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
SOPT = "https://nahdo.org/sopt"
PATIENT = "pt-5f2a-secret"
LIBRARY = parse_library(example_text(), name="example", is_example=True)


def _client(*, include_info: bool = False) -> TestClient:
    app = FastAPI()
    router = create_router(
        library=LIBRARY, include_info=include_info, today=lambda: dt.date(2025, 6, 1)
    )
    app.include_router(router)
    return TestClient(app)


def _service_request(rid: str, code: str, *dx: str, system: str = CPT,
                     pos: str | None = None) -> dict[str, Any]:  # fmt: skip
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT}"},
        "code": {"coding": [{"system": system, "code": code}], "text": "ordered service"},
        "reasonCode": [{"coding": [{"system": ICD, "code": d}]} for d in dx],
        "occurrenceDateTime": "2025-06-10T09:00:00-05:00",
    }
    if pos:
        resource["locationCode"] = [{"coding": [{"system": POS, "code": pos}]}]
    return resource


def _coverage(payer_id: str | None = None, sopt: str | None = None) -> dict[str, Any]:
    coverage: dict[str, Any] = {
        "resourceType": "Coverage",
        "status": "active",
        "beneficiary": {"reference": f"Patient/{PATIENT}"},
        "payor": [{"identifier": {"value": payer_id}, "display": "a payer"}] if payer_id else [],
    }
    if sopt:
        coverage["type"] = {"coding": [{"system": SOPT, "code": sopt}]}
    return coverage


def _request(hook: str, *orders: dict[str, Any], coverage: dict[str, Any] | None = None,
             selections: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    context: dict[str, Any] = {
        "userId": "Practitioner/dr-1",
        "patientId": PATIENT,
        "encounterId": "enc-77",
        "draftOrders": {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": o} for o in orders],
        },
    }
    if selections is not None:
        context["selections"] = selections
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": context,
    }
    if coverage is not None:
        body["prefetch"] = {"coverage": coverage}
    return body


def _cards(client: TestClient, service: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(f"/cds-services/{service}", json=body)
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def test_discovery_lists_both_hooks_with_the_coverage_prefetch() -> None:
    response = _client().get("/cds-services")
    assert response.status_code == 200
    services = response.json()["services"]
    assert [(s["id"], s["hook"]) for s in services] == [
        ("denialscope-order-select", "order-select"),
        ("denialscope-order-sign", "order-sign"),
    ]
    for service in services:
        assert service["title"] and service["description"]
        assert service["prefetch"] == {
            "coverage": "Coverage?patient={{context.patientId}}&status=active"
        }


def test_a_high_risk_order_gets_a_card_naming_the_payers_criteria() -> None:
    mri = _service_request("sr-1", "72148", "M54.50", pos="22")
    body = _request("order-sign", mri, coverage=_coverage("SHP01"))
    (card,) = _cards(_client(), "denialscope-order-sign", body)
    assert card["indicator"] == "critical"
    assert card["summary"] == (
        "SUMMIT HEALTH PLAN: the diagnoses do not meet SHP-RAD-017 for 72148 (Lumbar spine MRI)"
    )
    assert len(card["summary"]) < 140
    detail = card["detail"]
    assert "**Lumbar spine MRI** (SHP-RAD-017), SUMMIT HEALTH PLAN, 72148" in detail
    assert "- **Prior authorization:** required; none is on file with this order" in detail
    assert "- **Diagnoses:** none of M54.50 is covered; covered: M48.06, M51.16-M51.17" in detail
    assert (
        "[payer policy SHP-RAD-017: Low back imaging]"
        "(https://payer-policies.example.org/summit/SHP-RAD-017)" in detail
    )
    assert "  - Six weeks of conservative treatment (physical therapy, medication) that failed" in (
        detail
    )
    assert card["source"] == {
        "label": "denialscope payer policy library (example data)",
        "url": "https://payer-policies.example.org/summit/SHP-RAD-017",
    }
    assert card["links"] == [
        {
            "label": "SHP-RAD-017: Lumbar spine MRI",
            "url": "https://payer-policies.example.org/summit/SHP-RAD-017",
            "type": "absolute",
        }
    ]
    again = _cards(_client(), "denialscope-order-sign", body)
    assert again[0]["uuid"] == card["uuid"]  # the same call gives the same card id


def test_a_covered_diagnosis_still_needs_the_authorization() -> None:
    mri = _service_request("sr-1", "72148", "M51.16", pos="11")
    (card,) = _cards(
        _client(),
        "denialscope-order-sign",
        _request("order-sign", mri, coverage=_coverage("SHP01")),
    )
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "SUMMIT HEALTH PLAN: prior authorization required for 72148 (Lumbar spine MRI)"
    )
    assert "- **Diagnoses:** M51.16 covered" in card["detail"]


def test_a_drug_order_and_the_payer_kind_from_the_coverage_type() -> None:
    drug = {
        "resourceType": "MedicationRequest",
        "id": "mr-9",
        "status": "draft",
        "intent": "order",
        "medicationCodeableConcept": {"coding": [{"system": HCPCS, "code": "J9271"}]},
        "reasonCode": [{"coding": [{"system": ICD, "code": "C34.90"}]}],
        "authoredOn": "2025-06-01",
    }
    (card,) = _cards(
        _client(),
        "denialscope-order-sign",
        _request("order-sign", drug, coverage=_coverage("MAP35")),
    )
    assert card["summary"].startswith(
        "NORTHSTAR MEDICARE ADVANTAGE PPO: prior authorization required for J9271"
    )
    # A Medicare Advantage plan known only by its Source of Payment Typology code (111):
    # the policies for Medicare Advantage plans apply, here the PAP device LCD.
    pap = _service_request("sr-2", "E0601", "R06.83", system=HCPCS, pos="12")
    (card,) = _cards(
        _client(),
        "denialscope-order-sign",
        _request("order-sign", pap, coverage=_coverage(sopt="111")),
    )
    assert card["indicator"] == "critical"
    assert "LCD L33718: PAP devices for obstructive sleep apnea" in card["detail"]


def test_low_risk_orders_get_no_card() -> None:
    visit = _service_request("sr-1", "99213", "M54.50", pos="11")
    dxa = _service_request("sr-2", "77080", "M81.0", pos="22")  # policy met: nothing to do
    lab = {"resourceType": "ServiceRequest", "id": "sr-3",
           "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]}}  # fmt: skip
    body = _request("order-sign", visit, dxa, lab, coverage=_coverage("04312"))
    assert _cards(_client(), "denialscope-order-sign", body) == []
    # Built to show every governed order, the service adds an info card for the DXA.
    (card,) = _cards(_client(include_info=True), "denialscope-order-sign", body)
    assert card["indicator"] == "info"
    assert card["summary"].startswith("MEDICARE PART A AND B: coverage criteria apply to 77080")
    assert "NCD 150.3" in card["detail"]


def test_order_select_answers_for_the_selected_orders_only() -> None:
    mri = _service_request("sr-1", "72148", "M54.50")
    knee = _service_request("sr-2", "27447", "M17.11")
    body = _request("order-select", mri, knee, coverage=_coverage("PCI42"),
                    selections=["ServiceRequest/sr-2"])  # fmt: skip
    (card,) = _cards(_client(), "denialscope-order-select", body)
    assert card["summary"] == (
        "PINNACLE CARE INSURANCE: prior authorization required for 27447 (Total knee arthroplasty)"
    )


def test_without_coverage_only_policies_for_every_payer_apply() -> None:
    mri = _service_request("sr-1", "72148", "M54.50")
    assert _cards(_client(), "denialscope-order-sign", _request("order-sign", mri)) == []


@pytest.mark.parametrize(
    ("mutate", "status", "message"),
    [
        (lambda b: b.pop("context"), 400, "context: required (a JSON object)"),
        (lambda b: b.update(hook="patient-view"),
         400, "hook: 'patient-view' sent to the order-sign service"),
        (lambda b: b.pop("hookInstance"), 400, "hookInstance: required (a string)"),
        (lambda b: b["context"]["draftOrders"].update(resourceType="ServiceRequest"),
         400, "context.draftOrders.resourceType: must be a FHIR Bundle"),
        (lambda b: b["context"]["draftOrders"]["entry"][0]["resource"].update(
            occurrenceDateTime="next week"),
         400,
         "context.draftOrders.entry[0].resource.occurrenceDateTime: 'next week' is not a date"),
        (lambda b: b["context"]["draftOrders"]["entry"][0]["resource"].update(reasonCode="M54"),
         400, "context.draftOrders.entry[0].resource.reasonCode: must be a list"),
        (lambda b: b.update(prefetch={"coverage": {"resourceType": "Patient"}}),
         400, "prefetch.coverage: must be a Coverage or a Bundle"),
    ],
)  # fmt: skip
def test_malformed_requests_are_400_with_a_clear_message(
    mutate: Any, status: int, message: str
) -> None:
    body = _request("order-sign", _service_request("sr-1", "72148", "M54.50"))
    mutate(body)
    response = _client().post("/cds-services/denialscope-order-sign", json=body)
    assert response.status_code == status
    assert response.json() == {
        "error": "CdsRequestError",
        "message": message,
        "path": message.split(":")[0],
    }


def test_not_json_unknown_service_and_missing_selections() -> None:
    client = _client()
    response = client.post(
        "/cds-services/denialscope-order-sign",
        content=b'{"hook": "order-sign",',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "request body: not JSON at character 22"
    response = client.post("/cds-services/nope", json={})
    assert response.status_code == 404
    assert response.json()["message"] == "no CDS service 'nope'"
    body = _request("order-select", _service_request("sr-1", "72148"))
    response = client.post("/cds-services/denialscope-order-select", json=body)
    assert response.status_code == 400
    assert response.json()["message"] == "context.selections: required (a list of ids)"


def test_logs_carry_no_patient_identifiers(caplog: pytest.LogCaptureFixture) -> None:
    mri = _service_request("sr-1", "72148", "M54.50")
    with caplog.at_level(logging.INFO, logger="denialscope.policy.cds"):
        _cards(
            _client(),
            "denialscope-order-sign",
            _request("order-sign", mri, coverage=_coverage("SHP01")),
        )
        _client().post(
            "/cds-services/denialscope-order-sign", json={"hook": "x", "patientId": PATIENT}
        )
    assert len(caplog.records) == 2
    assert "cards=1" in caplog.records[0].getMessage()
    for record in caplog.records:
        text = record.getMessage()
        assert PATIENT not in text and "enc-77" not in text and "dr-1" not in text


def test_the_standalone_app_serves_discovery_with_cors() -> None:
    client = TestClient(create_app(library=LIBRARY))
    response = client.get("/cds-services", headers={"Origin": "https://ehr.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert len(response.json()["services"]) == 2


def test_a_coverage_search_bundle_uses_its_active_coverage_and_period_dates() -> None:
    knee = _service_request("sr-1", "27447", "M17.11")
    del knee["occurrenceDateTime"]
    knee["occurrencePeriod"] = {"start": "2024-12-01"}  # before every example policy
    cancelled = {**_coverage("04312"), "status": "cancelled"}
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": cancelled}, {"resource": _coverage("PCI42")}],
    }
    body = _request("order-sign", knee, coverage=bundle)
    assert _cards(_client(), "denialscope-order-sign", body) == []
    knee["occurrencePeriod"] = {"start": "2025-07-01"}
    (card,) = _cards(
        _client(), "denialscope-order-sign", _request("order-sign", knee, coverage=bundle)
    )
    assert card["summary"].startswith("PINNACLE CARE INSURANCE: prior authorization required")


def test_a_place_of_service_outside_the_table_is_an_unknown_setting() -> None:
    mri = _service_request("sr-1", "72148", "M51.16", pos="99")
    body = _request("order-sign", mri, coverage=_coverage("SHP01"))
    (card,) = _cards(_client(), "denialscope-order-sign", body)
    assert card["indicator"] == "warning"  # the policy applied: setting unknown
    inpatient = _service_request("sr-1", "72148", "M51.16", pos="21")
    body = _request("order-sign", inpatient, coverage=_coverage("SHP01"))
    assert _cards(_client(), "denialscope-order-sign", body) == []  # outpatient-only policy
