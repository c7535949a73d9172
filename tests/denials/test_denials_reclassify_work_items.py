"""``reclassify`` keeps the work queues current: open items take the new root cause, stream
and queue with a history event; resolved items stay as they were decided.

The scenario (conftest): PCN-A denied CO-16 then paid (its item is resolved, overturned);
PCN-B a CO-16 + M51 line (its own rule, invalid_procedure_code, coding); PCN-C a CO-50 with
N706 (documentation_insufficient); PCN-DUP denied CO-16 with no remark
(missing_information, billing queue). The override below maps a bare CO-16 to
medical_necessity (clinical): only PCN-DUP's open item may move, to the clinical queue
of a professional claim (profee), with the clinical prior Beta(3, 5): P(recovery) 0.375.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.claims.models import Claim
from denialscope.classify import ClassificationConfig, load_config
from denialscope.denials.service import reclassify
from denialscope.workqueue.models import WorkItem, WorkItemEvent
from factories.classified import WORKQUEUE
from factories.database import Db

MEDICAL_NECESSITY_16 = """\
carc_defaults:
  "16": [medical_necessity, Not medically necessary (our payers)]
"""


@pytest.fixture
def override(tmp_path: Path) -> ClassificationConfig:
    path = tmp_path / "override-mn.yaml"
    path.write_text(MEDICAL_NECESSITY_16, encoding="utf-8")
    return load_config([path])


def _items(session: Session) -> dict[str, WorkItem]:
    """Work items by claim control number (PCN-DUP: the denied one of the two claims)."""
    rows = session.execute(select(Claim.control_number, WorkItem).join(WorkItem)).tuples()
    return {number: item for number, item in rows}


def _events(session: Session, item_id: int) -> list[tuple[str, str, str | None]]:
    query = select(WorkItemEvent.actor, WorkItemEvent.kind, WorkItemEvent.detail).where(
        WorkItemEvent.work_item_id == item_id
    )
    return [tuple(row) for row in session.execute(query.order_by(WorkItemEvent.id))]


def _state(item: WorkItem) -> tuple[object, ...]:
    return (item.root_cause, item.stream, item.queue, item.status, item.outcome)


def test_open_items_take_the_new_root_cause_and_queue_with_history(
    db: Db, remits: list[Path], defaults: ClassificationConfig, override: ClassificationConfig
) -> None:
    db.ingest_all(remits, defaults)
    with db.session() as session:
        before = _items(session)
        assert _state(before["PCN-DUP"]) == (
            "missing_information",
            "billing",
            "billing",
            "new",
            None,
        )
        assert _state(before["PCN-A"]) == (
            "missing_information",
            "billing",
            "billing",
            "resolved",
            "overturned",
        )
        untouched = {
            number: (_state(item), _events(session, item.id))
            for number, item in before.items()
            if number != "PCN-DUP"
        }
        dup_id = before["PCN-DUP"].id

        report = reclassify(session=session, config=override, workqueue=WORKQUEUE)
        session.commit()

        assert (report.work_items_reclassified, report.work_items_requeued) == (1, 1)
        assert report.to_dict()["work_items_reclassified"] == 1
        after = _items(session)
        moved = after["PCN-DUP"]
        assert _state(moved) == ("medical_necessity", "clinical", "profee", "new", None)
        assert moved.owner_role == "Utilization review"
        # The clinical prior Beta(3, 5) with no outcomes yet: 3 / 8.
        assert moved.p_recovery == Decimal("0.3750")
        history = _events(session, dup_id)
        assert history[-1] == (
            "reclassify",
            "reclassified",
            "root cause missing_information -> medical_necessity, stream billing -> clinical, "
            f"queue billing -> profee (configuration {override.version})",
        )
        assert len(history) == 2  # created, reclassified
        # The resolved item (PCN-A, also a bare CO-16) and the items whose cause did not
        # change keep their state and their history.
        for number, (state, events) in untouched.items():
            assert (_state(after[number]), _events(session, after[number].id)) == (
                state,
                events,
            ), number


def test_a_second_run_changes_nothing_and_going_back_is_recorded_too(
    db: Db, remits: list[Path], defaults: ClassificationConfig, override: ClassificationConfig
) -> None:
    db.ingest_all(remits, defaults)
    with db.session() as session:
        reclassify(session=session, config=override, workqueue=WORKQUEUE)
        session.commit()
        again = reclassify(session=session, config=override, workqueue=WORKQUEUE)
        session.commit()
        assert again.work_items_reclassified == 0
        back = reclassify(session=session, config=defaults, workqueue=WORKQUEUE)
        session.commit()
        assert (back.work_items_reclassified, back.work_items_requeued) == (1, 1)
        item = _items(session)["PCN-DUP"]
        assert _state(item) == ("missing_information", "billing", "billing", "new", None)
        kinds = [kind for _actor, kind, _detail in _events(session, item.id)]
        assert kinds == ["created", "reclassified", "reclassified"]


def test_an_item_a_person_chose_an_action_for_keeps_that_choice(
    db: Db, remits: list[Path], defaults: ClassificationConfig, override: ClassificationConfig
) -> None:
    from denialscope.workqueue.service import choose_action

    db.ingest_all(remits, defaults)
    with db.session() as session:
        item = _items(session)["PCN-DUP"]
        choose_action(
            session=session, item_id=item.id, action="resubmit", actor="ana", config=WORKQUEUE
        )
        recommended = (item.recommended_action, item.recommended_reason)
        session.commit()
        reclassify(session=session, config=override, workqueue=WORKQUEUE)
        session.commit()
        item = _items(session)["PCN-DUP"]
        assert (item.root_cause, item.action, item.status) == (
            "medical_necessity",
            "resubmit",
            "action_chosen",
        )
        assert (item.recommended_action, item.recommended_reason) == recommended
