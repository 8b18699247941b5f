"""Retake rules: may this candidate start another attempt at this exam now, and if not, from when?

A pure function of the exam's retake policy, the candidate's earlier attempts at the exam with their outcomes, and
the admin's exceptions. Those facts span delivery (the attempts) and scoring (the results, the exceptions):
scoring.retake reads them and judges here, and delivery asks through the EligibilityCheck its caller gives it.

Every attempt counts as used, whatever became of it (a running one too), except a terminated attempt an admin
annulled ("allow_retake" or "void", see delivery.termination). The rules, in the order they are reported:
- one running attempt per candidate per exam, across sittings (also a unique index on the attempt table);
- a terminated attempt holds the candidate until an admin records a decision about it;
- `allow_after_pass` false: no attempt after a passed result;
- `max_attempts` overall;
- `max_attempts_in_period` within a rolling `period_days`: an attempt (by its `created_at`) counts while
  now < created_at + period_days, so the next one is allowed exactly when enough have aged out;
- `wait_days_after_fail`: from the `finished_at` of the latest failed result, allowed at exactly
  finished_at + wait_days_after_fail.
A result still being marked may turn out a pass or a fail, so when a pass ends retakes or a fail imposes a wait,
a retake waits for that result.
When several timed rules block, the one that ends last is reported.
An admin's recorded exceptions (scoring.retake_exceptions) add attempts and waive waits after earlier fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel import Session

from examengine.clock import rfc3339
from examengine.errors import Conflict, Forbidden
from examengine.exams.definition import ExamDefinition, RetakePolicy
from examengine.exams.wording import moment_text


@dataclass(frozen=True)
class PastAttempt:
    """What the rules need to know of one earlier attempt at the exam."""

    created_at: datetime
    finished_at: datetime | None
    running: bool  # not finished yet
    awaiting_decision: bool  # terminated, and no admin has decided about it yet
    annulled: bool  # terminated, and annulled by an admin: it counts for nothing
    result_pending: bool  # its result waits for a human marker
    passed: bool | None  # None: no result, pending, or no cut score


@dataclass(frozen=True)
class Grants:
    """The admin's exceptions for the candidate on the exam."""

    extra_attempts: int = 0
    waived_until: datetime | None = None  # waits after fails that finished at or before it are lifted


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str | None
    next_eligible_at: datetime | None
    attempts_used: int
    code: str | None = None  # the rule that refuses, for the API's error code
    # Every attempt, counted or not: the next one's number is this plus one (bookkeeping, not part of the verdict)
    attempts_made: int = field(default=0, compare=False)


class EligibilityCheck(Protocol):
    """Reads the candidate's facts and judges them (scoring.retake.eligibility)."""

    def __call__(
        self, *, session: Session, user_id: str, exam_id: str, definition: ExamDefinition, now: datetime
    ) -> Eligibility: ...


RUNNING_RULE = (
    "You already have an attempt at this exam under way (one running attempt per exam, across sittings): "
    "finish it before starting another."
)
HELD_RULE = (
    "Your last attempt at this exam was terminated; you are held after a terminated attempt until an "
    "administrator decides about it."
)
# Refusals about the attempts' state (409), not about the candidate's standing (403).
CONFLICTS = frozenset({"attempt_running", "termination_pending"})


def _waits(
    policy: RetakePolicy, counted: Sequence[PastAttempt], grants: Grants, now: datetime
) -> list[tuple[datetime, str, str]]:
    waits: list[tuple[datetime, str, str]] = []
    if policy.period_days and policy.max_attempts_in_period:
        period = timedelta(days=policy.period_days)
        recent = [past.created_at for past in counted if now < past.created_at + period]
        in_period = policy.max_attempts_in_period + grants.extra_attempts
        if len(recent) >= in_period:
            frees_one = recent[len(recent) - in_period] + period
            limit = f"{policy.max_attempts_in_period} attempt(s) in {policy.period_days} days"
            waits.append((frees_one, f"This exam allows {limit}.", "period_limit_reached"))
    return waits


def judge(policy: RetakePolicy, history: Sequence[PastAttempt], grants: Grants, now: datetime) -> Eligibility:
    """Whether the candidate may start another attempt now: `history` holds their attempts at the exam, oldest
    first. The reason is one a person can act on; for a waiting period, with the moment it ends."""
    made = len(history)
    if any(past.running for past in history):
        return Eligibility(False, RUNNING_RULE, None, made, "attempt_running", made)
    if any(past.awaiting_decision for past in history):
        return Eligibility(False, HELD_RULE, None, made, "termination_pending", made)
    counted = [past for past in history if not past.annulled]
    used, allowed_attempts = len(counted), policy.max_attempts + grants.extra_attempts
    if not policy.allow_after_pass and any(past.passed for past in counted):
        reason = "You have passed this exam; it cannot be taken again."
        return Eligibility(False, reason, None, used, "already_passed", made)
    if used >= allowed_attempts:
        reason = f"You have used all {allowed_attempts} attempt(s) this exam allows."
        return Eligibility(False, reason, None, used, "max_attempts_reached", made)
    waits = _waits(policy, counted, grants, now)
    if (policy.wait_days_after_fail or not policy.allow_after_pass) and any(past.result_pending for past in counted):
        reason = "Your last attempt is still being marked; you can retake once its result is final."
        return Eligibility(False, reason, None, used, "result_pending", made)
    if policy.wait_days_after_fail:
        waived_until = grants.waived_until
        failed = [
            past.finished_at
            for past in counted
            if past.passed is False
            and past.finished_at is not None
            and (waived_until is None or past.finished_at > waived_until)
        ]
        if failed:
            until = max(failed) + timedelta(days=policy.wait_days_after_fail)
            if now < until:
                waits.append((until, f"After a fail there is a {policy.wait_days_after_fail}-day wait.", "retake_wait"))
    if waits:
        until, rule, code = max(waits)
        return Eligibility(False, f"{rule} You may retake from {moment_text(until)}.", until, used, code, made)
    return Eligibility(True, None, None, used, None, made)


def ensure_allowed(found: Eligibility) -> Eligibility:
    """`found` when it allows a start; else raises Forbidden (Conflict for a running or held attempt) with the
    rule's code, its message and `next_eligible_at` (RFC 3339, in details)."""
    if not found.allowed:
        details = {"next_eligible_at": rfc3339(found.next_eligible_at)} if found.next_eligible_at else {}
        refusal = Conflict if found.code in CONFLICTS else Forbidden
        raise refusal(found.reason or "You may not take this exam now.", code=found.code, details=details)
    return found
