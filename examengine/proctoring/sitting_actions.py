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
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import AttemptStatus


def _attempts_in(session: Session, sitting_id: str, status: AttemptStatus) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(col(Attempt.sitting_id) == sitting_id, col(Attempt.status) == status)
            .order_by(col(Attempt.id))
        )
    )


def pause_sitting(*, session: Session, sitting_id: str, actor_id: str, reason: str, now: datetime | None = None) -> int:
    """Pause every attempt in progress in the sitting; returns how many were paused (an attempt whose time ran
    out is expired instead, at its deadline)."""
    now = now or utcnow()
    paused = 0
    for attempt in _attempts_in(session, sitting_id, AttemptStatus.IN_PROGRESS):
        state = attempts.pause(
            session=session, attempt_id=attempt.id, actor_id=actor_id, reason=reason, now=now, whole_sitting=True
        )
        paused += state.status == AttemptStatus.PAUSED
    return paused


def resume_sitting(
    *, session: Session, sitting_id: str, actor_id: str, reason: str = "", now: datetime | None = None
) -> int:
    """Resume the attempts of the sitting whose open pause was a sitting pause; returns how many."""
    now = now or utcnow()
    held = _attempts_in(session, sitting_id, AttemptStatus.PAUSED)
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
