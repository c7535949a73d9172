"""999 (and 997) functional acknowledgments: records, error detail, diagnostics, samples."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from denialscope.x12.ack.records import GroupAcknowledgment, TransactionAcknowledgment
from denialscope.x12.reader import open_x12

if TYPE_CHECKING:
    from .conftest import ReadResult


@pytest.fixture
def mixed(read_fixture: Callable[[str], ReadResult]) -> ReadResult:
    return read_fixture("ack/999_mixed.x12")


def test_one_record_per_ak2_and_one_per_ak9(mixed: ReadResult) -> None:
    assert mixed.diagnostics == []
    acks = mixed.of(TransactionAcknowledgment)
    assert [(a.set_id, a.set_control, a.code) for a in acks] == [
        ("837", "000000001", "A"),
        ("837", "000000002", "E"),
        ("837", "000000003", "R"),
    ]
    assert all(
        (a.functional_id, a.group_control, a.group_version) == ("HC", "7001", "005010X222A1")
        for a in acks
    )
    assert [a.accepted for a in acks] == [True, True, False]
    assert acks[2].error_codes == ["5"]
    (group,) = mixed.of(GroupAcknowledgment)
    assert (group.code, group.included, group.received, group.accepted) == ("P", 3, 3, 2)
    assert (mixed.summary.accepted, mixed.summary.rejected) == (2, 1)
    assert mixed.summary.transaction == "999"


def test_segment_and_element_errors_with_contexts(mixed: ReadResult) -> None:
    acks = mixed.of(TransactionAcknowledgment)
    (nm1,) = acks[1].errors
    assert (nm1.segment_id, nm1.position, nm1.loop_id, nm1.code) == ("NM1", 14, "2010BA", "8")
    assert [(c.name, c.reference) for c in nm1.contexts] == [("CLM01", "PCN-3002")]
    (bad,) = nm1.elements
    assert (bad.position, bad.reference, bad.code, bad.bad_value) == (9, "67", "6", "BADMEMBERID")

    clm, dtp = acks[2].errors
    assert (clm.segment_id, clm.position, clm.code) == ("CLM", 22, "")
    composite, plain = clm.elements
    assert (composite.position, composite.component, composite.reference) == (5, 3, "1325")
    assert (plain.position, plain.component, plain.code) == (2, None, "1")
    (trigger,) = plain.contexts  # a CTX after IK4 belongs to that element
    assert (trigger.name, trigger.segment_id, trigger.segment_position) == (
        "SITUATIONAL TRIGGER",
        "CLM",
        22,
    )
    assert (trigger.element_position, trigger.component_position) == (5, 3)
    assert trigger.element_reference == "1325"
    assert (dtp.segment_id, dtp.code, dtp.elements) == ("DTP", "3", [])


def test_broken_999_diagnostics(read_fixture: Callable[[str], ReadResult]) -> None:
    result = read_fixture("ack/999_broken.x12")
    assert [(d.rule, d.segment_index) for d in result.diagnostics] == [
        ("ack999.missing_ak1", 4),
        ("ack999.unexpected_segment", 5),  # IK4 before any IK3
        ("ack999.number", 8),  # IK401 "B"
        ("ack999.missing_ik5", 4),  # reported when the AK2 loop closes
        ("ack999.ik5_code", 10),
        ("ack999.duplicate_ik5", 11),
        ("ack999.missing_ak9", 12),
    ]
    acks = result.of(TransactionAcknowledgment)
    assert [a.code for a in acks] == ["", "Q"]
    assert not any(a.accepted or a.rejected for a in acks)
    assert (result.summary.accepted, result.summary.rejected) == (0, 0)


def test_bad_values_never_reach_diagnostics(read_fixture: Callable[[str], ReadResult]) -> None:
    for name in ("ack/999_mixed.x12", "ack/999_broken.x12"):
        for d in read_fixture(name).diagnostics:
            assert "BADMEMBERID" not in d.message and d.value != "BADMEMBERID"
            assert "PCN-" not in d.message and "PCN-" not in (d.value or "")


def test_997_is_read_with_ak3_ak4_ak5(read_fixture: Callable[[str], ReadResult]) -> None:
    result = read_fixture("ack/997_4010.x12")
    assert result.diagnostics == []
    assert result.summary.transaction == "997"
    acks = result.of(TransactionAcknowledgment)
    assert [a.code for a in acks] == ["A", "R"]
    (error,) = acks[1].errors
    assert (error.segment_id, error.position, error.elements[0].reference) == ("CLM", 12, "782")
    assert (result.summary.accepted, result.summary.rejected) == (1, 1)


def test_ak904_disagreeing_with_the_ak2_loops(read_x12: Callable[..., ReadResult]) -> None:
    segs = [
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              "
        "*240101*1200*^*00501*000000001*0*P*:",
        "GS*FA*A*B*20240101*1200*1*X*005010X231A1",
        "ST*999*0001*005010X231A1",
        "AK1*HC*9*005010X222A1",
        "AK2*837*0001",
        "IK5*R*5",
        "AK9*A*1*1*1",
        "SE*6*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    result = read_x12("".join(s + "~" for s in segs).encode())
    d = result.find("ack999.ak9_count")
    assert (d.segment_index, d.element, d.value) == (7, 4, "1")


SAMPLE_999S = {
    "pyx12/pyx12/tests/834_ls_le_ls_5010.999.txt": (1, 1, 0),
    "pyx12/pyx12/tests/834_lui_id_5010.999.txt": (4, 4, 0),
    "staedi/src/test/resources/x12/simple999.edi": (3, 1, 2),
    "staedi/src/test/resources/x12/invalid999.edi": (3, 0, 2),
}


@pytest.mark.parametrize("relative", sorted(SAMPLE_999S))
def test_real_format_999_samples(samples_dir: Path, relative: str) -> None:
    sets, accepted, rejected = SAMPLE_999S[relative]
    with open_x12(samples_dir / relative, strict=True) as reader:
        records = list(reader)
    acks = [r for r in records if isinstance(r, TransactionAcknowledgment)]
    assert len(acks) == sets
    assert (reader.summary.accepted, reader.summary.rejected) == (accepted, rejected)
    assert reader.summary.transaction == "999"
    if relative.endswith("invalid999.edi"):
        rules = {d.rule for d in reader.diagnostics}
        assert {"ack999.ik5_code", "ack999.unexpected_segment", "envelope.se_count"} <= rules
    else:
        assert reader.diagnostics == []


def test_simple999_error_detail(samples_dir: Path) -> None:
    path = samples_dir / "staedi/src/test/resources/x12/simple999.edi"
    with open_x12(path, strict=True) as reader:
        acks = [r for r in reader if isinstance(r, TransactionAcknowledgment)]
    clm = acks[1].errors[0]
    assert (clm.segment_id, clm.position, clm.code) == ("CLM", 22, "8")
    assert clm.elements[0].reference == "782"
    ref = acks[2].errors[0]
    # The repeated situational-trigger context: the first repetition names it.
    assert ref.contexts[0].name == "SITUATIONAL TRIGGER"
    assert ref.contexts[0].segment_id == "CLM"
