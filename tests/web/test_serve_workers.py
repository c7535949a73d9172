"""`denialscope serve --workers 2`: two server processes on one socket, each building the
application from the environment the command set (the database migrated once before)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from web.test_auth_serve import free_port


def _cli() -> str:
    return str(Path(sys.executable).with_name("denialscope"))


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_two_worker_processes_answer_on_a_fresh_database(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DENIALSCOPE_")}
    command = [_cli(), "serve", "--workers", "2", "--port", str(port),
               "--data-dir", str(tmp_path / "data")]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:  # readiness: poll until it answers (or gave up), never a fixed wait
            assert server.poll() is None, "the server stopped at start"
            try:
                if _get(f"{base}/login") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the workers did not answer within 120 s"
            time.sleep(0.2)
        assert [_get(f"{base}/login") for _ in range(6)] == [200] * 6
        assert _get(f"{base}/dashboard.json") == 401  # each worker checks the session
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output, _ = server.communicate(timeout=60)  # reads and closes the pipe
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate(timeout=30)
    assert output.count("Started server process") >= 2, output  # two workers ran
    assert (tmp_path / "data" / "denialscope.db").exists()


def test_a_server_process_lets_a_waiting_thread_in_after_1_ms(tmp_path: Path) -> None:
    # SQLite gives the interpreter up around every statement; at Python's default 5 ms a
    # request's statements each waited up to that beside rendering threads
    # (benchmarks/bench_switch_interval.py). The tests' own apps keep the default.
    from denialscope.cli.serve import server
    from denialscope.settings import Settings
    from denialscope.web.app import SERVER_SWITCH_INTERVAL_S, create_app

    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        create_app(settings=Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/a.db"))
        assert sys.getswitchinterval() == 0.005
        settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/b.db")
        server(settings, host="127.0.0.1", port=free_port(), forwarded_allow_ips="127.0.0.1")
        assert sys.getswitchinterval() == SERVER_SWITCH_INTERVAL_S == 0.001
    finally:
        sys.setswitchinterval(before)
