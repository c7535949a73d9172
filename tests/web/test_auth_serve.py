"""`denialscope serve`'s server: behind a trusted proxy the cookies are Secure (the proxy's
X-Forwarded-Proto is believed), from an untrusted address they are not; the access log never
shows a query string."""

from __future__ import annotations

import logging
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from denialscope.cli.serve import QueryStringFilter, server
from denialscope.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def _serving(url: str, data_dir: Path, trusted: str) -> Iterator[str]:
    port = free_port()
    running = server(
        Settings(data_dir=data_dir, database_url=url),
        host="127.0.0.1",
        port=port,
        forwarded_allow_ips=trusted,
    )
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started:  # readiness, not timing: uvicorn says when it listens
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=30)


def _login_cookie(base: str) -> str:
    request = urllib.request.Request(f"{base}/login", headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(response.headers["set-cookie"])


@pytest.mark.parametrize(("trusted", "secure"), [("127.0.0.1", True), ("10.9.9.9", False)])
def test_cookies_are_secure_behind_a_trusted_tls_proxy(
    migrated_database_url: str, tmp_path: Path, trusted: str, secure: bool
) -> None:
    with _serving(migrated_database_url, tmp_path, trusted) as base:
        cookie = _login_cookie(base)
    assert "HttpOnly" in cookie
    assert ("Secure" in cookie) is secure


def test_the_access_log_drops_query_strings() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/claims?patient=DOE", "1.1", 200), None,
    )  # fmt: skip
    assert QueryStringFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /claims HTTP/1.1" 200'
