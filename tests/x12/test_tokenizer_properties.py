"""Property tests: whatever the delimiters, noise and chunking, the segments come back exact."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from denialscope.x12 import tokenizer as tokenizer_module
from denialscope.x12.diagnostics import DiagnosticSink
from denialscope.x12.tokenizer import Tokenizer

# Delimiters: distinct, not alphanumeric, not blank, not in the value alphabet below.
DELIMITER_POOL = "*|^~:>!{}'#$%&+,;=?@[]\\_`/"
VALUE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789.-"
GAPS = ["", "", "", "\n", "\r\n", " ", "  \r\n", "\r\n\r\n"]

segment_ids = st.from_regex(r"[A-Z][A-Z0-9]{1,2}", fullmatch=True).filter(
    lambda s: not s.startswith("ISA")
)
values = st.text(alphabet=VALUE_ALPHABET, max_size=12)
segments = st.lists(
    st.tuples(segment_ids, st.lists(values, max_size=8)).map(lambda t: [t[0], *t[1]]),
    min_size=1,
    max_size=25,
)


@st.composite
def delimiters(draw: st.DrawFn) -> tuple[str, str, str, str]:
    chosen = draw(st.permutations(DELIMITER_POOL).map(lambda p: p[:4]))
    element, component, repetition, segment = chosen
    if draw(st.booleans()) and draw(st.booleans()):
        segment = "\n"  # newline as the terminator, as some senders write
    return element, component, repetition, segment


def isa_elements(element: str, component: str, repetition: str, control: int) -> list[str]:
    return [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        "SENDER".ljust(15),
        "ZZ",
        "RECEIVER".ljust(15),
        "240101",
        "1200",
        repetition,
        "00501",
        f"{control:09d}",
        "0",
        "P",
        component,
    ]


@st.composite
def documents(draw: st.DrawFn) -> tuple[bytes, list[tuple[int, int, list[str]]]]:
    """A file of 1-3 interchanges, and the (index, offset, elements) it must yield."""
    text = "\xef\xbb\xbf" if draw(st.booleans()) else ""
    text += draw(st.sampled_from(["", "\r\n", "\n\n"]))
    expected: list[tuple[int, int, list[str]]] = []
    count = draw(st.integers(min_value=1, max_value=3))
    for number in range(1, count + 1):
        element, component, repetition, terminator = draw(delimiters())
        isa = isa_elements(element, component, repetition, number)
        body = draw(segments)
        for elements in [isa, *body]:
            expected.append((len(expected) + 1, len(text), elements))
            text += element.join(elements)
            last = number == count and elements is body[-1]
            if not last or draw(st.booleans()):
                text += terminator
            text += draw(st.sampled_from(GAPS))
    return text.encode("latin-1"), expected


@settings(max_examples=300, deadline=None)
@given(
    document=documents(),
    chunk_size=st.sampled_from([1, 2, 3, 5, 7, 16, 64, 113, 1 << 20]),
)
def test_tokenizer_returns_exactly_the_generated_segments(
    document: tuple[bytes, list[tuple[int, int, list[str]]]], chunk_size: int
) -> None:
    data, expected = document
    saved = tokenizer_module.CHUNK_SIZE
    tokenizer_module.CHUNK_SIZE = chunk_size
    try:
        sink = DiagnosticSink("p.x12")
        got = list(Tokenizer(io.BytesIO(data), file="p.x12", sink=sink))
    finally:
        tokenizer_module.CHUNK_SIZE = saved
    assert got == expected
    rules = {d.rule for d in sink.items}
    assert rules <= {"tokenizer.bom", "tokenizer.unterminated"}
    assert ("tokenizer.bom" in rules) == data.startswith(b"\xef\xbb\xbf")
