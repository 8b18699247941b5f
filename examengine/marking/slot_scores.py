"""Marking: a person gives a pending slot (an essay, or an answer the machine could not score) its score.

When the last pending slot is marked the result is complete: it is graded and its status becomes `scored`.
The result row is locked first (FOR UPDATE on PostgreSQL; SQLite's writers are serialised by BEGIN IMMEDIATE)
so two markers finishing the last two slots at once cannot both see the other's slot still pending.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.delivery.models import Attempt
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.scoring.models import AttemptResult, ResultStatus, SlotScore
from examengine.scoring.service import definition_of, slot_scores, totals


def mark_slot(
    *,
    session: Session,
    attempt_id: str,
    slot: int,
    score: float,
    marker_id: str,
    now: datetime,
    comment: str = "",
) -> AttemptResult:
    """Record a marker's score for a pending slot and re-total the result (graded once nothing is pending).
    Marking a slot again with the same score is harmless. Raises NotFound (no result yet, no such slot),
    InvalidInput (score outside 0..the slot's maximum) or Conflict (the slot already has another score)."""
    result = session.scalars(
        select(AttemptResult)
        .where(col(AttemptResult.attempt_id) == attempt_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if result is None:
        raise NotFound("The attempt has no result to mark yet.", code="result_not_found")
    row = session.get(SlotScore, (attempt_id, slot), populate_existing=True)
    if row is None:
        raise NotFound(f"The attempt has no item {slot}.", code="slot_not_found")
    if not 0 <= score <= row.max_score:
        raise InvalidInput(f"The score for item {slot} must be between 0 and {row.max_score:g}.", code="invalid_mark")
    if row.score is not None:
        if row.score == score:
            return result
        raise Conflict(f"Item {slot} already has the score {row.score:g}.", code="already_marked")
    session.execute(
        update(SlotScore)
        .where(col(SlotScore.attempt_id) == attempt_id, col(SlotScore.slot) == slot, col(SlotScore.score).is_(None))
        .values(score=score, marker_id=marker_id, marked_at=now, marker_comment=comment[:2000])
    )
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None  # the result's foreign key
    values = totals(attempt, slot_scores(session, attempt_id), definition_of(session, attempt), now)
    session.execute(
        update(AttemptResult)
        .where(col(AttemptResult.attempt_id) == attempt_id, col(AttemptResult.status) == ResultStatus.PENDING_MARKING)
        .values(**values)
    )
    record(
        session=session,
        kind=AuditKind.RESULT_CHANGED,
        actor_id=marker_id,
        subject=f"attempt:{attempt_id}",
        detail={"slot": slot, "score": score},
        at=now,
    )
    session.flush()
    session.refresh(result)
    return result
