"""The attempt's life cycle under random operations (Hypothesis stateful testing against the real services).

Rules save answers with random slots and seqs (duplicates and stale ones included), flag, move a controllable
`now` forward, pause, resume, extend, terminate, submit, run the expiry check and score. Invariants: the status only
moves along the transition table and never leaves a final status; every acknowledged answer stays stored and is
never replaced by an older seq; no save is accepted after a final status; scoring stores exactly one result row.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select
from sqlmodel import col
from starlette.testclient import TestClient

from examengine.context import Services
from examengine.delivery import answers, attempts
from examengine.delivery.events import AttemptEventType
from examengine.delivery.models import Attempt, AttemptEvent, AttemptSlot
from examengine.delivery.start import start_attempt
from examengine.delivery.states import FINAL, AttemptStatus, can_move
from examengine.errors import Conflict, DomainError
from examengine.exams.sittings import EnrollmentRequest, create_sitting
from examengine.scoring import retake
from examengine.scoring.models import AttemptResult
from tests.api.test_exams_api import approved_bank, bearer, blueprint, native_items
from tests.conftest import run_async, save_answer, score_submitted
from tests.shown import as_shown

SLOTS = 4
slots = st.integers(min_value=1, max_value=SLOTS)
seqs = st.integers(min_value=1, max_value=12)  # a small range, so duplicates and stale seqs are common
CANDIDATE_NUMBERS = itertools.count()


def published_exam(client: TestClient, make_user: Callable[..., Any]) -> tuple[str, str]:
    admin, author = make_user("admin@example.org", "admin"), make_user("author@example.org", "author")
    headers = {"admin": bearer(client, admin.email), "author": bearer(client, author.email)}
    approved_bank(client, {"headers": headers}, native_items("D1", SLOTS))
    body = blueprint(
        sections=[{"title": "A", "draw": [{"domain": "D1", "count": SLOTS}]}],
        time_limit_minutes=30,
        retake_policy={"max_attempts": 3, "wait_days_after_fail": 0, "allow_after_pass": True},
    )
    exam_id = client.post("/api/v1/exams", json=body, headers=headers["admin"]).json()["exam_id"]
    assert client.post(f"/api/v1/exams/{exam_id}/publish", headers=headers["admin"]).status_code == 200
    return exam_id, admin.id


def tried(action: Callable[[], Any]) -> DomainError | None:
    """The refusal of one action, if it was refused."""
    try:
        action()
    except DomainError as error:
        return error
    return None


def test_attempt_life_cycle_under_random_operations(
    app_client: TestClient, make_user: Callable[..., Any], services: Services
) -> None:
    exam_id, proctor_id = published_exam(app_client, make_user)
    db = services.db

    class AttemptLifeCycle(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            user = make_user(f"fuzz{next(CANDIDATE_NUMBERS)}@example.org", "candidate")
            opened = datetime.now(UTC) - timedelta(minutes=1)
            sitting = db.call(
                create_sitting,
                exam_id=exam_id,
                opens_at=opened,
                closes_at=opened + timedelta(hours=3),
                proctor_ids=[],
                candidates=[EnrollmentRequest(user_id=user.id)],
                actor_id=proctor_id,
            )
            outcome = run_async(
                functools.partial(
                    start_attempt, db, sitting_id=sitting.sitting_id, user_id=user.id, eligible=retake.eligibility
                )
            )
            self.user_id, self.attempt_id = user.id, outcome.view.attempt_id
            self.now = datetime.now(UTC) + timedelta(seconds=1)
            self.status = AttemptStatus.IN_PROGRESS
            self.acknowledged: dict[int, tuple[int, Any]] = {}
            self.answers = itertools.count()

        def stored_status(self) -> AttemptStatus:
            return AttemptStatus(db.call(lambda *, session: session.get(Attempt, self.attempt_id).status, write=False))

        def attempt(self, fn: Callable[..., Any], **kwargs: Any) -> DomainError | None:
            """Run one service call; a refusal is a legitimate outcome, the invariants judge the state after it."""
            return tried(lambda: db.call(fn, **kwargs))

        @rule(slot=slots, seq=seqs)
        def save(self, slot: int, seq: int) -> None:
            value = "AB"[next(self.answers) % 2]  # authored; the candidate sends the attempt's own identifier
            before = self.stored_status()
            try:
                saved = save_answer(
                    db,
                    attempt_id=self.attempt_id,
                    user_id=self.user_id,
                    slot=slot,
                    response=as_shown(db, self.attempt_id, slot, value),
                    seq=seq,
                    now=self.now,
                )
            except Conflict:
                return
            assert before not in FINAL, "a save was accepted after the attempt finished"
            if saved.saved_seq == seq and seq > self.acknowledged.get(slot, (0, None))[0]:
                self.acknowledged[slot] = (seq, value)
            assert saved.saved_seq == self.acknowledged.get(slot, (0, None))[0]

        @rule(slot=slots, flagged=st.booleans())
        def flag(self, slot: int, flagged: bool) -> None:
            self.attempt(
                answers.set_flag,
                attempt_id=self.attempt_id,
                user_id=self.user_id,
                slot=slot,
                flagged=flagged,
                now=self.now,
            )

        @rule(seconds=st.integers(min_value=0, max_value=900))
        def time_passes(self, seconds: int) -> None:
            self.now += timedelta(seconds=seconds)

        @rule()
        def pause(self) -> None:
            self.attempt(attempts.pause, attempt_id=self.attempt_id, actor_id=proctor_id, reason="fuzz", now=self.now)

        @rule()
        def resume(self) -> None:
            self.attempt(attempts.resume, attempt_id=self.attempt_id, actor_id=proctor_id, now=self.now)

        @rule(minutes=st.integers(min_value=1, max_value=20))
        def extend(self, minutes: int) -> None:
            self.attempt(
                attempts.extend,
                attempt_id=self.attempt_id,
                actor_id=proctor_id,
                minutes=minutes,
                reason="fuzz",
                now=self.now,
            )

        @rule()
        def terminate(self) -> None:
            self.attempt(
                attempts.terminate, attempt_id=self.attempt_id, actor_id=proctor_id, reason="fuzz", now=self.now
            )

        @rule()
        def submit(self) -> None:
            self.attempt(attempts.submit, attempt_id=self.attempt_id, user_id=self.user_id, now=self.now)

        @rule()
        def deadline_check(self) -> None:
            def check(*, session: Any) -> bool:
                return attempts.finish_if_overdue(session, attempts.load(session, self.attempt_id), self.now)

            db.call(check)

        @rule(times=st.integers(min_value=1, max_value=3))
        def score(self, times: int) -> None:
            for _ in range(times):
                refused = tried(lambda: score_submitted(db, attempt_id=self.attempt_id, now=self.now))
                if self.stored_status() in (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED):
                    assert refused is None
            results = db.call(
                lambda *, session: session.scalar(
                    select(func.count())
                    .select_from(AttemptResult)
                    .where(col(AttemptResult.attempt_id) == self.attempt_id)
                ),
                write=False,
            )
            assert results == (0 if refused else 1)

        @invariant()
        def status_moves_only_along_the_table(self) -> None:
            current = self.stored_status()
            assert current == self.status or can_move(self.status, current), f"{self.status} -> {current}"
            self.status = current

        @invariant()
        def every_event_is_of_a_known_type(self) -> None:
            kinds = db.call(
                lambda *, session: set(
                    session.scalars(
                        select(col(AttemptEvent.type)).where(col(AttemptEvent.attempt_id) == self.attempt_id).distinct()
                    )
                ),
                write=False,
            )
            assert kinds <= set(AttemptEventType), kinds - set(AttemptEventType)

        @invariant()
        def acknowledged_answers_are_kept(self) -> None:
            rows = db.call(
                lambda *, session: {
                    s.slot: (s.seq, s.response)
                    for s in session.scalars(select(AttemptSlot).where(col(AttemptSlot.attempt_id) == self.attempt_id))
                },
                write=False,
            )
            assert len(rows) == SLOTS
            for slot, stored in rows.items():
                assert stored == self.acknowledged.get(slot, (0, None)), f"slot {slot}"

    run_state_machine_as_test(
        AttemptLifeCycle, settings=settings(max_examples=25, stateful_step_count=20, deadline=None, database=None)
    )
