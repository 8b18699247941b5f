"""Acting on a whole sitting at once: pause everyone (a fire alarm, a room-wide outage) and resume them.

Each candidate's attempt gets its own pause and resume event, with the same reason and time. Resuming the sitting
resumes only the attempts that the sitting pause stopped: a candidate the proctor paused on their own stays paused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.delivery import attempts
from examengine.delivery.acting import optional_reason, required_reason
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import AttemptStatus
from examengine.proctoring.access import watched_sitting


def _attempts_in(session: Session, sitting_id: str, status: AttemptStatus, actor_id: str) -> list[Attempt]:
    """The sitting's attempts in `status` that the actor may act on: never the actor's own."""
    watched_sitting(session=session, sitting_id=sitting_id, user_id=actor_id)
    return list(
        session.scalars(
            select(Attempt)
            .where(
                col(Attempt.sitting_id) == sitting_id, col(Attempt.status) == status, col(Attempt.user_id) != actor_id
            )
            .order_by(col(Attempt.id))
        )
    )


def pause_sitting(*, session: Session, sitting_id: str, actor_id: str, reason: str, now: datetime | None = None) -> int:
    """Pause every attempt in progress in the sitting; returns how many were paused (an attempt whose time ran
    out is expired instead, at its deadline). Raises NotFound unless the actor proctors the sitting or is an admin,
    InvalidInput without a reason; the actor's own attempt, if any, is left alone."""
    running = _attempts_in(session, sitting_id, AttemptStatus.IN_PROGRESS, actor_id)
    reason = required_reason(reason, "pause the whole sitting")
    now = now or utcnow()
    paused = 0
    for attempt in running:
        state = attempts.pause(
            session=session, attempt_id=attempt.id, actor_id=actor_id, reason=reason, now=now, whole_sitting=True
        )
        paused += state.status == AttemptStatus.PAUSED
    return paused


def resume_sitting(
    *, session: Session, sitting_id: str, actor_id: str, reason: str = "", now: datetime | None = None
) -> int:
    """Resume the attempts of the sitting whose open pause was a sitting pause; returns how many. Raises as
    `pause_sitting` does, save that the reason is optional."""
    held = _attempts_in(session, sitting_id, AttemptStatus.PAUSED, actor_id)
    reason = optional_reason(reason)
    now = now or utcnow()
    last_pause: dict[str, AttemptEvent] = {}
    if held:
        for event in session.scalars(
            select(AttemptEvent)
            .where(
                col(AttemptEvent.attempt_id).in_([a.id for a in held]), col(AttemptEvent.type) == AttemptStatus.PAUSED
            )
            .order_by(col(AttemptEvent.id))
        ):
            last_pause[event.attempt_id] = event
    resumed = 0
    for attempt in held:
        pause_event = last_pause.get(attempt.id)
        if pause_event is not None and pause_event.detail.get("scope") == "sitting":
            attempts.resume(session=session, attempt_id=attempt.id, actor_id=actor_id, reason=reason, now=now)
            resumed += 1
    return resumed
