"""835 parser: bounded memory (claims leave as they close) and no exception on any input."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from denialscope.x12.diagnostics import DiagnosticSink
from denialscope.x12.envelope import FileSummary, TransactionContext, TransactionSet
from denialscope.x12.remit835 import ClaimPayment, ProviderAdjustment, Remittance
from denialscope.x12.remit835.codes import KNOWN_SEGMENTS
from denialscope.x12.remit835.parser import Parser
from denialscope.x12.tokenizer import Delimiters


def make_context(version: str = "005010X221A1") -> TransactionContext:
    transaction = TransactionSet(
        kind="835",
        version=version,
        control="0001",
        interchange=None,
        group=None,
        segment_index=1,
        offset=0,
    )
    return TransactionContext(
        file="synthetic.835",
        sink=DiagnosticSink("synthetic.835"),
        summary=FileSummary(file="synthetic.835"),
        delimiters=Delimiters(),
        transaction=transaction,
    )


def feed(parser: Parser, text: str, start: int = 2) -> int:
    index = start
    for index, raw in enumerate(filter(None, text.split("~")), start=start):
        parser.segment(raw.split("*"), index, index * 10)
    return index


HEADER = (
    "BPR*I*30*C*CHK************20240116~TRN*1*CHK1*1512345678~"
    "N1*PR*SYNTHETIC HEALTH PLAN~N1*PE*SYNTHETIC CLINIC*XX*1234567893~"
)
CLAIM = "CLP*ACCT{n}*1*20*10*0*12*PCN{n}*11*1~CAS*CO*45*10~NM1*QC*1*TESTPATIENT*A~"


def test_each_claim_is_emitted_when_the_next_one_starts() -> None:
    ctx = make_context()
    parser = Parser(ctx)
    # BPR02 40 = 3 claims x 10 paid - a PLB of -10 (money added).
    index = feed(parser, HEADER.replace("BPR*I*30", "BPR*I*40") + CLAIM.format(n=1))
    # The header went out at the first CLP; the claim is still open.
    assert [type(r) for r in ctx.out] == [Remittance]
    ctx.out.clear()
    index = feed(parser, CLAIM.format(n=2), start=index + 1)
    (first,) = ctx.out
    assert isinstance(first, ClaimPayment) and first.patient_control_number == "ACCT1"
    ctx.out.clear()
    index = feed(parser, CLAIM.format(n=3) + "PLB*1234567893*20241231*WO*-10~", start=index + 1)
    assert [type(r) for r in ctx.out] == [ClaimPayment, ClaimPayment, ProviderAdjustment]
    ctx.out.clear()
    parser.finish(index + 1, 0)
    assert ctx.out == []
    assert ctx.sink.items == []
    assert ctx.summary.claims == 3


def test_payment_balance_counts_plb_sign() -> None:
    ctx = make_context()
    parser = Parser(ctx)
    body = HEADER + CLAIM.format(n=1) + CLAIM.format(n=2) + "PLB*1234567893*20241231*WO*-5~"
    index = feed(parser, body)
    parser.finish(index + 1, 0)
    # 10 + 10 paid, minus a PLB of -5 (money added) = 25, but BPR02 says 30.
    (diagnostic,) = ctx.sink.items
    assert diagnostic.rule == "balance.payment"
    assert "30.00" in diagnostic.message and "off by 5.00" in diagnostic.message


def test_header_only_transaction_emits_its_header_at_finish() -> None:
    ctx = make_context("004010X091A1")
    parser = Parser(ctx)
    feed(parser, "BPR*H*0*C*NON************20240116~TRN*1*X*1~N1*PR*P~N1*PE*Q*FI*1~")
    assert ctx.out == []
    parser.finish(9, 0)
    (remit,) = ctx.out
    assert isinstance(remit, Remittance) and remit.payment_amount == Decimal(0)
    assert ctx.sink.items == []


def test_claim_after_plb_is_read_with_a_warning() -> None:
    ctx = make_context()
    parser = Parser(ctx)
    body = HEADER + CLAIM.format(n=1) + "PLB*1234567893*20241231*WO*-10~" + CLAIM.format(n=2)
    index = feed(parser, body)
    parser.finish(index + 1, 0)
    kinds = [type(r) for r in ctx.out]
    assert kinds == [Remittance, ClaimPayment, ProviderAdjustment, ClaimPayment]
    assert [d.rule for d in ctx.sink.items] == ["remit835.segment_order"]


_IDS = sorted(KNOWN_SEGMENTS | {"ZZZ", "TS7", "N7"})
_VALUES = st.sampled_from(
    [
        "",
        "1",
        "22",
        "99",
        "-5.5",
        "0",
        "ABC",
        "NaN",
        "sNaN",
        "Infinity",
        "-Infinity",
        "1E+999999",
        "9" * 40,
        "20240101",
        "20241399",
        "240101",
        "20240101-20240105",
        "20240101-",
        "RD8",
        "CO",
        "PR",
        "QC",
        "472",
        "405",
        "6R",
        "B6",
        "HE",
        "HC:99213:25::59:X:DESC:EXTRA",
        ":",
        "WO:",
        "PE",
    ]
)
_SEGMENTS = st.lists(st.tuples(st.sampled_from(_IDS), st.lists(_VALUES, max_size=26)), max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segments=_SEGMENTS, version=st.sampled_from(["005010X221A1", "004010X091A1", ""]))
def test_any_segment_sequence_is_read_without_an_exception(
    segments: list[tuple[str, list[str]]], version: str
) -> None:
    ctx = make_context(version)
    parser = Parser(ctx)
    for index, (sid, elements) in enumerate(segments, start=2):
        parser.segment([sid, *elements], index, index * 10)
    parser.finish(len(segments) + 2, 0)
    claims = [r for r in ctx.out if isinstance(r, ClaimPayment)]
    remits = [r for r in ctx.out if isinstance(r, Remittance)]
    assert len(remits) == 1
    assert ctx.summary.claims == len(claims)
    assert ctx.summary.service_lines == sum(len(c.services) for c in claims)
    assert ctx.summary.adjustments == sum(len(c.all_adjustments()) for c in claims)
    for claim in claims:
        for adjustment in claim.all_adjustments():
            assert adjustment.amount.is_finite()
