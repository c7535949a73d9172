"""The classification input rebuilt from stored rows gives what ingest stored."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from denialscope.classify import ClassificationConfig, load_config
from denialscope.demo import DemoResult
from denialscope.denials.service import (
    adjudicated_claim_from_rows,
    adjudicated_claims_from_rows,
    reclassify,
)
from denialscope.errors import NotFoundError
from denialscope.remits.models import ClaimPayment
from factories.classified import WORKQUEUE, rebuilt_results, stored_results
from factories.database import Db

# Rules that each depend on one piece of context the rebuild must restore: payer, remark
# scope (claim vs line), adjudication date, claim type, and the billed procedure (SVC06).
CONTEXT_RULES = """\
rules:
  - id: ctx-payer
    carc: ["45"]
    payer: [PAYERA]
    category: bookkeeping
  - id: ctx-claim-remark-only
    carc: ["16"]
    rarc_any: [M51]
    rarc_scope: claim
    priority: 10
    root_cause: wrong_payer
  - id: ctx-line-remark
    carc: ["16"]
    rarc_any: [M51]
    rarc_scope: line
    priority: 5
    root_cause: modifier_missing_invalid
  - id: ctx-dated
    carc: ["2"]
    effective_from: 2024-03-01
    effective_to: 2024-03-31
    category: patient_share
  - id: ctx-professional
    carc: ["50"]
    claim_type: [professional]
    priority: 5
    root_cause: experimental_investigational
  - id: ctx-billed-code
    carc: ["151"]
    procedure: ["99215"]
    priority: 5
    root_cause: age_sex_conflict
"""


def assert_rebuild_matches_ingest(db: Db, config: ClassificationConfig) -> dict[str, int]:
    with db.session() as session:
        stored = stored_results(session)
        rebuilt = rebuilt_results(session, config, sorted(stored))
        assert stored, "nothing was ingested"
        mismatched = {i: (stored[i], rebuilt.get(i)) for i in stored if stored[i] != rebuilt.get(i)}
        assert not mismatched, next(iter(mismatched.items()))
        # Applying the same configuration again changes nothing, not even the version stamp.
        report = reclassify(session=session, config=config, workqueue=WORKQUEUE, batch=7)
        assert report.payments_examined == len(stored)
        assert (report.payments_changed, report.payments_restamped) == (0, 0)
        assert (report.adjustments_changed, report.adjustments_rerouted) == (0, 0)
        session.rollback()
        rules = Counter(rule for _, items in stored.values() for key in items for rule in [key[7]])
        steps = Counter(key[8] for _, items in stored.values() for key in items)
        return dict(rules) | {f"step:{k}": v for k, v in steps.items() if k}


def test_rebuild_restores_payer_remarks_dates_claim_type_and_billed_code(
    db: Db, remits: list[Path], tmp_path: Path
) -> None:
    path = tmp_path / "context.yaml"
    path.write_text(CONTEXT_RULES, encoding="utf-8")
    config = load_config([path])
    db.ingest_all(remits, config)
    seen = assert_rebuild_matches_ingest(db, config)
    # Every context rule decided something at ingest, so a rebuild that lost its context
    # would have disagreed above; the claim-scope M51 rule must not fire on a line remark.
    for rule in ("ctx-payer", "ctx-line-remark", "ctx-dated", "ctx-professional"):
        assert seen.get(rule), (rule, seen)
    assert seen.get("ctx-billed-code"), seen
    assert "ctx-claim-remark-only" not in seen


def test_rebuild_matches_ingest_on_the_demo_with_department_and_service_line_routes(
    db: Db, demo: DemoResult, defaults: ClassificationConfig, tmp_path: Path
) -> None:
    departments = yaml.safe_load(demo.org_yaml.read_text(encoding="utf-8"))["departments"]
    routes = []
    for n, department in enumerate(departments):
        for cause in defaults.root_causes:
            if n % 2 == 0:
                where = {"department": [department["code"]]}
                step = f"dept {department['code']}"
            else:
                where = {"service_line": [department["service_line"]]}
                step = f"line {department['service_line']}"
            routes.append(
                {
                    "id": f"r{n}-{cause}",
                    "root_cause": cause,
                    **where,
                    "process_step": step,
                    "owner_role": "Test owner",
                }
            )
    path = tmp_path / "routes.yaml"
    path.write_text(yaml.safe_dump({"routing": routes}), encoding="utf-8")
    config = load_config([path])
    db.ingest_all(demo.files, config, org_yaml=demo.org_yaml)
    seen = assert_rebuild_matches_ingest(db, config)
    assert any(key.startswith("step:dept ") for key in seen), seen
    assert any(key.startswith("step:line ") for key in seen), seen


def test_the_single_form_equals_the_batch_form(
    db: Db, remits: list[Path], defaults: ClassificationConfig
) -> None:
    db.ingest_all(remits, defaults)
    with db.session() as session:
        ids = list(session.execute(select(ClaimPayment.id)).scalars())
        batch = adjudicated_claims_from_rows(session, [*ids, 10**9])
        assert sorted(batch) == sorted(ids)
        for payment_id in ids:
            assert adjudicated_claim_from_rows(session, payment_id) == batch[payment_id]
        with pytest.raises(NotFoundError, match="no claim payment with id 1000000000"):
            adjudicated_claim_from_rows(session, 10**9)


def test_line_remarks_stay_on_their_line_and_claim_remarks_on_the_claim(
    db: Db, remits: list[Path], defaults: ClassificationConfig
) -> None:
    db.ingest_all(remits, defaults)
    with db.session() as session:
        number = ClaimPayment.payer_claim_number
        by_number = dict(session.execute(select(number, ClaimPayment.id)).tuples().all())
        b = adjudicated_claim_from_rows(session, by_number["PAY-B"])
        c = adjudicated_claim_from_rows(session, by_number["PAY-C"])
    assert list(b.remarks) == [] and [list(line.remarks) for line in b.lines] == [[], ["M51"]]
    assert list(c.remarks) == ["N706"] and all(not line.remarks for line in c.lines)
    # SVC06 (the billed code) wins over the paid code, as at ingest.
    assert [line.procedure_code for line in c.lines] == ["99215", "36415"]
    assert b.payer_id == "PAYERA" and b.claim_type == "professional"
