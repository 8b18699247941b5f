"""Retake rules: may this candidate start another attempt at this exam now, and if not, from when?

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

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from examengine.clock import rfc3339
from examengine.delivery.models import Attempt
from examengine.delivery.states import FINAL, AttemptStatus, TerminationDecision
from examengine.errors import Conflict, Forbidden
from examengine.exams.definition import ExamDefinition
from examengine.scoring.models import AttemptResult, ResultStatus, RetakeExceptionKind
from examengine.scoring.retake_exceptions import exceptions_for
from examengine.scoring.wording import moment_text


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str | None
    next_eligible_at: datetime | None
    attempts_used: int
    code: str | None = None  # the rule that refuses, for the API's error code
    # Every attempt, counted or not: the next one's number is this plus one (bookkeeping, not part of the verdict)
    attempts_made: int = field(default=0, compare=False)


RUNNING_RULE = (
    "You already have an attempt at this exam under way (one running attempt per exam, across sittings): "
    "finish it before starting another."
)
HELD_RULE = (
    "Your last attempt at this exam was terminated; you are held after a terminated attempt until an "
    "administrator decides about it."
)
# An admin's decisions that annul a terminated attempt: it no longer counts towards any retake rule.
ANNULLED = frozenset({TerminationDecision.ALLOW_RETAKE.value, TerminationDecision.VOID.value})
# Refusals about the attempts' state (409), not about the candidate's standing (403).
CONFLICTS = frozenset({"attempt_running", "termination_pending"})

# Built once: every start reads the candidate's attempts at the exam with their results.
HISTORY = (
    select(
        col(Attempt.created_at),
        col(Attempt.finished_at),
        col(AttemptResult.status),
        col(AttemptResult.passed),
        col(Attempt.status),
        col(Attempt.termination_decision),
    )
    .outerjoin(AttemptResult, col(AttemptResult.attempt_id) == col(Attempt.id))
    .where(col(Attempt.user_id) == bindparam("b_user_id"), col(Attempt.exam_id) == bindparam("b_exam_id"))
    .order_by(col(Attempt.created_at))
)


def eligibility(
    *, session: Session, user_id: str, exam_id: str, definition: ExamDefinition, now: datetime
) -> Eligibility:
    """Whether the candidate may start another attempt at the exam now under `definition`'s retake policy, with
    a reason a person can act on and, for a waiting period, the moment it ends. Raises nothing."""
    policy = definition.retake_policy
    everything = session.execute(HISTORY, {"b_user_id": user_id, "b_exam_id": exam_id}).all()
    made = len(everything)
    if any(status not in FINAL for *_, status, _ in everything):
        return Eligibility(False, RUNNING_RULE, None, made, "attempt_running", made)
    if any(status == AttemptStatus.TERMINATED and decision is None for *_, status, decision in everything):
        return Eligibility(False, HELD_RULE, None, made, "termination_pending", made)
    history = [row[:4] for row in everything if row[5] not in ANNULLED]
    used = len(history)
    granted = exceptions_for(session, exam_id=exam_id, user_ids=[user_id])
    extra = sum(1 for g in granted if g.kind == RetakeExceptionKind.EXTRA_ATTEMPT)
    waived_until = max((g.granted_at for g in granted if g.kind == RetakeExceptionKind.WAIVE_WAIT), default=None)
    if not policy.allow_after_pass and any(passed for _, _, _, passed in history):
        reason = "You have passed this exam; it cannot be taken again."
        return Eligibility(False, reason, None, used, "already_passed", made)
    if used >= policy.max_attempts + extra:
        reason = f"You have used all {policy.max_attempts + extra} attempt(s) this exam allows."
        return Eligibility(False, reason, None, used, "max_attempts_reached", made)
    waits: list[tuple[datetime, str, str]] = []
    if policy.period_days and policy.max_attempts_in_period:
        period = timedelta(days=policy.period_days)
        recent = [created for created, _, _, _ in history if now < created + period]
        in_period = policy.max_attempts_in_period + extra
        if len(recent) >= in_period:
            frees_one = recent[len(recent) - in_period] + period
            limit = f"{policy.max_attempts_in_period} attempt(s) in {policy.period_days} days"
            waits.append((frees_one, f"This exam allows {limit}.", "period_limit_reached"))
    if (policy.wait_days_after_fail or not policy.allow_after_pass) and any(
        status == ResultStatus.PENDING_MARKING for _, _, status, _ in history
    ):
        reason = "Your last attempt is still being marked; you can retake once its result is final."
        return Eligibility(False, reason, None, used, "result_pending", made)
    if policy.wait_days_after_fail:
        failed = [
            finished
            for _, finished, _, passed in history
            if passed is False and finished is not None and (waived_until is None or finished > waived_until)
        ]
        if failed:
            until = max(failed) + timedelta(days=policy.wait_days_after_fail)
            if now < until:
                waits.append((until, f"After a fail there is a {policy.wait_days_after_fail}-day wait.", "retake_wait"))
    if waits:
        until, rule, code = max(waits)
        return Eligibility(False, f"{rule} You may retake from {moment_text(until)}.", until, used, code, made)
    return Eligibility(True, None, None, used, None, made)


def ensure_eligible(
    *, session: Session, user_id: str, exam_id: str, definition: ExamDefinition, now: datetime
) -> Eligibility:
    """`eligibility`, raising Forbidden with the rule's code, its message and `next_eligible_at` (RFC 3339, in
    details) when the candidate may not start another attempt now."""
    found = eligibility(session=session, user_id=user_id, exam_id=exam_id, definition=definition, now=now)
    if not found.allowed:
        details = {"next_eligible_at": rfc3339(found.next_eligible_at)} if found.next_eligible_at else {}
        refusal = Conflict if found.code in CONFLICTS else Forbidden
        raise refusal(found.reason or "You may not take this exam now.", code=found.code, details=details)
    return found
