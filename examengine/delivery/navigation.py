"""The exam version's navigation rules as the candidate meets them: free or linear (forward only: one question at a
time, no way back), and whether flagging and the review list are offered. The rules travel with the attempt's form,
so a published exam's later versions never change an attempt under way."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.delivery import attempt_view, attempts, sections
from examengine.delivery.attempt_facts import AttemptFacts
from examengine.delivery.events import AttemptEventType
from examengine.delivery.models import Attempt
from examengine.errors import Conflict


def current_slot(attempt: Attempt | AttemptFacts, now: datetime) -> int | None:
    """Linear navigation: the one slot the candidate may see and answer now (None when navigation is free)."""
    return attempt_view.linear_position(attempt, sections.open_section(attempt, now))


def ensure_reachable(attempt: Attempt | AttemptFacts, slot: int, now: datetime) -> None:
    """Refuse any slot but the current one of a forward-only attempt."""
    current = current_slot(attempt, now)
    if current is not None and slot != current:
        raise Conflict(
            "This exam moves forward only: answer the current question, then go on with Next.",
            code="linear_navigation",
            details={"current_slot": current},
        )


def ensure_flagging_allowed(attempt: Attempt) -> None:
    if not attempt.form.allow_flagging:
        raise Conflict("This exam does not use flags for review.", code="flagging_not_allowed")


def advance(
    *, session: Session, attempt_id: str, user_id: str, from_slot: int, now: datetime | None = None
) -> attempt_view.AttemptView:
    """Move a forward-only attempt on from `from_slot`; repeating it is harmless. The last question of a timed
    section is left by finishing the section, the exam's last one by submitting (Conflict last_slot)."""
    now = now or utcnow()
    attempt = attempts.load_running(session, attempt_id, user_id, now)
    current = current_slot(attempt, now)
    if current is None:
        raise Conflict("This exam's navigation is free: open any question.", code="navigation_free")
    if from_slot != current:
        return attempt_view.view(session, attempt, now)
    open_section = sections.open_section(attempt, now)
    order = attempt.form.slot_numbers(open_section)
    following = order.index(current) + 1
    if following >= len(order):
        raise Conflict("This is the last question here: finish the section or submit the exam.", code="last_slot")
    moved = session.execute(
        update(Attempt)
        .where(col(Attempt.id) == attempt.id, col(Attempt.linear_slot) == attempt.linear_slot)
        .values(linear_slot=order[following])
    )
    if getattr(moved, "rowcount", 0):
        attempts.record(
            session,
            attempt.id,
            AttemptEventType.ADVANCED,
            actor_id=user_id,
            at=now,
            detail={"from": current, "to": order[following]},
        )
    session.flush()
    session.refresh(attempt)
    return attempt_view.view(session, attempt, now)
