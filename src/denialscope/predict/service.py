"""Train, evaluate and score: the functions the CLI (and later the web) call.

Each takes a session and the settings (the data directory holds the models and, on the
demo, the ground truth); nothing here prints.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Patient, patient_key_for
from denialscope.eligibility.store import load_feed
from denialscope.orgs.models import Department, Payer, payer_key_for
from denialscope.orgs.service import OrgResolver
from denialscope.predict import store
from denialscope.predict.explain import Reason, explain_rows
from denialscope.predict.features import FEATURES, feature_frame
from denialscope.predict.filing import FilingLimits, filing_limits
from denialscope.predict.model import Calibration, RiskModel
from denialscope.predict.records import ClaimInput, claim_input
from denialscope.predict.stored import History, load_history, load_outcome_history
from denialscope.predict.training import fit_split, measure
from denialscope.scrub.context import ScrubContext
from denialscope.scrub.runner import scrub_claims
from denialscope.settings import Settings
from denialscope.x12.claim837.records import Claim

__all__ = ["ClaimRisk", "evaluate", "load_model", "read_837", "score_claims", "train"]

TRUTH_FILE = Path("demo") / "ground_truth_claims.csv"
# Corrected claims' lines as first sent, saved at training for scoring's outcome history.
FIRST_SENT_FILE = "first_sent.json"


def scrub_context(data_dir: Path) -> ScrubContext:
    """The scrubber as `denialscope scrub` runs it (own pack, loaded NCCI and MUE)."""
    from denialscope.scrub import load_pack
    from denialscope.scrub.refdata import open_mue, open_ncci

    own = data_dir / "scrub_pack.yaml"
    pack = load_pack(own) if own.is_file() else load_pack()
    return ScrubContext(pack=pack, ncci=open_ncci(data_dir), mue=open_mue(data_dir))


def read_oracle(data_dir: Path) -> dict[str, float] | None:
    """The demo generator's true P(denial) by claim number, when this is demo data."""
    path = data_dir / TRUTH_FILE
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["claim_id"]: float(row["p_denial"]) for row in csv.DictReader(fh)}


def evaluate(
    *, session: Session, settings: Settings, test_months: int = 3, calibration_months: int = 2
) -> dict[str, Any]:
    """Fit on the early months, calibrate on the next, report on the latest ones."""
    context = scrub_context(settings.data_dir)
    history = load_history(session, context=context, limits=filing_limits(settings, context.pack))
    return _evaluate(history, settings, test_months, calibration_months)


def _evaluate(
    history: History, settings: Settings, test_months: int, calibration_months: int
) -> dict[str, Any]:
    fitted = fit_split(
        history.labelled(),
        test_months=test_months,
        calibration_months=calibration_months,
        eligibility=history.eligibility,
    )
    report = measure(fitted, oracle=read_oracle(settings.data_dir))
    report["first_sent"] = history.first_sent.to_dict()
    return report


def train(
    *, session: Session, settings: Settings, test_months: int = 3, calibration_months: int = 2
) -> store.ModelFiles:
    """Evaluate on the time split, then fit on every month (cross-fitted: each member
    calibrated on the months it did not see) and save the model as a new version with its
    window and the evaluation."""
    context = scrub_context(settings.data_dir)
    history = load_history(session, context=context, limits=filing_limits(settings, context.pack))
    metrics = _evaluate(history, settings, test_months, calibration_months)
    fitted = fit_split(
        history.labelled(),
        test_months=0,
        calibration_months=calibration_months,
        eligibility=history.eligibility,
    )
    streams = Counter((o.root_cause, o.stream) for o in history.outcomes.values() if o.denied)
    cause_stream: dict[str, str] = {}
    for (cause, stream), _ in streams.most_common():
        cause_stream.setdefault(cause, stream)
    metrics["appeal_outcome"] = _train_appeal_model(session, settings)
    model = fitted.model
    members = [f"model_{i}.txt" for i in range(1, len(model.boosters) + 1)]
    texts = {file: b.model_to_string() for file, b in zip(members, model.boosters, strict=True)}
    texts[FIRST_SENT_FILE] = json.dumps(history.first_lines(), sort_keys=True)
    if model.causes is not None:
        texts["causes.txt"] = model.causes.model_to_string()
    meta = {
        "training_window": {
            "train": list(fitted.split.train),
            "calibration": list(fitted.split.calibration),
            "claims": len(fitted.claims),
            "denials": sum(1 for o in fitted.outcomes if o.denied),
        },
        "features": list(FEATURES),
        "members": members,
        "crossfit_blocks": [list(block) for block in fitted.crossfit.blocks],
        "capacity": fitted.capacity.to_dict(),
        "vocabulary": fitted.vocabulary,
        "calibration": {
            "scores": list(model.calibration.scores),
            "probabilities": list(model.calibration.probabilities),
        },
        "cause_classes": model.cause_classes,
        "cause_stream": cause_stream,
        "metrics": metrics,
    }
    return store.save(settings.data_dir, texts=texts, meta=meta)


def _train_appeal_model(session: Session, settings: Settings) -> dict[str, Any]:
    """Fit P(recovery) on decided appeals when there are enough, save it, and re-rank the
    open work items with it (the Beta-binomial stays the fallback)."""
    from denialscope.predict.appeal import decided, fit_appeal_model, save_appeal_model
    from denialscope.workqueue.outcomes import data_as_of, refresh_priorities

    facts, won = decided(session)
    model, report = fit_appeal_model(facts, won)
    if model is None:
        return report
    model.version = save_appeal_model(settings.data_dir, model, report)
    report["version"] = model.version
    report["open_items_reranked"] = refresh_priorities(
        session, as_of=data_as_of(session), appeal_model=model.recovery
    )
    session.commit()
    return report


@dataclass(slots=True)
class LoadedModel:
    model: RiskModel
    files: store.ModelFiles
    vocabulary: dict[str, dict[str, int]]
    cause_stream: dict[str, str]


def load_model(data_dir: Path, version: str | None = None) -> LoadedModel | None:
    """The newest trained model (or ``version``); None when none was trained."""
    import lightgbm as lgb

    files = store.latest(data_dir, version=version)
    if files is None:
        return None
    meta = files.meta
    if list(meta.get("features", [])) != list(FEATURES):
        raise store.ModelStoreError(
            f"{files.folder}: trained with other features; run `denialscope predict train`"
        )
    # One file per cross-fit member; a model saved before the cross-fit has one, model.txt.
    boosters = []
    for file in meta.get("members", ["model.txt"]):
        text = files.text(file)
        if not text:
            raise store.ModelStoreError(
                f"{files.folder / file}: missing; run `denialscope predict train`"
            )
        boosters.append(lgb.Booster(model_str=text))
    causes_text = files.text("causes.txt")
    causes = lgb.Booster(model_str=causes_text) if causes_text else None
    cal = meta["calibration"]
    if "scores" not in cal:  # a step-function calibration (before the interpolated map)
        raise store.ModelStoreError(
            f"{files.folder}: calibrated with an older method; run `denialscope predict train`"
        )
    model = RiskModel(
        tuple(boosters),
        Calibration(tuple(cal["scores"]), tuple(cal["probabilities"])),
        causes,
        list(meta.get("cause_classes", [])),
    )
    return LoadedModel(model, files, meta["vocabulary"], dict(meta.get("cause_stream", {})))


@dataclass(slots=True)
class ClaimRisk:
    control_number: str
    probability: float
    root_cause: str
    stream: str
    reasons: list[Reason] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.control_number,
            "p_denial": round(self.probability, 4),
            "likely_root_cause": self.root_cause,
            "likely_stream": self.stream,
            "reasons": [r.to_dict() for r in self.reasons],
        }


def _inputs(
    session: Session,
    records: list[Claim],
    submitted: dt.date | None,
    findings: list[list[tuple[str, str]]],
    limits: FilingLimits,
) -> list[ClaimInput]:
    resolver = OrgResolver(session)
    kinds = dict(session.execute(select(Payer.payer_key, Payer.kind)).tuples().all())
    codes = dict(session.execute(select(Department.id, Department.code)).tuples().all())
    out = []
    for record, found in zip(records, findings, strict=True):
        payer = payer_key_for(record.payer.identifier, record.payer.name) or ""
        rendering = record.rendering_provider or record.attending_provider
        org = resolver.resolve(
            rendering_npi=(rendering.identifier if rendering else None),
            billing_npi=record.billing_provider.identifier or None,
            taxonomy=(rendering.taxonomy if rendering else "") or record.billing_provider.taxonomy,
            facility_code=record.facility_code or None,
        )
        person = record.patient_party
        key = patient_key_for(
            record.subscriber.party.identifier or None,
            person.birth_date,
            person.name or None,
            person.first_name or None,
        )
        patient = session.scalar(select(Patient.patient_key).where(Patient.patient_key == key))
        out.append(
            claim_input(
                record,
                key=f"new|{record.control_number}",
                payer=payer,
                payer_kind=kinds.get(payer) or "",
                department=codes.get(org.department_id or -1, ""),
                service_line=org.service_line or "",
                patient=patient or key,
                submitted=submitted or record.submission.created or dt.date.today(),
                scrub=found,
                filing_limit_days=limits.days(
                    payer_id=(record.payer.identifier or payer).strip().upper(),
                    payer_kind=kinds.get(payer) or "",
                ),
            )
        )
    return out


def read_837(paths: Iterable[Path]) -> list[Claim]:
    """The 837 claims of files and folders (folders: every file, in name order)."""
    from denialscope.errors import InputError
    from denialscope.x12.reader import open_x12

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.name[0] != ".")
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    records: list[Claim] = []
    for path in files:
        with open_x12(path) as reader:
            records += [r for r in reader if isinstance(r, Claim)]
    if not records:
        raise InputError("no 837 claim to score in " + ", ".join(str(p) for p in paths))
    return records


def score_claims(
    *,
    session: Session,
    settings: Settings,
    records: Iterable[Claim],
    submitted: dt.date | None = None,
    explain: int = 3,
    model: LoadedModel | None = None,
) -> list[ClaimRisk]:
    """P(denial), likely root cause and reasons for 837 claims about to be submitted.

    History features use the stored outcomes known before each claim's submission day
    (``submitted``, else the 837's creation date, else today).
    """
    loaded = model or load_model(settings.data_dir)
    if loaded is None:
        raise store.ModelStoreError(
            f"no denial-risk model in {settings.data_dir / 'models'}: run `denialscope predict "
            "train` first"
        )
    claims = list(records)
    context = scrub_context(settings.data_dir)
    findings: list[list[tuple[str, str]]] = [
        [(f.rule, f.severity) for f in result.findings]
        for result in scrub_claims(claims, context=context)
    ]
    inputs = _inputs(session, claims, submitted, findings, filing_limits(settings, context.pack))
    saved = loaded.files.text(FIRST_SENT_FILE)
    history = load_outcome_history(session, first_lines=json.loads(saved) if saved else None)
    frame = feature_frame(
        inputs, history=history, vocabulary=loaded.vocabulary, eligibility=load_feed(session)
    )
    p = loaded.model.probability(frame.matrix)
    causes = loaded.model.likely_causes(frame.matrix)
    reasons: list[list[Reason]] = [[] for _ in inputs]
    if explain and len(inputs):
        contrib = loaded.model.contributions(frame.matrix)
        reasons = explain_rows(contrib, frame.matrix, frame.facts, loaded.vocabulary, top=explain)
    return [
        ClaimRisk(
            c.control_number,
            float(p[i]),
            causes[i][0],
            loaded.cause_stream.get(causes[i][0], ""),
            reasons[i],
        )
        for i, c in enumerate(inputs)
    ]
