"""The evaluator: one adjustment (group, CARC, remarks, context) -> its classification.

Pure and fast: ingest classifies every adjustment of every claim. Rules are indexed by CARC,
kept in evaluation order (priority, then specificity, then later file first), and the first
rule whose conditions all hold wins. Results are cached by what makes them differ, so the
common case is one dictionary lookup after the rule match.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Final

from denialscope.claims.liability import STATUTORY_EXCLUSION_MODIFIERS, has_patient_waiver
from denialscope.classify.config import ClassificationConfig
from denialscope.classify.rules import CARC_PATTERN, Route, Rule
from denialscope.classify.taxonomy import UNCLASSIFIED, normalize_claim_type

__all__ = ["Classification", "classify_adjustment", "route_for"]

_CACHE_LIMIT: Final = 100_000
_DENIAL_LIKE: Final = frozenset({"denial", "duplicate"})

# What an unknown or unmapped CARC gets: looked at by a person, never silently dropped.
_NO_RULE: Final = Rule(id="no-rule", root_cause=UNCLASSIFIED, category="denial")


@dataclass(slots=True, frozen=True)
class Classification:
    """The decision for one adjustment, with the rule and configuration that made it."""

    is_denial: bool
    category: str
    stream: str
    root_cause: str
    rule_id: str
    process_step: str | None
    owner_role: str | None
    owner_name: str | None
    config_version: str
    explanation: str
    label: str = ""
    carc_label: str = ""
    documentation_driven: bool = False
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "is_denial": self.is_denial,
            "category": self.category,
            "stream": self.stream,
            "root_cause": self.root_cause,
            "rule": self.rule_id,
            "label": self.label,
            "carc_label": self.carc_label,
            "documentation_driven": self.documentation_driven,
            "reason": self.reason,
            "process_step": self.process_step,
            "owner_role": self.owner_role,
            "owner_name": self.owner_name,
            "config_version": self.config_version,
            "explanation": self.explanation,
        }


def classify_adjustment(
    config: ClassificationConfig,
    *,
    group: str,
    carc: str,
    claim_rarcs: Collection[str] = (),
    line_rarcs: Collection[str] = (),
    claim_type: str | None = None,
    payer_id: str | None = None,
    adjudicated_on: date | None = None,
    department: str | None = None,
    service_line: str | None = None,
    procedure_code: str | None = None,
    modifiers: Collection[str] = (),
    claim_paid_nothing: bool | None = None,
) -> Classification:
    """Classify one claim or line adjustment (layers 1-3).

    ``modifiers`` are the line's procedure modifiers: a liability notice (GA/GX, or GY for a
    statutory exclusion) moves some denials to the patient (rules with ``patient_notice``).
    ``claim_paid_nothing`` says whether the payer paid nothing on the whole claim (None when
    unknown); rules with ``claim_paid_nothing`` need it to be known.
    """
    group = group.strip().upper()
    carc = carc.strip().upper()
    candidates = config.rules_by_carc.get(carc) or config.rules_any_carc
    rule = _match(
        candidates,
        group=group,
        claim_rarcs=claim_rarcs,
        line_rarcs=line_rarcs,
        claim_type=normalize_claim_type(claim_type),
        payer_id=payer_id,
        adjudicated_on=adjudicated_on,
        procedure_code=procedure_code.strip().upper() if procedure_code else None,
        modifiers=modifiers,
        claim_paid_nothing=claim_paid_nothing,
    )
    category = rule.category
    if group == "PR" and category == "contractual":
        category = "patient_share"  # a write-off the payer moved to the patient is cost share
    route = (
        route_for(config, rule.root_cause, department, service_line, payer_id)
        if category in _DENIAL_LIKE
        else None
    )
    matched = _matched_remarks(rule, claim_rarcs, line_rarcs)
    key = (group, carc, rule.id, category, route.id if route else None, matched)
    cached = config.cache.get(key)
    if isinstance(cached, Classification):
        return cached
    result = _build(config, rule, group, carc, category, route, matched)
    if len(config.cache) >= _CACHE_LIMIT:
        config.cache.clear()
    config.cache[key] = result
    return result


def _match(
    candidates: tuple[Rule, ...],
    *,
    group: str,
    claim_rarcs: Collection[str],
    line_rarcs: Collection[str],
    claim_type: str | None,
    payer_id: str | None,
    adjudicated_on: date | None,
    procedure_code: str | None,
    modifiers: Collection[str],
    claim_paid_nothing: bool | None,
) -> Rule:
    notice: bool | None = None  # worked out only when a rule asks (most never do)
    for rule in candidates:
        if rule.groups is not None and group not in rule.groups:
            continue
        if rule.claim_types is not None and claim_type not in rule.claim_types:
            continue
        if rule.payers is not None and payer_id not in rule.payers:
            continue
        if rule.rarc_any is not None or rule.rarc_none is not None:
            scope = rule.rarc_scope
            claim_side = claim_rarcs if scope != "line" else ()
            line_side = line_rarcs if scope != "claim" else ()
            if rule.rarc_any is not None and (
                rule.rarc_any.isdisjoint(claim_side) and rule.rarc_any.isdisjoint(line_side)
            ):
                continue
            if rule.rarc_none is not None and not (
                rule.rarc_none.isdisjoint(claim_side) and rule.rarc_none.isdisjoint(line_side)
            ):
                continue
        if rule.procedures is not None and not rule.procedure_matches(procedure_code):
            continue
        if rule.patient_notice is not None:
            if notice is None:
                notice = _has_notice(modifiers)
            if rule.patient_notice != notice:
                continue
        if rule.claim_paid_nothing is not None and rule.claim_paid_nothing != claim_paid_nothing:
            continue
        if rule.is_dated and not rule.in_effect(adjudicated_on or date.today()):
            continue
        return rule
    return _NO_RULE


def _has_notice(modifiers: Collection[str]) -> bool:
    """A signed waiver (GA/GX, not contradicted by GZ) or a statutory exclusion (GY)."""
    if not modifiers:
        return False
    codes = {m.strip().upper() for m in modifiers if m}
    return has_patient_waiver(codes) or bool(codes & STATUTORY_EXCLUSION_MODIFIERS)


def _matched_remarks(
    rule: Rule, claim_rarcs: Collection[str], line_rarcs: Collection[str]
) -> tuple[str, ...]:
    if rule.rarc_any is None:
        return ()
    claim_side = claim_rarcs if rule.rarc_scope != "line" else ()
    line_side = line_rarcs if rule.rarc_scope != "claim" else ()
    # Remarks from either side count (set.intersection with two arguments would demand both).
    return tuple(sorted(rule.rarc_any.intersection([*claim_side, *line_side])))


def route_for(
    config: ClassificationConfig,
    root_cause: str,
    department: str | None,
    service_line: str | None,
    payer_id: str | None,
) -> Route | None:
    """The most specific layer-3 entry for a root cause in this context, if any."""
    dept = department.casefold() if department else None
    line = service_line.casefold() if service_line else None
    for route in config.routes_by_root_cause.get(root_cause, ()):
        if route.departments is not None and dept not in route.departments:
            continue
        if route.service_lines is not None and line not in route.service_lines:
            continue
        if route.payers is not None and payer_id not in route.payers:
            continue
        return route
    return None


def _build(
    config: ClassificationConfig,
    rule: Rule,
    group: str,
    carc: str,
    category: str,
    route: Route | None,
    matched: tuple[str, ...],
) -> Classification:
    cause = config.root_causes[rule.root_cause]
    default = config.default_rule(carc)
    carc_label = default.label if default is not None else ""
    is_denial = category == "denial"
    stream = cause.stream if category in _DENIAL_LIKE else "none"
    root_cause = cause.id if category in _DENIAL_LIKE else "not_a_denial"
    step: str | None
    role: str | None
    name: str | None
    if route is not None:
        step, role, name = route.process_step, route.owner_role, route.owner_name
    elif category in _DENIAL_LIKE:
        step, role, name = cause.process_step, cause.owner_role, cause.owner_name
    else:
        step = role = name = None
    return Classification(
        is_denial=is_denial,
        category=category,
        stream=stream,
        root_cause=root_cause,
        rule_id=rule.id,
        process_step=step,
        owner_role=role,
        owner_name=name,
        config_version=config.version,
        explanation=_explain(config, rule, group, carc, carc_label, category, matched, step, role),
        label=cause.label if category in _DENIAL_LIKE else _CATEGORY_LABELS[category],
        carc_label=carc_label,
        documentation_driven=cause.documentation_driven and is_denial,
        reason=rule.reason,
    )


_CATEGORY_LABELS: Final = {
    "contractual": "Contractual adjustment",
    "patient_share": "Patient cost share",
    "bookkeeping": "Bookkeeping entry",
    "denial": "Denial",
    "duplicate": "Duplicate",
}


def _explain(
    config: ClassificationConfig,
    rule: Rule,
    group: str,
    carc: str,
    carc_label: str,
    category: str,
    matched: tuple[str, ...],
    step: str | None,
    role: str | None,
) -> str:
    cause = config.root_causes[rule.root_cause]
    code = f"{group}-{carc}" + (f" ({carc_label})" if carc_label else "")
    if matched:
        code += " with remark " + ", ".join(matched)
    if category in _DENIAL_LIKE:
        outcome = f"{cause.stream} / {cause.id} ({cause.label})"
        if category == "duplicate":
            outcome += ", worked but not counted as a denial"
    else:
        outcome = f"not a denial: {_CATEGORY_LABELS[category].lower()}"
    parts = [f"{code} -> {outcome}, rule {rule.id}"]
    if rule.note:
        parts.append(rule.note)
    if rule.reason and rule.reason != rule.note:
        parts.append(f"Why: {rule.reason}")
    if rule is _NO_RULE:
        shape = "not in this configuration" if CARC_PATTERN.match(carc) else "not a CARC code"
        parts.append(f"No rule covers {carc!r} ({shape}); review it and add a rule.")
    if carc in config.deactivated_carcs:
        parts.append(f"CARC {carc} is retired by X12; still mapped for older remits.")
    if step:
        parts.append(f"Fix at: {step} (owner: {role}).")
    parts.append(f"Configuration {config.version}.")
    return " ".join(part if part.endswith(".") else part + "." for part in parts)
