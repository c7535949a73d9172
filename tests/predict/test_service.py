"""Train, save, evaluate, score and explain on a small planted history (both databases)."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import numpy as np
import pytest
from predict_support import Store, record
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from denialscope.cli.main import _register, app
from denialscope.predict import service, store
from denialscope.predict.evaluate import roc_auc
from denialscope.predict.split import NotEnoughHistoryError
from denialscope.settings import Settings
from denialscope.x12.claim837.writer import write_837

_register()
START = dt.date(2025, 1, 1)
LAG = 14  # days from submission to the first remit


# Each day's outcomes, drawn once: P1 97110 without modifier denied with probability 0.8,
# P1 97110-GP and P2 97110 with 0.1. Drawn, not periodic: with a fixed pattern (every fifth
# day paid) the cumulative rates' third decimal tells the trees where in the pattern a day
# falls, and a claim scored after the history ends was then judged by which day it was.
_DRAW = random.Random(2025)
DENIED = [(_DRAW.random() < 0.8, _DRAW.random() < 0.1, _DRAW.random() < 0.1) for _ in range(181)]
CELLS = (("P1", ()), ("P1", ("GP",)), ("P2", ()))
# How far a cell's mean probability may be from its observed rate: about two standard errors
# of a rate of 85% (or 10%) measured on 150 claims.
TOLERANCE = 0.06


def plant(session: Session) -> None:
    """Every day for six months: P1 97110 without modifier (80% denied), P1 97110-GP and
    P2 97110 (10% denied each)."""
    s = Store(session)
    for day in range(181):
        when = START + dt.timedelta(days=day)
        risky, gp, other = DENIED[day]
        s.add(submitted=when, remit=when + dt.timedelta(days=LAG), denied=risky)
        s.add(submitted=when, remit=when + dt.timedelta(days=LAG), modifiers="GP", denied=gp)
        s.add(submitted=when, remit=when + dt.timedelta(days=LAG), payer="P2", denied=other)
    session.commit()


def _window(day: dt.date) -> tuple[int, int]:
    """Hand count: P1 97110 no-modifier claims whose remit fell in the 90 days before ``day``."""
    n = d = 0
    for i in range(181):
        remit = START + dt.timedelta(days=i + LAG)
        if day - dt.timedelta(days=90) <= remit < day:
            n += 1
            d += DENIED[i][0]
    return n, d


@pytest.fixture
def planted(session: Session, tmp_path: Path) -> Settings:
    plant(session)
    return Settings(data_dir=tmp_path, database_url="")


def test_train_saves_a_version_and_scores_with_reasons(session: Session, planted: Settings) -> None:
    saved = service.train(session=session, settings=planted, test_months=1, calibration_months=1)
    assert saved.version == "v0001" and saved.meta["members"] == [
        f"model_{i}.txt" for i in range(1, 6)
    ]  # one per cross-fit block of months
    assert all((saved.folder / member).is_file() for member in saved.meta["members"])
    window = saved.meta["training_window"]
    assert window["train"] == ["2025-01", "2025-05"] and window["calibration"] == ["2025-06"] * 2
    assert saved.meta["metrics"]["window"]["test"] == ["2025-06", "2025-06"]
    assert store.versions(planted.data_dir) == ["v0001"]
    day = dt.date(2025, 7, 20)
    risky = record("NEW1", created=day)
    fine = record("NEW2", modifiers=("GP",), created=day)
    risks = service.score_claims(session=session, settings=planted, records=[risky, fine])
    assert [r.control_number for r in risks] == ["NEW1", "NEW2"]
    assert risks[0].probability > 0.5 > risks[1].probability
    assert risks[0].root_cause == "modifier_missing_invalid" and risks[0].stream == "coding"
    n, d = _window(day)
    expected = (
        f"payer PLAN P1 denied {d / n:.0%} of {n:,} claims with 97110 with no modifier "
        "in the last 90 days"
    )
    texts = {r.feature: r.text for r in risks[0].reasons}
    assert expected in texts.values(), texts
    assert all(r.contribution > 0 for r in risks[0].reasons)


def test_the_planted_cells_probabilities_are_their_observed_rates(
    session: Session, planted: Settings
) -> None:
    """The cross-fitted calibration (trees fitted on every month before the test, the map
    from each claim's score by trees that never saw it) gives each planted cell the denial
    rate it had in the months the model learned from: on the test month's claims, and for
    new claims scored after the history ends. The calibration it replaced (trees of the
    training months, map from the calibration month) is 7 points off here, and trees of
    every month with that map 12 (an 80%-denied cell was once scored 47%)."""
    from denialscope.predict.stored import load_history
    from denialscope.predict.training import fit_split

    fitted = fit_split(load_history(session).labelled(), test_months=1, calibration_months=1)
    cells = [(c.payer, c.lines[0].modifiers) for c in fitted.claims]
    y = np.array([float(o.denied) for o in fitted.outcomes])
    test, learned = fitted.rows("test"), ~fitted.rows("test")
    p = fitted.model.probability(fitted.frame.matrix)
    for key in CELLS:
        cell = np.array([c == key for c in cells])
        observed = y[cell & learned].mean()
        assert p[cell & test].mean() == pytest.approx(observed, abs=TOLERANCE), key
    service.train(session=session, settings=planted, test_months=1, calibration_months=1)
    day = dt.date(2025, 7, 20)
    records = [
        record("NEW1", created=day),
        record("NEW2", modifiers=("GP",), created=day),
        record("NEW3", payer="P2", created=day),
    ]
    risks = service.score_claims(session=session, settings=planted, records=records)
    observed = [sum(d[k] for d in DENIED) / len(DENIED) for k in range(3)]  # all six months
    assert [r.probability for r in risks] == pytest.approx(observed, abs=TOLERANCE)


def test_evaluate_reports_model_baselines_and_oracle(session: Session, planted: Settings) -> None:
    report = service.evaluate(
        session=session, settings=planted, test_months=1, calibration_months=1
    )
    # January-April train (120 days), May calibrates (31), June is the test (30), 3 a day
    assert report["claims"] == {"train": 360, "calibration": 93, "test": 90}
    days = range(151, 181)
    labels = [float(x) for i in days for x in DENIED[i]]
    assert report["test_denials"] == sum(labels)
    # The best ranking knows each cell's true rate (80%, 10%, 10%): the model gets close.
    best = roc_auc(np.array([0.8, 0.1, 0.1] * 30), np.array(labels))
    assert best is not None and report["auc"] >= best - 0.05 and "oracle" not in report
    assert report["recall_at_95_precision"] >= report["baseline_recall_at_95_precision"]
    assert {"payer_procedure", "scrubber"} == set(report["baselines"])
    # The trees' own score ranks as well as the model here (the same cells, ties broken).
    assert report["uncalibrated"]["auc"] >= best - 0.05
    assert sum(r["claims"] for r in report["reliability"]) == 90
    truth = planted.data_dir / "demo"
    truth.mkdir()
    rows = ["claim_id,p_denial"] + [f"C{i:05d},{0.5}" for i in range(1, 544)]
    (truth / "ground_truth_claims.csv").write_text("\n".join(rows) + "\n", "utf-8")
    again = service.evaluate(session=session, settings=planted, test_months=1, calibration_months=1)
    assert again["oracle"]["auc"] == 0.5  # a constant oracle ranks nothing


def test_scoring_without_a_model_says_how_to_train(session: Session, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="")
    with pytest.raises(store.ModelStoreError, match="predict train"):
        service.score_claims(
            session=session, settings=settings, records=[record("N", created=START)]
        )


def test_cli_train_evaluate_score(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as session:
        plant(session)
    url = engine.url.render_as_string(hide_password=False)
    common = ["--database", url, "--data-dir", str(tmp_path)]
    runner = CliRunner()
    months = ["--test-months", "1", "--calibration-months", "1"]
    out = runner.invoke(app, ["predict", "evaluate", "--format", "json", *months, *common])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    for key in (
        "auc",
        "pr_auc",
        "recall_at_95_precision",
        "baseline_recall_at_95_precision",
        "brier",
    ):
        assert isinstance(report[key], float)
    assert "oracle_recall_at_95_precision" not in report
    for _ in range(2):
        out = runner.invoke(app, ["predict", "train", *months, *common])
        assert out.exit_code == 0, out.output
    assert "v0002" in out.output and "reliability" in out.output
    assert store.versions(tmp_path) == ["v0001", "v0002"]
    path = tmp_path / "new.837"
    day = dt.date(2025, 7, 20)
    path.write_text(
        write_837([record("NEW1", created=day)], kind="837P", sender="S", receiver="R"), "utf-8"
    )
    out = runner.invoke(app, ["predict", "score", str(path), "--format", "json", *common])
    assert out.exit_code == 0, out.output
    [scored] = json.loads(out.output)
    assert scored["claim_id"] == "NEW1" and scored["p_denial"] > 0.5
    out = runner.invoke(app, ["predict", "score", str(path), "--format", "xml", *common])
    assert out.exit_code != 0 and "table or json" in str(out.exception or out.output)


def test_the_sql_history_gives_the_same_features_as_the_full_one(session: Session) -> None:
    from denialscope.predict.features import build_vocabulary, feature_frame
    from denialscope.predict.stored import load_history, load_outcome_history

    plant(session)
    full = load_history(session)
    vocabulary = build_vocabulary(full.claims)
    day = dt.date(2025, 7, 1)
    claims = [c for c in full.claims if c.submitted >= dt.date(2025, 5, 1)]
    a = feature_frame(claims, history=full.labelled(), vocabulary=vocabulary)
    b = feature_frame(claims, history=load_outcome_history(session), vocabulary=vocabulary)
    np.testing.assert_array_equal(a.matrix, b.matrix)
    assert a.facts == b.facts and day > claims[-1].submitted


def test_scrub_shows_risk_beside_findings_once_a_model_exists(
    engine: Engine, tmp_path: Path
) -> None:
    with Session(engine) as session:
        plant(session)
    url = engine.url.render_as_string(hide_password=False)
    common = ["--database", url, "--data-dir", str(tmp_path)]
    path = tmp_path / "new.837"
    path.write_text(
        write_837(
            [record("NEW1", created=dt.date(2025, 7, 20))], kind="837P", sender="S", receiver="R"
        ),
        "utf-8",
    )
    runner = CliRunner()
    before = runner.invoke(app, ["scrub", str(path), "--format", "json", *common])
    assert before.exit_code == 0, before.output
    assert "risks" not in json.loads(before.output)  # no model yet: scrub as before
    months = ["--test-months", "1", "--calibration-months", "1"]
    assert runner.invoke(app, ["predict", "train", *months, *common]).exit_code == 0
    out = runner.invoke(app, ["scrub", str(path), "--format", "json", *common])
    [risk] = json.loads(out.output)["risks"]
    assert risk["claim_id"] == "NEW1" and risk["p_denial"] > 0.5
    table = runner.invoke(app, ["scrub", str(path), *common]).output
    assert f"NEW1 denial risk {risk['p_denial']:.1%}" in table


def test_too_little_history_is_a_clear_error_not_a_traceback(
    engine: Engine, tmp_path: Path
) -> None:
    with Session(engine) as session:
        s = Store(session)
        for month in (1, 2):  # two months: the default split needs six
            s.add(submitted=dt.date(2025, month, 3), remit=dt.date(2025, month, 20))
        session.commit()
    url = engine.url.render_as_string(hide_password=False)
    out = CliRunner().invoke(
        app, ["predict", "evaluate", "--database", url, "--data-dir", str(tmp_path)]
    )
    assert out.exit_code != 0
    assert isinstance(out.exception, NotEnoughHistoryError)  # main() prints it, exit 1
    assert "2 month(s) of adjudicated claims; the split needs 6" in str(out.exception)


def test_capacity_is_chosen_inside_the_training_window(
    session: Session, planted: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from denialscope.predict import capacity

    report = service.evaluate(
        session=session, settings=planted, test_months=1, calibration_months=1
    )
    # 360 training claims: too few to compare leaf sizes, the default is kept
    assert report["capacity"]["validation_months"] is None
    assert (report["capacity"]["min_data_in_leaf"], report["capacity"]["rounds"]) == (40, 200)
    monkeypatch.setattr(capacity, "MIN_TRAINING_CLAIMS", 0)
    report = service.evaluate(
        session=session, settings=planted, test_months=1, calibration_months=1
    )
    chosen = report["capacity"]
    # train January-April: the last two of them are held out, never May (calibration) or June
    assert chosen["validation_months"] == ["2025-03", "2025-04"]
    assert [(c["min_data_in_leaf"], c["rounds"]) for c in chosen["candidates"]] == list(
        capacity.CANDIDATES
    )
    best = max(
        chosen["candidates"],
        key=lambda c: (
            c["recall_at_95_precision"] + c["recall_at_80_precision"] + c["pr_auc"],
            -chosen["candidates"].index(c),
        ),
    )
    assert (chosen["min_data_in_leaf"], chosen["rounds"]) == (
        best["min_data_in_leaf"],
        best["rounds"],
    )
