"""An admin's decision about a terminated attempt. Until one is recorded the candidate is held: no new attempt at
the exam (the retake rules, exams.retake, refuse with `termination_pending`). What each decision means is on
delivery.states.TerminationDecision; the who, when and why are an event on the attempt's chain (and, being an
admin's action, on the global audit chain)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session, col

from examengine.delivery import attempts
from examengine.delivery.events import AttemptEventType
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import AttemptStatus, TerminationDecision
from examengine.errors import Conflict, Forbidden, InvalidInput, NotFound

EVENT = AttemptEventType.TERMINATION_DECIDED
MAX_REASON = 2000
HELD_NOTICE = "Held after a terminated attempt until an administrator decides."


@dataclass(frozen=True)
class Decided:
    attempt_id: str
    decision: TerminationDecision
    reason: str
    decided_by: str
    decided_at: datetime


def decide(
    *,
    session: Session,
    attempt_id: str,
    decision: str,
    reason: str,
    actor_id: str,
    now: datetime,
    exam_id: str | None = None,
) -> Decided:
    """Record the decision about a terminated attempt, once. Raises NotFound (no such attempt), InvalidInput (an
    unknown decision, no reason), Forbidden (deciding about one's own attempt) and Conflict (the attempt is not
    terminated: `attempt_not_terminated`; a decision is already recorded: `termination_decided`). With `exam_id`
    (the results page's form), an attempt at another exam is not found."""
    attempt = session.get(Attempt, attempt_id) if len(attempt_id) <= 32 else None
    if attempt is None or exam_id not in (None, attempt.exam_id):
        raise NotFound("No such attempt.", code="attempt_not_found")
    if decision not in {d.value for d in TerminationDecision}:
        choices = ", ".join(d.value for d in TerminationDecision)
        raise InvalidInput(f"Choose the decision: one of {choices}.", code="decision")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Give the reason for the decision; it is recorded.", code="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"The reason is at most {MAX_REASON} characters.", code="reason")
    if attempt.user_id == actor_id:
        raise Forbidden("You cannot decide about your own attempt.", code="own_attempt")
    if attempt.status != AttemptStatus.TERMINATED:
        raise Conflict("Only a terminated attempt takes a decision.", code="attempt_not_terminated")
    chosen = TerminationDecision(decision)
    recorded = session.execute(
        update(Attempt)
        .where(
            col(Attempt.id) == attempt.id,
            col(Attempt.status) == AttemptStatus.TERMINATED.value,
            col(Attempt.termination_decision).is_(None),
        )
        .values(termination_decision=chosen.value)
    )
    if not getattr(recorded, "rowcount", 0):
        raise Conflict("A decision about this attempt is already recorded.", code="termination_decided")
    detail = {"decision": chosen.value, "reason": reason}
    attempts.record(session, attempt.id, EVENT, actor_id=actor_id, at=now, detail=detail)
    return Decided(attempt.id, chosen, reason, actor_id, now)


def decision_of(session: Session, attempt_id: str) -> Decided | None:
    """The recorded decision about the attempt, from its event."""
    event = session.scalars(
        select(AttemptEvent)
        .where(col(AttemptEvent.attempt_id) == attempt_id, col(AttemptEvent.type) == EVENT)
        .order_by(col(AttemptEvent.id).desc())
        .limit(1)
    ).first()
    if event is None or event.actor_id is None:
        return None
    detail = event.detail
    return Decided(attempt_id, TerminationDecision(detail["decision"]), str(detail["reason"]), event.actor_id, event.at)
