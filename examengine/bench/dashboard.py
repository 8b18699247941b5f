"""The proctor dashboard with a full sitting: how long one refresh takes for N candidates in progress.

    python -m examengine.bench.dashboard [--candidates 500] [--refreshes 60] [--database-url URL] [--json]

Seeds a scratch database through the services (candidates started, answers saved, browser signals reported), then
asks the real app in-process for the dashboard page, its self-refreshing rows fragment and the live-rows API, as the
proctor, and prints p50/p95/max per request and the number of SQL statements one refresh costs.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine import migrate
from examengine.accounts import credentials
from examengine.accounts.models import CredentialKind, User
from examengine.app import create_app
from examengine.bench.itembank import latency_summary
from examengine.bench.seed import TOKEN_LIFETIME, seed
from examengine.context import Services
from examengine.delivery import answers, start
from examengine.settings import Settings
from examengine.web.auth import SESSION_COOKIE

SIGNALS = ("focus_lost", "paste_attempt", "fullscreen_exit", "visibility_hidden")


def _populate(services: Services, candidates: int) -> tuple[str, str, str]:
    """A sitting with every candidate in progress; returns the sitting id and the proctor's browser session and
    API tokens."""
    seeded = seed(services.db, services.passwords, candidates=candidates, bank=100, time_limit_minutes=120)
    rng = random.Random(7)

    async def start_all() -> list[tuple[str, str]]:
        started = []
        for person in seeded.candidates:
            outcome = await start.start_attempt(services.db, sitting_id=seeded.sitting_id, user_id=person.user_id)
            started.append((outcome.view.attempt_id, person.user_id))
        return started

    for attempt_id, user_id in anyio.run(start_all):
        for slot in range(1, rng.randint(1, seeded.form_items) + 1):
            services.db.call(answers.save, attempt_id=attempt_id, user_id=user_id, slot=slot, response="A", seq=1)
        for kind in rng.sample(SIGNALS, rng.randint(0, 2)):
            services.db.call(
                answers.report_event,
                attempt_id=attempt_id,
                user_id=user_id,
                kind=kind,
                client_time=None,
                detail={},
            )

    def proctor_tokens(*, session: Session) -> tuple[str, str]:
        proctor = session.scalars(
            select(User).where(col(User.email) == f"bench-{seeded.run_id}-proctor@example.org")
        ).one()
        web, api = (
            credentials.issue(session=session, user_id=proctor.id, kind=kind, lifetime=TOKEN_LIFETIME).token
            for kind in (CredentialKind.WEB, CredentialKind.API)
        )
        return web, api

    return seeded.sitting_id, *services.db.call(proctor_tokens)


def measure(database_url: str, candidates: int, refreshes: int) -> dict[str, Any]:
    settings = Settings(database_url=database_url, scheduler="off")
    services = Services.build(settings)
    migrate.upgrade(services.db.engine)
    sitting_id, web_token, api_token = _populate(services, candidates)
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(Engine, "before_cursor_execute", count)  # every engine: the app under test builds its own
    results: dict[str, Any] = {"candidates": candidates, "refreshes": refreshes, "requests": {}}
    page = f"/proctor/sittings/{sitting_id}"
    requests = {
        "dashboard page": (page, {}),
        "rows fragment (htmx refresh)": (page, {"HX-Request": "true", "HX-Target": "live-rows"}),
        "live rows API": (f"/api/v1/sittings/{sitting_id}/attempts", {"Authorization": f"Bearer {api_token}"}),
    }
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        client.cookies.set(SESSION_COOKIE, web_token)
        for name, (path, headers) in requests.items():
            assert client.get(path, headers=headers).status_code == 200, name  # warm up, and it must work
            statements = 0
            samples = []
            for _ in range(refreshes):
                began = time.perf_counter()
                response = client.get(path, headers=headers)
                samples.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200
            results["requests"][name] = {
                **latency_summary(sorted(samples)),
                "sql_per_request": round(statements / refreshes, 1),
                "bytes": len(response.content),
            }
    services.db.dispose()
    return results


def _table(results: dict[str, Any]) -> str:
    lines = [
        f"Proctor dashboard, {results['candidates']} candidates in progress, {results['refreshes']} refreshes each",
        f"{'request':32} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL':>5} {'kB':>6}",
    ]
    for name, row in results["requests"].items():
        lines.append(
            f"{name:32} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['max_ms']:8.1f} "
            f"{row['sql_per_request']:5} {row['bytes'] / 1024:6.0f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--refreshes", type=int, default=60)
    parser.add_argument("--database-url", help="default: a scratch SQLite file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'dashboard-bench.db'}"
        results = measure(url, args.candidates, args.refreshes)
    print(json.dumps(results, indent=2) if args.json else _table(results))


if __name__ == "__main__":
    main()
