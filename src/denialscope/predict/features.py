"""The feature matrix: what a claim looks like on its submission day, as numbers.

Categorical columns are integer codes of a vocabulary fixed at training (stored with the
model; an unseen value is missing). History columns come from ``history``: outcomes known
strictly before the submission day. ``Facts`` keeps the statistics behind each history
column (which procedure, how many claims, in which window) for the explanations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from denialscope.eligibility.store import EligibilityFeed
from denialscope.predict.history import Events, day_number, prior_counts
from denialscope.predict.priors import duplicate_counts, eligibility_history
from denialscope.predict.records import ClaimInput, Outcome, procedure_keys

__all__ = [
    "CATEGORICAL",
    "FEATURES",
    "FeatureFrame",
    "build_vocabulary",
    "feature_frame",
]

CATEGORICAL = (
    "payer",
    "payer_kind",
    "claim_kind",
    "facility_code",
    "department",
    "service_line",
    "main_procedure",
    "principal_dx_category",
    "drg",
)
NUMERIC = (
    "lines",
    "diagnoses",
    "dx_specificity",
    "charge_log",
    "max_units",
    "days_to_submit",
    "days_past_filing_limit",
    "prior_auth",
    "referral",
    "modifier_lines",
    "em_without_25_beside_procedure",
    "scrub_flags",
    "scrub_rejects",
)
HISTORY = (
    "payer_procedure_rate",
    "payer_procedure_claims",
    "payer_procedure_modifier_rate_90d",
    "payer_procedure_modifier_claims_90d",
    "provider_rate",
    "provider_claims",
    "patient_prior_denials",
    "patient_prior_claims",
    "department_rate_90d",
    "payer_rate_90d",
    "patient_payer_eligibility_denials",
    "patient_payer_last_eligibility",
    "same_service_prior_submissions",
    "eligibility_inactive",
)
FEATURES = CATEGORICAL + NUMERIC + HISTORY
WINDOW_DAYS = 90
_EM = range(99202, 99500)  # evaluation and management visit codes


@dataclass(slots=True)
class FeatureFrame:
    matrix: npt.NDArray[np.float64]  # claims x FEATURES
    facts: list[dict[str, str]] = field(default_factory=list)


def _categorical_values(c: ClaimInput) -> tuple[str, ...]:
    main = max(c.lines, key=lambda ln: ln.charge).procedure if c.lines else ""
    dx = c.diagnoses[0][:3] if c.diagnoses else ""
    return (
        c.payer,
        c.payer_kind,
        c.kind,
        c.facility_code,
        c.department,
        c.service_line,
        main,
        dx,
        c.drg,
    )


def build_vocabulary(claims: Sequence[ClaimInput]) -> dict[str, dict[str, int]]:
    """Codes for each categorical column, most frequent first (rare values share none)."""
    counts: list[dict[str, int]] = [{} for _ in CATEGORICAL]
    for c in claims:
        for i, value in enumerate(_categorical_values(c)):
            counts[i][value] = counts[i].get(value, 0) + 1
    vocab: dict[str, dict[str, int]] = {}
    for name, seen in zip(CATEGORICAL, counts, strict=True):
        kept = sorted((v for v, n in seen.items() if n >= 5), key=lambda v: (-seen[v], v))
        vocab[name] = {v: i for i, v in enumerate(kept)}
    return vocab


def _is_em(code: str) -> bool:
    return code.isdigit() and int(code) in _EM


def _static(c: ClaimInput) -> list[float]:
    codes = [ln.procedure for ln in c.lines]
    em_no_25 = any(_is_em(ln.procedure) and "25" not in ln.modifiers for ln in c.lines)
    other_cpt = any(p and not _is_em(p) and not p.startswith("rev:") for p in codes)
    specificity = (
        sum(len(d) - 3 for d in c.diagnoses) / len(c.diagnoses) if c.diagnoses else math.nan
    )
    days = (c.submitted - c.service_from).days if c.service_from else math.nan
    past_limit = (
        (c.submitted - c.filing_from).days - c.filing_limit_days
        if c.filing_from is not None and c.filing_limit_days is not None
        else math.nan
    )
    return [
        float(len(c.lines)),
        float(len(c.diagnoses)),
        specificity,
        math.log1p(max(c.charge, 0.0)),
        max((ln.units for ln in c.lines), default=0.0),
        float(days),
        float(past_limit),
        float(c.prior_auth),
        float(c.referral),
        float(sum(1 for ln in c.lines if ln.modifiers)),
        float(em_no_25 and other_cpt),
        float(len(c.scrub_rules)),
        float(c.scrub_rejects),
    ]


_Keys = Callable[[ClaimInput], list[str]]


class _Cells:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def id(self, key: str) -> int:
        return self.ids.setdefault(key, len(self.ids))


def _events(
    history: Sequence[tuple[ClaimInput, Outcome]], cells: _Cells, cell_keys: _Keys
) -> Events:
    ids: list[int] = []
    days: list[int] = []
    denied: list[int] = []
    for claim, outcome in history:
        for key in cell_keys(claim):
            ids.append(cells.id(key))
            days.append(day_number(outcome.adjudicated))
            denied.append(int(outcome.denied))
    return Events(
        np.array(ids, dtype=np.int64), np.array(days, dtype=np.int64), np.array(denied, np.int64)
    )


def _cell_keys(kind: str) -> _Keys:
    def keys(c: ClaimInput) -> list[str]:
        match kind:
            case "pp":
                return [f"{c.payer}|{p}" for p in procedure_keys(c)]
            case "ppm":
                return [f"{c.payer}|{p}" for p in procedure_keys(c, with_modifiers=True)]
            case "provider":
                return [c.provider] if c.provider else []
            case "patient":
                return [c.patient] if c.patient else []
            case "department":
                return [c.department]
            case _:
                return [c.payer]

    return keys


def _history(
    claims: Sequence[ClaimInput],
    history: Sequence[tuple[ClaimInput, Outcome]],
    own: Mapping[str, Outcome],
    kind: str,
    window: int | None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], list[str]]:
    """(rate, claims, cell key) per claim; a claim with several cells keeps its riskiest."""
    cells = _Cells()
    keys_of = _cell_keys(kind)
    events = _events(history, cells, keys_of)
    owner: list[int] = []
    q_cells: list[int] = []
    q_days: list[int] = []
    q_own: list[tuple[int, int]] = []
    q_keys: list[str] = []
    for i, c in enumerate(claims):
        o = own.get(c.key)
        mine = (day_number(o.adjudicated), int(o.denied)) if o else (-1, 0)
        for key in keys_of(c):
            owner.append(i)
            q_cells.append(cells.id(key))
            q_days.append(day_number(c.submitted))
            q_own.append(mine)
            q_keys.append(key)
    rate = np.full(len(claims), np.nan)
    count = np.zeros(len(claims))
    best_key = [""] * len(claims)
    if not q_cells:
        return rate, count, best_key
    counts = prior_counts(
        events,
        cells=np.array(q_cells, dtype=np.int64),
        days=np.array(q_days, dtype=np.int64),
        window=window,
        own=q_own,
    )
    # Riskiest cell by a shrunk rate (2 pseudo-claims at 10%): one denial in one claim does
    # not outrank 30 in 100.
    shrunk = (counts.denied + 0.2) / (counts.claims + 2)
    best = np.full(len(claims), -1.0)
    for q, i in enumerate(owner):
        if shrunk[q] > best[i]:
            best[i] = shrunk[q]
            n = counts.claims[q]
            rate[i] = counts.denied[q] / n if n else np.nan
            count[i] = n
            best_key[i] = q_keys[q]
    return rate, count, best_key


def feature_frame(
    claims: Sequence[ClaimInput],
    *,
    history: Sequence[tuple[ClaimInput, Outcome]],
    vocabulary: Mapping[str, Mapping[str, int]],
    eligibility: EligibilityFeed | None = None,
) -> FeatureFrame:
    """The matrix for ``claims``; ``history`` holds every claim with a known outcome (the
    claims themselves may be among it: their own outcome is never counted); ``eligibility``
    the stored 271 responses (none: the column is missing for every claim)."""
    feed = eligibility or EligibilityFeed()
    own = {c.key: o for c, o in history}
    cols: list[npt.NDArray[np.float64]] = []
    cat_rows = [_categorical_values(c) for c in claims]
    for j, name in enumerate(CATEGORICAL):
        codes = vocabulary.get(name, {})
        cols.append(np.array([codes.get(r[j], math.nan) for r in cat_rows], dtype=np.float64))
    static = np.array([_static(c) for c in claims], dtype=np.float64).reshape(len(claims), -1)
    cols += [static[:, j] for j in range(static.shape[1])]
    pp = _history(claims, history, own, "pp", None)
    ppm = _history(claims, history, own, "ppm", WINDOW_DAYS)
    provider = _history(claims, history, own, "provider", None)
    patient = _history(claims, history, own, "patient", None)
    dept = _history(claims, history, own, "department", WINDOW_DAYS)
    payer = _history(claims, history, own, "payer", WINDOW_DAYS)
    patient_denied = np.nan_to_num(patient[0]) * patient[1]
    coverage_denials, last_coverage_denial = eligibility_history(claims, history)
    duplicates = duplicate_counts(claims, {c.key: c for c, _ in history})
    inactive = np.array(
        [
            feed.inactive(
                payer_id=c.payer_id,
                member_id=c.member_id,
                submitted=c.submitted,
                service=c.service_from,
            )
            for c in claims
        ],
        dtype=np.float64,
    )
    cols += [
        pp[0],
        pp[1],
        ppm[0],
        ppm[1],
        provider[0],
        provider[1],
        patient_denied,
        patient[1],
        dept[0],
        payer[0],
        coverage_denials,
        last_coverage_denial,
        duplicates,
        inactive,
    ]
    matrix = np.column_stack(cols) if claims else np.zeros((0, len(FEATURES)))
    facts = [
        {
            "payer": c.payer_name,
            "payer_procedure": pp[2][i].split("|", 1)[-1],
            "payer_procedure_modifier": ppm[2][i].split("|", 1)[-1],
            "department": c.department,
            "service_line": c.service_line,
            "scrub_rules": ", ".join(c.scrub_rules),
        }
        for i, c in enumerate(claims)
    ]
    return FeatureFrame(matrix.astype(np.float64), facts)
