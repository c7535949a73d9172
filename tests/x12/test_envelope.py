"""Envelope checks of the reader: control numbers, counts, truncation, stray segments."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from denialscope.x12 import reader as reader_module
from denialscope.x12.diagnostics import Diagnostic
from denialscope.x12.envelope import (
    FunctionalGroup,
    Interchange,
    TransactionContext,
    TransactionSet,
)
from denialscope.x12.reader import X12Reader, register_parser

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*240101*1200*^*00501*{control}*0*P*:"
)
ACK_BODY = ["AK1*HC*1*005010X222A1", "AK2*837*0001", "IK5*A", "AK9*A*1*1*1"]


def build(
    *,
    isa_control: str = "000000007",
    iea: str | None = "IEA*1*000000007",
    gs: str | None = "GS*FA*S*R*20240101*1200*42*X*005010X231A1",
    ge: str | None = "GE*1*42",
    st: str = "ST*999*0001*005010X231A1",
    body: list[str] | None = None,
    se: str | None = "auto",
    between: list[str] | None = None,
) -> list[str]:
    """Segments of one interchange; ``se="auto"`` counts ST..SE itself."""
    body = ACK_BODY if body is None else body
    segs = [ISA.format(control=isa_control)]
    if gs:
        segs.append(gs)
    segs += [st, *body]
    if se == "auto":
        segs.append(f"SE*{len(body) + 2}*0001")
    elif se:
        segs.append(se)
    segs += between or []
    if ge:
        segs.append(ge)
    if iea:
        segs.append(iea)
    return segs


def read(segs: list[str], *, strict: bool = True) -> tuple[list[object], X12Reader]:
    data = "".join(s + "~\n" for s in segs).encode()
    reader = X12Reader(io.BytesIO(data), name="env.x12", strict=strict)
    return list(reader), reader


def only(reader: X12Reader, rule: str) -> Diagnostic:
    found = [d for d in reader.diagnostics if d.rule == rule]
    assert len(found) == 1, [d.rule for d in reader.diagnostics]
    return found[0]


def index_of(segs: list[str], prefix: str) -> int:
    return next(i for i, s in enumerate(segs, 1) if s.startswith(prefix))


def test_a_correct_envelope_has_no_diagnostics_and_yields_its_records() -> None:
    segs = build()
    records, reader = read(segs)
    assert reader.diagnostics == []
    kinds = [type(r) for r in records]
    assert kinds[:3] == [Interchange, FunctionalGroup, TransactionSet]
    interchange, group, tset = records[:3]
    assert isinstance(interchange, Interchange) and interchange.control == "000000007"
    assert isinstance(group, FunctionalGroup) and group.control == "42"
    assert isinstance(tset, TransactionSet)
    assert (tset.kind, tset.control, tset.segment_index) == ("999", "0001", 3)
    s = reader.summary
    assert (s.interchanges, s.groups, s.transactions, s.transaction) == (1, 1, 1, "999")


@pytest.mark.parametrize(
    ("change", "rule", "segment", "element", "value"),
    [
        ({"iea": "IEA*1*000000008"}, "envelope.iea_control", "IEA", 2, "000000008"),
        ({"iea": "IEA*2*000000007"}, "envelope.iea_count", "IEA", 1, "2"),
        ({"ge": "GE*1*43"}, "envelope.ge_control", "GE", 2, "43"),
        ({"ge": "GE*3*42"}, "envelope.ge_count", "GE", 1, "3"),
        ({"se": "SE*6*0002"}, "envelope.se_control", "SE", 2, "0002"),
        ({"se": "SE*9*0001"}, "envelope.se_count", "SE", 1, "9"),
    ],
)
def test_control_number_and_count_mismatches(
    change: dict[str, str], rule: str, segment: str, element: int, value: str
) -> None:
    segs = build(**change)
    _, reader = read(segs)
    d = only(reader, rule)
    assert [x.rule for x in reader.diagnostics] == [rule]
    assert d.segment_id == segment
    assert d.element == element
    assert d.value == value
    assert d.segment_index == index_of(segs, segment + "*")
    assert d.interchange == "000000007"
    data = "".join(s + "~\n" for s in segs)
    assert d.offset == data.index("\n" + segment + "*") + 1


def test_truncated_file_reports_missing_se_ge_and_iea_at_the_last_segment() -> None:
    segs = build(se=None, ge=None, iea=None)
    records, reader = read(segs)
    rules = [d.rule for d in reader.diagnostics]
    assert rules == ["envelope.missing_se", "envelope.missing_ge", "envelope.missing_iea"]
    for rule in ("envelope.missing_se", "envelope.missing_ge", "envelope.missing_iea"):
        assert only(reader, rule).segment_index == len(segs)
    assert any(type(r).__name__ == "TransactionAcknowledgment" for r in records)


def test_segment_outside_any_transaction_set() -> None:
    segs = build(between=["REF*XY*1"])
    _, reader = read(segs)
    d = only(reader, "envelope.outside_transaction")
    assert d.segment_id == "REF"
    assert d.segment_index == index_of(segs, "REF*")
    assert len(reader.diagnostics) == 1


def test_unsupported_transaction_set_is_skipped_but_still_counted() -> None:
    segs = build(st="ST*270*0001*005010X279A1", body=["BHT*0022*13", "HL*1**20*1"], se="SE*5*0001")
    records, reader = read(segs)
    d = only(reader, "envelope.unsupported")
    assert (d.segment_id, d.element, d.value, d.segment_index) == ("ST", 1, "270", 3)
    se = only(reader, "envelope.se_count")  # SE01 = 5 but ST..SE is 4 segments
    assert se.value == "5"
    assert reader.summary.kinds == {"270": 1}
    assert [type(r) for r in records] == [Interchange, FunctionalGroup, TransactionSet]


def test_transaction_set_without_a_functional_group() -> None:
    segs = build(gs=None, ge=None, iea="IEA*0*000000007")
    _, reader = read(segs)
    d = only(reader, "envelope.missing_gs")
    assert d.segment_index == 2


def test_next_isa_before_iea_and_ge() -> None:
    first = build(isa_control="000000001", ge=None, iea=None)
    second = build(isa_control="000000002", iea="IEA*1*000000002")
    _, reader = read(first + second)
    isa2 = len(first) + 1
    assert only(reader, "envelope.missing_ge").segment_index == isa2
    assert only(reader, "envelope.missing_iea").segment_index == isa2
    assert only(reader, "envelope.missing_iea").interchange == "000000001"
    assert reader.summary.interchanges == 2


def test_gs_after_the_interchange_closed() -> None:
    segs = [*build(), "GS*FA*S*R*20240101*1200*43*X*005010X231A1", "GE*0*43"]
    _, reader = read(segs)
    d = only(reader, "envelope.unexpected")
    assert (d.segment_id, d.segment_index) == ("GS", len(segs) - 1)


def test_isa_control_number_not_numeric() -> None:
    _, reader = read(build(isa_control="ABC      ", iea="IEA*1*ABC"))
    d = only(reader, "envelope.isa_control")
    assert d.element == 13


def test_diagnostics_carry_the_transaction_control_number() -> None:
    segs = build(body=["AK1*HC*1", "AK2*837*0001", "IK5*Q", "AK9*A*1*1*1"])
    _, reader = read(segs)
    d = only(reader, "ack999.ik5_code")
    assert (d.interchange, d.transaction) == ("000000007", "0001")


def test_missing_parser_module_is_a_warning_not_a_crash() -> None:
    register_parser("555", "denialscope.x12.no_such_parser_module")
    try:
        segs = build(st="ST*555*0001", body=["XX*1"], se="SE*3*0001")
        _, reader = read(segs)
    finally:
        del reader_module._PARSER_MODULES["555"]
    d = only(reader, "envelope.unsupported")
    assert d.value == "555"
    assert len(reader.diagnostics) == 1


class Parser:
    """A transaction-set parser that fails, registered below under ST01 556."""

    def __init__(self, ctx: TransactionContext) -> None:
        self.ctx = ctx

    def segment(self, seg: list[str], index: int, offset: int) -> None:
        if seg[0] == "BAD":
            raise ValueError("patient SMITH")

    def finish(self, index: int, offset: int) -> None:
        return None


@pytest.fixture
def failing_parser() -> Iterator[None]:
    register_parser("556", __name__)
    yield
    del reader_module._PARSER_MODULES["556"]


@pytest.mark.usefixtures("failing_parser")
def test_a_failing_parser_becomes_a_diagnostic_without_its_message() -> None:
    segs = build(st="ST*556*0001", body=["OK*1", "BAD*1", "OK*2"], se="SE*5*0001")
    _, reader = read(segs, strict=False)
    d = only(reader, "envelope.parser_failed")
    assert d.segment_index == index_of(segs, "BAD*")
    assert "ValueError" in d.message
    assert "SMITH" not in d.message
    assert len(reader.diagnostics) == 1  # the SE count still matches: nothing else is wrong


@pytest.mark.usefixtures("failing_parser")
def test_strict_reader_lets_a_parser_failure_raise() -> None:
    segs = build(st="ST*556*0001", body=["BAD*1"], se="SE*3*0001")
    with pytest.raises(ValueError):
        read(segs, strict=True)


def test_file_without_transaction_sets() -> None:
    segs = [ISA.format(control="000000007"), "IEA*0*000000007"]
    _, reader = read(segs)
    assert [d.rule for d in reader.diagnostics] == ["envelope.no_transactions"]
