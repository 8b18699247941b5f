"""The retake rules as a pure function: the facts of earlier attempts in, a verdict out (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from examengine.exams.definition import RetakePolicy
from examengine.exams.retake import Eligibility, Grants, PastAttempt, judge

NOW = datetime(2026, 12, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def past(days_ago: int, *, passed: bool | None = False, **facts: bool) -> PastAttempt:
    finished = NOW - days_ago * DAY
    defaults = {"running": False, "awaiting_decision": False, "annulled": False, "result_pending": False}
    return PastAttempt(finished - timedelta(hours=1), finished, passed=passed, **{**defaults, **facts})


def test_the_rules_are_reported_in_their_order() -> None:
    policy = RetakePolicy(max_attempts=1)
    both = [past(3, running=True), past(2, awaiting_decision=True)]
    assert judge(policy, both, Grants(), NOW).code == "attempt_running"
    assert judge(policy, both[1:], Grants(), NOW).code == "termination_pending"
    assert judge(policy, [past(2, passed=True)], Grants(), NOW).code == "already_passed"
    assert judge(policy, [past(2)], Grants(), NOW).code == "max_attempts_reached"
    assert judge(policy, [past(2)], Grants(extra_attempts=1), NOW) == Eligibility(True, None, None, 1)


def test_an_annulled_attempt_counts_for_nothing_but_its_number() -> None:
    found = judge(RetakePolicy(max_attempts=1), [past(2, annulled=True)], Grants(), NOW)
    assert (found.allowed, found.attempts_used, found.attempts_made) == (True, 0, 1)


def test_the_wait_after_a_fail_ends_at_its_moment_and_a_waiver_lifts_it() -> None:
    policy = RetakePolicy(max_attempts=5, wait_days_after_fail=14)
    history = [past(10)]
    refused = judge(policy, history, Grants(), NOW)
    assert (refused.code, refused.next_eligible_at) == ("retake_wait", NOW + 4 * DAY)
    assert judge(policy, history, Grants(), NOW + 4 * DAY).allowed
    assert judge(policy, history, Grants(waived_until=NOW - 10 * DAY), NOW).allowed
    assert judge(policy, [past(10, passed=None, result_pending=True)], Grants(), NOW).code == "result_pending"
