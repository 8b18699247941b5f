"""Retake eligibility at every boundary: one second before, at and after the moment a rule stops blocking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from examengine.delivery import attempts, termination
from examengine.errors import Forbidden
from examengine.exams.definition import ExamDefinition
from examengine.exams.retake import Eligibility, ensure_allowed
from examengine.scoring.retake import eligibility
from tests.scoring.conftest import PERFECT, Program

SECOND = timedelta(seconds=1)


def policy(**rules: Any) -> ExamDefinition:
    return ExamDefinition.model_validate(
        {
            "code": "R-1",
            "title": "t",
            "sections": [{"title": "A", "items": [{"item_id": "a1", "version": 1}]}],
            "retake_policy": {"max_attempts": 10, **rules},
        }
    )


class Candidate:
    def __init__(self, program: Program, *, essay: bool = False) -> None:
        self.program = program
        self.exam_id, self.sitting_id = program.exam(essay=essay)
        self.user = program.candidates[0]

    def attempt(self, created: datetime, finished: datetime, *, passed: bool) -> str:
        attempt_id = self.program.take(self.sitting_id, self.user, PERFECT if passed else {}, score=False)
        self.program.set_times(attempt_id, created_at=created, finished_at=finished)
        self.program.score(attempt_id)
        return attempt_id

    def at(self, now: datetime, definition: ExamDefinition) -> Eligibility:
        return self.program.call(
            eligibility, user_id=self.user.id, exam_id=self.exam_id, definition=definition, now=now
        )


def test_the_wait_after_a_fail_ends_exactly_wait_days_after_it_finished(program: Program) -> None:
    me = Candidate(program)
    me.attempt(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 1, 1, tzinfo=UTC), passed=False)
    finished = datetime(2026, 11, 23, tzinfo=UTC)
    me.attempt(finished - timedelta(hours=1), finished, passed=False)  # the latest fail counts
    rules = policy(wait_days_after_fail=14)
    until = datetime(2026, 12, 7, tzinfo=UTC)
    before = me.at(until - SECOND, rules)
    assert before == Eligibility(
        False,
        "After a fail there is a 14-day wait. You may retake from 2026-12-07.",
        until,
        2,
        "retake_wait",
    )
    assert me.at(until, rules) == Eligibility(True, None, None, 2)
    assert me.at(until + SECOND, rules).allowed
    assert me.at(finished, rules).next_eligible_at == until


def test_the_message_names_the_time_when_the_wait_ends_during_a_day(program: Program) -> None:
    me = Candidate(program)
    finished = datetime(2026, 11, 23, 10, 30, 15, tzinfo=UTC)
    me.attempt(finished - timedelta(minutes=50), finished, passed=False)
    found = me.at(finished, policy(wait_days_after_fail=14))
    assert found.next_eligible_at == datetime(2026, 12, 7, 10, 30, 15, tzinfo=UTC)
    assert found.reason is not None and found.reason.endswith("You may retake from 2026-12-07 at 10:31 UTC.")


def test_a_pass_imposes_no_wait_and_allow_after_pass_decides(program: Program) -> None:
    me = Candidate(program)
    finished = datetime(2026, 11, 23, tzinfo=UTC)
    me.attempt(finished - timedelta(hours=1), finished, passed=True)
    refused = me.at(finished + timedelta(days=400), policy(wait_days_after_fail=14))
    assert (refused.allowed, refused.code, refused.next_eligible_at) == (False, "already_passed", None)
    assert refused.reason == "You have passed this exam; it cannot be taken again."
    assert me.at(finished + SECOND, policy(wait_days_after_fail=14, allow_after_pass=True)).allowed


@pytest.mark.parametrize(("max_attempts", "allowed"), [(1, False), (2, False), (3, True)])
def test_max_attempts_overall(program: Program, max_attempts: int, allowed: bool) -> None:
    me = Candidate(program)
    day = datetime(2026, 1, 1, tzinfo=UTC)
    me.attempt(day, day + timedelta(hours=1), passed=False)
    me.attempt(day + timedelta(days=1), day + timedelta(days=1, hours=1), passed=False)
    found = me.at(day + timedelta(days=100), policy(max_attempts=max_attempts))
    assert (found.allowed, found.attempts_used, found.next_eligible_at) == (allowed, 2, None)
    if not allowed:
        assert found.code == "max_attempts_reached"
        assert found.reason == f"You have used all {max_attempts} attempt(s) this exam allows."


def test_the_rolling_period_frees_an_attempt_when_the_oldest_counted_one_ages_out(program: Program) -> None:
    me = Candidate(program)
    starts = [datetime(2026, 9, 1, 9, tzinfo=UTC), datetime(2026, 10, 1, 9, tzinfo=UTC)]
    starts.append(datetime(2026, 10, 20, 9, tzinfo=UTC))
    for created in starts:
        me.attempt(created, created + timedelta(hours=1), passed=False)
    rules = policy(period_days=30, max_attempts_in_period=2)
    frees = datetime(2026, 10, 31, 9, tzinfo=UTC)  # the attempt of 1 October leaves the 30 days
    before = me.at(frees - SECOND, rules)
    assert (before.allowed, before.code, before.next_eligible_at, before.attempts_used) == (
        False,
        "period_limit_reached",
        frees,
        3,
    )
    assert before.reason == "This exam allows 2 attempt(s) in 30 days. You may retake from 2026-10-31 at 09:00 UTC."
    assert me.at(frees, rules).allowed
    assert me.at(frees + SECOND, rules).allowed
    one_in_period = policy(period_days=30, max_attempts_in_period=1)
    assert me.at(frees, one_in_period).next_eligible_at == datetime(2026, 11, 19, 9, tzinfo=UTC)


def test_when_rules_overlap_the_one_ending_last_is_reported(program: Program) -> None:
    me = Candidate(program)
    created = datetime(2026, 11, 1, tzinfo=UTC)
    me.attempt(created, created + timedelta(hours=2), passed=False)
    both = policy(wait_days_after_fail=3, period_days=10, max_attempts_in_period=1)
    found = me.at(created + timedelta(days=1), both)
    assert (found.code, found.next_eligible_at) == ("period_limit_reached", datetime(2026, 11, 11, tzinfo=UTC))
    longer_wait = policy(wait_days_after_fail=20, period_days=10, max_attempts_in_period=1)
    assert me.at(created + timedelta(days=1), longer_wait).code == "retake_wait"


def test_a_result_being_marked_holds_a_retake_and_a_terminated_attempt_only_counts(program: Program) -> None:
    marked_later = Candidate(program, essay=True)
    now = datetime(2026, 11, 23, tzinfo=UTC)
    marked_later.attempt(now - timedelta(days=2), now - timedelta(days=1), passed=True)
    waiting = marked_later.at(now, policy(wait_days_after_fail=1))
    assert (waiting.allowed, waiting.code, waiting.next_eligible_at) == (False, "result_pending", None)
    assert marked_later.at(now, policy(allow_after_pass=True)).allowed

    other = Candidate(program)
    attempt_id = program.begin(other.sitting_id, other.user, {})
    program.call(attempts.terminate, attempt_id=attempt_id, actor_id=program.admin.id, reason="left")
    held = other.at(now + timedelta(days=365), policy(wait_days_after_fail=14))
    assert (held.allowed, held.code) == (False, "termination_pending")  # until an admin decides
    decision = {"attempt_id": attempt_id, "decision": "uphold", "reason": "left the room", "now": now}
    program.call(termination.decide, actor_id=program.admin.id, **decision)
    found = other.at(now + timedelta(days=365), policy(wait_days_after_fail=14))
    assert (found.allowed, found.attempts_used) == (True, 1)


def test_a_refused_start_raises_with_the_rule_and_the_date(program: Program) -> None:
    me = Candidate(program)
    finished = datetime(2026, 11, 23, tzinfo=UTC)
    me.attempt(finished - timedelta(hours=1), finished, passed=False)
    kwargs = {"user_id": me.user.id, "exam_id": me.exam_id, "definition": policy(wait_days_after_fail=14)}
    with pytest.raises(Forbidden) as refused:
        ensure_allowed(program.call(eligibility, now=finished, **kwargs))
    assert refused.value.code == "retake_wait"
    assert refused.value.details == {"next_eligible_at": "2026-12-07T00:00:00Z"}
    assert "2026-12-07" in refused.value.message
    assert ensure_allowed(program.call(eligibility, now=finished + timedelta(days=14), **kwargs)).allowed
