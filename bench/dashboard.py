"""The proctor dashboard with a full sitting: how long one refresh takes for N candidates.

    python -m bench dashboard [--candidates 500] [--refreshes 200] [--proctors 10] [--seconds 30]
                                         [--database-url URL] [--json]

Seeds a scratch database through the services (every candidate started, answers saved, browser signals reported,
one in fifty paused by the proctor), then measures:

1. in process, one request at a time: the dashboard page, its self-refreshing rows fragment and the live-rows API,
   as the proctor, with the SQL statements each request costs (counted with an engine event; transaction control
   such as SQLite's BEGIN is counted apart);
2. over HTTP against a real uvicorn server on the same database (one worker, as `examengine serve` starts it): the
   fragment refreshed by one client sequentially, then by `--proctors` proctors each polling every 5 seconds as the
   page does (an open-loop schedule, so a slow answer shows as latency).

The statement count must not depend on the number of candidates (tests/proctoring/test_dashboard_queries.py checks
it); the target is p95 <= 100 ms with 500 candidates. The load average before and after is printed because other
work on the machine moves the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import anyio
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from starlette.testclient import TestClient

from bench import servers
from bench.driver import Driver, Recorder, open_loop
from bench.figures import latency_summary
from bench.seed import TOKEN_LIFETIME, seed
from examengine import migrate
from examengine.accounts import credentials
from examengine.accounts.models import CredentialKind, User
from examengine.app import create_app
from examengine.context import Services
from examengine.delivery import answers, attempts, presented, start
from examengine.delivery.models import Attempt
from examengine.scoring import retake
from examengine.settings import Settings
from examengine.web.auth import SESSION_COOKIE

SIGNALS = ("focus_lost", "paste_attempt", "fullscreen_exit", "visibility_hidden")
PAUSED_EVERY = 50
POLL_SECONDS = 5  # the page's hx-trigger
FRAGMENT_HEADERS = {"HX-Request": "true", "HX-Target": "live-rows"}
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
T = TypeVar("T")


def _in_own_thread(fn: Callable[[], T]) -> T:
    """Run an event loop's work in a thread of its own: the caller's thread may already run a loop (the test
    session's Playwright does), where anyio.run and asyncio.run refuse to start."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(fn).result()


def _first_shown(*, session: Session, attempt_id: str, slot: int) -> Any:
    """An answer as the candidate sends it: the first option their attempt shows for the slot ("A" for text)."""
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None
    shown = presented.slot_presentation(session, attempt, slot)
    one = shown.interactions.get(shown.single or "")
    return one.choice_ids[one.choices[0]] if one is not None and one.choices else "A"


def populate(services: Services, candidates: int) -> tuple[str, str, str]:
    """A sitting with every candidate started (one in fifty paused); returns the sitting id and the proctor's browser
    session and API tokens."""
    seeded = seed(services.db, services.passwords, candidates=candidates, bank=100, time_limit_minutes=120)
    rng = random.Random(7)

    async def start_all() -> list[tuple[str, str]]:
        started = []
        for person in seeded.candidates:
            outcome = await start.start_attempt(
                services.db, sitting_id=seeded.sitting_id, user_id=person.user_id, eligible=retake.eligibility
            )
            started.append((outcome.view.attempt_id, person.user_id))
        return started

    def proctor_id(*, session: Session) -> str:
        email = f"bench-{seeded.run_id}-proctor@example.org"
        return session.scalars(select(col(User.id)).where(col(User.email) == email)).one()

    proctor = services.db.call(proctor_id)

    async def answer_all(started: list[tuple[str, str]]) -> None:
        for n, (attempt_id, user_id) in enumerate(started):
            for slot in range(1, rng.randint(1, seeded.form_items) + 1):
                shown = await services.db.read(_first_shown, attempt_id=attempt_id, slot=slot)
                await answers.save_answer(
                    services.db, attempt_id=attempt_id, user_id=user_id, slot=slot, response=shown, seq=1
                )
            for kind in rng.sample(SIGNALS, rng.randint(0, 2)):
                await services.db.run(
                    answers.report_event, attempt_id=attempt_id, user_id=user_id, kind=kind, client_time=None, detail={}
                )
            if n % PAUSED_EVERY == PAUSED_EVERY - 1:
                await services.db.run(attempts.pause, attempt_id=attempt_id, actor_id=proctor, reason="bench: paused")

    async def start_and_answer_all() -> None:
        await answer_all(await start_all())

    _in_own_thread(lambda: anyio.run(start_and_answer_all))

    def proctor_tokens(*, session: Session) -> tuple[str, str]:
        web, api = (
            credentials.issue(session=session, user_id=proctor, kind=kind, lifetime=TOKEN_LIFETIME).token
            for kind in (CredentialKind.WEB, CredentialKind.API)
        )
        return web, api

    return seeded.sitting_id, *services.db.call(proctor_tokens)


class StatementCounter:
    """Counts the SQL statements every engine of this process sends, transaction control apart."""

    def __init__(self) -> None:
        self.queries = 0
        self.transaction_control = 0
        event.listen(Engine, "before_cursor_execute", self._count)

    def _count(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.transaction_control += 1
        else:
            self.queries += 1

    def reset(self) -> None:
        self.queries = self.transaction_control = 0

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._count)


def measure_in_process(settings: Settings, sitting_id: str, web: str, api: str, refreshes: int) -> dict[str, Any]:
    page = f"/proctor/sittings/{sitting_id}"
    requests = {
        "dashboard page": (page, {}),
        "rows fragment (htmx refresh)": (page, FRAGMENT_HEADERS),
        "live rows API": (f"/api/v1/sittings/{sitting_id}/attempts", {"Authorization": f"Bearer {api}"}),
    }
    found: dict[str, Any] = {}
    counter = StatementCounter()
    try:
        with TestClient(create_app(settings), base_url="https://testserver") as client:
            client.cookies.set(SESSION_COOKIE, web)
            for name, (path, headers) in requests.items():
                assert client.get(path, headers=headers).status_code == 200, name  # warm up, and it must work
                counter.reset()
                samples = []
                cpu = time.process_time()
                for _ in range(refreshes):
                    began = time.perf_counter()
                    response = client.get(path, headers=headers)
                    samples.append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200, name
                found[name] = {
                    **latency_summary(samples),
                    "cpu_ms_per_request": round((time.process_time() - cpu) * 1000 / refreshes, 1),
                    "sql_per_request": round(counter.queries / refreshes, 2),
                    "transaction_control_per_request": round(counter.transaction_control / refreshes, 2),
                    "bytes": len(response.content),
                }
    finally:
        counter.close()
    return found


async def _over_http(
    server: servers.Server, sitting_id: str, web: str, *, refreshes: int, proctors: int, seconds: float
) -> dict[str, Any]:
    path = f"/proctor/sittings/{sitting_id}"
    headers = {**FRAGMENT_HEADERS, "Cookie": f"{SESSION_COOKIE}={web}"}
    found: dict[str, Any] = {}
    async with Driver(server, connections=max(proctors, 1)) as driver:
        warm_up = Recorder("warm-up")
        assert await driver.request(warm_up, "GET", path, driver.now(), headers=headers) is not None, warm_up.errors
        sequential = Recorder("one client, sequential")

        async def one_after_another() -> None:
            for _ in range(refreshes):
                await driver.request(sequential, "GET", path, driver.now(), headers=headers)

        await driver.phase(sequential, one_after_another())
        polling = Recorder(f"{proctors} proctors polling every {POLL_SECONDS} s")

        async def send(_n: int, intended: float) -> None:
            await driver.request(polling, "GET", path, intended, headers=headers)

        await driver.phase(polling, open_loop(proctors / POLL_SECONDS, seconds, send))
        for recorder in (sequential, polling):
            found[recorder.name] = {
                **latency_summary(recorder.latencies_ms),
                "errors": dict(recorder.errors),
                "server_cpu_ms_per_request": round(recorder.server_cpu_seconds * 1000 / max(recorder.count, 1), 1),
            }
    return found


def measure_over_http(
    database_url: str, sitting_id: str, web: str, *, refreshes: int, proctors: int, seconds: float
) -> dict[str, Any]:
    env = {"DATABASE_URL": database_url, "EXAMENGINE_SCHEDULER": "off"}
    server = servers.start("dashboard", "examengine.asgi:app", env)
    try:
        work = _over_http(server, sitting_id, web, refreshes=refreshes, proctors=proctors, seconds=seconds)
        return _in_own_thread(lambda: asyncio.run(work))
    finally:
        server.stop()


def measure(
    database_url: str, candidates: int, refreshes: int, *, proctors: int = 10, seconds: float = 30
) -> dict[str, Any]:
    settings = Settings(database_url=database_url, scheduler="off")
    services = Services.build(settings)
    migrate.upgrade(services.db.engine)
    sitting_id, web, api = populate(services, candidates)
    services.db.dispose()
    results: dict[str, Any] = {
        "candidates": candidates,
        "refreshes": refreshes,
        "cpus": os.cpu_count(),
        "load_average_before": [round(load, 2) for load in os.getloadavg()],
    }
    results["in_process"] = measure_in_process(settings, sitting_id, web, api, refreshes)
    results["over_http"] = measure_over_http(
        database_url, sitting_id, web, refreshes=refreshes, proctors=proctors, seconds=seconds
    )
    results["load_average_after"] = [round(load, 2) for load in os.getloadavg()]
    return results


def _table(results: dict[str, Any]) -> str:
    head = f"{'':34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    lines = [
        f"Proctor dashboard, {results['candidates']} candidates in one sitting, {results['refreshes']} refreshes"
        f" each; {results['cpus']} CPUs, load average {results['load_average_before']} before,"
        f" {results['load_average_after']} after",
        "",
        f"In process, one request at a time {head[34:]} {'CPU ms':>7} {'SQL':>5} {'+txn':>5} {'kB':>5}",
    ]
    for name, row in results["in_process"].items():
        lines.append(
            f"  {name:32} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['p99_ms']:8.1f} {row['max_ms']:8.1f} "
            f"{row['cpu_ms_per_request']:7.1f} {row['sql_per_request']:5} {row['transaction_control_per_request']:5} "
            f"{row['bytes'] / 1024:5.0f}"
        )
    lines += ["", f"Over HTTP, rows fragment{head[24:]} {'CPU ms':>7} {'n':>5} {'errors':>7}"]
    for name, row in results["over_http"].items():
        lines.append(
            f"  {name:32} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['p99_ms']:8.1f} {row['max_ms']:8.1f} "
            f"{row['server_cpu_ms_per_request']:7.1f} {row['n']:5} {sum(row['errors'].values()):7}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench dashboard", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--refreshes", type=int, default=200, help="requests per measurement (default 200)")
    parser.add_argument("--proctors", type=int, default=10, help="proctors polling at once over HTTP (default 10)")
    parser.add_argument("--seconds", type=float, default=30, help="how long they poll (default 30)")
    parser.add_argument("--database-url", help="default: a scratch SQLite file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'dashboard-bench.db'}"
        results = measure(url, args.candidates, args.refreshes, proctors=args.proctors, seconds=args.seconds)
    print(json.dumps(results, indent=2) if args.json else _table(results))


if __name__ == "__main__":
    main()
