"""The census on both databases: idempotent by control id, status history, cancel and
discharge, out-of-order messages, replay as of a moment, files and FHIR bundles."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from denialscope.adt.census import census, state_at
from denialscope.adt.models import AdtMessage, Stay
from denialscope.adt.service import handle_message, load_file
from denialscope.errors import InputError
from factories.hl7 import message

T = dt.datetime


def _stay(session: Session, visit: str = "V100") -> Stay:
    stay = session.scalar(select(Stay).where(Stay.visit_number == visit))
    assert stay is not None
    return stay


def test_observation_then_inpatient_then_discharge(session: Session) -> None:
    for text in (
        message("M1", "A04", "202601051400", cls="O", admit="202601051400"),
        message("M2", "A08", "202601051630", cls="O", admit="202601051400", dx=("R55",)),
        message("M3", "A06", "202601060200", cls="I", admit="202601051400"),
        message("M4", "A03", "202601081100", cls="I", admit="202601051400",
                discharge="202601081100"),
    ):  # fmt: skip
        assert handle_message(session, text=text)[0] == "AA"
    stay = _stay(session)
    assert (stay.status, stay.patient_class) == ("discharged", "I")
    assert stay.discharge_at == T(2026, 1, 8, 11, 0)
    assert stay.diagnoses == "R55" and stay.diagnoses_at == T(2026, 1, 5, 16, 30)
    assert stay.age == 70  # born 1955-03-04, admitted 2026-01-05
    assert [(c.event, c.patient_class) for c in stay.changes] == [
        ("A04", "O"), ("A06", "I"), ("A03", "I")
    ]  # fmt: skip
    # Replayed: in observation on the first evening, inpatient since 02:00, gone after.
    assert state_at(stay, T(2026, 1, 5, 20)) == ("active", "O", T(2026, 1, 5, 14))
    assert state_at(stay, T(2026, 1, 7, 9)) == ("active", "I", T(2026, 1, 6, 2))
    assert [s.visit_number for s in census(session, as_of=T(2026, 1, 7, 9))] == ["V100"]
    assert census(session, as_of=T(2026, 1, 8, 12)) == []
    assert census(session) == []  # the live census: discharged


def test_the_same_control_id_twice_changes_nothing(session: Session) -> None:
    text = message("DUP1", "A01", "202601050800")
    assert handle_message(session, text=text)[0] == "AA"
    code, answer = handle_message(session, text=text)
    assert code == "AA" and "MSA|AA|DUP1" in answer
    assert session.scalar(select(func.count()).select_from(AdtMessage)) == 1
    assert len(_stay(session).changes) == 1


def test_cancelled_admission_then_registration(session: Session) -> None:
    handle_message(session, text=message("X1", "A01", "202601051400"))
    handle_message(session, text=message("X2", "A11", "202601051420"))
    assert census(session) == []
    handle_message(session, text=message("X3", "A04", "202601051425", cls="O"))
    stay = _stay(session)
    assert (stay.status, stay.patient_class) == ("active", "O")
    assert [s.id for s in census(session)] == [stay.id]
    assert census(session, as_of=T(2026, 1, 5, 14, 22)) == []  # cancelled at that moment


def test_an_older_message_arriving_late_joins_the_history_only(session: Session) -> None:
    handle_message(session, text=message("L2", "A06", "202601060200", cls="I"))
    handle_message(session, text=message("L1", "A04", "202601051400", cls="O"))
    stay = _stay(session)
    assert stay.patient_class == "I"  # the later change still holds
    assert state_at(stay, T(2026, 1, 5, 20)) == ("active", "O", T(2026, 1, 5, 14))


def test_discharge_cancelled_puts_the_patient_back(session: Session) -> None:
    handle_message(session, text=message("D1", "A01", "202601050800"))
    handle_message(session, text=message("D2", "A03", "202601061000", discharge="202601061000"))
    handle_message(session, text=message("D3", "A13", "202601061030"))
    stay = _stay(session)
    assert (stay.status, stay.discharge_at) == ("active", None)


def test_refused_message_is_logged_without_patient_data(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    text = message("BAD1", "A01", "2026-01-05")
    with caplog.at_level(logging.WARNING, logger="denialscope.adt"):
        code, answer = handle_message(session, text=text)
    assert code == "AE"
    assert answer.split("\r")[1].startswith("MSA|AE|BAD1|EVN-2")
    assert "BAD1" in caplog.text and "EVN-2" in caplog.text
    for private in ("TESTPATIENT", "MEM123456", "19550304"):
        assert private not in caplog.text
    assert session.scalar(select(func.count()).select_from(Stay)) == 0


def test_a_file_applies_good_messages_and_reports_bad_ones(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "feed.hl7"
    path.write_text(
        message("F1", "A01", "202601050800")
        + message("F2", "A08", "2026-01-05")
        + message("F3", "A08", "202601051030", dx=("J18.9",)),
        encoding="ascii",
        newline="",
    )
    result = load_file(session, path=path)
    assert (result.applied, result.duplicates) == (2, 0)
    assert result.rejected == [
        {"line": 5, "control_id": "F2", "reason": "EVN-2 is not an HL7 date/time"}
    ]
    again = load_file(session, path=path)
    assert (again.applied, again.duplicates) == (0, 2)


def test_a_file_that_is_neither_format_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello", encoding="ascii")
    with pytest.raises(InputError, match="neither HL7 v2"):
        load_file(session, path=path)


def _bundle(status: str = "in-progress", version: str = "1") -> dict[str, object]:
    end = {"end": "2026-01-06T18:00:00-06:00"} if status == "finished" else {}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": "2026-01-05T16:00:00-06:00",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female",
                          "birthDate": "1950-06-01"}},
            {"resource": {
                "resourceType": "Encounter", "id": "e1", "meta": {"versionId": version},
                "identifier": [{"value": "VF1"}], "status": status,
                "class": {"code": "OBSENC"}, "subject": {"reference": "Patient/p1"},
                "period": {"start": "2026-01-05T14:00:00-06:00",
                           **end},
                "serviceProvider": {"identifier": {"value": "F1"}},
                "participant": [{"type": [{"coding": [{"code": "ATND"}]}],
                                 "individual": {"display": "Dr Quinn",
                                                "identifier": {"value": "1234567893"}}}],
                "diagnosis": [{"condition": {"reference": "Condition/c2"}, "rank": 1}],
            }},
            {"resource": {"resourceType": "Condition", "id": "c1",
                          "encounter": {"reference": "Encounter/e1"},
                          "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                               "code": "E11.9"}]}}},
            {"resource": {"resourceType": "Condition", "id": "c2",
                          "encounter": {"reference": "Encounter/e1"},
                          "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm",
                                               "code": "R55"}]}}},
            {"resource": {"resourceType": "Coverage", "id": "cov",
                          "payor": [{"display": "PAYER ONE", "identifier": {"value": "P1"}}]}},
        ],
    }  # fmt: skip


def test_fhir_bundle_as_a_second_source(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_bundle()), encoding="utf-8")
    assert load_file(session, path=path).applied == 1
    stay = _stay(session, "VF1")
    assert (stay.patient_class, stay.status, stay.sex, stay.age) == ("O", "active", "F", 75)
    assert stay.diagnoses == "R55,E11.9"  # the ranked principal first
    assert stay.admit_at == T(2026, 1, 5, 14, 0)
    assert stay.payer_key == "P1" and stay.attending_name == "Dr Quinn"
    assert load_file(session, path=path).duplicates == 1
    path.write_text(json.dumps(_bundle("finished", "2")), encoding="utf-8")
    assert load_file(session, path=path).applied == 1
    assert (_stay(session, "VF1").status, _stay(session, "VF1").discharge_at) == (
        "discharged", T(2026, 1, 6, 18, 0)
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda b: b.update(resourceType="Patient"), "not a FHIR Bundle"),
        (lambda b: b["entry"][1]["resource"].update({"class": {"code": "XYZ"}}), "entry 1"),
        (lambda b: b["entry"][1]["resource"].update(status="unknown-ish"), "status"),
        (lambda b: b["entry"][1]["resource"]["period"].update(start="5 Jan"), "period.start"),
    ],
)
def test_bad_fhir_bundles_name_the_entry(
    session: Session, tmp_path: Path, change: object, problem: str
) -> None:
    bundle = _bundle()
    change(bundle)  # type: ignore[operator]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        load_file(session, path=path)


def test_the_expected_discharge_is_kept_from_the_message_that_set_it(session: Session) -> None:
    admit = "202601050800"
    handle_message(session, text=message("E1", "A01", "202601050800", admit=admit,
                                         expected="202601061100"))  # fmt: skip
    handle_message(session, text=message("E2", "A08", "202601051030", admit=admit,
                                         expected="202601061100", dx=("I21.4",)))  # fmt: skip
    stay = _stay(session)
    assert stay.expected_discharge_at == T(2026, 1, 6, 11)
    assert stay.expected_discharge_set_at == T(2026, 1, 5, 8)  # a repeat does not move it
    # The physician revises the expectation: a later message moves both.
    handle_message(session, text=message("E3", "A08", "202601061500", admit=admit,
                                         expected="202601081100"))  # fmt: skip
    session.expire_all()
    stay = _stay(session)
    assert stay.expected_discharge_at == T(2026, 1, 8, 11)
    assert stay.expected_discharge_set_at == T(2026, 1, 6, 15)
