"""The capacity race across processes (API.md "Seats"): two app processes on one PostgreSQL database, as behind a
load balancer, take 50 bookings for 10 seats at the same moment, alternating between them; exactly 10 are
confirmed and the other 40 answer 409 `sitting_full`. One process cannot prove this: the seat count must hold
through the database's row lock, not a lock inside one process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from bench import servers
from bench.seed import Seeded, seed
from examengine import migrate
from examengine.accounts.passwords import Passwords
from examengine.clock import utcnow
from examengine.db import Database
from examengine.exams import sittings
from examengine.exams.models import Enrollment
from examengine.exams.seats import SeatTerms
from examengine.programs.booking_models import Booking
from examengine.programs.models import Authorization, Scheme, SchemeExam, SchemeKind
from tests.conftest import ENGINES, TEST_ARGON2, fresh_database

SEATS, RACERS = 10, 50


@pytest.fixture(params=ENGINES)
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        pytest.skip("several app processes share state only through a database server: PostgreSQL only")
    with fresh_database(request, "postgresql", "examengine_booking_race", tmp_path) as url:
        yield url


def _program(session: Session, seeded: Seeded, admin_id: str) -> tuple[str, list[tuple[str, str]]]:
    """A scheme holding the seeded exam, a bookable sitting of SEATS seats, an authorization for every candidate."""
    now = utcnow()
    scheme = Scheme(code="RACE", title="Race", kind=SchemeKind.CERTIFICATION, created_at=now)
    session.add(scheme)
    session.flush()
    session.add(SchemeExam(exam_id=seeded.exam_id, scheme_id=scheme.id))
    view = sittings.create_sitting(
        session=session,
        exam_id=seeded.exam_id,
        opens_at=now + timedelta(days=2),
        closes_at=now + timedelta(days=2, hours=2),
        proctor_ids=[],
        candidates=[],
        actor_id=admin_id,
        capacity=SEATS,
        seats=SeatTerms(bookable=True),
    )
    held = []
    for candidate in seeded.candidates:
        authorization = Authorization(
            scheme_id=scheme.id,
            user_id=candidate.user_id,
            eligible_from=now,
            eligible_until=now + timedelta(days=30),
            issued_at=now,
        )
        session.add(authorization)
        session.flush()
        held.append((candidate.api_token, authorization.id))
    return view.sitting_id, held


@pytest.mark.slow
def test_fifty_bookings_through_two_processes_get_exactly_ten_seats(shared_url: str, tmp_path: Path) -> None:
    db = Database(shared_url)
    migrate.upgrade(db.engine)
    seeded = seed(db, Passwords(TEST_ARGON2), candidates=RACERS, bank=100, time_limit_minutes=30)
    sitting_id, held = db.call(_program, seeded=seeded, admin_id=None)
    env = {
        "DATABASE_URL": shared_url,
        "EXAMENGINE_SCHEDULER": "off",
        "EXAMENGINE_ARGON2_TIME_COST": str(TEST_ARGON2.time_cost),
        "EXAMENGINE_ARGON2_MEMORY_KIB": str(TEST_ARGON2.memory_kib),
    }
    started = [servers.start(name, "examengine.asgi:app", env, log_dir=tmp_path) for name in ("a", "b")]
    try:
        bases = [server.base_url for server in started]
        answers: list[httpx2.Response] = []
        lock = threading.Lock()
        barrier = threading.Barrier(RACERS)

        def race(n: int, token: str, authorization_id: str) -> None:
            barrier.wait()
            answer = httpx2.post(
                f"{bases[n % 2]}/api/v1/bookings",
                json={"authorization_id": authorization_id, "sitting_id": sitting_id},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            with lock:
                answers.append(answer)

        racers = [threading.Thread(target=race, args=(n, *pair)) for n, pair in enumerate(held)]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join()
    finally:
        for server in started:
            server.stop()

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * SEATS + [409] * (RACERS - SEATS), [a.text for a in answers if a.status_code >= 500]
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {"sitting_full"}
    with db.unit_of_work(write=False) as session:
        enrolled = session.scalar(
            select(func.count()).select_from(Enrollment).where(col(Enrollment.sitting_id) == sitting_id)
        )
        booked = session.scalar(select(func.count()).select_from(Booking).where(col(Booking.sitting_id) == sitting_id))
    assert (enrolled, booked) == (SEATS, SEATS)
    db.dispose()
