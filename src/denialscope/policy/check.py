"""The order check: what the payer's policies ask of an order before it is signed.

One service for every caller: ``denialscope policy check`` and the CDS Hooks service
(:mod:`denialscope.policy.cds_hooks`) build :class:`Order` values and call
:func:`check_orders`. Findings follow the house shape (code, severity, message, ``to_dict``):

    auth.required           warning   the payer requires prior authorization; none on file
    auth.notification       warning   the payer must be notified (admission, start of care)
    auth.on_file            info      required, and the order carries an authorization
    diagnosis.not_supported critical  none of the order's diagnoses is one the policy covers
    diagnosis.missing       warning   the policy covers listed diagnoses; the order gives none
    diagnosis.invalid       warning   a diagnosis that is not a billable ICD-10-CM code
    diagnosis.supported     info      the diagnoses the policy covers
    criteria                info      the coverage criteria references (NCD, LCD, policy)
    documentation           info      what the payer expects in the record
    payer.unknown           info      a payer the library does not declare: only the policies
                                      for every payer applied

An order is **high** risk when a finding is critical or a warning (something to do before
the service), **info** when policies apply but nothing is missing, **none** otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from denialscope.errors import InputError
from denialscope.orgs.models import PAYER_KINDS
from denialscope.policy.codes import SERVICE_CODE, normalize_service
from denialscope.policy.library import Policy, PolicyLibrary, places
from denialscope.reference import icd10cm, normalize_icd

__all__ = [
    "SEVERITIES",
    "Finding",
    "Order",
    "OrderCheck",
    "OrderResult",
    "PayerRef",
    "PolicyMatch",
    "check_orders",
    "resolve_payer",
    "resolve_setting",
]

SEVERITIES: Final = ("critical", "warning", "info")


@dataclass(frozen=True, slots=True)
class Order:
    """One ordered service: a CPT/HCPCS code with its diagnoses, setting, date and auth."""

    code: str
    diagnoses: tuple[str, ...] = ()
    setting: str | None = None  # a setting of places.yaml or a place-of-service code
    on: date | None = None  # the planned service date; the check's date when None
    authorization: str | None = None  # an authorization number on file, when known
    ref: str | None = None  # the caller's id of the order ("ServiceRequest/abc")


@dataclass(frozen=True, slots=True)
class PayerRef:
    id: str | None
    name: str
    kind: str | None
    declared: bool  # found among the library's payers

    @property
    def label(self) -> str:
        return self.name or self.id or (self.kind or "unknown payer").replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "declared": self.declared}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str  # one of SEVERITIES
    message: str
    policy: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "policy": self.policy,
        }


@dataclass(frozen=True, slots=True)
class PolicyMatch:
    policy: Policy
    authorization: str  # required_on_file, required_not_on_file, notification, not_required
    diagnoses: str  # supported, not_supported, not_given, not_listed
    supported: tuple[str, ...] = ()
    given: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        p = self.policy
        return {
            "policy": p.id,
            "title": p.title,
            "authorization": self.authorization,
            "diagnoses": self.diagnoses,
            "supported_diagnoses": list(self.supported),
            "covered_diagnoses": str(p.covered_diagnoses) if p.covered_diagnoses else None,
            "criteria": [c.to_dict() for c in p.criteria],
            "documentation": list(p.documentation),
            "url": p.url,
            "note": p.note,
        }


@dataclass(frozen=True, slots=True)
class OrderResult:
    order: Order
    setting: str | None
    on: date
    matches: tuple[PolicyMatch, ...]
    findings: tuple[Finding, ...]

    @property
    def risk(self) -> str:
        if any(f.severity in ("critical", "warning") for f in self.findings):
            return "high"
        return "info" if self.matches else "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.order.code,
            "ref": self.order.ref,
            "diagnoses": list(self.order.diagnoses),
            "setting": self.setting,
            "date": self.on,
            "risk": self.risk,
            "policies": [m.to_dict() for m in self.matches],
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True, slots=True)
class OrderCheck:
    payer: PayerRef
    library: str
    is_example: bool
    results: tuple[OrderResult, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "payer": self.payer.to_dict(),
            "library": self.library,
            "example_library": self.is_example,
            "orders": [r.to_dict() for r in self.results],
        }


def resolve_payer(
    library: PolicyLibrary, *, payer: str | None, kind: str | None = None
) -> PayerRef:
    """A payer given by id, name or kind; an undeclared id is kept with the ``kind`` given."""
    if kind is not None and kind not in PAYER_KINDS:
        raise InputError(f"payer kind {kind!r}: use one of {', '.join(PAYER_KINDS)}")
    if payer is None or not payer.strip():
        return PayerRef(None, "", kind, False)
    entry = library.find_payer(payer)
    if entry is not None:
        return PayerRef(entry.id, entry.name, entry.kind, True)
    if payer.strip().lower() in PAYER_KINDS and kind is None:
        return PayerRef(None, "", payer.strip().lower(), True)
    return PayerRef(payer.strip().upper(), "", kind, False)


def resolve_setting(value: str | None) -> str | None:
    """A setting word, or the setting of a CMS place-of-service code."""
    if value is None or not value.strip():
        return None
    settings, pos = places()
    text = value.strip().lower()
    if text in settings:
        return text
    if text.zfill(2) in pos:
        return pos[text.zfill(2)]
    raise InputError(
        f"setting {value!r}: use one of {', '.join(settings)} or a place-of-service code "
        f"({', '.join(pos)})"
    )


def check_orders(
    *, library: PolicyLibrary, payer: PayerRef, orders: Sequence[Order], on: date
) -> OrderCheck:
    """Every policy of the payer that governs each order, and what it asks (findings)."""
    results = tuple(_check(library, payer, order, on) for order in orders)
    return OrderCheck(payer, library.source, library.is_example, results)


def _check(library: PolicyLibrary, payer: PayerRef, order: Order, on: date) -> OrderResult:
    code = normalize_service(order.code)
    if not SERVICE_CODE.match(code):
        raise InputError(f"order code {order.code!r} is not a CPT or HCPCS code")
    setting = resolve_setting(order.setting)
    day = order.on or on
    findings: list[Finding] = []
    if payer.id is not None and not payer.declared:
        findings.append(
            Finding(
                "payer.unknown",
                "info",
                f"payer {payer.label} is not in the policy library: only policies for every "
                "payer (or its kind) were applied",
            )
        )
    known = icd10cm()
    diagnoses: list[str] = []  # dotted, as clinicians read them
    for dx in (normalize_icd(d) for d in order.diagnoses if d.strip()):
        entry = known.get(dx)
        if entry is None or not entry.billable:
            findings.append(
                Finding("diagnosis.invalid", "warning", f"{dx} is not a billable ICD-10-CM code")
            )
        diagnoses.append(entry.dotted if entry is not None else dx)
    matches: list[PolicyMatch] = []
    for policy in library.policies:
        if not policy.applies(
            payer_id=payer.id, payer_kind=payer.kind, code=code, setting=setting, on=day
        ):
            continue
        match = _match(policy, order, diagnoses)
        matches.append(match)
        findings.extend(_findings(policy, match, code, payer, order))
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: rank[f.severity])
    return OrderResult(order, setting, day, tuple(matches), tuple(findings))


def _match(policy: Policy, order: Order, diagnoses: list[str]) -> PolicyMatch:
    if policy.prior_authorization == "required":
        auth = "required_on_file" if order.authorization else "required_not_on_file"
    else:
        auth = policy.prior_authorization
    covered = policy.covered_diagnoses
    if covered is None:
        return PolicyMatch(policy, auth, "not_listed")
    if not diagnoses:
        return PolicyMatch(policy, auth, "not_given")
    supported = tuple(d for d in diagnoses if covered.covers(d))
    verdict = "supported" if supported else "not_supported"
    return PolicyMatch(policy, auth, verdict, supported, tuple(diagnoses))


def _findings(
    policy: Policy, match: PolicyMatch, code: str, payer: PayerRef, order: Order
) -> list[Finding]:
    who = payer.label
    out: list[Finding] = []

    def add(finding: str, severity: str, message: str) -> None:
        out.append(Finding(finding, severity, message, policy.id))

    if match.authorization == "required_not_on_file":
        add(
            "auth.required",
            "warning",
            f"{who} requires prior authorization for {code} ({policy.title}); none is on file",
        )
    elif match.authorization == "required_on_file":
        add("auth.on_file", "info", f"prior authorization {order.authorization} on file for {code}")
    elif match.authorization == "notification":
        add("auth.notification", "warning", f"{who} must be notified of {code} ({policy.title})")
    covered = policy.covered_diagnoses
    if match.diagnoses == "not_supported" and covered is not None:
        given = ", ".join(match.given)
        add(
            "diagnosis.not_supported",
            "critical",
            f"none of the diagnoses ({given}) is covered by {policy.id}; covered: {covered}",
        )
    elif match.diagnoses == "not_given" and covered is not None:
        add(
            "diagnosis.missing",
            "warning",
            f"{policy.id} covers {code} only for: {covered}; the order has no diagnosis",
        )
    elif match.diagnoses == "supported":
        add("diagnosis.supported", "info", f"{', '.join(match.supported)} covered by {policy.id}")
    if policy.criteria:
        add("criteria", "info", "criteria: " + "; ".join(c.label for c in policy.criteria))
    if policy.documentation:
        add("documentation", "info", "document: " + "; ".join(policy.documentation))
    return out
