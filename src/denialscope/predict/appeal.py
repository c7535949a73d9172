"""P(recovery) of a worked denial from this organization's own appeal outcomes.

Learned from decided work items (overturned, partially overturned with at least half
recovered, upheld) once there are enough of them (``MIN_OUTCOMES``, with both results
represented): root cause, stream, payer and its kind, appeal level, dollars at risk, days
from denial to appeal and the documents prepared. Until then, and for any item the model
cannot score, the work queue keeps its Beta-binomial posterior (workqueue/priority.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.predict import evaluate as ev
from denialscope.workqueue.models import WorkItem, WorkItemFix
from denialscope.workqueue.priority import Recovery

__all__ = [
    "APPEAL_FEATURES",
    "MIN_OUTCOMES",
    "AppealFacts",
    "AppealModel",
    "appeal_facts",
    "fit_appeal_model",
]

APPEAL_MODEL = "appeal_outcome"
MIN_OUTCOMES = 200
APPEAL_CATEGORICAL = ("root_cause", "stream", "payer", "payer_kind")
APPEAL_FEATURES = (*APPEAL_CATEGORICAL, "level", "dollars_log", "days_to_appeal", "documents")
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 20,
    "lambda_l2": 1.0,
    "verbose": -1,
    "seed": 17,
    "deterministic": True,
    "num_threads": 1,
    "force_col_wise": True,
    "cat_smooth": 20.0,
    "min_data_per_group": 20,
}
ROUNDS = 150


@dataclass(frozen=True, slots=True)
class AppealFacts:
    root_cause: str
    stream: str
    payer: str
    payer_kind: str
    level: int
    dollars: float
    days_to_appeal: float  # NaN when not appealed yet
    documents: int
    denied_on: str = ""  # ISO date, orders the time split


def appeal_facts(item: WorkItem, *, documents: int = 0) -> AppealFacts:
    days = (
        float((item.submitted_on - item.denied_on).days)
        if item.submitted_on and item.denied_on
        else math.nan
    )
    return AppealFacts(
        item.root_cause,
        item.stream,
        str(item.payer_id or ""),
        item.payer_kind or "",
        item.appeal_level,
        float(item.dollars_at_risk or 0),
        days,
        documents,
        item.denied_on.isoformat() if item.denied_on else "",
    )


def _won(outcome: str | None, recovered: Any, at_risk: Any) -> bool:
    if outcome == "overturned":
        return True
    if outcome == "partially_overturned" and at_risk:
        return float(recovered or 0) / float(at_risk) >= 0.5
    return False


def decided(session: Session) -> tuple[list[AppealFacts], list[bool]]:
    """Every decided item's facts and whether the money came back."""
    docs = dict(
        session.execute(
            select(WorkItemFix.work_item_id, func.count()).group_by(WorkItemFix.work_item_id)
        )
        .tuples()
        .all()
    )
    items = session.scalars(
        select(WorkItem)
        .where(WorkItem.outcome.in_(("overturned", "partially_overturned", "upheld")))
        .order_by(WorkItem.denied_on, WorkItem.id)
    )
    facts, won = [], []
    for item in items:
        facts.append(appeal_facts(item, documents=int(docs.get(item.id, 0))))
        won.append(_won(item.outcome, item.recovered_amount, item.dollars_at_risk))
    return facts, won


def _matrix(rows: list[AppealFacts], vocab: dict[str, dict[str, int]]) -> npt.NDArray[np.float64]:
    out = np.full((len(rows), len(APPEAL_FEATURES)), np.nan)
    for i, r in enumerate(rows):
        for j, name in enumerate(APPEAL_CATEGORICAL):
            code = vocab[name].get(getattr(r, name))
            out[i, j] = np.nan if code is None else code
        out[i, 4:] = (r.level, math.log1p(r.dollars), r.days_to_appeal, r.documents)
    return out


@dataclass(slots=True)
class AppealModel:
    booster: Any  # lightgbm.Booster
    vocabulary: dict[str, dict[str, int]]
    version: str = ""
    outcomes: int = 0

    def probability(self, rows: list[AppealFacts]) -> npt.NDArray[np.float64]:
        if not rows:
            return np.zeros(0)
        return np.asarray(self.booster.predict(_matrix(rows, self.vocabulary)), np.float64)

    def recovery(self, item: WorkItem) -> Recovery:
        """The work queue's hook (refresh_priorities ``appeal_model``)."""
        p = float(self.probability([appeal_facts(item, documents=len(item.fixes))])[0])
        return Recovery(Decimal(str(round(p, 4))), self.basis(p))

    def basis(self, p: float) -> str:
        return f"appeal-outcome model {self.version} ({self.outcomes:,} decided appeals) -> {p:.2f}"


def _vocab(rows: list[AppealFacts]) -> dict[str, dict[str, int]]:
    vocab: dict[str, dict[str, int]] = {}
    for name in APPEAL_CATEGORICAL:
        seen = sorted({str(getattr(r, name)) for r in rows})
        vocab[name] = {v: i for i, v in enumerate(seen)}
    return vocab


def fit_appeal_model(
    facts: list[AppealFacts], won: list[bool]
) -> tuple[AppealModel | None, dict[str, Any]]:
    """The model (None: too few outcomes) and its evaluation on the latest 25% of decisions
    against the Beta-binomial by root cause x payer learned from the earlier 75%."""
    import lightgbm as lgb

    y = np.array(won, dtype=np.float64)
    report: dict[str, Any] = {"outcomes": len(facts), "recovered": int(y.sum())}
    if len(facts) < MIN_OUTCOMES or y.sum() < 20 or (1 - y).sum() < 20:
        report["status"] = (
            f"fewer than {MIN_OUTCOMES} decided appeals (20 of each result): "
            "the work queues keep the Beta-binomial"
        )
        return None, report

    def fit(rows: list[AppealFacts], labels: npt.NDArray[np.float64]) -> AppealModel:
        vocab = _vocab(rows)
        data = lgb.Dataset(
            _matrix(rows, vocab),
            label=labels,
            feature_name=list(APPEAL_FEATURES),
            categorical_feature=list(APPEAL_CATEGORICAL),
        )
        return AppealModel(lgb.train(PARAMS, data, num_boost_round=ROUNDS), vocab, "", len(rows))

    cut = int(len(facts) * 0.75)
    early = fit(facts[:cut], y[:cut])
    test, y_test = facts[cut:], y[cut:]
    p = early.probability(test)
    # Beta(1,1) posterior of the same root cause x payer from the earlier decisions.
    cells: dict[tuple[str, str], list[float]] = {}
    for f, w in zip(facts[:cut], y[:cut], strict=True):
        cells.setdefault((f.root_cause, f.payer), []).append(w)
    beta = np.array(
        [
            (sum(cells.get((f.root_cause, f.payer), [])) + 1)
            / (len(cells.get((f.root_cause, f.payer), [])) + 2)
            for f in test
        ]
    )
    report |= {
        "status": "trained",
        "test_decisions": len(test),
        "auc": ev.roc_auc(p, y_test),
        "brier": ev.brier(p, y_test),
        "beta_binomial_auc": ev.roc_auc(beta, y_test),
        "beta_binomial_brier": ev.brier(beta, y_test),
    }
    return fit(facts, y), report


def save_appeal_model(data_dir: Path, model: AppealModel, report: dict[str, Any]) -> str:
    """A new version under <data dir>/models/appeal_outcome; returns the version."""
    from denialscope.predict import store

    meta = {
        "features": list(APPEAL_FEATURES),
        "vocabulary": model.vocabulary,
        "outcomes": model.outcomes,
        "metrics": report,
    }
    files = store.save(
        data_dir, name=APPEAL_MODEL, texts={"model.txt": model.booster.model_to_string()}, meta=meta
    )
    return files.version


def load_appeal_model(data_dir: Path) -> AppealModel | None:
    """The newest appeal-outcome model; None when none was trained."""
    from denialscope.predict import store

    files = store.latest(data_dir, APPEAL_MODEL)
    if files is None:
        return None
    import lightgbm as lgb

    booster = lgb.Booster(model_str=files.text("model.txt") or "")
    return AppealModel(
        booster, files.meta["vocabulary"], files.version, int(files.meta.get("outcomes", 0))
    )
