"""Two app processes on one PostgreSQL database, as behind a load balancer: all state is in the database.

A candidate alternates between the processes on every request (logging in on one, using the session or token on
the other), saves with seqs on both, and when the deadline passes both processes (their own sweeps, two more
`examengine scheduler --once` processes, and saves arriving at both at the same moment) race to expire the
attempt: it is finalized exactly once, scored once, and every acknowledged save is stored.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session, col

from bench import servers
from bench.seed import Seeded, seed
from examengine import migrate
from examengine.accounts.passwords import Passwords
from examengine.clock import utcnow
from examengine.db import Database
from examengine.delivery.models import Attempt, AttemptEvent, AttemptSlot
from examengine.scoring.models import AttemptResult
from tests.conftest import ENGINES, REPO_ROOT, TEST_ARGON2, fresh_database
from tests.shown import as_shown, shown_option
from tests.web.test_live_stream import Events

FINAL_EVENTS = ("submitted", "expired", "terminated")
SWEEP_WAIT_SECONDS = 40


@pytest.fixture(params=ENGINES)
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        pytest.skip(
            "several app processes share state only through a database server: SQLite is one machine's file, "
            "so this runs on PostgreSQL only"
        )
    with fresh_database(request, "postgresql", "examengine_multi", tmp_path) as url:
        yield url


@pytest.fixture
def setup(shared_url: str) -> Iterator[tuple[Database, Seeded, dict[str, str]]]:
    db = Database(shared_url)
    migrate.upgrade(db.engine)
    seeded = seed(db, Passwords(TEST_ARGON2), candidates=1, bank=100, time_limit_minutes=30)
    env = {
        "DATABASE_URL": shared_url,
        "EXAMENGINE_SCHEDULER": "internal",  # each process sweeps expiry every 5 s, as in production
        "EXAMENGINE_ARGON2_TIME_COST": str(TEST_ARGON2.time_cost),
        "EXAMENGINE_ARGON2_MEMORY_KIB": str(TEST_ARGON2.memory_kib),
    }
    yield db, seeded, env
    db.dispose()


@pytest.fixture
def two_processes(setup: tuple[Database, Seeded, dict[str, str]], tmp_path: Path) -> Iterator[list[str]]:
    started = [servers.start(name, "examengine.asgi:app", setup[2], log_dir=tmp_path) for name in ("a", "b")]
    yield [server.base_url for server in started]
    for server in started:
        server.stop()


def _browser_login(base: str, email: str, password: str) -> str:
    """Log in through the login form; returns the session cookie."""
    with httpx2.Client(base_url=base) as browser:
        page = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf, page.text
        answered = browser.post(
            "/login", data={"email": email, "password": password, "csrf_token": csrf.group(1), "next": "/candidate"}
        )
        assert answered.status_code == 303, answered.text
        return str(answered.cookies["ee_session"])


def _finals(session: Session, attempt_id: str) -> list[str]:
    return list(
        session.scalars(
            select(col(AttemptEvent.type)).where(
                col(AttemptEvent.attempt_id) == attempt_id, col(AttemptEvent.type).in_(FINAL_EVENTS)
            )
        )
    )


@pytest.mark.slow
def test_two_processes_share_everything_and_finalize_exactly_once(
    setup: tuple[Database, Seeded, dict[str, str]], two_processes: list[str]
) -> None:
    db, seeded, env = setup
    a, b = two_processes
    candidate = seeded.candidates[0]
    cookie = {"Cookie": f"ee_session={_browser_login(a, candidate.email, seeded.password)}"}
    login = httpx2.post(f"{b}/api/v1/auth/token", json={"email": candidate.email, "password": seeded.password})
    assert login.status_code == 201
    api = {"Authorization": f"Bearer {login.json()['token']}"}

    started = httpx2.post(f"{a}/api/v1/sittings/{seeded.sitting_id}/attempts", headers=api)
    assert started.status_code == 201
    attempt_id = started.json()["attempt_id"]
    slots = [s["slot"] for section in started.json()["sections"] for s in section["slots"]]
    assert httpx2.post(f"{b}/api/v1/sittings/{seeded.sitting_id}/attempts", headers=api).status_code == 200
    assert httpx2.get(f"{b}/candidate/attempts/{attempt_id}/items/{slots[0]}", headers=cookie).status_code == 200
    assert httpx2.get(f"{a}/api/v1/attempts/{attempt_id}/items/{slots[1]}", headers=api).status_code == 200

    seqs: dict[int, int] = {}
    acked: dict[int, int] = {}
    lock = threading.Lock()

    def save(base: str, slot: int) -> httpx2.Response:
        with lock:
            seq = seqs[slot] = seqs.get(slot, 0) + 1
        sent = httpx2.put(
            f"{base}/api/v1/attempts/{attempt_id}/responses/{slot}",
            json={"response": shown_option(db, attempt_id, slot, seq), "seq": seq},
            headers=api,
        )
        if sent.status_code == 200:
            with lock:
                acked[slot] = max(acked.get(slot, 0), seq)
        return sent

    for n in range(30):
        assert save(two_processes[n % 2], slots[n % 7]).status_code == 200
    state = httpx2.get(f"{b}/api/v1/attempts/{attempt_id}", headers=api).json()
    assert state["responses"] == {str(slot): shown_option(db, attempt_id, slot, seq) for slot, seq in acked.items()}
    page = httpx2.get(f"{a}/candidate/attempts/{attempt_id}/items/{slots[2]}", headers=cookie)
    assert page.status_code == 200

    # The deadline passes: move the clock's start back so that the ledger says the time is up.
    with db.unit_of_work() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None and attempt.allowed_seconds
        deadline = utcnow() - timedelta(seconds=1)
        session.execute(
            update(Attempt)
            .where(col(Attempt.id) == attempt_id)
            .values(started_at=deadline - timedelta(seconds=attempt.allowed_seconds), deadline_at=deadline)
        )
    sweepers = [
        subprocess.Popen(
            [sys.executable, "-m", "examengine.cli", "scheduler", "--once"],
            env={**os.environ, **env},
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    late: list[httpx2.Response] = []
    barrier = threading.Barrier(4)

    def late_save(base: str, slot: int) -> None:
        barrier.wait()
        late.append(save(base, slot))

    racers = [threading.Thread(target=late_save, args=(base, slot)) for base in (a, b) for slot in slots[:2]]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    for sweeper in sweepers:
        output = sweeper.communicate(timeout=60)[0].decode()
        assert sweeper.returncode == 0, output

    assert [r.status_code for r in late] == [409] * 4
    assert {r.json()["error"]["code"] for r in late} == {"attempt_closed"}
    result: dict[str, Any] = {}
    waited = time.monotonic() + SWEEP_WAIT_SECONDS
    while time.monotonic() < waited and not result:
        with db.unit_of_work(write=False) as session:
            results = session.scalar(
                select(func.count()).select_from(AttemptResult).where(col(AttemptResult.attempt_id) == attempt_id)
            )
            if results:
                result = {"results": results, "finals": _finals(session, attempt_id)}
        time.sleep(0.5)
    # Both processes' own sweeps run every 5 s: give each a turn at the finished attempt too.
    time.sleep(6)
    submitted = httpx2.post(f"{b}/api/v1/attempts/{attempt_id}/submit", headers=api)
    assert submitted.status_code == 200 and submitted.json()["status"] == "expired"

    with db.unit_of_work(write=False) as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None and attempt.status == "expired"
        assert attempt.finished_at == deadline
        assert _finals(session, attempt_id) == ["expired"]
        assert (
            session.scalar(
                select(func.count()).select_from(AttemptResult).where(col(AttemptResult.attempt_id) == attempt_id)
            )
            == 1
        )
        stored = {
            row.slot: (row.seq, row.response)
            for row in session.scalars(select(AttemptSlot).where(col(AttemptSlot.attempt_id) == attempt_id))
        }
    assert result == {"results": 1, "finals": ["expired"]}
    assert acked and all(
        stored[slot][0] == seq
        and as_shown(db, attempt_id, slot, stored[slot][1]) == shown_option(db, attempt_id, slot, seq)
        for slot, seq in acked.items()
    )


def _proctor_token(db: Database, seeded: Seeded) -> dict[str, str]:
    from examengine.accounts import service as accounts
    from examengine.accounts.credentials import issue
    from examengine.accounts.models import CredentialKind

    email = f"bench-{seeded.run_id}-proctor@example.org"
    with db.unit_of_work() as session:
        proctor_id = accounts.find_user_id_by_email(session=session, email=email)
        assert proctor_id is not None
        token = issue(session=session, user_id=proctor_id, kind=CredentialKind.API, lifetime=timedelta(hours=1)).token
    return {"Authorization": f"Bearer {token}"}


def _live_until(base: str, attempt_id: str, cookie: dict[str, str], wanted: Any) -> dict[str, Any]:
    """Poll the exam page's live channel on one process until `wanted(state)`, for at most 5 s (the issue's bound)."""
    until = time.monotonic() + 5
    state: dict[str, Any] = {}
    while time.monotonic() < until:
        answer = httpx2.get(f"{base}/candidate/attempts/{attempt_id}/live", headers=cookie)
        assert answer.status_code == 200, answer.text
        state = answer.json()
        if wanted(state):
            return state
        time.sleep(0.2)
    raise AssertionError(f"the live channel on {base} never showed the change: {state}")


def test_the_live_channel_shows_what_a_proctor_did_on_another_process(
    setup: tuple[Database, Seeded, dict[str, str]], two_processes: list[str]
) -> None:
    """The exam page polls one process while the proctor acts through the other: pause, a message, resume and an
    extension reach it within 5 s, because the live state is one read of the database, not a process's memory. The
    page's stream (GET .../events) is held on process a: each change made through b reaches it within 5 s too, through
    a's hub following the shared change feed."""
    db, seeded, _ = setup
    a, b = two_processes
    candidate = seeded.candidates[0]
    cookie = {"Cookie": f"ee_session={_browser_login(a, candidate.email, seeded.password)}"}
    proctor = _proctor_token(db, seeded)
    started = httpx2.post(f"{a}/api/v1/sittings/{seeded.sitting_id}/attempts", headers=_candidate_token(b, seeded))
    assert started.status_code == 201, started.text
    attempt_id = started.json()["attempt_id"]
    first = started.json()["sections"][0]["slots"][0]["slot"]
    assert httpx2.get(f"{a}/candidate/attempts/{attempt_id}/items/{first}", headers=cookie).status_code == 200
    before = _live_until(a, attempt_id, cookie, lambda s: s["status"] == "in_progress")
    stream = Events(f"{a}/candidate/attempts/{attempt_id}/events", cookie["Cookie"].split("=", 1)[1])
    assert stream.wait_for(lambda kind, _: kind == "message")["version"] == before["version"]

    def streamed(wanted: Any) -> None:
        stream.wait_for(lambda kind, state: kind == "message" and wanted(state), seconds=5)

    act = f"{b}/api/v1/attempts/{attempt_id}"
    assert httpx2.post(f"{act}/pause", json={"reason": "fire alarm"}, headers=proctor).status_code == 200
    streamed(lambda s: s["paused"])
    paused = _live_until(a, attempt_id, cookie, lambda s: s["paused"])
    assert paused["version"] > before["version"]
    sent = httpx2.post(f"{act}/announce", json={"message": "Stay seated."}, headers=proctor)
    assert sent.status_code in (200, 201), sent.text
    streamed(lambda s: (s["announcement"] or {}).get("message") == "Stay seated.")
    told = _live_until(b, attempt_id, cookie, lambda s: (s["announcement"] or {}).get("message") == "Stay seated.")
    assert told["paused"]
    assert (
        httpx2.post(
            f"{a}/api/v1/attempts/{attempt_id}/resume", json={"reason": "all clear"}, headers=proctor
        ).status_code
        == 200
    )
    resumed = _live_until(b, attempt_id, cookie, lambda s: not s["paused"])
    streamed(lambda s: not s["paused"] and s["version"] > paused["version"])
    assert abs(resumed["remaining_seconds"] - paused["remaining_seconds"]) <= 2  # the pause did not use time up
    extended = httpx2.post(
        f"{a}/api/v1/attempts/{attempt_id}/extend", json={"minutes": 5, "reason": "noise"}, headers=proctor
    )
    assert extended.status_code == 200, extended.text
    moved = _live_until(b, attempt_id, cookie, lambda s: s["added_seconds"] == 300)
    streamed(lambda s: s["added_seconds"] == 300)
    terminated = httpx2.post(f"{act}/terminate", json={"reason": "phone"}, headers=proctor)
    assert terminated.status_code == 200, terminated.text
    streamed(lambda s: s["status"] == "terminated")
    assert moved["remaining_seconds"] >= resumed["remaining_seconds"] + 295


def _candidate_token(base: str, seeded: Seeded) -> dict[str, str]:
    candidate = seeded.candidates[0]
    login = httpx2.post(f"{base}/api/v1/auth/token", json={"email": candidate.email, "password": seeded.password})
    assert login.status_code == 201, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}
