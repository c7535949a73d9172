"""The figure cache: one computation per (key, data version), never a figure of an older
version; and the data version moves with every change a leader's figure reads."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from denialscope.analytics.cube import refresh_cube
from denialscope.analytics.figure_cache import FigureCache, data_version
from denialscope.settings import Settings
from denialscope.workqueue.models import WorkItem, WorkItemEvent
from factories.denied import make_denied_claim
from factories.tiny import Tiny


def test_kept_per_version_and_computed_again_when_it_moves() -> None:
    cache = FigureCache()
    calls: list[str] = []

    def compute(tag: str) -> str:
        calls.append(tag)
        return f"figure {tag}"

    assert cache.get(("dashboard", 1), "v1", lambda: compute("a")) == "figure a"
    assert cache.get(("dashboard", 1), "v1", lambda: compute("b")) == "figure a"  # kept
    assert cache.get(("dashboard", 1), "v2", lambda: compute("c")) == "figure c"  # data moved
    assert cache.get(("dashboard", 1), "v2", lambda: compute("d")) == "figure c"
    assert calls == ["a", "c"]
    assert (cache.hits, cache.computed) == (2, 2)


def test_an_error_reaches_the_caller_and_is_not_kept() -> None:
    cache = FigureCache()

    def broken() -> str:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="went away"):
        cache.get("k", "v1", broken)
    assert cache.get("k", "v1", lambda: "fine") == "fine"


def test_least_recently_used_scopes_leave_first_and_recent_lists_the_latest() -> None:
    cache = FigureCache(max_entries=2)
    for key in ("a", "b", "a", "c"):
        cache.get(key, "v1", lambda key=key: key.upper())
    calls: list[str] = []
    cache.get("b", "v1", lambda: calls.append("b") or "B")  # "b" was the oldest: dropped
    assert calls == ["b"]
    assert cache.recent(5) == ["b", "c"]


def test_readers_of_one_figure_share_one_computation() -> None:
    """The first reader computes; a second one asking meanwhile gets the same object.

    Whether the second arrives during the computation or after it depends on scheduling;
    either way there is one computation, and only a bug (the second computing too) fails.
    """
    cache = FigureCache()
    release = threading.Event()
    started = threading.Event()
    calls: list[int] = []
    results: list[object] = []

    def slow() -> object:
        calls.append(1)
        started.set()
        release.wait(timeout=30)
        return object()

    first = threading.Thread(target=lambda: results.append(cache.get("k", "v", slow)))
    first.start()
    assert started.wait(timeout=30)
    second = threading.Thread(target=lambda: results.append(cache.get("k", "v", slow)))
    second.start()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert len(calls) == 1
    assert len(results) == 2 and results[0] is results[1]


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=url)


def test_data_version_moves_with_what_the_figures_read(
    session: Session, tiny: Tiny, tmp_path: Path
) -> None:
    url = str(session.get_bind().url.render_as_string(hide_password=False))
    settings = _settings(tmp_path, url)
    first = data_version(session, settings)
    assert data_version(session, settings) == first  # reading changes nothing

    payment = make_denied_claim(
        session, root_cause="auth_missing", dollars=Decimal("80"), denied_on=dt.date(2025, 3, 3)
    )
    session.commit()
    claim_added = data_version(session, settings)
    assert claim_added != first

    refresh_cube(session)  # an edit in place is picked up by rebuilding the cube
    session.commit()
    rebuilt = data_version(session, settings)
    assert rebuilt != claim_added

    item = WorkItem(
        claim_id=payment.claim_id,
        denial_payment_id=payment.id,
        queue="access",
        stream="access",
        root_cause="auth_missing",
        dollars_at_risk=Decimal("80"),
    )
    session.add(item)
    session.commit()
    with_item = data_version(session, settings)
    assert with_item != rebuilt
    session.add(WorkItemEvent(work_item_id=item.id, actor="coder", kind="outcome", detail="x"))
    session.commit()
    outcome = data_version(session, settings)
    assert outcome != with_item

    settings.workqueue_file.write_text("# the organization's work-queue settings\n")
    assert data_version(session, settings) != outcome  # a configuration file counts too
