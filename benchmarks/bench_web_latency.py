"""Web latency under load: p50/p95 of the leaders' pages with 20 signed-in users at once.

    python benchmarks/bench_web_latency.py                       # demo with >= 500,000 lines
    python benchmarks/bench_web_latency.py --claims 20000        # a smaller demo, quicker
    python benchmarks/bench_web_latency.py --data-dir DIR        # reuse a demo built before
    python benchmarks/bench_web_latency.py --url /departments --url /departments.json
    python benchmarks/bench_web_latency.py --role coder --url /queue --claim-pages 20 --take-next
    python benchmarks/bench_web_latency.py --data-dir DIR --workers 2   # a process per core

Steps: build the demo in ``--data-dir`` with ``denialscope demo --claims N`` unless that
folder already holds its database (building 500,000 lines takes many minutes; its output is
streamed as progress); count its claim lines; add ``--users`` accounts of ``--role``
(default leader); start ``denialscope serve --workers N`` (a subprocess on loopback, SQLite;
the same application built by ``create_app`` through uvicorn when this checkout has no
``serve`` command yet); sign every user in through the login form; open each URL once per
user (the first view is timed and printed apart: it computes the figure, or waits for the
server's warmer); then, per URL, every user thread sends ``--rounds`` requests back to
back, all threads released at once.

The work screens: ``--claim-pages N`` measures the claim page of N claims picked from the
database (the N highest-priority open work items of the role's streams, as a worker opens
them from the queue); user ``u`` asks claim ``(u + round x users) mod N``, so users read
different claims at once; with N = users x rounds no claim is read twice (each view the first
of its claim: the server's kept pages cannot help), with N = users each user rereads one.
``--take-next`` measures "take next" as the browser sends it: the queue form's POST
/queue/next with the session's CSRF token, answered by a 303 to the claim page
(the redirect is not followed: the claim page is its own row). A role that may assign
(leader, admin) then gives the item back to the queue (POST /queue/items/{id}/assign with no
user, not timed but sent under the same load), so every round takes from the same queue and
a run leaves every item unassigned as it found it (a taken item stays "in review", and its
history shows the take and the give-back); any other role keeps what it took (users x
rounds items leave the unassigned queue per run). The baseline, a static file
(``/static/app.css``), is measured the same way in the same run, so the ratio still means
something on a loaded machine. A URL that answers 404 prints "not available" (pages merged
later are measured when they exist). Target: p95 <= 300 ms on SQLite for the dashboard,
the Pareto and their JSON twins at >= 500,000 claim lines.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "/static/app.css"
LOGIN_CSRF_COOKIE = "denialscope_login_csrf"  # web.auth.LOGIN_CSRF_COOKIE
URLS = ("/dashboard", "/dashboard.json", "/pareto", "/pareto.json")
# The demo writes about 2.5 claim lines per original claim (measured: --claims 1000 gave
# 2,515 lines, resubmissions included): 210,000 claims clear 500,000 lines.
FULL_CLAIMS = 210_000
TARGET_LINES = 500_000
PASSWORD = "bench password 1234"
ROLE = "leader"
TAKE_NEXT = "POST /queue/next"


@dataclass
class Measured:
    url: str
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    available: bool = True
    failures: dict[str, int] = field(default_factory=dict)  # "HTTP 500": 12

    def percentile(self, share: float) -> float:
        ordered = sorted(self.seconds)
        if not ordered:
            return float("nan")
        rank = max(1, math.ceil(share * len(ordered)))  # the nearest-rank percentile
        return ordered[rank - 1]


def _database(data_dir: Path) -> Path:
    return data_dir / "denialscope.db"


def build_demo(data_dir: Path, claims: int) -> None:
    """``denialscope demo`` into ``data_dir``, its output streamed as it comes."""
    print(f"building the demo: {claims:,} claims into {data_dir} (this takes a while)", flush=True)
    command = [_cli(), "demo", "--claims", str(claims), "--data-dir", str(data_dir)]
    started = time.monotonic()
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as p:
        assert p.stdout is not None
        for line in p.stdout:
            print(f"  [{time.monotonic() - started:6.0f} s] {line.rstrip()}", flush=True)
    if p.returncode != 0:
        raise SystemExit(f"denialscope demo failed (exit {p.returncode})")


def _cli() -> str:
    found = Path(sys.executable).with_name("denialscope")
    return str(found) if found.exists() else (shutil.which("denialscope") or "denialscope")


def count_lines(data_dir: Path) -> tuple[int, int]:
    with sqlite3.connect(_database(data_dir)) as connection:
        claims = connection.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
        lines = connection.execute("SELECT COUNT(*) FROM claim_lines").fetchone()[0]
    return int(claims), int(lines)


def add_users(data_dir: Path, count: int, role: str = ROLE) -> list[str]:
    """``count`` accounts of ``role`` (kept when they exist), through the application's models."""
    from sqlalchemy import select

    from denialscope.db.engine import open_database
    from denialscope.web.auth import hash_password
    from denialscope.web.models import WebUser

    prefix = "bench" if role == ROLE else f"bench-{role}-"  # the leaders keep their old names
    names = [f"{prefix}{number:02d}" for number in range(1, count + 1)]
    engine, factory = open_database(f"sqlite:///{_database(data_dir)}", migrate=True)
    try:
        with factory() as session:
            known = set(session.scalars(select(WebUser.username)))
            hashed = hash_password(PASSWORD)
            for name in names:
                if name not in known:
                    session.add(WebUser(username=name, role=role, password_hash=hashed))
            session.commit()
    finally:
        engine.dispose()
    return names


def claim_ids(data_dir: Path, role: str, count: int) -> list[int]:
    """The claims of the ``count`` highest-priority open work items of ``role``'s streams."""
    from denialscope.web.principal import Role, streams_of
    from denialscope.workqueue.models import OPEN_STATUSES

    streams = sorted(streams_of(Role(role)))
    marks = ", ".join("?" * len(streams))
    statuses = ", ".join("?" * len(OPEN_STATUSES))
    query = (
        f"SELECT claim_id FROM work_items WHERE stream IN ({marks}) AND status IN ({statuses})"
        " ORDER BY priority IS NULL, priority DESC, id LIMIT ?"
    )
    with sqlite3.connect(_database(data_dir)) as connection:
        rows = connection.execute(query, (*streams, *OPEN_STATUSES, count)).fetchall()
    return [int(row[0]) for row in rows]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _has_serve() -> bool:
    shown = subprocess.run([_cli(), "--help"], capture_output=True, text=True, check=False)
    return " serve " in shown.stdout or "│ serve" in shown.stdout


def start_server(data_dir: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DENIALSCOPE_DATA_DIR": str(data_dir)}
    env.pop("DENIALSCOPE_DATABASE_URL", None)
    if _has_serve():
        command = [_cli(), "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--data-dir", str(data_dir), "--workers", str(workers)]  # fmt: skip
    else:  # this checkout predates `denialscope serve`: the same app through uvicorn
        code = (
            "import sys, uvicorn\n"
            "from denialscope.settings import Settings\n"
            "from denialscope.web.app import create_app\n"
            "settings = Settings.resolve(data_dir=sys.argv[1])\n"
            "uvicorn.run(create_app(settings=settings), host='127.0.0.1', port=int(sys.argv[2]),"
            " log_level='warning')\n"
        )
        command = [sys.executable, "-c", code, str(data_dir), str(port)]
    shown = " ".join(command[:2]) if _has_serve() else "create_app under uvicorn (no serve yet)"
    print(f"starting the server: {shown} on 127.0.0.1:{port}", flush=True)
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start (exit {server.returncode})")
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return server
        except httpx2.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not answer /login within 180 s")


def _cpu_seconds(root: int) -> float:
    """CPU seconds used so far by process ``root`` and its children (the server's workers),
    from /proc (Linux): 0.0 where it cannot be read."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def settle(server: subprocess.Popen[bytes], limit_s: float = 600.0) -> float:
    """Wait until the server is idle: its start-up work done (the figure warmer computes the
    leaders' figures at start, tens of seconds of CPU at 500,000 lines, which would be
    measured as every page's latency). Idle: under 0.2 CPU seconds in a 2-second window.
    Returns the seconds waited."""
    began = time.monotonic()
    last = _cpu_seconds(server.pid)
    while time.monotonic() - began < limit_s:
        time.sleep(2.0)
        now = _cpu_seconds(server.pid)
        if now - last < 0.2:
            break
        last = now
    return time.monotonic() - began


def csrf_token(client: httpx2.Client) -> str:
    """The session's CSRF token, as a page carries it (``<meta name="csrf-token">``)."""
    page = client.get("/session").text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    if found is None:
        raise SystemExit("no CSRF token on /session: cannot measure take next")
    return found.group(1)


def sign_in(base: str, username: str) -> httpx2.Client:
    client = httpx2.Client(base_url=base, timeout=120, follow_redirects=False)
    client.get("/login")  # as a browser: the form sets the login CSRF cookie its field repeats
    token = client.cookies.get(LOGIN_CSRF_COOKIE) or ""
    form = {"username": username, "password": PASSWORD, "csrf_token": token}
    answer = client.post("/login", data=form)
    if answer.status_code != 303:
        client.close()
        raise SystemExit(f"signing in {username} failed: HTTP {answer.status_code}")
    return client


Send = Callable[[httpx2.Client, int, int], httpx2.Response]  # (client, user, round)


def getter(urls: list[str]) -> Send:
    """User ``u`` in round ``r`` asks ``urls[(u + r) % len(urls)]``."""

    def send(client: httpx2.Client, user: int, round_: int) -> httpx2.Response:
        return client.get(urls[(user + round_) % len(urls)])

    return send


def spread(urls: list[str], users: int) -> Send:
    """User ``u`` in round ``r`` asks ``urls[(u + r * users) % len(urls)]``: in a round the
    users read different URLs (when there are at least as many), and with ``users x rounds``
    URLs no URL is read twice (every view is the first of its claim: nothing kept helps)."""

    def send(client: httpx2.Client, user: int, round_: int) -> httpx2.Response:
        return client.get(urls[(user + round_ * users) % len(urls)])

    return send


def measure(
    clients: list[httpx2.Client],
    url: str,
    rounds: int,
    send: Send | None = None,
    expect: int = 200,
    after: Callable[[httpx2.Client, httpx2.Response], None] | None = None,
) -> Measured:
    """Every client sends ``rounds`` requests back to back, all starting at once.

    ``send`` makes one request (default: GET ``url``); ``expect`` is the status of a success;
    ``after`` runs, untimed, after each request (take next's give-back)."""
    result = Measured(url)
    send = send or getter([url])
    if url != TAKE_NEXT:  # a POST is not probed: it would take an item
        probe = send(clients[0], 0, 0)
        if probe.status_code == 404:
            result.available = False
            return result
    lock = threading.Lock()
    start = threading.Barrier(len(clients))

    def user(number: int, client: httpx2.Client) -> None:
        start.wait()
        for round_ in range(rounds):
            answer = None
            began = time.perf_counter()
            try:
                answer = send(client, number, round_)
                _ = answer.content
                ok = answer.status_code == expect
                failure = None if ok else f"HTTP {answer.status_code}"
            except httpx2.HTTPError as error:  # a reset connection counts, it does not stop us
                failure = type(error).__name__
            took = time.perf_counter() - began
            if failure is None and after is not None and answer is not None:
                try:
                    after(client, answer)
                except (httpx2.HTTPError, ValueError) as error:
                    failure = f"give-back {type(error).__name__}: {error}"[:80]
            with lock:
                result.seconds.append(took)
                if failure is not None:
                    result.errors += 1
                    result.failures[failure] = result.failures.get(failure, 0) + 1

    threads = [
        threading.Thread(target=user, args=(number, client))
        for number, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def take_next(
    clients: list[httpx2.Client], rounds: int, role: str, queue_url: str = "/queue/next"
) -> Measured:
    """``rounds`` "take next" per user (the form's POST, 303 to the claim page); a lead gives
    the item back after each (untimed), anyone else keeps it."""
    from denialscope.web.principal import Role, permission_matrix

    tokens = {id(client): csrf_token(client) for client in clients}
    gives_back = Role(role) in permission_matrix()["assign_items"]

    def send(client: httpx2.Client, user: int, round_: int) -> httpx2.Response:
        return client.post(queue_url, data={"csrf_token": tokens[id(client)]})

    def give_back(client: httpx2.Client, answer: httpx2.Response) -> None:
        target = answer.headers.get("location", "")
        found = re.search(r"[?&]item=(\d+)", target)
        if found is None:  # "/queue?notice=empty": nothing left to take
            raise ValueError(f"nothing taken ({target})")
        if gives_back:
            form = {"csrf_token": tokens[id(client)], "user": ""}
            back = client.post(f"/queue/items/{found.group(1)}/assign", data=form)
            if back.status_code != 303:
                raise ValueError(f"HTTP {back.status_code}")

    return measure(clients, TAKE_NEXT, rounds, send=send, expect=303, after=give_back)


def report(rows: list[Measured], baseline: Measured, target_ms: float) -> str:
    base50, base95 = baseline.percentile(0.5), baseline.percentile(0.95)
    lines = [
        f"{'url':<22} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'errors':>6} {'p50 ×base':>10} {'p95 ×base':>10}  target p95 <= {target_ms:.0f} ms"
    ]
    for row in [baseline, *rows]:
        if not row.available:
            lines.append(f"{row.url:<22} not available (HTTP 404)")
            continue
        p50, p95 = row.percentile(0.5), row.percentile(0.95)
        verdict = "" if row is baseline else ("  met" if p95 * 1000 <= target_ms else "  MISSED")
        lines.append(
            f"{row.url:<22} {len(row.seconds):>8,} {p50 * 1000:>8.1f} {p95 * 1000:>8.1f} "
            f"{max(row.seconds) * 1000:>8.1f} {row.errors:>6} {p50 / base50:>10.1f} "
            f"{p95 / base95:>10.1f}{verdict}"
        )
    for row in [baseline, *rows]:
        if row.failures:
            kinds = ", ".join(f"{kind} × {n:,}" for kind, n in sorted(row.failures.items()))
            lines.append(f"failed requests of {row.url}: {kinds} (timed all the same)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="Demo folder (built when it has no db).")
    parser.add_argument("--claims", type=int, default=FULL_CLAIMS, help="Demo size to build.")
    parser.add_argument("--users", type=int, default=20, help="Concurrent signed-in users.")
    parser.add_argument("--rounds", type=int, default=10, help="Requests per user and URL.")
    parser.add_argument("--url", action="append", help="A URL to measure (repeatable).")
    parser.add_argument("--target-ms", type=float, default=300.0)
    parser.add_argument("--role", default=ROLE, help="Role of the signed-in users.")
    parser.add_argument(
        "--claim-pages", type=int, default=0, metavar="N",
        help="Measure the claim page of N claims of the role's streams (each user cycles).",
    )  # fmt: skip
    parser.add_argument(
        "--take-next", action="store_true", help='Measure "take next" (POST /queue/next).'
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="Server processes (denialscope serve --workers)."
    )
    args = parser.parse_args(argv)
    data_dir = args.data_dir or ROOT / "benchmarks" / "out" / f"web-latency-{args.claims}"
    if not _database(data_dir).exists():
        build_demo(data_dir, args.claims)
    else:
        print(f"reusing the demo in {data_dir}", flush=True)
    claims, lines = count_lines(data_dir)
    note = "" if lines >= TARGET_LINES else f" (below the {TARGET_LINES:,} of the target)"
    print(f"database: {claims:,} claims, {lines:,} claim lines{note}", flush=True)
    users = add_users(data_dir, args.users, args.role)
    claims_read = claim_ids(data_dir, args.role, args.claim_pages) if args.claim_pages else []
    if args.claim_pages and not claims_read:
        raise SystemExit(f"no open work item of the {args.role} role's streams: no claim page")
    port = _free_port()
    server = start_server(data_dir, port, args.workers)
    clients: list[httpx2.Client] = []
    try:
        waited = settle(server)
        print(f"server idle after {waited:,.0f} s (its start-up warming done)", flush=True)
        base = f"http://127.0.0.1:{port}"
        clients = [sign_in(base, name) for name in users]
        print(
            f"{len(clients)} users signed in as {args.role}; warming up each URL once", flush=True
        )
        work = bool(claims_read or args.take_next)
        urls = tuple(args.url or ([] if work else URLS))
        claim_urls = [f"/claims/{claim}" for claim in claims_read]
        for url in (BASELINE, *urls, *claim_urls[:1]):
            # The first view after start computes the figure (or waits for serve's warmer):
            # timed apart, it is what the first leader after a data change would wait.
            began = time.perf_counter()
            clients[0].get(url)
            print(f"  first {url}: {time.perf_counter() - began:,.1f} s", flush=True)
            for client in clients[1:]:  # every connection once: each server process warm
                client.get(url)
        baseline = measure(clients, BASELINE, args.rounds)
        rows = [measure(clients, url, args.rounds) for url in urls]
        if claim_urls:
            label = f"/claims/{{id}} ×{len(claim_urls)}"
            send = spread(claim_urls, len(clients))
            rows.append(measure(clients, label, args.rounds, send=send))
        if args.take_next:
            rows.append(take_next(clients, args.rounds, args.role))
        print(
            f"\n{args.users} concurrent users ({args.role}) × {args.rounds} requests per URL, "
            f"SQLite, {lines:,} claim lines, loopback, {args.workers} server process(es)"
        )
        print(report(rows, baseline, args.target_ms))
    finally:
        for client in clients:
            client.close()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
