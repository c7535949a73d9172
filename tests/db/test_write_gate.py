"""The SQLite write gate: one writer of a process at a time, waiting in line; every end of a
transaction gives the turn back (commit, rollback, a session closed mid-way, a failed BEGIN),
and a writer that waits past the lock timeout gets the lock timeout's clear error."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from denialscope.db.engine import make_engine, session_factory
from denialscope.db.failures import LockTimeoutError, database_failure
from denialscope.db.locks import begin_writing
from denialscope.db.write_gate import write_gate_of


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'gate.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    engine.dispose()
    return url


def test_commit_rollback_and_close_each_give_the_turn_back(database: str) -> None:
    engine = make_engine(database)
    gate = write_gate_of(engine)
    assert gate is not None and not gate.held
    factory = session_factory(engine)
    with factory() as session:
        begin_writing(session)
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert gate.held
        session.commit()
        assert not gate.held
        begin_writing(session)
        assert gate.held
        session.rollback()
        assert not gate.held
        begin_writing(session)
        session.execute(text("INSERT INTO t VALUES (2)"))
    # Closed without a commit: the pool's reset rolled it back and freed the turn.
    assert not gate.held
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t")).scalars().all() == [1]
    # A reader never takes the turn.
    with factory() as session:
        session.execute(text("SELECT count(*) FROM t"))
        assert not gate.held
    engine.dispose()


def test_a_second_writer_waits_its_turn_then_writes(database: str) -> None:
    engine = make_engine(database)
    factory = session_factory(engine)
    first = factory()
    begin_writing(first)
    first.execute(text("INSERT INTO t VALUES (1)"))
    entered = threading.Event()
    wrote: list[int] = []

    def second() -> None:
        with factory() as session:
            begin_writing(session)  # waits here for the first writer's commit
            entered.set()
            session.execute(text("INSERT INTO t VALUES (2)"))
            wrote.extend(session.execute(text("SELECT n FROM t ORDER BY n")).scalars())
            session.commit()

    thread = threading.Thread(target=second)
    thread.start()
    assert not entered.wait(0.3)  # the first still writes: the second has not begun
    first.commit()
    first.close()
    thread.join(30)
    assert wrote == [1, 2]  # it began after the first committed, and saw its row
    engine.dispose()


def test_waiting_past_the_lock_timeout_is_the_lock_timeouts_error(database: str) -> None:
    engine = make_engine(database, lock_timeout_s=1)
    factory = session_factory(engine)
    holder = factory()
    begin_writing(holder)
    failures: list[BaseException] = []

    def waiter() -> None:
        with factory() as session:
            try:
                begin_writing(session)
            except Exception as error:  # sqlite3's or SQLAlchemy's OperationalError
                failures.append(error)

    thread = threading.Thread(target=waiter)
    thread.start()
    thread.join(60)
    holder.rollback()
    holder.close()
    assert len(failures) == 1
    found = database_failure(failures[0], lock_timeout_s=1)
    assert isinstance(found, LockTimeoutError)
    gate = write_gate_of(engine)
    assert gate is not None and not gate.held  # the waiter never held it; the holder gave it back
    engine.dispose()


def test_a_failed_begin_gives_the_turn_back(database: str, tmp_path: Path) -> None:
    # Another process holds SQLite's write lock: this process's BEGIN IMMEDIATE times out in
    # SQLite (busy timeout), and the gate must not stay taken.
    import sqlite3

    other = sqlite3.connect(tmp_path / "gate.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    engine = make_engine(database, lock_timeout_s=1)
    factory = session_factory(engine)
    with factory() as session, pytest.raises((OperationalError, sqlite3.OperationalError)):
        begin_writing(session)
    gate = write_gate_of(engine)
    assert gate is not None and not gate.held
    other.execute("ROLLBACK")
    other.close()
    with factory() as session:
        begin_writing(session)
        session.execute(text("INSERT INTO t VALUES (3)"))
        session.commit()
    engine.dispose()


def test_processes_take_turns_through_a_lock_file_beside_the_database(
    database: str, tmp_path: Path
) -> None:
    import fcntl
    import os

    engine = make_engine(database)
    factory = session_factory(engine)
    lock_file = tmp_path / "gate.db.write-lock"
    with factory() as session:
        begin_writing(session)
        session.execute(text("INSERT INTO t VALUES (1)"))
        # Another process (another open file description) cannot take the turn now.
        other = os.open(lock_file, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            session.commit()
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once committed
            fcntl.flock(other, fcntl.LOCK_UN)
        finally:
            os.close(other)
    assert lock_file.stat().st_mode & 0o077 == 0  # owner-only, as the database
    engine.dispose()


def _other_process_lock(lock_file: Path) -> int:
    """The processes' lock taken as another process would (its own open file description)."""
    import fcntl
    import os

    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def _wait_for_thread(name: str) -> None:
    for _ in range(10_000):  # up to ~10 s: a bound, not a timing the test depends on
        if any(t.name == name for t in threading.enumerate()):
            return
        threading.Event().wait(0.001)
    raise AssertionError(f"no thread {name}")


def test_a_writer_behind_another_process_is_woken_when_it_lets_go(
    database: str, tmp_path: Path
) -> None:
    import os

    engine = make_engine(database, lock_timeout_s=60)
    factory = session_factory(engine)
    other = _other_process_lock(tmp_path / "gate.db.write-lock")
    wrote: list[int] = []

    def writer() -> None:
        with factory() as session:
            begin_writing(session)  # waits in the kernel for the other process
            session.execute(text("INSERT INTO t VALUES (7)"))
            session.commit()
            wrote.append(7)

    thread = threading.Thread(target=writer)
    thread.start()
    _wait_for_thread("denialscope-write-turn")  # the wait is the helper's blocking flock
    assert wrote == []
    os.close(other)  # the other process lets go
    thread.join(60)
    assert wrote == [7]
    gate = write_gate_of(engine)
    assert gate is not None and not gate.held
    # The waiter's own descriptor was closed with its turn: another process takes it at once.
    os.close(_other_process_lock(tmp_path / "gate.db.write-lock"))
    engine.dispose()


def test_an_abandoned_wait_gives_the_lock_back_once_it_gets_it(
    database: str, tmp_path: Path
) -> None:
    import os

    engine = make_engine(database, lock_timeout_s=1)
    factory = session_factory(engine)
    other = _other_process_lock(tmp_path / "gate.db.write-lock")
    with factory() as session:
        with pytest.raises(Exception) as stopped:
            begin_writing(session)  # past the lock timeout: the wait is abandoned
        assert isinstance(database_failure(stopped.value, lock_timeout_s=1), LockTimeoutError)
    os.close(other)
    # The abandoned helper takes the lock when the other process lets go, and gives it back:
    # this process writes, and then another process can take the lock again.
    with factory() as session:
        begin_writing(session)
        session.execute(text("INSERT INTO t VALUES (8)"))
        session.commit()
    for _ in range(10_000):
        try:
            os.close(_other_process_lock(tmp_path / "gate.db.write-lock"))
            break
        except BlockingIOError:
            threading.Event().wait(0.001)  # the abandoned helper between its take and close
    else:
        raise AssertionError("the lock stayed taken after an abandoned wait")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t")).scalars().all() == [8]
    engine.dispose()
