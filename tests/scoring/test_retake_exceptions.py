"""An admin's retake exceptions, at their boundaries: an extra attempt counts once per grant; a waiver lifts the
wait after fails that finished at or before it, not after later ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from examengine.errors import InvalidInput, NotFound
from examengine.scoring.models import RetakeExceptionKind
from examengine.scoring.retake_exceptions import exceptions_for, grant
from tests.scoring.conftest import Program
from tests.scoring.test_retake import SECOND, Candidate, policy

DAY = datetime(2026, 3, 1, tzinfo=UTC)


def _grant(program: Program, me: Candidate, kind: RetakeExceptionKind, at: datetime) -> None:
    program.call(
        grant, exam_id=me.exam_id, user_id=me.user.id, kind=kind, reason="fire alarm", actor_id=program.admin.id, now=at
    )


@pytest.mark.parametrize(("used", "extra", "allowed"), [(2, 0, False), (2, 1, True), (3, 1, False), (3, 2, True)])
def test_extra_attempts_raise_the_limit_by_one_each(program: Program, used: int, extra: int, allowed: bool) -> None:
    me = Candidate(program)
    for n in range(used):
        start = DAY + timedelta(days=n)
        me.attempt(start, start + timedelta(hours=1), passed=False)
    for _ in range(extra):
        _grant(program, me, RetakeExceptionKind.EXTRA_ATTEMPT, DAY)
    found = me.at(DAY + timedelta(days=30), policy(max_attempts=2))
    assert (found.allowed, found.code) == (allowed, None if allowed else "max_attempts_reached")
    if not allowed:
        assert found.reason == f"You have used all {2 + extra} attempt(s) this exam allows."


def test_an_extra_attempt_also_lifts_the_period_limit(program: Program) -> None:
    me = Candidate(program)
    me.attempt(DAY, DAY + timedelta(hours=1), passed=False)
    rules = policy(period_days=30, max_attempts_in_period=1)
    assert me.at(DAY + timedelta(days=1), rules).code == "period_limit_reached"
    _grant(program, me, RetakeExceptionKind.EXTRA_ATTEMPT, DAY + timedelta(days=1))
    assert me.at(DAY + timedelta(days=1), rules).allowed


def test_a_waiver_lifts_the_wait_after_fails_up_to_the_grant(program: Program) -> None:
    me = Candidate(program)
    finished = DAY + timedelta(hours=1)
    me.attempt(DAY, finished, passed=False)
    rules = policy(wait_days_after_fail=14)
    assert me.at(finished + timedelta(days=1), rules).code == "retake_wait"
    _grant(program, me, RetakeExceptionKind.WAIVE_WAIT, finished)  # granted at the very moment the fail finished
    assert me.at(finished + SECOND, rules).allowed
    later = DAY + timedelta(days=2)
    me.attempt(later, later + timedelta(hours=1), passed=False)  # a fail after the waiver waits again
    found = me.at(later + timedelta(hours=2), rules)
    assert (found.code, found.next_eligible_at) == ("retake_wait", later + timedelta(days=14, hours=1))


def test_a_waiver_granted_a_second_before_the_fail_does_not_cover_it(program: Program) -> None:
    me = Candidate(program)
    finished = DAY + timedelta(hours=1)
    me.attempt(DAY, finished, passed=False)
    _grant(program, me, RetakeExceptionKind.WAIVE_WAIT, finished - SECOND)
    assert me.at(finished + SECOND, policy(wait_days_after_fail=14)).code == "retake_wait"


def test_granting_records_who_when_why_and_refuses_bad_requests(program: Program) -> None:
    me = Candidate(program)
    _grant(program, me, RetakeExceptionKind.EXTRA_ATTEMPT, DAY)
    [recorded] = program.call(exceptions_for, exam_id=me.exam_id, user_ids=[me.user.id])
    assert (recorded.kind, recorded.reason, recorded.granted_by, recorded.granted_at) == (
        RetakeExceptionKind.EXTRA_ATTEMPT,
        "fire alarm",
        program.admin.id,
        DAY,
    )
    common = {"kind": RetakeExceptionKind.EXTRA_ATTEMPT, "actor_id": program.admin.id, "now": DAY}
    with pytest.raises(InvalidInput):
        program.call(grant, exam_id=me.exam_id, user_id=me.user.id, reason=" ", **common)
    with pytest.raises(NotFound):
        program.call(grant, exam_id=me.exam_id, user_id=program.admin.id, reason="x", **common)  # not a candidate
    with pytest.raises(NotFound):
        program.call(grant, exam_id="0" * 32, user_id=me.user.id, reason="x", **common)
