"""Why ``denialscope serve`` sets the interpreter's switch interval to 1 ms.

SQLite (the ``sqlite3`` module) releases the interpreter lock around every statement, and
takes it back after. Beside threads that compute (rendering pages, re-explaining payments),
taking it back waits for the running thread to give it up: up to the switch interval
(Python's default 5 ms) each time, so a request of thirty statements can wait thirty times.
This prints the time of thirty indexed reads on one thread while N other threads compute,
at the default interval and at the server's, and their ratio (same run, same machine).

    .venv/bin/python benchmarks/bench_switch_interval.py [--busy 0 4 10] [--repeat 20]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from denialscope.web.app import SERVER_SWITCH_INTERVAL_S

DEFAULT_INTERVAL_S = 0.005  # CPython's
STATEMENTS = 30  # about a claim page's


def _compute(stop: threading.Event) -> None:
    total = 0
    while not stop.is_set():
        for i in range(10_000):
            total += i


def _reads(path: Path, repeat: int) -> list[float]:
    connection = sqlite3.connect(path)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        for i in range(STATEMENTS):
            connection.execute("SELECT n FROM t WHERE id = ?", (i + 1,)).fetchall()
        times.append((time.perf_counter() - began) * 1000)
    connection.close()
    return times


def measure(path: Path, interval: float, busy: int, repeat: int) -> list[float]:
    sys.setswitchinterval(interval)
    stop = threading.Event()
    workers = [threading.Thread(target=_compute, args=(stop,)) for _ in range(busy)]
    for worker in workers:
        worker.start()
    found: list[float] = []
    reader = threading.Thread(target=lambda: found.extend(_reads(path, repeat)))
    reader.start()
    reader.join()
    stop.set()
    for worker in workers:
        worker.join()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, nargs="+", default=[0, 4, 10])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reads.db"
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)")
            connection.executemany("INSERT INTO t VALUES (?, ?)", [(i, i) for i in range(1, 1001)])
        print(f"{STATEMENTS} indexed reads on one thread beside N computing threads, ms")
        print(f"{'N':>3} {'interval':>9} {'median':>8} {'p95':>8} {'max':>8}")
        for busy in args.busy:
            rows: dict[float, tuple[float, float]] = {}
            for interval in (DEFAULT_INTERVAL_S, SERVER_SWITCH_INTERVAL_S):
                times = sorted(measure(path, interval, busy, args.repeat))
                p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
                rows[interval] = (statistics.median(times), p95)
                print(
                    f"{busy:>3} {interval * 1000:>7.0f}ms {rows[interval][0]:>8.1f} {p95:>8.1f}"
                    f" {times[-1]:>8.1f}"
                )
            default, server = rows[DEFAULT_INTERVAL_S], rows[SERVER_SWITCH_INTERVAL_S]
            print(
                f"{'':>13} default / server: median {default[0] / max(server[0], 1e-3):.1f} x,"
                f" p95 {default[1] / max(server[1], 1e-3):.1f} x"
            )


if __name__ == "__main__":
    main()
