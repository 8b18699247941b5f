"""The facts the retake rules (exams.retake) judge, read: the candidate's attempts at the exam with their results,
and the exceptions an admin granted (scoring.retake_exceptions). `eligibility` is the EligibilityCheck the starts,
the candidate's overview and the pre-assembly job are given."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from examengine.delivery.holds import invalidated_clause
from examengine.delivery.models import Attempt
from examengine.delivery.states import FINAL, AttemptStatus, TerminationDecision
from examengine.exams.definition import ExamDefinition
from examengine.exams.retake import Eligibility, Grants, PastAttempt, judge
from examengine.scoring.models import AttemptResult, ResultStatus, RetakeException, RetakeExceptionKind

# An admin's decisions that annul a terminated attempt: it no longer counts towards any retake rule.
ANNULLED = frozenset({TerminationDecision.ALLOW_RETAKE.value, TerminationDecision.VOID.value})

# Built once: every start reads the candidate's attempts at the exam with their results.
HISTORY = (
    select(
        col(Attempt.created_at),
        col(Attempt.finished_at),
        col(AttemptResult.status),
        col(AttemptResult.passed),
        col(Attempt.status),
        col(Attempt.termination_decision),
        invalidated_clause(col(Attempt.id)),
    )
    .outerjoin(AttemptResult, col(AttemptResult.attempt_id) == col(Attempt.id))
    .where(col(Attempt.user_id) == bindparam("b_user_id"), col(Attempt.exam_id) == bindparam("b_exam_id"))
    .order_by(col(Attempt.created_at))
)


def history(session: Session, *, user_id: str, exam_id: str) -> list[PastAttempt]:
    """The candidate's attempts at the exam with their outcomes, oldest first."""
    rows = session.connection().execute(HISTORY, {"b_user_id": user_id, "b_exam_id": exam_id})
    return [
        PastAttempt(
            created_at=created,
            finished_at=finished,
            running=status not in FINAL,
            awaiting_decision=status == AttemptStatus.TERMINATED and decision is None,
            annulled=decision in ANNULLED,
            result_pending=result_status == ResultStatus.PENDING_MARKING,
            passed=None if invalidated else passed,  # an invalidated result earns nothing, not even a pass
        )
        for created, finished, result_status, passed, status, decision, invalidated in rows
    ]


# Built once, as HISTORY: the exceptions an admin granted the candidate on the exam.
GRANTED = select(col(RetakeException.kind), col(RetakeException.granted_at)).where(
    col(RetakeException.user_id) == bindparam("b_user_id"), col(RetakeException.exam_id) == bindparam("b_exam_id")
)


def grants(session: Session, *, user_id: str, exam_id: str) -> Grants:
    granted = session.connection().execute(GRANTED, {"b_user_id": user_id, "b_exam_id": exam_id}).all()
    extra = sum(1 for kind, _ in granted if kind == RetakeExceptionKind.EXTRA_ATTEMPT)
    waived_until = max((at for kind, at in granted if kind == RetakeExceptionKind.WAIVE_WAIT), default=None)
    return Grants(extra, waived_until)


def eligibility(
    *, session: Session, user_id: str, exam_id: str, definition: ExamDefinition, now: datetime
) -> Eligibility:
    """Whether the candidate may start another attempt at the exam now under `definition`'s retake policy
    (exams.retake.judge on the facts read here). Raises nothing."""
    past = history(session, user_id=user_id, exam_id=exam_id)
    return judge(definition.retake_policy, past, grants(session, user_id=user_id, exam_id=exam_id), now)
