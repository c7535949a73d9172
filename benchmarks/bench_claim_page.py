"""Claim-page latency: p50/p95 of ``/claims/{id}`` under concurrent signed-in users.

    python benchmarks/bench_claim_page.py --database sqlite:///data/denialscope.db
    python benchmarks/bench_claim_page.py --database URL --users 20 --requests 400

The database is a loaded one (``denialscope demo`` builds one); it gets a benchmark user
(role leader) and audit rows (each view of a claim page is audited), so use a copy. The app
runs under uvicorn on loopback; ``--users`` threads each sign in and open claim pages of
denied claims, round robin. In the same run, ``/session.json`` (signed in, no data) is
measured the same way: the baseline, so the ratio says what the page itself costs.
Target (issue 15 item 7): p95 <= 300 ms with 20 users.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import socket
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tempfile import TemporaryDirectory

import uvicorn
from sqlalchemy import select

from denialscope.db.engine import open_database
from denialscope.settings import Settings
from denialscope.web.app import create_app
from denialscope.web.auth import hash_password
from denialscope.web.models import WebUser
from denialscope.workqueue.models import WorkItem

USER, PASSWORD = "bench-leader", "benchmark password 1"


def _prepare(url: str, claims: int) -> list[int]:
    engine, factory = open_database(url, migrate=True)
    try:
        with factory() as session:
            if session.scalar(select(WebUser.id).where(WebUser.username == USER)) is None:
                session.add(
                    WebUser(username=USER, role="leader", password_hash=hash_password(PASSWORD))
                )
                session.commit()
            ids = list(session.scalars(select(WorkItem.claim_id).order_by(WorkItem.id)))
    finally:
        engine.dispose()
    if not ids:
        raise SystemExit("no work item in this database: load one (denialscope demo) first")
    return ids[:claims]


def _serve(url: str, data_dir: Path) -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(settings=Settings(data_dir=data_dir, database_url=url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


class _User:
    """A signed-in browser: a cookie jar (the session cookie) and one keep-alive-less opener."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        fields = {"username": USER, "password": PASSWORD, "next": "/session.json"}
        form = urllib.parse.urlencode(fields).encode()
        with self.opener.open(f"{base}/login", data=form, timeout=60) as response:
            response.read()  # 303 to /session.json, followed
        if not any(cookie.name for cookie in jar):
            raise SystemExit("sign-in failed: no session cookie")

    def get(self, path: str) -> int:
        try:
            with self.opener.open(f"{self.base}{path}", timeout=60) as response:
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code


def _measure(base: str, paths: list[str], users: int, requests: int) -> list[float]:
    """Each of ``users`` threads signs in, then opens its share of ``requests`` pages."""
    took: list[float] = []
    lock = threading.Lock()
    signed_in = [_User(base) for _ in range(users)]  # one after the other: not measured

    def user(number: int) -> None:
        client = signed_in[number]
        for index in range(number, requests, users):
            path = paths[index % len(paths)]
            start = time.perf_counter()
            status = client.get(path)
            elapsed = time.perf_counter() - start
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}")
            with lock:
                took.append(elapsed)

    with ThreadPoolExecutor(max_workers=users) as pool:
        for done in [pool.submit(user, n) for n in range(users)]:
            done.result()
    return took


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a loaded database")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--claims", type=int, default=100, help="distinct claims opened")
    args = parser.parse_args()
    ids = _prepare(args.database, args.claims)
    with TemporaryDirectory() as folder:
        server, base = _serve(args.database, Path(folder))
        try:
            _User(base).get(f"/claims/{ids[0]}")  # first use loads the classification
            baseline = _measure(base, ["/session.json"], args.users, args.requests)
            page = _measure(base, [f"/claims/{i}" for i in ids], args.users, args.requests)
        finally:
            server.should_exit = True
    for name, took in (("/session.json (baseline)", baseline), ("/claims/{id}", page)):
        print(
            f"{name:26} {len(took):5,} requests, {args.users} users: "
            f"p50 {_p(took, 0.5):7.1f} ms  p95 {_p(took, 0.95):7.1f} ms  "
            f"mean {statistics.fmean(took) * 1000:7.1f} ms"
        )
    ratio = _p(page, 0.95) / _p(baseline, 0.95)
    print(f"p95 ratio page/baseline: {ratio:.1f}x (target: page p95 <= 300 ms)")


if __name__ == "__main__":
    main()
