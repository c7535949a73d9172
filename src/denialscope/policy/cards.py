"""CDS Hooks cards from an order check: one card per order that needs something done.

A card is raised for a **high**-risk order (prior authorization missing, a diagnosis the
policy does not cover, a notification due): indicator ``critical`` when a diagnosis is not
covered (the claim would be denied for medical necessity), else ``warning``. Orders the
policies govern but where nothing is missing raise an ``info`` card only when the service is
built with ``include_info`` (off by default: clinicians ignore cards that ask nothing of them).
The detail is markdown naming the payer's criteria (NCD/LCD ids, the payer's policy number)
and the documentation it expects; links point to the policy and criteria pages.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from denialscope.policy.check import OrderCheck, OrderResult, PolicyMatch

__all__ = ["SOURCE_LABEL", "cards_for"]

SOURCE_LABEL: Final = "denialscope payer policy library"
SUMMARY_LIMIT: Final = 140  # CDS Hooks: "<140 characters"
_AUTH_TEXT: Final = {
    "required_not_on_file": "required; none is on file with this order",
    "required_on_file": "required; on file",
    "notification": "the payer must be notified",
    "not_required": "not required",
}


def cards_for(check: OrderCheck, *, hook_instance: str, include_info: bool) -> list[dict[str, Any]]:
    """The cards of a check, in the order of the orders."""
    cards = []
    for result in check.results:
        if result.risk == "high" or (include_info and result.risk == "info"):
            cards.append(_card(check, result, hook_instance))
    return cards


def _card(check: OrderCheck, result: OrderResult, hook_instance: str) -> dict[str, Any]:
    severities = {f.severity for f in result.findings}
    indicator = (
        "critical" if "critical" in severities else "warning" if result.risk == "high" else "info"
    )
    payer = check.payer.label
    code = result.order.code
    first = result.matches[0].policy if result.matches else None
    codes = {f.code for f in result.findings}
    if "diagnosis.not_supported" in codes and first is not None:
        summary = f"{payer}: the diagnoses do not meet {first.id} for {code}"
    elif "auth.required" in codes:
        summary = f"{payer}: prior authorization required for {code}"
    elif "auth.notification" in codes:
        summary = f"{payer}: notify the payer of {code}"
    elif "diagnosis.missing" in codes:
        summary = f"{payer}: add the diagnosis that supports {code}"
    elif "diagnosis.invalid" in codes:
        summary = f"{code}: a diagnosis is not a billable ICD-10-CM code"
    else:
        summary = f"{payer}: coverage criteria apply to {code}"
    if first is not None and "diagnosis.invalid" not in codes:
        summary += f" ({first.title})"
    source: dict[str, Any] = {
        "label": SOURCE_LABEL + (" (example data)" if check.is_example else "")
    }
    if first is not None and first.url:
        source["url"] = first.url
    key = f"{hook_instance}|{result.order.ref}|{code}"
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
        "summary": _clip(summary),
        "indicator": indicator,
        "detail": _detail(check, result),
        "source": source,
        "links": _links(result),
    }


def _detail(check: OrderCheck, result: OrderResult) -> str:
    lines: list[str] = []
    invalid = [f.message for f in result.findings if f.code == "diagnosis.invalid"]
    for message in invalid:
        lines.append(f"- {message}")
    for match in result.matches:
        if lines:
            lines.append("")
        lines.extend(_policy_section(check, result, match))
    if check.is_example:
        lines += ["", "_Example policy library: invented payer policies, for trying the service._"]
    return "\n".join(lines)


def _policy_section(check: OrderCheck, result: OrderResult, match: PolicyMatch) -> list[str]:
    p = match.policy
    lines = [f"**{p.title}** ({p.id}), {check.payer.label}, {result.order.code}", ""]
    lines.append(f"- **Prior authorization:** {_AUTH_TEXT[match.authorization]}")
    covered = p.covered_diagnoses
    if covered is not None:
        if match.diagnoses == "supported":
            text = f"{', '.join(match.supported)} covered"
        elif match.diagnoses == "not_supported":
            text = f"none of {', '.join(match.given)} is covered; covered: {covered}"
        else:
            text = f"none on the order; covered: {covered}"
        lines.append(f"- **Diagnoses:** {text}")
    if p.criteria:
        refs = "; ".join(f"[{c.label}]({c.url})" if c.url else c.label for c in p.criteria)
        lines.append(f"- **Coverage criteria:** {refs}")
    if p.documentation:
        lines.append("- **Documentation the payer expects:**")
        lines.extend(f"  - {d}" for d in p.documentation)
    if p.note:
        lines.append(f"- **Note:** {p.note}")
    return lines


def _links(result: OrderResult) -> list[dict[str, str]]:
    links: dict[str, str] = {}
    for match in result.matches:
        p = match.policy
        if p.url:
            links.setdefault(p.url, f"{p.id}: {p.title}")
        for c in p.criteria:
            if c.url:
                links.setdefault(c.url, c.label)
    return [{"label": label, "url": url, "type": "absolute"} for url, label in links.items()]


def _clip(text: str) -> str:
    return text if len(text) < SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 2] + "…"
