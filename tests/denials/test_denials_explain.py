"""``explain_claim`` and ``denialscope explain CLAIM``: three layers per adjustment, and why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from denialscope.classify import ClassificationConfig, load_config
from denialscope.classify.codes import install_official_list
from denialscope.cli import explain as explain_command
from denialscope.denials.explain import (
    AmbiguousClaimError,
    ClaimExplanation,
    explain_claim,
    find_claims,
)
from denialscope.errors import NotFoundError
from denialscope.remits.models import ClaimPayment
from factories.database import Db
from factories.x12text import MEMBER_ID, PATIENT


@pytest.fixture
def loaded(db: Db, remits: list[Path], defaults: ClassificationConfig, data_dir: Path) -> Db:
    db.ingest_all(remits, defaults)
    return db


def _explain(db: Db, claim: str, config: ClassificationConfig) -> ClaimExplanation:
    with db.session() as session:
        return explain_claim(session=session, claim=claim, config=config)


def test_a_claim_by_control_number_lists_its_payments_in_sequence(
    loaded: Db, defaults: ClassificationConfig
) -> None:
    result = _explain(loaded, "PCN-A", defaults)
    assert result.claim.control_number == "PCN-A" and result.claim.matched_by == ("control_number",)
    assert [(p.seq, p.payer_claim_number) for p in result.payments] == [(1, "PAY-A"), (2, "PAY-A2")]
    first = result.payments[0]
    assert (first.status_label, first.stored.denial_type, first.note) == (
        "denied",
        "full_denial",
        None,
    )
    (adjustment,) = first.adjustments
    assert adjustment.line is None and adjustment.procedure is None
    assert (adjustment.adjustment.group, adjustment.adjustment.carc) == ("CO", "16")
    assert adjustment.stored.root_cause == "missing_information"
    assert adjustment.stored.rule_id == adjustment.current.rule_id == "carc-16"
    assert adjustment.root_cause_label == defaults.root_causes["missing_information"].label
    assert "carc-16" in adjustment.current.explanation and adjustment.note is None
    assert adjustment.stored.process_step == adjustment.current.process_step is not None


def test_payer_claim_number_and_id_find_the_same_claim(
    loaded: Db, defaults: ClassificationConfig
) -> None:
    by_number = _explain(loaded, "PAY-A2", defaults)
    assert by_number.claim.matched_by == ("payer_claim_number",)
    by_id = _explain(loaded, f" {by_number.claim.id} ", defaults)
    assert by_id.claim.id == by_number.claim.id and "id" in by_id.claim.matched_by
    assert by_id.to_dict()["payments"] == by_number.to_dict()["payments"]


def test_line_adjustments_carry_their_line_procedure_and_remarks(
    loaded: Db, defaults: ClassificationConfig
) -> None:
    (payment,) = _explain(loaded, "PCN-B", defaults).payments
    (adjustment,) = payment.adjustments
    assert (adjustment.line, adjustment.procedure) == (2, "80053")
    assert (adjustment.claim_remarks, adjustment.line_remarks) == ((), ("M51",))
    assert adjustment.stored.rule_id == "missing-info-procedure-code"
    assert "missing-info-procedure-code" in adjustment.current.explanation

    (paid_as_other_code,) = _explain(loaded, "PAY-C", defaults).payments
    first, second = paid_as_other_code.adjustments
    assert (first.line, first.procedure, first.claim_remarks) == (1, "99215", ("N706",))
    assert second.stored.rule_id == "necessity-documentation"


def test_an_ambiguous_claim_lists_the_candidates(loaded: Db) -> None:
    with loaded.session() as session:
        candidates = find_claims(session, "PCN-DUP")
        assert len(candidates) == 2 and {c.payments for c in candidates} == {1}
        with pytest.raises(AmbiguousClaimError) as caught:
            explain_claim(session=session, claim="PCN-DUP", config=load_config([]))
    message = caught.value.message
    assert all(f"id {c.id}" in message for c in candidates)
    assert [c["id"] for c in caught.value.to_dict()["candidates"]] == [c.id for c in candidates]


def test_an_unknown_claim_is_not_found(loaded: Db, defaults: ClassificationConfig) -> None:
    with pytest.raises(NotFoundError, match="no claim 'NOPE'"):
        _explain(loaded, "NOPE", defaults)
    with pytest.raises(NotFoundError):
        _explain(loaded, "99999999999", defaults)  # beyond any id: no database error


def test_a_result_the_current_configuration_would_change_is_flagged(
    loaded: Db, defaults: ClassificationConfig, override_16: Path
) -> None:
    config = load_config([override_16])
    first = _explain(loaded, "PCN-A", config).payments[0]
    note = first.adjustments[0].note
    assert note is not None
    assert note.startswith(f"stored under {defaults.version}; current config {config.version}")
    assert "root_cause claim_data_error (stored missing_information)" in note
    assert first.note is not None and "primary_root_cause claim_data_error" in first.note
    # The unchanged CO-16 + M51 is not flagged.
    (payment,) = _explain(loaded, "PCN-B", config).payments
    assert payment.note is None and payment.adjustments[0].note is None


def test_official_text_shows_when_the_user_loaded_it(
    loaded: Db, defaults: ClassificationConfig, data_dir: Path, tmp_path: Path
) -> None:
    carc = tmp_path / "carc.csv"
    carc.write_text("Code,Description\n16,Synthetic text sixteen\n45,Synthetic text 45\n")
    rarc = tmp_path / "rarc.csv"
    rarc.write_text("Code,Description\nM51,Synthetic remark text\n")
    install_official_list(carc, data=data_dir)
    install_official_list(rarc, data=data_dir)
    with loaded.session() as session:
        result = explain_claim(session=session, claim="PCN-B", config=defaults, data=data_dir)
    adjustment = result.payments[0].adjustments[0]
    assert result.official_text_loaded
    assert adjustment.official_description == "Synthetic text sixteen"
    assert adjustment.official_remarks == {"M51": "Synthetic remark text"}


def _app() -> typer.Typer:
    app = typer.Typer()
    explain_command.register(app)
    return app


def test_json_output_has_the_three_layers(loaded: Db) -> None:
    result = CliRunner().invoke(_app(), ["explain", "PCN-B", "--database", loaded.url, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"claim", "config_version", "official_text_loaded", "payments"}
    assert payload["claim"]["control_number"] == "PCN-B"
    payment = payload["payments"][0]
    assert {
        "seq",
        "status",
        "status_label",
        "charge",
        "paid",
        "payer",
        "payer_claim_number",
        "adjudicated_on",
        "denial_type",
        "primary_stream",
        "primary_root_cause",
        "denied_amount",
        "config_version",
        "current",
        "matches_current",
        "note",
        "adjustments",
    } <= set(payment)
    assert (payment["denial_type"], payment["denied_amount"]) == ("line_denial", "100.00")
    adjustment = payment["adjustments"][0]
    assert {"layer1", "layer2", "layer3", "rule", "explanation", "current", "note"} <= set(
        adjustment
    )
    assert adjustment["layer1"]["line_remarks"] == ["M51"]
    assert adjustment["layer2"]["root_cause"] == "invalid_procedure_code"
    assert adjustment["layer2"]["stream"] == "coding"
    assert set(adjustment["layer3"]) == {"process_step", "owner_role", "owner_name"}
    assert adjustment["matches_current"] is True


def test_human_output_names_the_claim_but_never_the_patient(loaded: Db) -> None:
    result = CliRunner().invoke(_app(), ["explain", "PCN-A", "--database", loaded.url])
    assert result.exit_code == 0, result.output
    assert "PCN-A" in result.stdout and "carc-16" in result.stdout
    assert "payment 2 of 2" in result.stdout
    # Money as a finance reader reads it: CO-16 denied the whole $100.00, then $90.00 paid.
    assert "charge $100.00  paid $0.00" in result.stdout
    assert "denied $100.00" in result.stdout and "$90.00" in result.stdout  # lines may wrap
    for private in (MEMBER_ID, *PATIENT):
        assert private not in result.stdout


def test_ambiguous_claim_as_json_lists_candidates_and_exits_1(loaded: Db) -> None:
    result = CliRunner().invoke(_app(), ["explain", "PCN-DUP", "--database", loaded.url, "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["error"] == "AmbiguousClaimError" and len(payload["candidates"]) == 2


def test_an_unknown_claim_is_a_message_and_exit_code_1(loaded: Db) -> None:
    command = Path(sys.executable).with_name("denialscope")
    result = subprocess.run(
        [str(command), "explain", "NO-SUCH-CLAIM", "--database", loaded.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "error: no claim 'NO-SUCH-CLAIM'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_stored_payments_are_explained_not_recomputed_silently(
    loaded: Db, defaults: ClassificationConfig
) -> None:
    # A stored result that no configuration produces (edited by hand) is shown as stored
    # and flagged against the current configuration.
    with loaded.session() as session:
        payment = session.execute(
            select(ClaimPayment).where(ClaimPayment.payer_claim_number == "PAY-D")
        ).scalar_one()
        payment.denial_type = "partial_denial"
        session.commit()
    (explained,) = _explain(loaded, "PAY-D", defaults).payments
    assert explained.stored.denial_type == "partial_denial"
    assert explained.current.denial_type == "paid"
    assert (
        explained.note is not None and "denial_type paid (stored partial_denial)" in explained.note
    )
