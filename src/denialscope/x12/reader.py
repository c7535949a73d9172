"""Read one X12 file: walk the envelopes, check them, hand each transaction set to its parser.

Usage::

    with open_x12("remit.835") as reader:
        for record in reader:          # envelope records and the parsers' records, streamed
            ...
        reader.summary, reader.diagnostics

Only a file that cannot be read at all raises (:class:`UnreadableFileError`); everything
else becomes a diagnostic and reading goes on.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO

from denialscope.errors import UnreadableFileError
from denialscope.x12.diagnostics import Diagnostic, DiagnosticSink
from denialscope.x12.envelope import (
    FileSummary,
    FunctionalGroup,
    Interchange,
    TransactionContext,
    TransactionParser,
    TransactionSet,
)
from denialscope.x12.tokenizer import Tokenizer

__all__ = ["X12Reader", "open_x12", "register_parser"]

# ST01 -> module with a ``Parser(ctx)`` class. Imported lazily so ``denialscope parse``
# pays only for the transaction types it meets.
_PARSER_MODULES: dict[str, str] = {
    "835": "denialscope.x12.remit835.parser",
    "837": "denialscope.x12.claim837.parser",
    "277": "denialscope.x12.ack.ack277ca",
    "999": "denialscope.x12.ack.ack999",
    "997": "denialscope.x12.ack.ack999",  # the 4010 functional acknowledgment: AK3/AK4/AK5
    "271": "denialscope.eligibility.parser271",  # eligibility responses
}

# Implementation guide ids -> the kind we report.
_GUIDE_KINDS = {
    "X221": "835",
    "X091": "835",
    "X222": "837P",
    "X098": "837P",
    "X223": "837I",
    "X096": "837I",
    "X224": "837D",
    "X097": "837D",
    "X214": "277CA",
    "X231": "999",
}


def register_parser(st01: str, module: str) -> None:
    """Plug in a parser for another transaction set (same hook the built-in ones use)."""
    _PARSER_MODULES[st01] = module


def _kind(st01: str, guide: str) -> str:
    for key, kind in _GUIDE_KINDS.items():
        if key in guide:
            return kind
    if st01 == "277":
        return "277CA" if "X214" in guide or not guide else "277"
    return st01


# What each trailer closes, for its count message.
_HOLDERS = {"IEA": "the interchange", "GE": "the group", "SE": "the transaction set"}


def _get(seg: list[str], pos: int) -> str:
    return seg[pos].strip() if pos < len(seg) else ""


class X12Reader:
    """Iterate the records of one X12 file; see the module docstring."""

    def __init__(self, stream: BinaryIO, *, name: str, strict: bool = False) -> None:
        self.name = name
        # strict: let an exception inside a transaction-set parser propagate (tests, debugging)
        # instead of turning it into an "envelope.parser_failed" diagnostic.
        self.strict = strict
        self.sink = DiagnosticSink(name)
        self.summary = FileSummary(file=name)
        # Where the file ended inside an open transaction set (segment index, byte offset):
        # its last claim may be cut, so a loader should refuse the whole file.
        self.truncated_at: tuple[int, int] | None = None
        # The first part that could not be read (segment index, byte offset, what failed): a
        # transaction-set parser that failed, or a later ISA whose delimiters are unreadable.
        # A loader must refuse the whole file: what follows it was skipped or misread.
        self.unreadable_at: tuple[int, int, str] | None = None
        self._tokenizer = Tokenizer(stream, file=name, sink=self.sink)

    @property
    def bad_isa_at(self) -> tuple[int, int, str] | None:
        """A later ISA header that could not be read; see ``Tokenizer.bad_isa_at``."""
        return self._tokenizer.bad_isa_at

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.sink.items

    def __iter__(self) -> Iterator[Any]:
        return self._read()

    def _read(self) -> Iterator[Any]:  # one state machine reads best whole
        sink = self.sink
        summary = self.summary
        tok = self._tokenizer
        interchange: Interchange | None = None
        group: FunctionalGroup | None = None
        groups_in_isa = 0
        sets_in_gs = 0
        parser: TransactionParser | None = None
        ctx: TransactionContext | None = None
        st_count = 0
        st_control = ""
        st_at = (0, 0)
        envelope_ids = frozenset(("ISA", "GS", "ST", "SE", "GE", "IEA", "TA1"))

        def close_transaction(index: int, offset: int) -> Iterator[Any]:
            nonlocal parser, ctx
            if parser is not None and ctx is not None:
                try:
                    parser.finish(index, offset)
                except Exception as exc:
                    if self.strict:
                        raise
                    self._parser_failed(exc, st_control, index, offset, None)
                if ctx.out:
                    yield from ctx.out
                    ctx.out.clear()
            parser = None
            ctx = None
            sink.transaction = None

        index, offset, sid = 0, 0, ""

        # Envelope findings are about the segment being read: these say so once.
        def error(rule: str, message: str, **where: Any) -> None:
            sink.error(rule, message, index=index, offset=offset, segment_id=sid, **where)

        def warning(rule: str, message: str, **where: Any) -> None:
            sink.warning(rule, message, index=index, offset=offset, segment_id=sid, **where)

        def info(rule: str, message: str, **where: Any) -> None:
            sink.info(rule, message, index=index, offset=offset, segment_id=sid, **where)

        def trailer(seg: list[str], header: str, control: str, count: int, noun: str) -> None:
            """IEA/GE/SE: element 2 repeats the header's control number, element 1 counts
            what the envelope holds (groups, sets, or segments from ST to SE inclusive)."""
            if _get(seg, 2) != control:
                error(
                    f"envelope.{sid.lower()}_control",
                    f"{sid}02 does not match {header} ({control}).",
                    element=2,
                    value=_get(seg, 2),
                )
            if _get(seg, 1) != str(count):
                error(
                    f"envelope.{sid.lower()}_count",
                    f"{sid}01 says {_get(seg, 1)} {noun}; {_HOLDERS[sid]} has {count}"
                    + (" (ST to SE inclusive)." if sid == "SE" else "."),
                    element=1,
                    value=_get(seg, 1),
                )

        last_index, last_offset = 0, 0
        for index, offset, seg in tok:
            last_index, last_offset = index, offset
            sid = seg[0]
            if parser is not None and sid not in envelope_ids:
                st_count += 1
                try:
                    parser.segment(seg, index, offset)
                except Exception as exc:
                    if self.strict:
                        raise
                    self._parser_failed(exc, st_control, index, offset, sid)
                    parser = _SkipParser()  # the rest of this set is skipped, not misread
                if ctx is not None and ctx.out:
                    yield from ctx.out
                    ctx.out.clear()
                continue
            if sid == "ISA":
                if parser is not None:
                    error(
                        "envelope.missing_se",
                        f"Transaction set {st_control} has no SE before the next ISA.",
                    )
                    yield from close_transaction(index, offset)
                if group is not None:
                    error(
                        "envelope.missing_ge",
                        f"Functional group {group.control} has no GE before the next ISA.",
                    )
                if interchange is not None:
                    error(
                        "envelope.missing_iea",
                        f"Interchange {interchange.control} has no IEA before the next ISA.",
                    )
                if len(seg) < 17:
                    error(
                        "envelope.isa_elements",
                        f"ISA has {len(seg) - 1} elements; 16 are required.",
                    )
                interchange = Interchange(
                    control=_get(seg, 13),
                    sender_qualifier=_get(seg, 5),
                    sender=_get(seg, 6),
                    receiver_qualifier=_get(seg, 7),
                    receiver=_get(seg, 8),
                    date=_get(seg, 9),
                    time=_get(seg, 10),
                    version=_get(seg, 12),
                    usage=_get(seg, 15),
                    offset=offset,
                )
                sink.interchange = interchange.control
                if not interchange.control.isdigit():
                    warning(
                        "envelope.isa_control",
                        "ISA13 interchange control number should be 9 digits.",
                        element=13,
                        value=interchange.control,
                    )
                summary.interchanges += 1
                groups_in_isa = 0
                group = None
                yield interchange
            elif sid == "IEA":
                if parser is not None:
                    error(
                        "envelope.missing_se",
                        f"Transaction set {st_control} has no SE before IEA.",
                    )
                    yield from close_transaction(index, offset)
                if group is not None:
                    error(
                        "envelope.missing_ge",
                        f"Functional group {group.control} has no GE before IEA.",
                    )
                    group = None
                if interchange is None:
                    error(
                        "envelope.unexpected",
                        "IEA without a matching ISA.",
                    )
                else:
                    trailer(seg, "ISA13", interchange.control, groups_in_isa, "functional groups")
                interchange = None
                sink.interchange = None
            elif sid == "GS":
                if parser is not None:
                    error(
                        "envelope.missing_se",
                        f"Transaction set {st_control} has no SE before GS.",
                    )
                    yield from close_transaction(index, offset)
                if group is not None:
                    error(
                        "envelope.missing_ge",
                        f"Functional group {group.control} has no GE before the next GS.",
                    )
                if interchange is None and not tok.headless:
                    error(
                        "envelope.unexpected",
                        "GS outside an interchange (no ISA before it).",
                    )
                group = FunctionalGroup(
                    functional_id=_get(seg, 1),
                    sender=_get(seg, 2),
                    receiver=_get(seg, 3),
                    date=_get(seg, 4),
                    control=_get(seg, 6),
                    version=_get(seg, 8),
                )
                if len(seg) < 9:
                    error(
                        "envelope.gs_elements",
                        f"GS has {len(seg) - 1} elements; 8 are required.",
                    )
                summary.groups += 1
                groups_in_isa += 1
                sets_in_gs = 0
                yield group
            elif sid == "GE":
                if parser is not None:
                    error(
                        "envelope.missing_se",
                        f"Transaction set {st_control} has no SE before GE.",
                    )
                    yield from close_transaction(index, offset)
                if group is None:
                    error(
                        "envelope.unexpected",
                        "GE without a matching GS.",
                    )
                else:
                    trailer(seg, "GS06", group.control, sets_in_gs, "transaction sets")
                group = None
            elif sid == "ST":
                if parser is not None:
                    error(
                        "envelope.missing_se",
                        f"Transaction set {st_control} has no SE before the next ST.",
                    )
                    yield from close_transaction(index, offset)
                if group is None and not tok.headless:
                    warning(
                        "envelope.missing_gs",
                        "ST outside a functional group (no GS).",
                    )
                st01 = _get(seg, 1)
                st_control = _get(seg, 2)
                guide = _get(seg, 3) or (group.version if group else "")
                kind = _kind(st01, guide)
                sink.transaction = st_control
                tset = TransactionSet(
                    kind=kind,
                    version=guide,
                    control=st_control,
                    interchange=interchange,
                    group=group,
                    segment_index=index,
                    offset=offset,
                )
                sets_in_gs += 1
                summary.transactions += 1
                summary.kinds[kind] = summary.kinds.get(kind, 0) + 1
                if guide:
                    summary.versions[guide] = summary.versions.get(guide, 0) + 1
                st_count = 1
                st_at = (index, offset)
                module = _PARSER_MODULES.get(st01)
                yield tset
                if module is None:
                    warning(
                        "envelope.unsupported",
                        f"Transaction set type {st01!r} is not read by denialscope; skipped.",
                        element=1,
                        value=st01,
                    )
                    parser = _SkipParser()
                    ctx = None
                    continue
                ctx = TransactionContext(
                    file=self.name,
                    sink=sink,
                    summary=summary,
                    delimiters=tok.delimiters,
                    transaction=tset,
                )
                try:
                    parser_class = importlib.import_module(module).Parser
                except ModuleNotFoundError as exc:
                    if exc.name != module and not module.startswith(f"{exc.name}."):
                        raise  # a bug inside the parser module, not a missing parser
                    warning(
                        "envelope.unsupported",
                        f"Transaction set type {st01!r} has no parser installed; skipped.",
                        element=1,
                        value=st01,
                    )
                    parser = _SkipParser()
                    ctx = None
                    continue
                parser = parser_class(ctx)
            elif sid == "SE":
                if parser is None:
                    error(
                        "envelope.unexpected",
                        "SE without a matching ST.",
                    )
                    continue
                st_count += 1
                trailer(seg, "ST02", st_control, st_count, "segments")
                yield from close_transaction(index, offset)
            elif sid == "TA1":
                info(
                    "envelope.ta1",
                    "TA1 interchange acknowledgment present; not analysed.",
                )
            else:
                warning(
                    "envelope.outside_transaction",
                    f"Segment {sid} is outside any transaction set; skipped.",
                )
        # End of file: close whatever is still open.
        if parser is not None:
            self.truncated_at = (last_index, last_offset)
            sink.error(
                "envelope.missing_se",
                f"Transaction set {st_control} (started at segment {st_at[0]}) has no SE: "
                "the file is truncated.",
                index=last_index,
                offset=last_offset,
            )
            yield from close_transaction(last_index, last_offset)
        if group is not None and not tok.headless:
            sink.error(
                "envelope.missing_ge",
                f"Functional group {group.control} has no GE: the file is truncated.",
                index=last_index,
                offset=last_offset,
            )
        if interchange is not None:
            sink.error(
                "envelope.missing_iea",
                f"Interchange {interchange.control} has no IEA: the file is truncated.",
                index=last_index,
                offset=last_offset,
            )
        if summary.transactions == 0:
            sink.warning(
                "envelope.no_transactions",
                "The file holds no transaction set (no ST segment).",
                index=last_index,
                offset=last_offset,
            )

    def _parser_failed(
        self, exc: Exception, control: str, index: int, offset: int, segment_id: str | None
    ) -> None:
        # Only the exception type is shown: its message may quote element values (patient data).
        if self.unreadable_at is None:
            where = f" at {segment_id}" if segment_id else ""
            self.unreadable_at = (
                index,
                offset,
                f"the reader of transaction set {control} failed{where} "
                f"({type(exc).__name__}); the rest of that set could not be read",
            )
        self.sink.error(
            "envelope.parser_failed",
            f"The reader of transaction set {control} failed here ({type(exc).__name__}); "
            "the rest of the set is skipped. Please report this file's structure.",
            index=index,
            offset=offset,
            segment_id=segment_id,
        )


class _SkipParser:
    """Stands in for transaction types denialscope does not read."""

    def segment(self, seg: list[str], index: int, offset: int) -> None:
        return None

    def finish(self, index: int, offset: int) -> None:
        return None


class _OpenReader(X12Reader):
    def __init__(self, path: Path, *, name: str | None = None, strict: bool = False) -> None:
        try:
            self._fh: IO[bytes] = path.open("rb")
        except OSError as exc:
            raise UnreadableFileError(
                f"cannot open: {exc.strerror or exc}", file=name or str(path)
            ) from exc
        super().__init__(self._fh, name=name or str(path), strict=strict)

    def __enter__(self) -> _OpenReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._fh.close()


def open_x12(path: str | Path, *, name: str | None = None, strict: bool = False) -> _OpenReader:
    """Open a file for reading as X12; use as a context manager.

    ``strict=True`` lets a failure inside a transaction-set parser raise instead of becoming
    an ``envelope.parser_failed`` diagnostic.
    """
    return _OpenReader(Path(path), name=name, strict=strict)
