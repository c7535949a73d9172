"""Scrub results in the database and the backtest, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from denialscope.claims.models import Claim as ClaimRow
from denialscope.claims.models import (
    ClaimDiagnosis,
    ClaimLine,
    Patient,
    claim_key_for,
    patient_key_for,
)
from denialscope.claims.record import stored_claims
from denialscope.cli.main import _register, app
from denialscope.orgs.models import Payer, Provider
from denialscope.remits.models import Adjustment, ClaimPayment, RemarkCode, Remittance
from denialscope.scrub import ScrubContext, scrub_claims
from denialscope.scrub.backtest import run_backtest
from denialscope.scrub.models import ScrubClaimResult, ScrubFinding, ScrubRun
from denialscope.scrub.service import create_run, stored_duplicate_lookup
from denialscope.sources.models import SourceFile
from denialscope.x12.claim837.records import Claim
from denialscope.x12.claim837.writer import write_837
from factories.claim837 import VALID_NPI, build_claim

_register()


class History:
    """Stored claims with first adjudications, inserted through the models."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.billing = Provider(npi=VALID_NPI, taxonomy="207Q00000X", name="CLINIC")
        self.payer = Payer(payer_key="PI|P1", payer_id="P1", name="ACME")
        self.source = SourceFile(sha256="0" * 64, name="synthetic.835")
        self.remittance = Remittance(source_file=self.source)
        session.add_all([self.billing, self.payer, self.source, self.remittance])
        session.flush()
        self.count = 0

    def add(
        self,
        *,
        procedure: str = "99213",
        dx: str = "I10",
        outcome: str = "paid",
        carc: str = "16",
        amount: str = "100",
        member: str | None = None,
        rarc: str | None = None,
    ) -> ClaimRow:
        self.count += 1
        number = f"H{self.count}"
        born = build_claim().patient_party.birth_date
        patient = Patient(
            patient_key=patient_key_for(member or number, born, "DOE", "ALEX"),
            member_id=member or number,
            last_name="DOE",
            first_name="ALEX",
            birth_date=born,
            sex="F",
        )
        row = ClaimRow(
            claim_key=claim_key_for(number, VALID_NPI),
            control_number=number,
            kind="837P",
            claim_type="professional",
            facility_code="11",
            frequency="1",
            payer=self.payer,
            patient=patient,
            billing_provider_id=self.billing.id,
            submitted_at=build_claim().submission.created,
        )
        row.diagnoses = [ClaimDiagnosis(seq=1, qualifier="ABK", code=dx)]
        row.lines = [
            ClaimLine(
                line_no=1,
                procedure=procedure,
                charge=Decimal(amount),
                units=Decimal(1),
                diagnosis_pointers="1",
                service_from=build_claim().service_from,
                service_to=build_claim().service_from,
            )
        ]
        self.session.add(row)
        self.session.flush()
        denied = outcome != "paid"
        payment = ClaimPayment(
            remittance_id=self.remittance.id,
            claim_id=row.id,
            match_method="control_number",
            seq=1,
            is_denial=denied,
            primary_stream=outcome if denied else "none",
            denied_amount=Decimal(amount) if denied else Decimal(0),
        )
        self.session.add(payment)
        self.session.flush()
        if rarc is not None:
            self.session.add(
                RemarkCode(claim_payment_id=payment.id, level="claim", source="MOA", code=rarc)
            )
        if denied:
            self.session.add(
                Adjustment(
                    claim_payment_id=payment.id,
                    level="claim",
                    group_code="CO",
                    reason_code=carc,
                    amount=Decimal(amount),
                    is_denial=True,
                    stream=outcome,
                )
            )
            self.session.flush()
        return row


def test_stored_claims_rebuild_what_rules_read(session: Session) -> None:
    history = History(session)
    history.add(procedure="11042", dx="E11")
    [(claim_id, claim)] = list(stored_claims(session=session))
    assert claim_id > 0 and isinstance(claim, Claim)
    assert claim.lines[0].procedure == "11042" and claim.principal_diagnosis is not None
    assert claim.billing_provider.npi == VALID_NPI and claim.payer.identifier == "P1"
    [result] = scrub_claims([claim], context=ScrubContext())
    assert [f.rule for f in result.findings] == ["dx_validity.billable"]


def test_backtest_scores_rules_against_outcomes(session: Session) -> None:
    history = History(session)
    history.add(dx="E11", outcome="coding", carc="146", amount="120")  # caught
    history.add(dx="E11")  # false alarm
    history.add(outcome="coding")  # a denial no rule flags
    report = run_backtest(session=session, context=ScrubContext())
    assert (report.claims, report.adjudicated, report.denied, report.coding_denied) == (3, 3, 2, 2)
    [score] = [r for r in report.rules if r.rule == "dx_validity.billable"]
    assert (score.flagged, score.caught, score.false_alarms) == (2, 1, 1)
    assert score.caught_dollars == Decimal("120") and score.coding_caught == 1
    assert score.precision == 0.5 and dict(score.by_carc) == {"146": 1}
    assert [r.rule for r in report.top_coding()] == ["dx_validity.billable"]


def test_backtest_credits_only_denials_the_category_can_prevent(session: Session) -> None:
    history = History(session)
    history.add(dx="E11", outcome="coding", carc="146", amount="120")  # header: prevented
    history.add(dx="E11", outcome="clinical", carc="50", amount="80")  # flagged, other reason
    history.add(dx="E11")  # flagged, paid: false alarm
    history.add(outcome="coding", carc="16", rarc="M76")  # preventable, missed (I10 is valid)
    history.add(outcome="billing", carc="16", rarc="N290")  # CARC 16 for a provider id
    report = run_backtest(session=session, context=ScrubContext())
    [score] = [r for r in report.rules if r.rule == "dx_validity.billable"]
    assert (score.flagged, score.caught, score.other_denials, score.false_alarms) == (3, 1, 1, 1)
    assert score.caught_dollars == Decimal("120") and dict(score.by_carc) == {"146": 1}
    assert score.preventable_denials == 2  # CARC 146, and CARC 16 with M76 (not with N290)
    assert score.precision == 1 / 3 and score.recall == 0.5
    data = score.to_dict()
    assert (data["precision"], data["recall"], data["other_denials"]) == (0.333, 0.5, 1)


def test_backtest_proposes_candidates(session: Session) -> None:
    history = History(session)
    for n in range(6):
        history.add(
            dx="S61411A" if n < 3 else "S0101XA",
            procedure="12002",
            outcome="paid" if n % 2 else "coding",
            carc="11",
        )
    for _ in range(10):
        history.add()
    report = run_backtest(session=session, context=ScrubContext(), min_volume=5, min_rate=0.3)
    [candidate] = report.candidates
    assert (candidate.payer, candidate.procedure, candidate.volume) == ("P1", "12002", 6)
    assert candidate.coding_denials == 3 and candidate.top_carcs == ["11"]
    [entry] = candidate.pack_entry["coverage"]
    assert set(entry["diagnoses"]) == {"S61411A", "S0101XA"}
    few = run_backtest(session=session, context=ScrubContext(), min_volume=7, min_rate=0.3)
    assert few.candidates == []


def test_create_run_links_claims_and_finds_stored_duplicates(session: Session) -> None:
    history = History(session)
    stored = history.add(member="M0001")
    fresh = build_claim({"id": "NEW1", "diagnoses": ["E11"], "patient": {"member_id": "M0001"}})
    fresh.subscriber.party.name, fresh.subscriber.party.first_name = "DOE", "ALEX"
    twin = build_claim({"id": stored.control_number})
    context = ScrubContext(session=session)  # the stored look-up comes with the session
    assert context.stored_lookup is not None and stored_duplicate_lookup
    results = list(scrub_claims([fresh], context=context))
    rules = {f.rule: f for f in results[0].findings}
    assert (
        "duplicate.service" in rules and stored.control_number in rules["duplicate.service"].message
    )
    run = create_run(
        session=session,
        results=[*results, *scrub_claims([twin], context=ScrubContext())],
        source="x.837",
    )
    assert (run.claims, run.clean, run.flagged) == (2, 1, 1)
    rows = {r.control_number: r for r in session.scalars(select(ScrubClaimResult))}
    assert rows[stored.control_number].claim_id == stored.id and rows["NEW1"].claim_id is None
    assert rows["NEW1"].rejects == 2  # dx_validity and duplicate
    assert session.scalar(select(func.count()).select_from(ScrubFinding)) == 2


def test_info_suggestions_are_stored_but_leave_the_claim_clean(session: Session) -> None:
    claim = build_claim({"id": "SEP1", "diagnoses": ["A41.9"]})  # sepsis, no organism named
    [result] = scrub_claims([claim], context=ScrubContext())
    assert [(f.rule, f.severity) for f in result.findings] == [
        ("dx_specificity.unspecified", "info")
    ]
    assert result.clean and not result.flagged
    run = create_run(session=session, results=[result], source="x.837")
    assert (run.claims, run.clean, run.flagged) == (1, 1, 0)
    [row] = session.scalars(select(ScrubClaimResult))
    assert row.clean and (row.rejects, row.warnings) == (0, 0)
    assert session.scalars(select(ScrubFinding.severity)).all() == ["info"]


def test_cli_store_and_backtest(migrated_database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    path = tmp_path / "claims.837"
    claims = [build_claim({"id": "A1"}), build_claim({"id": "B1", "diagnoses": ["E11"]})]
    path.write_text(write_837(claims, kind="837P", sender="S", receiver="R"), "utf-8")
    data = ["--database", migrated_database_url, "--data-dir", str(tmp_path)]
    stored = runner.invoke(app, ["scrub", str(path), "--store", "--format", "json", *data])
    assert stored.exit_code == 0, stored.output
    summary: dict[str, Any] = json.loads(stored.output)["summary"]
    assert summary["clean"] == 1 and any("stored as scrub run" in n for n in summary["notes"])
    back = runner.invoke(app, ["scrub", "backtest", "--format", "json", *data])
    assert back.exit_code == 0, back.output
    assert json.loads(back.output)["claims"] == 0  # scrubbing stores results, not claims
    table = runner.invoke(app, ["scrub", "backtest", *data])
    assert "top rules by coding denials" in table.output


def test_runs_cascade(session: Session) -> None:
    run = create_run(
        session=session,
        results=list(scrub_claims([build_claim({"diagnoses": ["E11"]})], context=ScrubContext())),
        source="x",
    )
    session.delete(run)
    session.flush()
    assert session.scalar(select(func.count()).select_from(ScrubRun)) == 0
