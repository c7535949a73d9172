"""Fuzz the reader: damaged files give diagnostics or a DenialscopeError, never a crash.

10,000 deterministic mutations (seeds 0..9999) of the synthetic fixtures, the same on every
machine, and 10,000 more of the public samples in ``../shared/x12-samples`` (skipped where they
are absent). The reader runs *strict*, so a bug inside a
transaction-set reader (which a normal read turns into a refused file) fails this test
with the seed that shows it. Measured: about 4 s for the 10,000 on a developer machine.
"""

from __future__ import annotations

import io
import random
import traceback
from pathlib import Path

import pytest

from denialscope.errors import DenialscopeError
from denialscope.x12.reader import X12Reader
from factories.mutations import mutate

FIXTURES = Path(__file__).parent / "fixtures"
MUTATIONS = 10_000


def _corpus() -> list[tuple[str, bytes]]:
    paths = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".835", ".edi", ".x12"))
    return [(p.name, p.read_bytes()) for p in paths]


@pytest.fixture(params=["fixtures", "samples"])
def corpus(request: pytest.FixtureRequest) -> list[tuple[str, bytes]]:
    if request.param == "fixtures":
        found = _corpus()
        assert len(found) >= 20  # 835s, 837s and acknowledgments
        return found
    samples: Path = request.getfixturevalue("samples_dir")
    paths = sorted(p for p in samples.rglob("*") if p.is_file() and p.suffix.lower() != ".md")
    return [(p.name, p.read_bytes()) for p in paths]


def test_ten_thousand_mutations_raise_nothing_but_denialscope_errors(
    corpus: list[tuple[str, bytes]],
) -> None:
    crashes: list[str] = []
    refused = 0
    for seed in range(MUTATIONS):
        name, data = corpus[seed % len(corpus)]
        damaged = mutate(data, random.Random(seed))
        try:
            for _record in X12Reader(io.BytesIO(damaged), name=name, strict=True):
                pass
        except DenialscopeError:
            refused += 1
        except Exception as exc:  # what the test is for: report every distinct crash
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            crashes.append(
                f"seed {seed} ({name}): {type(exc).__name__} at {frame.filename}:{frame.lineno}"
            )
    assert not crashes, "\n".join(crashes[:20])
    assert 0 < refused < MUTATIONS  # the mutations do damage, and most files still read


def test_the_mutations_are_deterministic() -> None:
    _, data = _corpus()[0]
    assert mutate(data, random.Random(7)) == mutate(data, random.Random(7))
    assert mutate(data, random.Random(7)) != data
