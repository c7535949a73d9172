"""The facts a letter needs before it can be sent, and what to do when one is missing.

A letter that goes out with empty blanks ("Signed: ____", no address) is worse than none.
``templates/requirements.yaml`` lists, per template, the facts it cannot do without (all
templates share ``_all``). ``missing_facts`` names the missing ones; the letter is then refused
with that list, or with ``--draft`` rendered with a visible ``[missing: ...]`` in each place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

from denialscope.errors import ConfigurationError

__all__ = [
    "REQUIREMENTS_PATH",
    "LetterFacts",
    "fill_placeholders",
    "icd10_display",
    "missing_facts",
    "required_facts",
]

REQUIREMENTS_PATH: Final = Path(__file__).with_name("templates") / "requirements.yaml"
# Read on every letter: what each fact is called in the refusal.
_LABELS: Final = {
    "signer": "signer (--signer)",
    "contact": "contact for questions (--contact)",
    "enclosures": "enclosures (--enclosure)",
    "payer.appeal_address": "the payer's appeal address (appeal_address in the org payers:)",
    "attending.name": "attending physician (837 attending provider, or --attending)",
    "admission.order_datetime": "admission order date and time (--admission-order)",
    "admission.status": "admission order status (--order-status)",
    "criteria": "criteria set used (--criteria, e.g. InterQual, MCG, payer policy)",
    "argument": "the argument (--argument / --argument-file)",
    "citations": "a citation (reference library) for the policy the letter invokes",
}


@dataclass(slots=True)
class LetterFacts:
    """What the person writing the letter supplies on the command line."""

    contact: str | None = None
    criteria: str | None = None
    enclosures: list[str] = field(default_factory=list)
    attending: str | None = None
    admission_order: str | None = None
    order_status: str | None = None


@cache
def _requirements() -> dict[str, tuple[str, ...]]:
    try:
        data = yaml.safe_load(REQUIREMENTS_PATH.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigurationError(f"{REQUIREMENTS_PATH}: {error}") from error
    out: dict[str, tuple[str, ...]] = {}
    for template, facts in data.items():
        unknown = set(facts) - set(_LABELS)
        if unknown:
            raise ConfigurationError(
                f"{REQUIREMENTS_PATH}: {template}: unknown fact(s) {', '.join(sorted(unknown))}"
            )
        out[str(template)] = tuple(facts)
    return out


def required_facts(template: str) -> tuple[str, ...]:
    table = _requirements()
    return table.get("_all", ()) + table.get(template, ())


def _value(context: dict[str, Any], path: str) -> Any:
    value: Any = context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def missing_facts(context: dict[str, Any], template: str) -> list[str]:
    """The required facts the context leaves empty, as the user would name them."""
    return [
        _LABELS[fact]
        for fact in required_facts(template)
        if _value(context, fact) in (None, "", [], ())
    ]


def fill_placeholders(context: dict[str, Any], template: str) -> None:
    """Put a visible ``[missing: ...]`` in every empty required place (drafts only)."""
    for fact in required_facts(template):
        if _value(context, fact) not in (None, "", [], ()):
            continue
        text = f"[missing: {_LABELS[fact].split(' (')[0]}]"
        *parents, last = fact.split(".")
        target = context
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = [text] if last in ("enclosures", "argument") else text


def icd10_display(codes: Iterable[str | None]) -> list[str]:
    """ICD-10 codes as a reader writes them (I50.9, not I509), each once, in claim order."""
    seen: list[str] = []
    for raw in codes:
        code = (raw or "").strip().upper().replace(".", "")
        if not code:
            continue
        shown = f"{code[:3]}.{code[3:]}" if len(code) > 3 else code
        if shown not in seen:
            seen.append(shown)
    return seen


def lines_with_modifiers(lines: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines that carry a modifier (the modifier letter defends those, and only those)."""
    return [line for line in lines if line.get("modifiers")]
