"""``denialscope predict train|evaluate|score``: denial risk before submission.

Import-light: LightGBM, numpy and SQLAlchemy load inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from denialscope.cli.options import DatabaseOption, DataDirOption, cli_settings, open_session
from denialscope.output.jsonout import dumps

if TYPE_CHECKING:
    from denialscope.predict.service import ClaimRisk

__all__ = ["register", "render_evaluation", "render_scores"]

FormatOption = Annotated[str, typer.Option("--format", help="table or json.")]
TestMonthsOption = Annotated[
    int, typer.Option("--test-months", help="Latest submission months held out for the test.")
]
CalibrationMonthsOption = Annotated[
    int,
    typer.Option(
        "--calibration-months",
        help="Latest months before the test: fitted, never used to choose the capacity.",
    ),
]


def _format(fmt: str) -> str:
    if fmt not in ("table", "json"):
        from denialscope.errors import InputError

        raise InputError(f"--format must be table or json, got {fmt!r}")
    return fmt


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


_ROWS = (
    ("ROC AUC", "auc", _num),
    ("PR AUC", "pr_auc", _num),
    ("recall at 95% precision", "recall_at_95_precision", _pct),
    ("recall at 80% precision", "recall_at_80_precision", _pct),
    ("recall at 50% precision", "recall_at_50_precision", _pct),
    ("denied $ in top 5% (by expected $)", "dollars_captured_top_5pct", _pct),
    ("denied $ in top 10%", "dollars_captured_top_10pct", _pct),
    ("denied $ in top 20%", "dollars_captured_top_20pct", _pct),
)


def render_evaluation(report: dict[str, Any]) -> str:
    """Model, baselines and oracle side by side, then calibration."""
    w = report["window"]
    n = report["claims"]
    out = [
        f"train {w['train'][0]}..{w['train'][1]} ({n['train']:,} claims), calibrate "
        f"{w['calibration'][0]}..{w['calibration'][1]} ({n['calibration']:,}), test "
        f"{w['test'][0]}..{w['test'][1]} ({n['test']:,} claims, {report['test_denials']:,} "
        f"denied, ${report['test_denied_dollars']:,.2f} denied)",
        "",
    ]
    columns = [("model", report)]
    columns += [(f"{k.replace('_', ' ')} baseline", v) for k, v in report["baselines"].items()]
    if "oracle" in report:
        columns.append(("oracle (demo truth)", report["oracle"]))
    out.append(f"{'':36s}" + "".join(f"{name:>26s}" for name, _ in columns))
    for label, key, fmt in _ROWS:
        out.append(f"{label:36s}" + "".join(f"{fmt(c.get(key)):>26s}" for _, c in columns))
    brier = f"{'Brier score (lower is better)':36s}{_num(report['brier']):>26s}"
    out += [brier, f"{'Brier of the base rate':36s}{_num(report['brier_base_rate']):>26s}"]
    if "oracle" in report:
        out.append(f"{'Brier of the oracle':36s}{_num(report['oracle']['brier']):>26s}")
    if "root_cause_accuracy" in report:
        out.append(
            f"{'likely root cause right (denied)':36s}{_pct(report['root_cause_accuracy']):>26s}"
        )
    out += [
        "",
        "reliability (test claims by predicted risk):",
        f"  {'predicted':>11s} {'claims':>8s} {'mean predicted':>15s} {'observed':>9s}",
    ]
    for r in report["reliability"]:
        out.append(
            f"  {r['low']:4.0%}-{r['high']:4.0%} {r['claims']:8,d} {r['predicted']:15.1%} "
            f"{r['observed']:9.1%}"
        )
    return "\n".join(out)


def render_scores(risks: list[ClaimRisk]) -> str:
    out = []
    for r in risks:
        cause = f"; likely {r.root_cause} ({r.stream})" if r.root_cause else ""
        out.append(f"{r.control_number}  risk {r.probability:.1%}{cause}")
        out += [f"    - {reason.text}" for reason in r.reasons]
    return "\n".join(out) if out else "no claims"


def train_command(
    fmt: FormatOption = "table",
    test_months: TestMonthsOption = 3,
    calibration_months: CalibrationMonthsOption = 2,
    database: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Train a new model version on the stored claims (evaluated on the time split first)."""
    from denialscope.predict import service

    fmt = _format(fmt)
    settings = cli_settings(database, data_dir)
    with open_session(settings) as session:
        saved = service.train(
            session=session,
            settings=settings,
            test_months=test_months,
            calibration_months=calibration_months,
        )
    if fmt == "json":
        meta = {k: v for k, v in saved.meta.items() if k != "vocabulary"}
        typer.echo(dumps({"folder": str(saved.folder), **meta}, indent=2))
        return
    window = saved.meta["training_window"]
    typer.echo(
        f"model {saved.name} {saved.version} saved in {saved.folder}\n"
        f"trained on {window['train'][0]}..{window['train'][1]}, calibrated on "
        f"{window['calibration'][0]}..{window['calibration'][1]} "
        f"({window['claims']:,} claims, {window['denials']:,} denied)\n\n"
        "time-split evaluation:\n" + render_evaluation(saved.meta["metrics"])
    )


def evaluate_command(
    fmt: FormatOption = "table",
    test_months: TestMonthsOption = 3,
    calibration_months: CalibrationMonthsOption = 2,
    database: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Train on earlier months, test on the latest: model vs baselines (and the demo oracle)."""
    from denialscope.predict import service

    fmt = _format(fmt)
    settings = cli_settings(database, data_dir)
    with open_session(settings) as session:
        report = service.evaluate(
            session=session,
            settings=settings,
            test_months=test_months,
            calibration_months=calibration_months,
        )
    typer.echo(dumps(report, indent=2) if fmt == "json" else render_evaluation(report))


def score_command(
    files: Annotated[list[Path], typer.Argument(help="837 files or folders.")],
    fmt: FormatOption = "table",
    reasons: Annotated[int, typer.Option("--reasons", help="Reasons shown per claim.")] = 3,
    database: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """P(denial), likely root cause and reasons for each claim of 837 files."""
    from denialscope.predict import service

    fmt = _format(fmt)
    settings = cli_settings(database, data_dir)
    records = service.read_837(files)
    with open_session(settings) as session:
        risks = service.score_claims(
            session=session, settings=settings, records=records, explain=reasons
        )
    if fmt == "json":
        typer.echo(dumps([r.to_dict() for r in risks], indent=2))
        return
    typer.echo(render_scores(risks))


def register(app: typer.Typer) -> None:
    predict_app = typer.Typer(
        help="Denial risk before submission: train, evaluate on a time split, score 837s.",
        no_args_is_help=True,
    )
    predict_app.command("train")(train_command)
    predict_app.command("evaluate")(evaluate_command)
    predict_app.command("score")(score_command)
    app.add_typer(predict_app, name="predict")
