"""Split an X12 byte stream into segments, in bounded memory.

Delimiters come from each ISA header: the element separator is the byte after "ISA",
the component separator is ISA16 and the segment terminator is the byte after it;
5010 files add a repetition separator in ISA11. Real files add noise the guide does not
allow (a UTF-8 byte-order mark, CR/LF or spaces after each terminator, several
interchanges with different delimiters in one file, no terminator after the last
segment); the tokenizer accepts all of it and reports what it skipped.

Bytes are decoded as Latin-1 so that a character index is a byte offset: diagnostics can
point at the exact byte even when names carry UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from denialscope.errors import UnreadableFileError
from denialscope.x12.diagnostics import DiagnosticSink

__all__ = ["Delimiters", "Tokenizer", "detect_delimiters"]

CHUNK_SIZE = 1 << 20  # bytes read at a time; peak memory is a few chunks whatever the file size
MAX_SEGMENT = 1 << 20  # a "segment" longer than this means the terminator is wrong
_WHITESPACE = " \r\n\t\x00"
_BOM = "\xef\xbb\xbf"  # UTF-8 byte-order mark as seen through Latin-1
_BOM_BYTES = b"\xef\xbb\xbf"
_BLANK_BYTES = b" \r\n\t\x00"
# Skips a run of blanks in C: a per-character Python loop made megabytes of padding cost
# seconds (benchmarks/bench_tokenizer_blanks.py keeps the cost linear and small).
_SKIP_BLANKS = re.compile("[ \r\n\t\x00]*").match
_HEAD_SIZE = 512  # enough for an ISA (106 bytes, more when padded wrongly) and an ST
_ISA_LOOKAHEAD = 400  # detect_delimiters reads at most this far into an ISA


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str = "*"
    component: str = ":"
    repetition: str | None = "^"
    segment: str = "~"


def _describe(head: bytes) -> str:
    """Name what a non-X12 file looks like without echoing its content (it may hold PHI)."""
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head[:1] in (b"{", b"["):
        return "JSON"
    if head[:1] == b"<":
        return "XML or HTML"
    if b"\x00" in head[:64]:
        return "binary data"
    if b"," in head[:200] or b"\t" in head[:200]:
        return "delimited text (CSV?)"
    return "text"


def detect_delimiters(raw: str, *, file: str, offset: int = 0) -> tuple[Delimiters, int]:
    """Read the delimiters from an ISA segment; return them and the ISA's length in chars.

    ``raw`` starts with "ISA". The count of element separators is used rather than fixed
    positions because real senders pad ISA fields wrongly.
    """
    if len(raw) < 4:
        raise UnreadableFileError("the ISA header is cut short", file=file, offset=offset)
    element = raw[3]
    if element.isalnum() or element in _WHITESPACE:
        raise UnreadableFileError(
            f"the ISA header has no usable element separator (found {element!r} after 'ISA')",
            file=file,
            offset=offset,
        )
    pos = 3
    fields_start = [4]
    for _ in range(15):
        pos = raw.find(element, pos + 1)
        if pos < 0 or pos > 300:
            raise UnreadableFileError(
                f"the ISA header has {len(fields_start)} of its 16 elements",
                file=file,
                offset=offset,
            )
        fields_start.append(pos + 1)
    isa16_at = fields_start[-1]
    if isa16_at + 1 >= len(raw):
        raise UnreadableFileError(
            "the ISA header ends before its segment terminator", file=file, offset=offset
        )
    component = raw[isa16_at]
    segment = raw[isa16_at + 1]
    length = isa16_at + 2
    if segment in "\r\n":
        # Either line breaks are the terminators, or a line break sits before a real
        # terminator that starts the next line ("...|^\n~GS|..."), as some senders write.
        j = isa16_at + 1
        while j < len(raw) and raw[j] in "\r\n":
            j += 1
        nxt = raw[j : j + 1]
        if nxt and not nxt.isalnum() and nxt != element and nxt not in _WHITESPACE:
            segment = nxt
            length = j + 1
        else:
            segment = "\n"  # CR LF: split on LF, the CR is stripped as whitespace
            length = j
    if segment.isalnum() or segment == element:
        raise UnreadableFileError(
            f"the ISA header has no usable segment terminator (found {segment!r} after ISA16)",
            file=file,
            offset=offset,
        )
    isa11 = raw[fields_start[10] : fields_start[11] - 1]
    version = raw[fields_start[11] : fields_start[12] - 1]
    repetition: str | None = None
    if len(isa11) == 1 and not isa11.isalnum() and isa11 not in _WHITESPACE and version >= "00402":
        repetition = isa11
    _check_distinct(element, component, repetition, segment, file=file, offset=offset)
    return Delimiters(element, component, repetition, segment), length


def _check_distinct(
    element: str, component: str, repetition: str | None, segment: str, *, file: str, offset: int
) -> None:
    """Refuse delimiters that collide: a split on one would cut values meant for another.

    A component separator equal to the segment terminator, say, ends every segment inside
    SV1*HC:99213 and the procedure code is lost; such a file cannot be read faithfully.
    """
    named = [("element separator", element), ("component separator (ISA16)", component)]
    if repetition is not None:
        named.append(("repetition separator (ISA11)", repetition))
    named.append(("segment terminator", segment))
    for i, (first, a) in enumerate(named):
        for second, b in named[i + 1 :]:
            if a == b:
                raise UnreadableFileError(
                    f"the ISA header uses {a!r} as both its {first} and its {second}; the "
                    "file cannot be split faithfully (ask the sender to fix its delimiters)",
                    file=file,
                    offset=offset,
                )
    if component.isalnum() or component in _WHITESPACE:
        raise UnreadableFileError(
            f"the ISA header has no usable component separator (found {component!r} in ISA16)",
            file=file,
            offset=offset,
        )


def _infer_headless(raw: str, *, file: str) -> Delimiters:
    """Delimiters of a transaction set sent without its ISA/GS envelope (starts at ST)."""
    element = raw[2]
    for ch in raw[3:200]:
        if ch.isalnum() or ch == element or ch == " ":
            continue
        if ch == "\r":
            continue
        component = ":" if ch != ":" else ">"
        return Delimiters(element, component, None, ch)
    raise UnreadableFileError("the ST segment has no segment terminator", file=file, offset=0)


class Tokenizer:
    """Iterate ``(index, offset, elements)`` for every segment of a stream.

    ``index`` is the 1-based segment position in the file, ``offset`` the byte offset of the
    segment's first byte, ``elements[0]`` the segment id. ``delimiters`` always holds those
    of the interchange being read.

    Every ISA is read on its own (its delimiters are detected afresh), so interchanges with
    different delimiters can follow each other; between ISAs the buffer is split on the
    segment terminator a block at a time, which keeps the per-segment work in C.
    """

    def __init__(self, stream: BinaryIO, *, file: str, sink: DiagnosticSink) -> None:
        self._stream = stream
        self.file = file
        self.sink = sink
        self.delimiters = Delimiters()
        self.headless = False
        self.interchanges_seen = 0
        self._skipped = 0  # leading blank bytes (and BOM) dropped before the first header
        # A later ISA that cannot be read (segment index, byte offset, why): its segments
        # were split with the previous interchange's delimiters, so may be misread.
        self.bad_isa_at: tuple[int, int, str] | None = None

    def _start(self) -> tuple[str, int]:
        """Read the head of the file, skip a BOM and blank lines, find the first header."""
        chunks: list[bytes] = []
        size = 0
        # Read enough for a whole ISA after any leading noise, whatever CHUNK_SIZE is.
        # Leading blanks are dropped chunk by chunk (counted in ``skipped``), so megabytes
        # of padding before the ISA cost one pass and no memory.
        skipped = 0
        bom = False
        pending: bytes | None = b""  # the first bytes, until there are enough to tell a BOM
        while True:
            more = self._stream.read(CHUNK_SIZE)
            if not more:
                break
            if pending is not None:
                pending += more
                if len(pending) < 3 and _BOM_BYTES.startswith(pending):
                    continue
                more, pending = pending, None
                if more.startswith(_BOM_BYTES):
                    bom = True
                    more = more[3:]
                    skipped = 3
            if not chunks:
                kept = more.lstrip(_BLANK_BYTES)
                skipped += len(more) - len(kept)
                if not kept:
                    continue
                more = kept
            chunks.append(more)
            size += len(more)
            if size >= _HEAD_SIZE:
                break
        first = b"".join(chunks)
        if not first.strip():
            raise UnreadableFileError("the file is empty", file=self.file, offset=0)
        if bom:
            self.sink.info(
                "tokenizer.bom", "The file starts with a UTF-8 byte-order mark; skipped.", offset=0
            )
        self._skipped = skipped
        text = first.decode("latin-1")
        start = 0
        head = text[start : start + 3]
        if head == "ISA":
            return text, start
        if head[:2] == "ST" and len(head) == 3 and not head[2].isalnum():
            self.headless = True
            self.sink.warning(
                "envelope.missing_isa",
                "The file has no ISA/GS envelope and starts at ST; read with inferred "
                "delimiters, control numbers cannot be checked.",
                index=1,
                offset=skipped,
                segment_id="ST",
            )
            return text, start
        raise UnreadableFileError(
            f"not an X12 file: it holds {_describe(first[start : start + 256])} "
            "where an ISA header was expected",
            file=self.file,
            offset=skipped + start,
        )

    def __iter__(self) -> Iterator[tuple[int, int, list[str]]]:  # one loop: it is the hot path
        text, pos = self._start()
        base = self._skipped  # byte offset of text[0] in the file
        if self.headless:
            self.delimiters = _infer_headless(text[pos:], file=self.file)
        index = 0
        last_at = 0
        eof = False
        read = self._stream.read
        sink = self.sink
        ws = _WHITESPACE
        plain_isa_at = -1  # an ISA that failed detection is read as a plain segment
        while True:
            # Skip blank bytes between segments; drop what has been consumed.
            n = len(text)
            blanks = _SKIP_BLANKS(text, pos)
            if blanks is not None:  # always: the pattern matches the empty string
                pos = blanks.end()
            if pos >= n or (n - pos < _ISA_LOOKAHEAD and text.startswith("IS", pos)):
                if not eof:
                    more = read(CHUNK_SIZE)
                    if more:
                        text = text[pos:] + more.decode("latin-1")
                        base += pos
                        pos = 0
                        continue
                    eof = True
                if pos >= n:
                    return
            if text.startswith("ISA", pos) and base + pos != plain_isa_at:
                try:
                    new, isa_len = detect_delimiters(
                        text[pos : pos + _ISA_LOOKAHEAD], file=self.file, offset=base + pos
                    )
                except UnreadableFileError as exc:
                    if self.interchanges_seen == 0 and index == 0:
                        raise  # no usable first header: nothing can be read
                    if self.bad_isa_at is None:
                        self.bad_isa_at = (index + 1, base + pos, exc.reason)
                    sink.error(
                        "tokenizer.isa",
                        f"An ISA header cannot be read ({exc.reason}); read with the "
                        "previous delimiters.",
                        index=index + 1,
                        offset=base + pos,
                        segment_id="ISA",
                    )
                    plain_isa_at = base + pos
                    continue
                self.interchanges_seen += 1
                self.delimiters = new
                self.headless = False
                isa_text = text[pos : pos + isa_len].rstrip(new.segment).rstrip(ws)
                index += 1
                last_at = base + pos
                yield index, last_at, isa_text.split(new.element)
                pos += isa_len
                continue
            term = self.delimiters.segment
            el = self.delimiters.element
            # Make sure the buffer ends at a terminator or at EOF so no segment is cut.
            while not eof and text.find(term, pos) < 0:
                more = read(CHUNK_SIZE)
                if not more:
                    eof = True
                    break
                text = text[pos:] + more.decode("latin-1")
                base += pos
                pos = 0
                if len(text) > MAX_SEGMENT + CHUNK_SIZE:
                    raise UnreadableFileError(
                        f"no segment terminator {term!r} in the last {MAX_SEGMENT} bytes; "
                        "the file is damaged or its delimiters are wrong",
                        file=self.file,
                        offset=base,
                    )
            end = len(text) if eof else text.rfind(term) + len(term)
            parts = text[pos:end].split(term)
            if not eof:
                parts.pop()  # empty remainder after the last terminator of the block
            restart_at = -1
            p = pos
            for part in parts:
                seg_at = p
                p += len(part) + len(term)
                if not part:
                    continue
                if part[0] in ws or part[-1] in ws:
                    stripped = part.lstrip(ws)
                    seg_at += len(part) - len(stripped)
                    part = stripped.rstrip(ws)
                    if not part:
                        continue
                if part[:3] == "ISA" and base + seg_at != plain_isa_at:
                    # A new interchange: its delimiters may differ, so re-read from here.
                    restart_at = seg_at
                    break
                index += 1
                last_at = base + seg_at
                yield index, last_at, part.split(el)
            if restart_at >= 0:
                pos = restart_at
                continue
            if eof:
                if parts and parts[-1].strip(ws):
                    sink.warning(
                        "tokenizer.unterminated",
                        "The last segment has no segment terminator; read anyway.",
                        index=index,
                        offset=last_at,
                    )
                return
            pos = end
