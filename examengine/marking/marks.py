"""A marker's mark: recorded at the stage the marker's page was opened for, refused when stale.

A mark is refused when the answer was marked at that stage in the meantime (a stale page), when another
marker's claim on it is still live, or when the same marker marked it at an earlier stage (double marking needs
a different marker). When the marks decide the answer's score (marking.rule), it is written with
`mark_slot`, which completes the result once nothing else is pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session, col

from examengine.db import dialect_insert
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.marking.queue import STAGE_NAMES, attempt_of_script, policy_of, waiting_slots
from examengine.marking.rule import outcome
from examengine.marking.slot_scores import mark_slot
from examengine.scoring.models import (
    MARK_TABLE,
    AttemptResult,
    MarkingClaim,
    MarkingStage,
    ResultStatus,
    SlotMark,
    SlotScore,
)


@dataclass(frozen=True)
class MarkRecorded:
    script_id: str
    slot: int
    stage: MarkingStage
    final_score: float | None  # None: the answer now waits for another stage
    result_status: ResultStatus


def marks_of(session: Session, attempt_id: str, slot: int) -> list[SlotMark]:
    return list(
        session.scalars(
            select(SlotMark)
            .where(col(SlotMark.attempt_id) == attempt_id, col(SlotMark.slot) == slot)
            .order_by(col(SlotMark.stage))
        )
    )


def submit_mark(
    *,
    session: Session,
    script_id: str,
    slot: int,
    stage: int,
    score: float,
    marker_id: str,
    now: datetime,
    comment: str = "",
) -> MarkRecorded:
    """Record the marker's mark of the answer at `stage` (the stage their page was opened for); when the marks
    decide the answer's score, it is written and the result completes once nothing else is pending. Raises
    NotFound (unknown script or answer), InvalidInput (score outside 0..maximum), Conflict (stale_mark: marked at
    that stage meanwhile or already final; claimed_by_other; already_marked_by_you)."""
    attempt_id = attempt_of_script(session, script_id)
    session.scalars(select(AttemptResult).where(col(AttemptResult.attempt_id) == attempt_id).with_for_update()).first()
    waiting = waiting_slots(session, attempt_id=attempt_id, slot=slot)
    if not waiting:
        if session.get(SlotScore, (attempt_id, slot)) is None:
            raise NotFound(f"Script {script_id} has no item {slot}.", code="slot_not_found")
        raise Conflict(
            "This answer already has its final mark; your mark was not recorded. Take the next script.",
            code="stale_mark",
        )
    current = waiting[0]
    if marker_id in current.markers:
        raise Conflict(
            "You have already marked this answer; a different marker gives the next mark.",
            code="already_marked_by_you",
        )
    if stage != current.stage:
        raise Conflict(
            f"This answer was marked by another marker while your page was open (it now needs its "
            f"{STAGE_NAMES[current.stage]}); your mark was not recorded. Take the next script from the queue.",
            code="stale_mark",
        )
    claim = current.claim
    if claim is not None and claim.marker_id != marker_id and claim.expires_at > now:
        raise Conflict(
            "Another marker has claimed this answer; your mark was not recorded. Take the next script from the queue.",
            code="claimed_by_other",
        )
    if not 0 <= score <= current.max_score:
        raise InvalidInput(f"The mark must be between 0 and {current.max_score:g}.", code="invalid_mark")
    inserted = session.execute(
        dialect_insert(session, MARK_TABLE)
        .values(
            attempt_id=attempt_id,
            slot=slot,
            stage=stage,
            marker_id=marker_id,
            score=score,
            comment=comment[:2000],
            marked_at=now,
        )
        .on_conflict_do_nothing()
        .returning(MARK_TABLE.c.id)
    ).first()
    if inserted is None:
        raise Conflict("This answer was marked meanwhile; your mark was not recorded.", code="stale_mark")
    session.execute(
        delete(MarkingClaim).where(col(MarkingClaim.attempt_id) == attempt_id, col(MarkingClaim.slot) == slot)
    )
    policy = policy_of(session, current.exam_id, current.exam_version, {})
    decided = outcome([m.score for m in marks_of(session, attempt_id, slot)], policy, current.max_score)
    status = ResultStatus.PENDING_MARKING
    if decided.final_score is not None:
        result = mark_slot(
            session=session,
            attempt_id=attempt_id,
            slot=slot,
            score=decided.final_score,
            marker_id=marker_id,
            now=now,
            comment=comment,
        )
        status = result.status
    return MarkRecorded(script_id, slot, MarkingStage(stage), decided.final_score, status)


def previous_marks(marks: Sequence[SlotMark], stage: MarkingStage) -> list[SlotMark]:
    """The marks an adjudicator sees; a second marker marks blind, so sees none."""
    return list(marks) if stage == MarkingStage.ADJUDICATION else []
