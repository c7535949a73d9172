"""Plain-language reasons for a claim's risk, from the model's own feature contributions.

LightGBM's ``pred_contrib`` splits each prediction (in log-odds) into one contribution per
feature. The features pushing the risk up the most are said in words with the claim's own
statistics, from the templates in ``explanations.yaml``: "payer SUMMIT HEALTH PLAN denied
38% of 52 claims with 93306 with no modifier in the last 90 days".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from denialscope.predict.features import CATEGORICAL, FEATURES

__all__ = ["Reason", "explain_rows", "templates"]


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    contribution: float  # log-odds added to this claim's risk
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "contribution": round(self.contribution, 4),
            "text": self.text,
        }


@cache
def templates() -> dict[str, str]:
    text = resources.files("denialscope.predict").joinpath("explanations.yaml").read_text("utf-8")
    loaded: dict[str, str] = yaml.safe_load(text)
    return loaded


def _procedure_modifier(key: str) -> str:
    procedure, _, mods = key.partition("|")
    if not procedure:
        return "its procedures"
    if mods in ("", "-"):
        return f"{procedure} with no modifier"
    label = "modifiers" if "+" in mods else "modifier"
    return f"{procedure} with {label} {mods.replace('+', ', ')}"


def _number(name: str, value: float) -> str:
    if math.isnan(value):
        return "no history"
    if "rate" in name:
        return f"{value:.0%}"
    if name == "dx_specificity":
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _context(
    row: npt.NDArray[np.float64],
    facts: Mapping[str, str],
    names: Mapping[str, list[str]],
) -> dict[str, str]:
    out: dict[str, str] = {}
    for j, name in enumerate(FEATURES):
        value = float(row[j])
        if name in CATEGORICAL:
            known = names.get(name, [])
            out[name] = known[int(value)] if not math.isnan(value) and value < len(known) else ""
            out[name] = out[name] or "(not seen in training)"
        else:
            out[name] = _number(name, value)
    procedure = str(facts.get("payer_procedure") or "")
    out["payer"] = str(facts.get("payer") or out["payer"])
    out["procedure"] = procedure.replace("drg:", "DRG ") or "its procedures"
    out["procedure_modifier"] = _procedure_modifier(
        str(facts.get("payer_procedure_modifier") or "")
    ).replace("drg:", "DRG ")
    out["charge"] = f"${math.expm1(float(row[FEATURES.index('charge_log')])):,.2f}"
    out["scrub_rules"] = str(facts.get("scrub_rules") or "none")
    out["prior_auth_text"] = "present" if row[FEATURES.index("prior_auth")] else "missing"
    out["referral_text"] = "present" if row[FEATURES.index("referral")] else "missing"
    out["department"] = str(facts.get("department") or out["department"])
    return out


def explain_rows(
    contributions: npt.NDArray[np.float64],
    matrix: npt.NDArray[np.float64],
    facts: list[dict[str, str]],
    vocabulary: Mapping[str, Mapping[str, int]],
    *,
    top: int = 3,
) -> list[list[Reason]]:
    """Up to ``top`` reasons per claim, largest contribution first (only those raising risk)."""
    names = {k: sorted(v, key=lambda code: v[code]) for k, v in vocabulary.items()}
    sentences = templates()
    out: list[list[Reason]] = []
    for i in range(len(matrix)):
        contrib = contributions[i, : len(FEATURES)]
        order = np.argsort(-contrib)[:top]
        context: dict[str, str] | None = None
        reasons: list[Reason] = []
        for j in order:
            if contrib[j] <= 0:
                break
            context = context or _context(matrix[i], facts[i], names)
            name = FEATURES[j]
            text = sentences.get(name, name).format(**context)
            reasons.append(Reason(name, float(contrib[j]), text))
        out.append(reasons)
    return out
