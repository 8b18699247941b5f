"""Browser tests: Debian's Chromium driven by Playwright against a real server process on each engine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx2
import pytest

from examengine.db import Database
from tests.conftest import ENGINES, REPO_ROOT, fresh_database

T = TypeVar("T")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "examengine.cli", *args], env=env, check=True, capture_output=True, cwd=REPO_ROOT
    )


def call_in_database(url: str, fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a service function in one unit of work on the database at `url` (for `running_server`'s `prepare`)."""
    database = Database(url, group_commit=False)
    try:
        return database.call(fn, **kwargs)
    finally:
        database.dispose()


@contextmanager
def running_server(
    request: pytest.FixtureRequest,
    tmp_dir: Path,
    extra_env: dict[str, str] | None = None,
    prepare: Callable[[str], None] | None = None,
) -> Iterator[str]:
    """The base URL of a real uvicorn process on a fresh, migrated database of the requested engine holding the
    demo data, its environment given `extra_env`; `prepare` is given the database URL before the server starts
    (to insert rows no API makes yet)."""
    with fresh_database(request, request.param, "examengine_live", tmp_dir) as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "EXAMENGINE_SCHEDULER": "off",
            "EXAMENGINE_ARGON2_TIME_COST": "1",
            "EXAMENGINE_ARGON2_MEMORY_KIB": "1024",
            **(extra_env or {}),
        }
        _run_cli(env, "migrate")
        _run_cli(env, "demo")
        if prepare is not None:
            prepare(url)
        port = _free_port()
        log = (tmp_dir / "server.log").open("wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "examengine.asgi:app", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(base, server, tmp_dir / "server.log")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()


@pytest.fixture(scope="module", params=ENGINES)
def live_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real uvicorn process on a fresh, migrated database holding the demo data."""
    with running_server(request, tmp_path_factory.mktemp("live")) as base:
        yield base


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {log_path.read_text()}")
        try:
            if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not become healthy: {log_path.read_text()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (scripts/test does)"
        if os.environ.get("EXAMENGINE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
