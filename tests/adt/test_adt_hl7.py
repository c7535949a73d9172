"""HL7 v2 ADT parsing: each event type, malformed messages, and the ACKs."""

from __future__ import annotations

import datetime as dt

import pytest

from denialscope.adt.hl7v2 import AdtMessageError, ack, parse_message, split_messages
from factories.hl7 import message


@pytest.mark.parametrize("event", ["A01", "A02", "A03", "A04", "A06", "A07", "A08", "A11", "A13"])
def test_every_event_type_parses(event: str) -> None:
    parsed = parse_message(message(f"C-{event}", event, "202601051000"))
    assert parsed.event == event
    assert parsed.control_id == f"C-{event}"
    assert parsed.visit_number == "V100"
    assert parsed.at == dt.datetime(2026, 1, 5, 10, 0)


def test_fields_of_an_admission() -> None:
    text = message("C1", "A03", "202601071100", discharge="202601071100",
                   dx=("J18.9", "E11.9"), procedures=(("I10P", "0BH17EZ"), ("C4", "33405")),
                   payer=("P1", "PAYER ONE"))  # fmt: skip
    e = parse_message(text)
    assert (e.facility, e.patient_class, e.sex, e.service) == ("F1", "I", "M", "MED")
    assert e.admit_at == dt.datetime(2026, 1, 5, 8, 0)
    assert e.discharge_at == dt.datetime(2026, 1, 7, 11, 0)
    assert e.attending_npi == "1234567893"
    assert e.attending_name == "GREGORY HOUSE"
    assert e.diagnoses == ("J18.9", "E11.9")
    assert e.procedures == ("PCS:0BH17EZ", "CPT:33405")
    assert e.coverage is not None and e.coverage.payer_id == "P1"
    assert e.birth_date == dt.date(1955, 3, 4)


@pytest.mark.parametrize(
    ("text", "code", "control", "reason"),
    [
        ("PID|1||X\r", "AE", None, "does not begin with an MSH"),
        (message("", "A01", "202601051000"), "AR", None, "MSH-10"),
        (message("C2", "A01", "202601051000").replace("ADT^A01^ADT_A01", "ORU^R01^ORU_R01"),
         "AR", "C2", "not an ADT message"),
        (message("C3", "A01", "202601051000").replace("ADT^A01", "ADT^A99").replace(
            "EVN|A01", "EVN|A99"), "AR", "C3", "A99"),
        (message("C4", "A01", "2026-01-05"), "AE", "C4", "EVN-2"),
        (message("C5", "A01", "202613451000"), "AE", "C5", "not a valid date"),
        (message("C6", "A01", "202601051000").split("PV1|")[0], "AE", "C6", "no PV1"),
        (message("C7", "A01", "202601051000", visit=""), "AE", "C7", "PV1-19"),
    ],
)  # fmt: skip
def test_malformed_messages_are_refused_with_a_reason(
    text: str, code: str, control: str | None, reason: str
) -> None:
    with pytest.raises(AdtMessageError) as caught:
        parse_message(text)
    assert caught.value.code == code
    assert caught.value.control_id == control
    assert reason in caught.value.message
    # The reason names fields, never the patient's name, member id or birth date.
    for private in ("TESTPATIENT", "MEM123456", "19550304"):
        assert private not in caught.value.message


def test_ack_echoes_the_control_id_and_swaps_the_applications() -> None:
    text = message("C9", "A04", "202601051000")
    answer = ack(text, code="AE", control_id="C9", reason="PV1-19 | empty")
    msh, msa = answer.rstrip("\r").split("\r")
    fields = msh.split("|")
    assert fields[2:6] == ["DENIALSCOPE", "RHS", "EHR", "F1"]
    assert fields[8] == "ACK^A04^ACK"
    assert msa == "MSA|AE|C9|PV1-19 / empty"


def test_split_messages_gives_the_line_of_each_message() -> None:
    text = message("A", "A01", "202601051000") + message("B", "A08", "202601051100", dx=("R55",))
    parts = list(split_messages(text.replace("\r", "\n")))
    assert [line for line, _ in parts] == [1, 5]
    assert parse_message(parts[1][1]).diagnoses == ("R55",)


def test_any_mangled_message_is_refused_not_crashed() -> None:
    """Seeded mutations of a valid message (separators, deletions, line breaks): each either
    parses or is refused with AdtMessageError, and gets an ACK."""
    import contextlib
    import random
    import string

    base = message("Z1", "A01", "202601050800", dx=("J18.9",), payer=("P1", "ONE"),
                   procedures=(("I10P", "0SRC0J9"),))  # fmt: skip
    rng = random.Random(18)
    alphabet = "|^~\\&\r\n" + string.ascii_letters + string.digits
    for _ in range(2000):
        chars = list(base)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(chars))
            action = rng.random()
            if action < 0.4:
                chars[pos] = rng.choice(alphabet)
            elif action < 0.7:
                del chars[pos]
            else:
                chars.insert(pos, rng.choice("|^~\\&\r\n"))
        text = "".join(chars)
        assert "MSA|AE|" in ack(text, code="AE", control_id=None)
        with contextlib.suppress(AdtMessageError):
            parse_message(text)
