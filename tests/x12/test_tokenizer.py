"""Tokenizer: the noise real files carry, exact offsets and indexes, unreadable input."""

from __future__ import annotations

import io

import pytest

from denialscope.errors import UnreadableFileError
from denialscope.x12 import tokenizer as tokenizer_module
from denialscope.x12.diagnostics import DiagnosticSink
from denialscope.x12.tokenizer import Delimiters, Tokenizer, detect_delimiters

Segments = list[tuple[int, int, list[str]]]


def tokenize_bytes(data: bytes, name: str = "t.x12") -> tuple[Segments, DiagnosticSink]:
    sink = DiagnosticSink(name)
    return list(Tokenizer(io.BytesIO(data), file=name, sink=sink)), sink


def make_isa(
    *,
    el: str = "*",
    comp: str = ":",
    rep: str = "^",
    control: str = "000000001",
    version: str = "00501",
) -> str:
    """An ISA without its terminator: 105 characters, fields padded as the guide says."""
    fields = [
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
        rep,
        version,
        control,
        "0",
        "P",
        comp,
    ]
    return el.join(fields)


def expected(pieces: list[tuple[str, str]], start: int = 0) -> list[tuple[int, int, str]]:
    """(index, offset, segment id) computed from the pieces that make up the file.

    ``pieces`` are (segment text, what follows it); offsets are summed independently of the
    tokenizer.
    """
    out = []
    offset = start
    for i, (text, after) in enumerate(pieces, 1):
        out.append((i, offset, text.split(text[3] if text.startswith("ISA") else "*")[0]))
        offset += len(text) + len(after)
    return out


def ids(segments: Segments) -> list[tuple[int, int, str]]:
    return [(i, o, e[0]) for i, o, e in segments]


BODY = ["GS*HP*S*R*20240101*1200*1*X*005010X221A1", "ST*835*0001", "SE*2*0001", "GE*1*1"]


def test_plain_file_offsets_and_elements() -> None:
    pieces = [(make_isa(), "~"), *[(s, "~") for s in BODY], ("IEA*1*000000001", "~")]
    data = "".join(a + b for a, b in pieces).encode()
    segments, sink = tokenize_bytes(data)
    assert ids(segments) == expected(pieces)
    assert segments[2][2] == ["ST", "835", "0001"]
    assert segments[0][2][16] == ":"  # ISA16 kept as an element
    assert len(segments[0][2]) == 17
    assert sink.items == []


def test_bom_is_skipped_and_offsets_count_its_bytes() -> None:
    pieces = [(make_isa(), "~\n"), *[(s, "~\n") for s in BODY], ("IEA*1*000000001", "~\n")]
    data = b"\xef\xbb\xbf" + "".join(a + b for a, b in pieces).encode()
    segments, sink = tokenize_bytes(data)
    assert ids(segments) == expected(pieces, start=3)
    assert [d.rule for d in sink.items] == ["tokenizer.bom"]


def test_crlf_and_spaces_between_segments() -> None:
    seps = ["~\r\n", "~  ", "~\r\n\r\n", "~\t", "~ \r\n", "~\r\n"]
    pieces = [(make_isa(), seps[0])]
    pieces += [(s, seps[i + 1]) for i, s in enumerate(BODY)]
    pieces.append(("IEA*1*000000001", seps[-1]))
    data = "".join(a + b for a, b in pieces).encode()
    segments, sink = tokenize_bytes(data)
    # Leading blanks belong to the gap, so a segment starts at its first character.
    assert ids(segments) == expected(pieces)
    assert segments[-1][2] == ["IEA", "1", "000000001"]  # no CR left on the last element
    assert sink.items == []


def test_line_break_before_the_terminator() -> None:
    # "...^\n~GS|..." : each line starts with the previous segment's terminator.
    isa = make_isa(el="|", comp="^", rep="U", version="00401")
    body = [s.replace("*", "|") for s in BODY]
    text = isa + "\n~" + "\n~".join(body) + "\n~IEA|1|000000001\n"
    segments, sink = tokenize_bytes(text.encode())
    assert [e[0] for _, _, e in segments] == ["ISA", "GS", "ST", "SE", "GE", "IEA"]
    assert segments[1][1] == len(isa) + 2  # GS starts right after "\n~"
    assert segments[0][2][16] == "^"
    assert segments[-1][2] == ["IEA", "1", "000000001"]
    # The last segment has nothing after it but a line break: reported, still read.
    assert [d.rule for d in sink.items] == ["tokenizer.unterminated"]
    assert sink.items[0].segment_index == 6


def test_newline_as_segment_terminator() -> None:
    pieces = [(make_isa(), "\n"), *[(s, "\r\n") for s in BODY], ("IEA*1*000000001", "\n")]
    data = "".join(a + b for a, b in pieces).encode()
    segments, sink = tokenize_bytes(data)
    assert ids(segments) == expected(pieces)
    assert segments[3][2] == ["SE", "2", "0001"]
    assert sink.items == []


def test_interchanges_with_different_delimiters() -> None:
    first = make_isa() + "~" + "~".join(BODY) + "~IEA*1*000000001~"
    isa2 = make_isa(el="|", comp=">", rep="!", control="000000002")
    body2 = [s.replace("*", "|") for s in BODY]
    second = isa2 + "\n" + "\n".join(body2) + "\nIEA|1|000000002\n"
    isa3 = make_isa(el="^", comp="\\", rep="{", control="000000003")
    third = isa3 + "'" + "'".join(s.replace("*", "^") for s in BODY) + "'IEA^1^000000003'"
    data = (first + second + third).encode()
    segments, sink = tokenize_bytes(data)
    assert [e[0] for _, _, e in segments] == ["ISA", *[s[:2] for s in BODY], "IEA"] * 3
    assert segments[6][1] == len(first)
    assert segments[12][1] == len(first) + len(second)
    assert segments[7][2] == BODY[0].split("*")  # split on "|" in the second interchange
    assert segments[13][2] == BODY[0].split("*")  # and on "^" in the third
    assert segments[6][2][13] == "000000002"
    assert sink.items == []


def test_delimiters_follow_the_interchange_being_read() -> None:
    first = make_isa() + "~ST*835*1~SE*2*1~IEA*0*000000001~"
    second = make_isa(el="|", comp=">", rep="!", control="000000002") + "\nIEA|0|000000002\n"
    seen = []
    tok = Tokenizer(io.BytesIO((first + second).encode()), file="t", sink=DiagnosticSink("t"))
    for _, _, seg in tok:
        seen.append((seg[0], tok.delimiters))
    assert seen[0] == ("ISA", Delimiters("*", ":", "^", "~"))
    assert seen[-1] == ("IEA", Delimiters("|", ">", "!", "\n"))


def test_headless_file_starting_at_st() -> None:
    text = "\r\nST*835*0001~BPR*I*10*C*CHK~SE*3*0001~"
    segments, sink = tokenize_bytes(text.encode())
    assert ids(segments) == [(1, 2, "ST"), (2, 14, "BPR"), (3, 29, "SE")]
    assert [d.rule for d in sink.items] == ["envelope.missing_isa"]


def test_missing_final_terminator() -> None:
    text = make_isa() + "~" + "~".join(BODY) + "~IEA*1*000000001"
    segments, sink = tokenize_bytes(text.encode())
    assert segments[-1][2] == ["IEA", "1", "000000001"]
    (diag,) = sink.items
    assert diag.rule == "tokenizer.unterminated"
    assert diag.segment_index == 6
    assert diag.offset == len(text) - len("IEA*1*000000001")


def test_missing_final_terminator_after_a_second_interchange() -> None:
    one = make_isa() + "~" + "~".join(BODY) + "~IEA*1*000000001~"
    text = one + one[:-1]
    segments, sink = tokenize_bytes(text.encode())
    assert len(segments) == 12
    assert segments[-1][2] == ["IEA", "1", "000000001"]
    assert [d.rule for d in sink.items] == ["tokenizer.unterminated"]


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_empty_file(data: bytes) -> None:
    with pytest.raises(UnreadableFileError, match="empty"):
        tokenize_bytes(data)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"claim_id,patient_name,amount\nC1,SMITH JOHN,100\n", "CSV"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "ZIP"),
        (b'{"claims": []}', "JSON"),
        (b"<?xml version='1.0'?><a/>", "XML"),
    ],
)
def test_not_x12_names_what_it_is_without_echoing_content(data: bytes, kind: str) -> None:
    with pytest.raises(UnreadableFileError) as info:
        tokenize_bytes(data, name="upload.dat")
    message = str(info.value)
    assert kind in message
    assert "upload.dat" in message
    assert "SMITH" not in message
    assert info.value.context["offset"] == 0


@pytest.mark.parametrize(
    "data",
    [
        b"ISA*00*          *00*    ",
        b"ISA",
        b"ISA*00*          *00*          *ZZ*SENDER",
        (make_isa()[:-1]).encode(),  # ends before ISA16 and the terminator
    ],
)
def test_isa_cut_short(data: bytes) -> None:
    with pytest.raises(UnreadableFileError, match="ISA header"):
        tokenize_bytes(data)


def test_isa_with_alphanumeric_element_separator() -> None:
    with pytest.raises(UnreadableFileError, match="element separator"):
        tokenize_bytes(b"ISAX00X" + b"A" * 200)


def test_a_broken_later_isa_is_reported_and_reading_goes_on() -> None:
    first = make_isa() + "~ST*835*1~SE*2*1~IEA*0*000000001~"
    text = first + "ISA*00*short~GS*HP~"
    segments, sink = tokenize_bytes(text.encode())
    assert [e[0] for _, _, e in segments] == ["ISA", "ST", "SE", "IEA", "ISA", "GS"]
    (diag,) = sink.items
    assert diag.rule == "tokenizer.isa"
    assert diag.offset == len(first)
    assert diag.segment_index == 5


def test_detect_delimiters_without_repetition_in_4010() -> None:
    isa = make_isa(rep="U", version="00401") + "~"
    delimiters, length = detect_delimiters(isa, file="t")
    assert delimiters == Delimiters("*", ":", None, "~")
    assert length == len(isa)


DOCUMENTS = [
    make_isa() + "~\r\n" + "~\r\n".join(BODY) + "~\r\nIEA*1*000000001~\r\n",
    "\xef\xbb\xbf" + make_isa() + "~" + "~".join(BODY) + "~IEA*1*000000001",
    make_isa(el="|", comp="^", rep="U", version="00401")
    + "\n~"
    + "\n~".join(s.replace("*", "|") for s in BODY)
    + "\n~IEA|1|000000001\n",
    make_isa()
    + "~"
    + "~".join(BODY)
    + "~IEA*1*000000001~"
    + make_isa(el="|", comp=">", control="000000002")
    + "\n"
    + "\n".join(s.replace("*", "|") for s in BODY)
    + "\nIEA|1|000000002",
    "ST*835*0001~" + "CLP*PCN*1*100*80~" * 40 + "SE*42*0001~",
]


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("chunk_size", [1, 7, 64, 113])
def test_chunk_boundaries_do_not_change_the_segments(
    document: str, chunk_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = document.encode("latin-1")
    reference, ref_sink = tokenize_bytes(data)
    monkeypatch.setattr(tokenizer_module, "CHUNK_SIZE", chunk_size)
    segments, sink = tokenize_bytes(data)
    assert segments == reference
    assert [(d.rule, d.segment_index, d.offset) for d in sink.items] == [
        (d.rule, d.segment_index, d.offset) for d in ref_sink.items
    ]
    assert len(segments) >= 5


def test_offsets_point_at_segment_starts_in_the_bytes() -> None:
    for document in DOCUMENTS:
        data = document.encode("latin-1")
        segments, _ = tokenize_bytes(data)
        for _, offset, elements in segments:
            assert data[offset : offset + len(elements[0])].decode("latin-1") == elements[0]


@pytest.mark.parametrize(
    ("comp", "rep", "term", "first", "second"),
    [
        pytest.param("~", "^", "~", "component separator", "segment terminator", id="comp=term"),
        pytest.param("*", "^", "~", "element separator", "component separator", id="comp=el"),
        pytest.param(":", ":", "~", "component separator", "repetition", id="rep=comp"),
        pytest.param(":", "~", "~", "repetition", "segment terminator", id="rep=term"),
    ],
)
def test_colliding_delimiters_are_refused(
    comp: str, rep: str, term: str, first: str, second: str
) -> None:
    # Read anyway, "SV1*HC:99213" would be cut at the collision and its procedure lost.
    text = make_isa(comp=comp, rep=rep) + term + "GS*HC*S*R~ST*837*1~SV1*HC:99213*100~"
    with pytest.raises(UnreadableFileError) as info:
        tokenize_bytes(text.encode(), name="wrong.837")
    message = str(info.value)
    assert message.startswith("wrong.837 at byte 0: the ISA header uses ")
    assert first in message and second in message


def test_a_later_isa_with_colliding_delimiters_is_recorded_for_the_loader() -> None:
    first = make_isa() + "~ST*835*1~SE*2*1~IEA*0*000000001~"
    text = first + make_isa(comp="~", control="000000002") + "~GS*HP~"
    tokenizer = Tokenizer(io.BytesIO(text.encode()), file="t", sink=DiagnosticSink("t"))
    list(tokenizer)
    assert tokenizer.bad_isa_at is not None
    index, offset, reason = tokenizer.bad_isa_at
    assert (index, offset) == (5, len(first))
    assert "component separator" in reason


def test_megabytes_of_blanks_keep_exact_offsets(monkeypatch: pytest.MonkeyPatch) -> None:
    # Blanks before the ISA span many chunks and are dropped as read; offsets still count them.
    monkeypatch.setattr(tokenizer_module, "CHUNK_SIZE", 4096)
    lead = " \r\n" * 50_000
    gap = " " * 300_000
    text = "\xef\xbb\xbf" + lead + make_isa() + "~" + BODY[0] + "~" + gap + BODY[1] + "~"
    segments, sink = tokenize_bytes(text.encode("latin-1"))
    assert segments[0][1] == 3 + len(lead)
    assert segments[2][1] == 3 + len(lead) + len(make_isa()) + 1 + len(BODY[0]) + 1 + len(gap)
    assert [d.rule for d in sink.items] == ["tokenizer.bom"]
