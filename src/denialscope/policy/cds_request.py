"""Reading a CDS Hooks 2.0 ``order-select`` / ``order-sign`` request into orders and a payer.

Pure: JSON in, :class:`~denialscope.policy.check.Order` values out; no web framework. The
orders are the FHIR R4 ``ServiceRequest``, ``MedicationRequest`` and ``DeviceRequest``
resources of ``context.draftOrders`` (for ``order-select``, only those named in
``context.selections``). From each: the CPT/HCPCS coding of its code, the ICD-10-CM codings of
``reasonCode``, the planned date (occurrence, else authoredOn) and the place of service of
``locationCode``. The payer is read from the ``coverage`` prefetch (a Coverage or a search
Bundle of them): ``payor[0].identifier.value`` (else its display) and the Source of Payment
Typology code of ``Coverage.type`` for the payer kind.

A request that does not have this shape raises :class:`CdsRequestError` (HTTP 400) naming
the JSON path that is wrong. Patient data (names, identifiers) is never read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

import yaml

from denialscope.errors import InputError
from denialscope.policy.check import Order
from denialscope.policy.codes import SERVICE_CODE, normalize_service
from denialscope.policy.library import places

__all__ = ["HOOKS", "CdsRequest", "CdsRequestError", "parse_request"]

HOOKS: Final = ("order-select", "order-sign")
ORDER_TYPES: Final = {
    "ServiceRequest": ("code",),
    "MedicationRequest": ("medicationCodeableConcept",),
    "DeviceRequest": ("codeCodeableConcept",),
}
DATE_FIELDS: Final = ("occurrenceDateTime", "occurrencePeriod", "authoredOn")


class CdsRequestError(InputError):
    """A CDS Hooks request that is not what the hook defines (HTTP 400)."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{path}: {message}", path=path)


@dataclass(frozen=True, slots=True)
class CdsRequest:
    hook: str
    hook_instance: str
    orders: tuple[Order, ...]
    payer_id: str | None
    payer_kind: str | None
    skipped: int  # draft orders without a CPT/HCPCS code (labs in LOINC, free text ...)


@cache
def _systems() -> dict[str, Any]:
    text = resources.files("denialscope.policy").joinpath("fhir_codes.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def parse_request(body: object, *, hook: str) -> CdsRequest:
    """The orders and the payer of a request sent to the ``hook`` service."""
    obj = _object(body, "request body")
    sent = obj.get("hook")
    if sent != hook:
        raise CdsRequestError(f"{sent!r} sent to the {hook} service", path="hook")
    instance = obj.get("hookInstance")
    if not isinstance(instance, str) or not instance.strip():
        raise CdsRequestError("required (a string)", path="hookInstance")
    context = _object(obj.get("context"), "context")
    bundle = _object(context.get("draftOrders"), "context.draftOrders")
    if bundle.get("resourceType") != "Bundle":
        raise CdsRequestError("must be a FHIR Bundle", path="context.draftOrders.resourceType")
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        raise CdsRequestError("must be a list", path="context.draftOrders.entry")
    selections: set[str] | None = None
    if hook == "order-select":
        chosen = context.get("selections")
        if not isinstance(chosen, list) or not all(isinstance(s, str) for s in chosen):
            raise CdsRequestError("required (a list of ids)", path="context.selections")
        selections = set(chosen)
    orders: list[Order] = []
    skipped = 0
    for i, entry in enumerate(entries):
        path = f"context.draftOrders.entry[{i}]"
        resource = _object(_object(entry, path).get("resource"), f"{path}.resource")
        kind = resource.get("resourceType")
        if kind not in ORDER_TYPES:
            continue
        ref = f"{kind}/{resource.get('id', '')}"
        if selections is not None and ref not in selections:
            continue
        found = _order(resource, str(kind), ref, f"{path}.resource")
        orders.extend(found)
        skipped += not found
    payer_id, payer_kind = _payer(obj.get("prefetch"))
    return CdsRequest(hook, instance, tuple(orders), payer_id, payer_kind, skipped)


def _order(resource: Mapping[str, Any], kind: str, ref: str, path: str) -> list[Order]:
    (code_field,) = ORDER_TYPES[kind]
    systems = _systems()
    codes = [
        normalize_service(code)
        for code in _codings(resource.get(code_field), systems["procedure_systems"], path)
        if SERVICE_CODE.match(normalize_service(code))
    ]
    reasons = resource.get("reasonCode", [])
    if not isinstance(reasons, list):
        raise CdsRequestError("must be a list", path=f"{path}.reasonCode")
    diagnoses = tuple(
        code
        for j, reason in enumerate(reasons)
        for code in _codings(reason, systems["diagnosis_systems"], f"{path}.reasonCode[{j}]")
    )
    locations = resource.get("locationCode", [])
    # A place of service the settings table does not map is an unknown setting, not an error:
    # the check then applies the policies of every setting.
    mapped = places()[1]
    pos = next(
        (
            code.zfill(2)
            for j, place in enumerate(locations if isinstance(locations, list) else [])
            for code in _codings(
                place, systems["place_of_service_systems"], f"{path}.locationCode[{j}]"
            )
            if code.zfill(2) in mapped
        ),
        None,
    )
    when = _date(resource, path)
    return [Order(code, diagnoses, pos, when, None, ref) for code in dict.fromkeys(codes)]


def _codings(concept: object, systems: list[str], path: str) -> list[str]:
    """The codes of a CodeableConcept in one of ``systems``."""
    if concept is None:
        return []
    codings = _object(concept, path).get("coding", [])
    if not isinstance(codings, list):
        raise CdsRequestError("must be a list", path=f"{path}.coding")
    out = []
    for coding in codings:
        if isinstance(coding, dict) and coding.get("system") in systems:
            code = coding.get("code")
            if isinstance(code, str) and code.strip():
                out.append(code.strip())
    return out


def _date(resource: Mapping[str, Any], path: str) -> dt.date | None:
    for name in DATE_FIELDS:
        value = resource.get(name)
        if isinstance(value, dict):  # a Period
            value = value.get("start")
        if value is None:
            continue
        if not isinstance(value, str):
            raise CdsRequestError("must be a FHIR date or dateTime", path=f"{path}.{name}")
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise CdsRequestError(f"{value!r} is not a date", path=f"{path}.{name}") from None
    return None


def _payer(prefetch: object) -> tuple[str | None, str | None]:
    if prefetch is None:
        return None, None
    raw = _object(prefetch, "prefetch").get("coverage")
    if raw is None:
        return None, None
    coverage = _object(raw, "prefetch.coverage")
    if coverage.get("resourceType") == "Bundle":
        entries = coverage.get("entry") or []
        found: list[Mapping[str, Any]] = [
            e["resource"]
            for e in (entries if isinstance(entries, list) else [])
            if isinstance(e, dict) and isinstance(e.get("resource"), dict)
        ]
        active = [r for r in found if r.get("resourceType") == "Coverage"]
        active.sort(key=lambda r: r.get("status") != "active")  # active first, order kept
        if not active:
            return None, None
        coverage = active[0]
    elif coverage.get("resourceType") != "Coverage":
        raise CdsRequestError("must be a Coverage or a Bundle", path="prefetch.coverage")
    payer_id = None
    payors = coverage.get("payor", [])
    if isinstance(payors, list) and payors and isinstance(payors[0], dict):
        identifier = payors[0].get("identifier")
        value = identifier.get("value") if isinstance(identifier, dict) else None
        payer_id = value or payors[0].get("display")
    systems = _systems()
    kind = None
    for code in _codings(
        coverage.get("type"), systems["payer_type_systems"], "prefetch.coverage.type"
    ):
        prefixes = [p for p in systems["payer_types"] if code.startswith(p)]
        if prefixes:
            kind = systems["payer_types"][max(prefixes, key=len)]
            break
    return (str(payer_id) if payer_id else None), kind


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise CdsRequestError("required (a JSON object)", path=path)
    return value
