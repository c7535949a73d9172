"""The ingest's garbage-collector setting is scoped: the process gets its own back."""

from __future__ import annotations

import gc

from denialscope.gc_tuning import BULK_THRESHOLD, fewer_gc_pauses


def test_threshold_and_frozen_objects_are_restored() -> None:
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    with fewer_gc_pauses():
        assert gc.get_threshold() == BULK_THRESHOLD
        assert gc.get_freeze_count() > frozen_before
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_after_an_error() -> None:
    before = gc.get_threshold()
    try:
        with fewer_gc_pauses():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_are_still_collected() -> None:
    class Node:
        other: object

    with fewer_gc_pauses():
        for _ in range(200_000):  # several young collections at the bulk threshold
            a, b = Node(), Node()
            a.other, b.other = b, a
        assert sum(isinstance(o, Node) for o in gc.get_objects()) < 200_000
