"""The session's demo files (factories.fixtures.demo_files: 3,000 claims, seed 7), read once
for the demo tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from denialscope.demo import DemoResult
from factories.demo_text import Clp, DemoData, read_835, read_837


@pytest.fixture(scope="session")
def demo(demo_files: DemoResult) -> DemoData:
    result = demo_files
    claims = [c for p in result.files_837 for c in read_837(p)]
    clps: list[Clp] = []
    transactions: list[tuple[Decimal, Decimal, Decimal]] = []
    for p in result.files_835:
        found, totals = read_835(p)
        clps += found
        transactions += totals
    return DemoData(result, claims, clps, transactions)
