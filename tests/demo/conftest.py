"""One demo data set (4,000 claims, generated once) shared by the demo tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from denialscope.demo import generate_demo
from factories.demo_text import Clp, DemoData, read_835, read_837

DEMO_CLAIMS = 4000


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoData:
    out = tmp_path_factory.mktemp("demo")
    result = generate_demo(out, claims=DEMO_CLAIMS, seed=11)
    claims = [c for p in result.files_837 for c in read_837(p)]
    clps: list[Clp] = []
    transactions: list[tuple[Decimal, Decimal, Decimal]] = []
    for p in result.files_835:
        found, totals = read_835(p)
        clps += found
        transactions += totals
    return DemoData(result, claims, clps, transactions)
