"""The recommended action for a denial: the first matching branch of its root cause's tree.

The tree is data (``decision_tree`` in defaults.yaml). A branch may require dollars at risk
above or below a threshold, the level at which the payer last upheld the denial, or a denial
type, or payer kinds. The reason of the chosen branch is shown on the work item beside the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from denialscope.workqueue.config import DecisionRule, WorkqueueConfig

__all__ = ["ACTION_LEVELS", "Recommendation", "recommend"]

# The appeal level an action puts the item at (a resubmission is no appeal).
ACTION_LEVELS: dict[str, int] = {
    "resubmit": 0,
    "appeal_level_1": 1,
    "appeal_level_2": 2,
    "external_review": 3,
    "reopening": 0,  # Medicare: a reopening is no appeal (42 CFR 405.980)
}
_DEFAULT_KEY = "_default"


@dataclass(slots=True, frozen=True)
class Recommendation:
    action: str
    reason: str


def _matches(
    rule: DecisionRule,
    dollars: Decimal,
    upheld_level: int | None,
    denial_type: str | None,
    payer_kind: str | None,
) -> bool:
    if rule.payer_kinds is not None and payer_kind not in rule.payer_kinds:
        return False
    if rule.min_dollars is not None and dollars < rule.min_dollars:
        return False
    if rule.max_dollars is not None and dollars >= rule.max_dollars:
        return False
    level = upheld_level if upheld_level is not None else 0
    if rule.after_upheld_level is not None and level != rule.after_upheld_level:
        return False
    if rule.min_after_upheld_level is not None and (
        upheld_level is None or upheld_level < rule.min_after_upheld_level
    ):
        return False
    return rule.denial_type is None or rule.denial_type == denial_type


def recommend(
    config: WorkqueueConfig,
    *,
    root_cause: str,
    dollars_at_risk: Decimal,
    upheld_level: int | None = None,
    denial_type: str | None = None,
    payer_kind: str | None = None,
) -> Recommendation:
    """What to do next. ``upheld_level``: the level the payer last upheld (None: not yet)."""
    rules = config.decision_tree.get(root_cause) or config.decision_tree.get(_DEFAULT_KEY, ())
    for rule in rules:
        if _matches(rule, dollars_at_risk, upheld_level, denial_type, payer_kind):
            return Recommendation(rule.action, rule.reason)
    return Recommendation("write_off", "no branch of the decision tree applies")
