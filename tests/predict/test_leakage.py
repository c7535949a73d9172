"""No feature sees an outcome dated after the claim's submission (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from predict_support import Store
from sqlalchemy.orm import Session

from denialscope.predict.features import FEATURES, build_vocabulary, feature_frame
from denialscope.predict.stored import load_history

D = dt.date
PP_CLAIMS = FEATURES.index("payer_procedure_claims")
PP_RATE = FEATURES.index("payer_procedure_rate")
PATIENT = FEATURES.index("patient_prior_claims")
PROVIDER = FEATURES.index("provider_claims")


def _rows(session: Session) -> dict[str, np.ndarray]:
    history = load_history(session)
    labelled = history.labelled()
    frame = feature_frame(
        history.claims, history=labelled, vocabulary=build_vocabulary(history.claims)
    )
    return {c.control_number: frame.matrix[i] for i, c in enumerate(history.claims)}


def test_a_remit_after_submission_is_not_seen(session: Session) -> None:
    store = Store(session)
    # X is denied on 20 March: after A was submitted (15 March), before B (25 March).
    x = store.add(submitted=D(2025, 3, 10), remit=D(2025, 3, 20), denied=True, patient="p1")
    store.add(submitted=D(2025, 3, 15), remit=D(2025, 4, 1), patient="p1")  # A
    store.add(submitted=D(2025, 3, 25), remit=D(2025, 4, 10), patient="p1")  # B
    rows = _rows(session)
    a, b = rows["C00002"], rows["C00003"]
    assert a[PP_CLAIMS] == 0 and math.isnan(a[PP_RATE])
    assert a[PATIENT] == 0 and a[PROVIDER] == 0
    assert b[PP_CLAIMS] == 1 and b[PP_RATE] == 1.0  # X only: A's remit (1 April) is later
    assert b[PATIENT] == 1 and b[PROVIDER] == 1
    # Flip X's outcome: A's features do not move at all, B's do (the test can fail).
    payment = x.id
    from denialscope.remits.models import ClaimPayment

    session.query(ClaimPayment).filter(ClaimPayment.claim_id == payment).update(
        {"is_denial": False}
    )
    session.flush()
    again = _rows(session)
    np.testing.assert_array_equal(again["C00002"], a)
    assert again["C00003"][PP_RATE] == 0.0


def test_a_claim_never_counts_its_own_outcome(session: Session) -> None:
    store = Store(session)
    # Bad data: the remit is dated before the claim's own submission day.
    store.add(submitted=D(2025, 5, 10), remit=D(2025, 5, 1), denied=True)
    store.add(submitted=D(2025, 5, 15), remit=None)
    rows = _rows(session)
    assert rows["C00001"][PP_CLAIMS] == 0  # its own outcome taken back out
    assert rows["C00002"][PP_CLAIMS] == 1 and rows["C00002"][PP_RATE] == 1.0


def test_the_submission_day_itself_is_excluded(session: Session) -> None:
    store = Store(session)
    store.add(submitted=D(2025, 6, 1), remit=D(2025, 6, 10), denied=True)
    store.add(submitted=D(2025, 6, 10), remit=None)  # same day as that remit: not yet known
    store.add(submitted=D(2025, 6, 11), remit=None)
    rows = _rows(session)
    assert rows["C00002"][PP_CLAIMS] == 0
    assert rows["C00003"][PP_CLAIMS] == 1
