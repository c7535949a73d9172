"""Shared helpers for the x12 tests: read bytes through the tokenizer or the whole reader."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from denialscope.x12.diagnostics import Diagnostic, DiagnosticSink
from denialscope.x12.envelope import FileSummary
from denialscope.x12.reader import X12Reader
from denialscope.x12.tokenizer import Tokenizer

FIXTURES = Path(__file__).parent / "fixtures"

Segment = tuple[int, int, list[str]]


@dataclass
class ReadResult:
    records: list[Any]
    summary: FileSummary
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def rules(self) -> list[str]:
        return [d.rule for d in self.diagnostics]

    def of(self, kind: type) -> list[Any]:
        return [r for r in self.records if isinstance(r, kind)]

    def find(self, rule: str) -> Diagnostic:
        matches = [d for d in self.diagnostics if d.rule == rule]
        assert len(matches) == 1, (rule, self.rules())
        return matches[0]


def tokenize_bytes(data: bytes, name: str = "t.x12") -> tuple[list[Segment], DiagnosticSink]:
    sink = DiagnosticSink(name)
    return list(Tokenizer(io.BytesIO(data), file=name, sink=sink)), sink


def read_bytes(data: bytes, name: str = "t.x12") -> ReadResult:
    reader = X12Reader(io.BytesIO(data), name=name, strict=True)
    records = list(reader)
    return ReadResult(records, reader.summary, list(reader.diagnostics))


@pytest.fixture
def tokenize() -> Callable[..., tuple[list[Segment], DiagnosticSink]]:
    return tokenize_bytes


@pytest.fixture
def read_x12() -> Callable[..., ReadResult]:
    return read_bytes


@pytest.fixture
def read_fixture() -> Callable[[str], ReadResult]:
    def read(relative: str) -> ReadResult:
        path = FIXTURES / relative
        return read_bytes(path.read_bytes(), name=path.name)

    return read
