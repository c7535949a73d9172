"""The pure identity rules: content fingerprints, and what a claim under a stored key is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from denialscope.ingest.claim_identity import StoredClaim, claim_fingerprint, decide
from denialscope.ingest.identity import canonical, fingerprint
from denialscope.x12.claim837.records import Claim, Line

JAN = dt.date(2024, 1, 10)
BASE = "PCN-1|1999999984"


def _claim(day: dt.date | None = JAN, charge: D = D(100), frequency: str = "1") -> Claim:
    return Claim(
        "PCN-1",
        charge,
        frequency=frequency,
        lines=[Line("99213", charge, service_from=day, service_to=day)],
    )


def _stored(
    claim_id: int = 1,
    key: str = BASE,
    day: dt.date | None = JAN,
    prints: frozenset[str] = frozenset(),
    stub: bool = False,
) -> StoredClaim:
    return StoredClaim(claim_id, key, 1, stub, JAN, day, day, D(100), prints)


def test_amounts_are_compared_as_numbers_and_positions_are_not_content() -> None:
    assert canonical(D("120.00")) == canonical(D("120")) == "120"
    assert canonical(D("-0.00")) == "0" and canonical(D("1E+2")) == "100"
    moved = _claim()
    moved.segment_index, moved.offset = 4711, 99_000  # the same claim elsewhere in a file
    assert claim_fingerprint(moved) == claim_fingerprint(_claim())
    assert claim_fingerprint(_claim(charge=D("100.00"))) == claim_fingerprint(_claim())
    assert claim_fingerprint(_claim(charge=D(101))) != claim_fingerprint(_claim())
    assert fingerprint([" A "]) == fingerprint(["A"])  # padding is not content


def test_the_same_content_is_a_duplicate_of_any_stored_version() -> None:
    fp = claim_fingerprint(_claim())
    decision = decide(_claim(), base=BASE, fp=fp, stored=[_stored(prints=frozenset({fp}))])
    assert decision.store is False and decision.finding is not None
    assert decision.finding.kind == "duplicate_claim"


def test_an_original_for_other_dates_is_a_separate_claim_keyed_by_its_first_date() -> None:
    april = dt.date(2024, 4, 2)
    decision = decide(_claim(day=april), base=BASE, fp="x", stored=[_stored()])
    assert (decision.store, decision.key, decision.target) == (True, f"{BASE}|20240402", None)
    assert decision.finding is not None and decision.finding.kind == "claim_separate"


def test_an_original_with_overlapping_dates_is_a_reported_conflict_on_that_claim() -> None:
    april = dt.date(2024, 4, 2)
    stored = [_stored(), _stored(2, f"{BASE}|20240402", april)]
    decision = decide(_claim(day=april, charge=D(130)), base=BASE, fp="x", stored=stored)
    assert decision.target is stored[1] and decision.key == f"{BASE}|20240402"
    assert decision.finding is not None and decision.finding.kind == "claim_conflict"
    assert "charge 100 -> 130" in decision.finding.message
    assert "version 2" in decision.finding.message


def test_replacements_and_voids_are_versions_of_the_claim_of_their_dates() -> None:
    april = dt.date(2024, 4, 2)
    stored = [_stored(), _stored(2, f"{BASE}|20240402", april)]
    for frequency in ("7", "8"):
        decision = decide(_claim(day=april, frequency=frequency), base=BASE, fp="x", stored=stored)
        assert (decision.target, decision.finding) == (stored[1], None)
        other = decide(
            _claim(day=dt.date(2024, 9, 9), frequency=frequency), base=BASE, fp="x", stored=stored
        )
        assert other.target is stored[0]  # no overlap: the claim first stored under the key


def test_a_stub_is_filled_and_a_claim_without_dates_overlaps() -> None:
    stub = _stored(stub=True)
    decision = decide(_claim(day=dt.date(2024, 5, 5)), base=BASE, fp="x", stored=[stub])
    assert (decision.store, decision.key, decision.target, decision.finding) == (
        True,
        BASE,
        stub,
        None,
    )
    undated = decide(_claim(day=None), base=BASE, fp="x", stored=[_stored()])
    assert undated.finding is not None and undated.finding.kind == "claim_conflict"
