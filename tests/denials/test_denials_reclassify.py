"""``reclassify``: a changed configuration rewrites exactly what it changes, with history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from denialscope.classify import ClassificationConfig, load_config
from denialscope.cli import explain as explain_command
from denialscope.denials.models import ClassificationChange
from denialscope.denials.service import reclassify
from denialscope.remits.models import Adjustment, ClaimPayment
from factories.classified import WORKQUEUE, rebuilt_results, stored_results
from factories.database import Db

_ADJUSTMENT_COLUMNS = (
    Adjustment.id,
    Adjustment.claim_payment_id,
    Adjustment.reason_code,
    Adjustment.category,
    Adjustment.is_denial,
    Adjustment.stream,
    Adjustment.root_cause,
    Adjustment.rule_id,
    Adjustment.process_step,
    Adjustment.owner_role,
    Adjustment.owner_name,
)
_PAYMENT_COLUMNS = (
    ClaimPayment.id,
    ClaimPayment.denial_type,
    ClaimPayment.is_denial,
    ClaimPayment.primary_stream,
    ClaimPayment.primary_root_cause,
    ClaimPayment.denied_amount,
    ClaimPayment.config_version,
)


def _rows(session: Session, columns: tuple[Any, ...]) -> dict[int, Any]:
    return {row[0]: row for row in session.execute(select(*columns))}


def _history(session: Session) -> list[ClassificationChange]:
    return list(session.execute(select(ClassificationChange)).scalars())


def test_an_override_changes_exactly_the_matching_adjustments_and_keeps_history(
    db: Db, remits: list[Path], defaults: ClassificationConfig, override_16: Path
) -> None:
    db.ingest_all(remits, defaults)
    config = load_config([override_16])
    with db.session() as session:
        before = _rows(session, _ADJUSTMENT_COLUMNS)
        payments_before = _rows(session, _PAYMENT_COLUMNS)
        expected = {
            i for i, r in before.items() if r.reason_code == "16" and r.rule_id == "carc-16"
        }
        # CO-16 with a line remark M51 follows its own rule and must not move.
        assert expected and any(
            r.reason_code == "16" and r.id not in expected for r in before.values()
        )
        primary_moves = {
            i for i, r in payments_before.items() if r.primary_root_cause == "missing_information"
        }

        report = reclassify(session=session, workqueue=WORKQUEUE, config=config)
        session.commit()

        after = _rows(session, _ADJUSTMENT_COLUMNS)
        changed = {i for i in before if before[i] != after[i]}
        assert changed == expected
        for i in expected:
            assert (after[i].stream, after[i].root_cause, after[i].rule_id) == (
                "billing",
                "claim_data_error",
                "carc-16",
            )
        history = _history(session)
        assert {h.adjustment_id for h in history} == expected
        assert {
            (h.old_root_cause, h.new_root_cause, h.old_rule_id, h.new_rule_id) for h in history
        } == {("missing_information", "claim_data_error", "carc-16", "carc-16")}
        assert {(h.old_config_version, h.new_config_version) for h in history} == {
            (defaults.version, config.version)
        }
        assert {h.claim_payment_id for h in history} == {
            before[i].claim_payment_id for i in expected
        }

        payments_after = _rows(session, _PAYMENT_COLUMNS)
        moved = {i for i, r in payments_after.items() if r.primary_root_cause == "claim_data_error"}
        assert moved == primary_moves
        assert {r.config_version for r in payments_after.values()} == {config.version}
        assert report.to_dict() | {"seconds": 0} == {
            "config_version": config.version,
            "payments_examined": len(payments_before),
            "payments_changed": len(primary_moves),
            "payments_restamped": len(payments_before) - len(primary_moves),
            "adjustments_examined": len(before),
            "adjustments_changed": len(expected),
            "adjustments_rerouted": 0,
            "adjustments_first_classified": 0,
            "transitions": [
                {"from": "missing_information", "to": "claim_data_error", "count": len(expected)}
            ],
            # PCN-DUP's open item takes the new cause; billing stays its queue. PCN-A's item
            # is resolved (paid on the second remit) and is not touched.
            "work_items_reclassified": 1,
            "work_items_requeued": 0,
            "seconds": 0,
        }

        again = reclassify(session=session, workqueue=WORKQUEUE, config=config, batch=2)
        session.commit()
        assert (again.payments_examined, again.adjustments_examined) == (
            len(payments_before),
            len(before),
        )
        assert again.payments_changed + again.payments_restamped == 0
        assert again.adjustments_changed + again.adjustments_rerouted == 0
        assert not again.transitions
        assert len(_history(session)) == len(expected)
        assert _rows(session, _ADJUSTMENT_COLUMNS) == after

        # Back to the defaults: the earlier decisions come back and are recorded too.
        back = reclassify(session=session, workqueue=WORKQUEUE, config=defaults)
        session.commit()
        assert back.adjustments_changed == len(expected)
        assert _rows(session, _ADJUSTMENT_COLUMNS) == before
        assert _rows(session, _PAYMENT_COLUMNS) == payments_before
        assert len(_history(session)) == 2 * len(expected)


def test_only_the_given_payments_are_examined(
    db: Db, remits: list[Path], defaults: ClassificationConfig, override_16: Path
) -> None:
    db.ingest_all(remits, defaults)
    with db.session() as session:
        number = ClaimPayment.payer_claim_number
        by_number = dict(session.execute(select(number, ClaimPayment.id)).tuples().all())
        before = _rows(session, _PAYMENT_COLUMNS)
        report = reclassify(
            session=session,
            workqueue=WORKQUEUE,
            config=load_config([override_16]),
            claim_payment_ids=[by_number["PAY-A"]],
        )
        assert (report.payments_examined, report.payments_changed) == (1, 1)
        after = _rows(session, _PAYMENT_COLUMNS)
        assert {i for i in before if before[i] != after[i]} == {by_number["PAY-A"]}
        assert [h.claim_payment_id for h in _history(session)] == [by_number["PAY-A"]]


def test_payments_stored_without_classification_are_classified_without_history(
    db: Db, remits: list[Path], defaults: ClassificationConfig
) -> None:
    db.ingest_all(remits, None, classify=False)
    with db.session() as session:
        adjustments = session.execute(select(func.count()).select_from(Adjustment)).scalar_one()
        report = reclassify(session=session, workqueue=WORKQUEUE, config=defaults)
        assert report.adjustments_first_classified == adjustments > 0
        assert report.adjustments_changed == 0 and not _history(session)
        stored = stored_results(session)
        assert stored == rebuilt_results(session, defaults, sorted(stored))


def _app() -> typer.Typer:
    app = typer.Typer()
    explain_command.register(app)
    return app


def test_the_command_applies_config_files_and_the_data_dir_file(
    db: Db, remits: list[Path], defaults: ClassificationConfig, override_16: Path, data_dir: Path
) -> None:
    db.ingest_all(remits, defaults)
    runner = CliRunner()
    shown = runner.invoke(
        _app(), ["reclassify", "--database", db.url, "--config", str(override_16)]
    )
    assert shown.exit_code == 0, shown.output
    assert "root cause changes" in shown.output
    assert "missing_information" in shown.output and "claim_data_error" in shown.output

    # Without --config the data directory's classification.yaml applies: here, the defaults
    # plus an empty file, which moves everything back.
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "classification.yaml").write_text("# nothing to change\n", encoding="utf-8")
    result = runner.invoke(
        _app(), ["reclassify", "--database", db.url, "--data-dir", str(data_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {
        "config_version",
        "payments_examined",
        "payments_changed",
        "payments_restamped",
        "adjustments_examined",
        "adjustments_changed",
        "adjustments_rerouted",
        "adjustments_first_classified",
        "transitions",
        "work_items_reclassified",
        "work_items_requeued",
        "seconds",
    }
    assert payload["transitions"][0]["from"] == "claim_data_error"
    assert payload["transitions"][0]["to"] == "missing_information"
    with db.session() as session:
        assert len(_history(session)) == 2 * payload["adjustments_changed"] > 0
