"""The attempt state machine, walked whole: every (from, to) pair of AttemptStatus through `attempts.transition` on
a stored attempt, on both engines. A pair the table allows moves the row and leaves exactly one event naming the
state it came from; any other pair is refused with a Conflict, changes nothing and records nothing."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from examengine.clock import utcnow
from examengine.context import Services
from examengine.delivery import attempts
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import FINAL, TRANSITIONS, AttemptStatus
from examengine.errors import Conflict
from tests.api.test_exams_api import approved_bank, bearer, blueprint, native_items, open_sitting

PAIRS = list(product(AttemptStatus, AttemptStatus))
W, R, P = AttemptStatus.WAITING, AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED
S, X, T = AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED, AttemptStatus.TERMINATED
# The attempt's documented life, written out here so that a change to the table is a change to this test too.
ALLOWED = {(W, R), (W, T), (R, P), (R, S), (R, X), (R, T), (P, R), (P, X), (P, T)}


def test_the_table_names_every_state_and_final_states_lead_nowhere() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert set(TRANSITIONS) == set(AttemptStatus)
    assert all(not TRANSITIONS[state] for state in FINAL)
    assert all(state not in TRANSITIONS[state] for state in AttemptStatus), "no state moves to itself"
    reachable = {AttemptStatus.WAITING, AttemptStatus.IN_PROGRESS} | set().union(*TRANSITIONS.values())
    assert reachable == set(AttemptStatus), "every state can be reached"


@pytest.fixture
def candidate_attempts(app_client: TestClient, make_user: Callable[..., Any]) -> Callable[[], str]:
    """A new started attempt each call, of its own candidate (one running attempt per candidate per exam)."""
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "proctor": make_user("proctor@example.org", "proctor"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items()}
    approved_bank(app_client, {"users": users, "headers": headers}, native_items("D1", 4))
    candidates = [make_user(f"c{n}@example.org", "candidate") for n in range(len(PAIRS))]
    body = blueprint(sections=[{"title": "A", "draw": [{"domain": "D1", "count": 2}]}], time_limit_minutes=30)
    _, sitting_id = open_sitting(
        app_client, headers["admin"], body, [{"user_id": c.id} for c in candidates], (users["proctor"].id,)
    )
    waiting = iter(candidates)

    def start() -> str:
        token = bearer(app_client, next(waiting).email)
        started = app_client.post(f"/api/v1/sittings/{sitting_id}/attempts", headers=token)
        assert started.status_code in (200, 201), started.text
        return str(started.json()["attempt_id"])

    return start


def _put_in(*, session: Session, attempt_id: str, status: AttemptStatus) -> None:
    """Set-up only: place the stored attempt in `status` directly, whatever path would lead there."""
    session.execute(update(Attempt).where(col(Attempt.id) == attempt_id).values(status=status))


def _events(*, session: Session, attempt_id: str) -> int:
    return int(session.exec(select(func.count()).where(col(AttemptEvent.attempt_id) == attempt_id)).one())


def _status(*, session: Session, attempt_id: str) -> str:
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None
    return attempt.status


def _try(*, session: Session, attempt_id: str, to: AttemptStatus) -> tuple[str, Any]:
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None
    try:
        moved = attempts.transition(session, attempt, to, actor_id=None, at=utcnow(), reason="state table")
    except Conflict as refused:
        return "refused", refused.code
    return "moved", moved


def test_every_pair_of_states_moves_exactly_when_the_table_says(
    services: Services, candidate_attempts: Callable[[], str]
) -> None:
    for current, to in PAIRS:
        attempt_id = candidate_attempts()
        services.db.call(_put_in, attempt_id=attempt_id, status=current)
        before = services.db.call(_events, attempt_id=attempt_id, write=False)
        outcome, value = services.db.call(_try, attempt_id=attempt_id, to=to)
        stored = services.db.call(_status, attempt_id=attempt_id, write=False)
        events = services.db.call(_events, attempt_id=attempt_id, write=False) - before
        pair = f"{current.value} -> {to.value}"
        if to in TRANSITIONS[current]:
            assert (outcome, value) == ("moved", True), pair
            assert (stored, events) == (to, 1), pair
            last = services.db.call(_last_event, attempt_id=attempt_id, write=False)
            assert last == (to.value, current.value), pair
        else:
            expected = f"attempt_{current.value}" if current in FINAL else "invalid_transition"
            assert (outcome, value) == ("refused", expected), pair
            assert (stored, events) == (current, 0), pair


def _last_event(*, session: Session, attempt_id: str) -> tuple[str, str]:
    event = session.exec(
        select(AttemptEvent).where(col(AttemptEvent.attempt_id) == attempt_id).order_by(col(AttemptEvent.id).desc())
    ).first()
    assert event is not None
    return event.type, (event.detail or {}).get("from", "")


def test_a_move_from_a_state_the_attempt_already_left_changes_nothing(
    services: Services, candidate_attempts: Callable[[], str]
) -> None:
    """Two processes holding the same stale row: the second one's conditional update finds nothing to move."""
    attempt_id = candidate_attempts()

    def stale_pause(*, session: Session) -> bool:
        stale = session.get(Attempt, attempt_id)
        assert stale is not None and stale.status == AttemptStatus.IN_PROGRESS
        table = Attempt.__table__  # type: ignore[attr-defined]
        # another process's move, behind the ORM's back: the loaded row still says in progress
        session.connection().execute(update(table).where(table.c.id == attempt_id).values(status="submitted"))
        return attempts.transition(session, stale, AttemptStatus.PAUSED, actor_id=None, at=utcnow())

    before = services.db.call(_events, attempt_id=attempt_id, write=False)
    assert services.db.call(stale_pause) is False
    assert services.db.call(_events, attempt_id=attempt_id, write=False) == before
