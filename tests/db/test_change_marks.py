"""Writes that rewrite stored rows in place leave a change mark, so the pages that keep figures
(the queue, the claim page, the leaders' figures) see them on the next view: a
reclassification, the organization file reloaded, the queue's priorities refreshed. Both
databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from denialscope.analytics.cube import fingerprint
from denialscope.classify import load_config
from denialscope.db.change_marks import ChangeMark
from denialscope.denials.service import reclassify
from denialscope.orgs.loader import load_org_yaml
from denialscope.workqueue.browse import queue_stamp
from denialscope.workqueue.config import load_workqueue_config
from denialscope.workqueue.outcomes import refresh_priorities
from denialscope.workqueue.service import sync_work_items
from factories.denied import make_denied_claim

DAY = dt.date(2025, 3, 3)


def _seed(session: Session) -> None:
    make_denied_claim(session, root_cause="medical_necessity", dollars=Decimal(800), denied_on=DAY)
    sync_work_items(session=session, as_of=DAY)
    session.commit()


def _stamps(session: Session) -> tuple[object, str]:
    return queue_stamp(session), fingerprint(session)


def _kinds(session: Session) -> list[str]:
    return list(session.scalars(select(ChangeMark.kind).order_by(ChangeMark.id)))


def test_a_reclassification_moves_the_queue_and_the_data_stamps(session: Session) -> None:
    _seed(session)
    before = _stamps(session)
    # Nothing changes in the rows (the same mapping): the run still says it ran, which is
    # what a first classification or a re-routed payment (no history row) would need.
    reclassify(session=session, config=load_config(), workqueue=load_workqueue_config())
    session.commit()
    after = _stamps(session)
    assert after[0] != before[0] and after[1] != before[1]
    assert _kinds(session)[-1] == "reclassify"


def test_reloading_the_organization_file_moves_the_stamps(session: Session, tmp_path: Path) -> None:
    _seed(session)
    before = _stamps(session)
    (tmp_path / "org.yaml").write_text('payers:\n  - payer_id: "XYZ"\n    kind: commercial\n')
    load_org_yaml(session, tmp_path / "org.yaml")
    session.commit()
    after = _stamps(session)
    assert after[0] != before[0] and after[1] != before[1]
    assert _kinds(session)[-1] == "org"


def test_refreshed_priorities_move_the_queue_stamp(session: Session) -> None:
    _seed(session)
    before = queue_stamp(session)
    assert refresh_priorities(session, as_of=DAY + dt.timedelta(days=30)) >= 1
    session.commit()
    assert queue_stamp(session) != before
    assert _kinds(session)[-1] == "priorities"
