"""Fixtures of the web tests.

web              signed-in clients per role on a fresh, empty database (SQLite and PostgreSQL)
demo_web         the same on a private copy of the session's demo database (SQLite)
live_demo        the application served by uvicorn on loopback, on a demo copy (browser tests)
browser          Debian's Chromium driven by Playwright (never `playwright install`)
page_as          page_as("leader") -> a Playwright page signed in as that role
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from factories.demo_db import DemoDatabase
from factories.web import PASSWORD, WebClients, add_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def web(migrated_database_url: str, tmp_path: Path) -> Iterator[WebClients]:
    clients = WebClients(migrated_database_url, tmp_path / "data")
    yield clients
    clients.close()


@pytest.fixture
def demo_web(demo_database: DemoDatabase, tmp_path: Path) -> Iterator[WebClients]:
    clients = WebClients(demo_database.copy_to(tmp_path / "db"), tmp_path / "data")
    yield clients
    clients.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class LiveServer:
    base_url: str  # http://127.0.0.1:PORT
    database_url: str


@pytest.fixture(scope="module")
def live_demo(
    demo_database: DemoDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The app on a demo copy, served by uvicorn in a thread (module-wide: starting is slow)."""
    import uvicorn

    from denialscope.settings import Settings
    from denialscope.web.app import create_app

    folder = tmp_path_factory.mktemp("live")
    url = demo_database.copy_to(folder)
    settings = Settings(data_dir=folder / "data", database_url=url)
    settings.data_dir.mkdir()
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings=settings), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:  # readiness, not timing: waits until uvicorn says it listens
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", url)
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("DENIALSCOPE_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (scripts/test installs chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page_as(live_demo: LiveServer, browser: Any) -> Iterator[Callable[[str], Any]]:
    """page_as(role): a new browser context signed in through the login form."""
    base, url = live_demo.base_url, live_demo.database_url
    contexts: list[Any] = []

    def sign_in(role: str) -> Any:
        add_user(url, role, role)
        context = browser.new_context(base_url=base, viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", role)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    yield sign_in
    for context in contexts:
        context.close()
