"""Damaged files through the whole ingest: each is stored whole or leaves no trace.

Mutations of the synthetic 835 and 837 fixtures (deterministic seeds) are ingested one by
one; a refused file must not change a single row, a stored one adds exactly one source
file, and no file ends as an internal error.
"""

from __future__ import annotations

import random
from pathlib import Path

from factories.database import Db, Files
from factories.mutations import mutate

FIXTURES = Path(__file__).parents[1] / "x12" / "fixtures"
MUTATIONS = 40


def test_mutated_files_are_stored_whole_or_leave_no_trace(ingest_db: Db, files: Files) -> None:
    corpus = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".835", ".edi"))
    # A mutant can also be a resend of an earlier one (identity: duplicate or conflict).
    outcomes = {"ingested": 0, "failed": 0, "already_ingested": 0, "duplicate": 0, "conflict": 0}
    before = ingest_db.counts()
    for seed in range(MUTATIONS):
        source = corpus[seed % len(corpus)]
        damaged = mutate(source.read_bytes(), random.Random(seed))
        result = ingest_db.ingest_one(files.raw(f"m{seed}{source.suffix}", damaged))
        after = ingest_db.counts()
        outcomes[result.status] += 1
        if result.status == "ingested":
            assert after["source_files"] == before["source_files"] + 1
        else:
            assert after == before, (seed, result.error)
        assert "internal error" not in (result.error or ""), (seed, result.error)
        before = after
    assert outcomes["ingested"] > 0 and outcomes["failed"] > 0, outcomes
