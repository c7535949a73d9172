"""A file with a part that cannot be read is refused whole, and loads once corrected.

The case from issue 12: an 837 with a bare ``PER`` after the second subscriber used to store
1 of its 4 claims, exit 0 and mark the file ingested (so the corrected file's missing claims
could never be completed). Now a bare PER is read, and any failure inside a transaction-set
reader refuses the whole file with its name, the segment position and the problem.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest
from sqlalchemy import select

from denialscope.claims.models import Claim
from denialscope.x12.claim837 import segments
from factories.database import Db, Files
from factories.x12text import Clm, Line, x12_837p

DAY = dt.date(2024, 2, 1)


def _four_claims() -> str:
    return x12_837p(
        [Clm(f"C{i}", [Line("99213", D(100), DAY)], member_id=f"M{i}") for i in range(4)]
    )


def _after_second_subscriber(text: str, segment: str) -> tuple[str, int]:
    """The text with ``segment`` inserted after the second NM1*IL; and its 1-based position."""
    segs = text.split("~")
    found = 0
    for i, seg in enumerate(segs):
        if seg.strip().startswith("NM1*IL"):
            found += 1
            if found == 2:
                segs.insert(i + 1, "\n" + segment)
                return "~".join(segs), i + 2
    raise AssertionError("no second subscriber")


def test_bare_per_after_the_second_subscriber_stores_all_four_claims(
    ingest_db: Db, files: Files
) -> None:
    text, _ = _after_second_subscriber(_four_claims(), "PER")
    result = ingest_db.ingest_one(files.text("bare_per.837", text))
    assert result.status == "ingested", result.error
    assert result.claims == 4
    assert sorted(ingest_db.scalars(select(Claim.control_number))) == ["C0", "C1", "C2", "C3"]


def test_a_reader_failure_refuses_the_whole_file_and_it_loads_once_fixed(
    ingest_db: Db, files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = segments.PARTY_DETAIL["PER"]

    def broken(*args: Any) -> None:
        if args[2][2:3] == ["DESK"]:  # only the PER inserted below: a reader bug there
            raise IndexError("list index out of range")
        original(*args)

    text, position = _after_second_subscriber(_four_claims(), "PER*IC*DESK")
    path = files.text("broken.837", text)
    empty = ingest_db.counts()
    with monkeypatch.context() as patch:
        patch.setitem(segments.PARTY_DETAIL, "PER", broken)
        report = ingest_db.ingest(path)
    result = report.files[0]
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.startswith(f"{path} at segment {position} (byte ")
    assert "IndexError" in result.error and "nothing of the file was stored" in result.error
    assert ingest_db.counts() == empty  # not even the source file row: it can be loaded again
    # The same bytes, read by a reader that works, now load whole.
    again = ingest_db.ingest_one(path)
    assert again.status == "ingested", again.error
    assert again.claims == 4


def test_a_component_separator_equal_to_the_terminator_is_refused_not_stored(
    ingest_db: Db, files: Files
) -> None:
    text = _four_claims()
    isa16 = text.index("~") - 1  # ISA16 is the byte before the first terminator
    assert text[isa16] == ":"
    # Every ":" becomes "~": SV1*HC:99213 would lose its procedure code if read.
    wrong = text.replace(":", "~")
    empty = ingest_db.counts()
    result = ingest_db.ingest_one(files.text("wrong.837", wrong))
    assert result.status == "failed"
    assert result.error is not None and "component separator" in result.error
    assert "segment terminator" in result.error and "at byte 0" in result.error
    assert ingest_db.counts() == empty


def test_a_later_interchange_with_unreadable_delimiters_refuses_the_whole_file(
    ingest_db: Db, files: Files
) -> None:
    first = _four_claims()
    isa_end = first.index("~")
    # The second interchange's ISA16 equals its terminator: its segments cannot be split.
    second = first[: isa_end - 1] + "~" + first[isa_end:]
    second = second.replace("000000001", "000000002", 1)
    path = files.text("two.837", first + second)
    empty = ingest_db.counts()
    result = ingest_db.ingest_one(path)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.startswith(f"{path} at segment ")
    assert f"(byte {len(first)}): the ISA header uses '~' as both" in result.error
    assert ingest_db.counts() == empty
