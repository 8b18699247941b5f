"""After a load run: every save the server acknowledged (a 200 means durable) is in the database, and every
attempt that was submitted has exactly one result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlmodel import Session, col

from examengine.delivery.models import Attempt, AttemptEvent, AttemptSlot
from examengine.delivery.states import AttemptStatus
from examengine.scoring.models import AttemptResult

CHUNK = 500


class Answered(Protocol):
    attempt_id: str
    acked: dict[int, int]
    acknowledged: int

    def stored_answer(self, slot: int, seq: int) -> Any: ...


def unscored(*, session: Session, sitting_id: str) -> int:
    """Finished attempts of the sitting without a result yet (the scoring sweep takes those a submit left)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(
                col(Attempt.sitting_id) == sitting_id,
                col(Attempt.status).in_([AttemptStatus.SUBMITTED.value, AttemptStatus.EXPIRED.value]),
                ~col(Attempt.id).in_(select(col(AttemptResult.attempt_id))),
            )
        )
        or 0
    )


def check_saves(*, session: Session, sitters: Sequence[Answered], sitting_id: str) -> dict[str, Any]:
    """Compare the highest acknowledged seq of every slot with the stored row: a stored seq below it is a lost
    save; a stored answer that is not the one sent with the stored seq is a corrupted one."""
    acked = {(s.attempt_id, slot): seq for s in sitters if s.attempt_id for slot, seq in s.acked.items()}
    attempt_ids = sorted({attempt for attempt, _ in acked})
    stored: dict[tuple[str, int], tuple[int, Any]] = {}
    for start in range(0, len(attempt_ids), CHUNK):
        rows = session.execute(
            select(
                col(AttemptSlot.attempt_id), col(AttemptSlot.slot), col(AttemptSlot.seq), col(AttemptSlot.response)
            ).where(col(AttemptSlot.attempt_id).in_(attempt_ids[start : start + CHUNK]))
        )
        stored.update(((a, s), (seq, response)) for a, s, seq, response in rows)
    lost = [key for key, seq in acked.items() if stored.get(key, (0, None))[0] < seq]
    by_attempt = {s.attempt_id: s for s in sitters if s.attempt_id}
    corrupted = [
        key
        for key in acked
        if key in stored and stored[key][1] != by_attempt[key[0]].stored_answer(key[1], stored[key][0])
    ]
    statuses = Counter(
        dict(
            session.execute(
                select(col(Attempt.status), func.count())
                .where(col(Attempt.sitting_id) == sitting_id)
                .group_by(col(Attempt.status))
            ).all()
        )
    )
    in_sitting = select(col(Attempt.id)).where(col(Attempt.sitting_id) == sitting_id)
    results = session.scalar(
        select(func.count()).select_from(AttemptResult).where(col(AttemptResult.attempt_id).in_(in_sitting))
    )
    finish_events = session.scalar(
        select(func.count())
        .select_from(AttemptEvent)
        .where(
            col(AttemptEvent.attempt_id).in_(in_sitting),
            col(AttemptEvent.type).in_([AttemptStatus.SUBMITTED.value, AttemptStatus.EXPIRED.value]),
        )
    )
    return {
        "acknowledged_saves": sum(s.acknowledged for s in sitters),
        "slots_checked": len(acked),
        "lost_saves": len(lost),
        "corrupted_saves": len(corrupted),
        "lost_examples": [f"{a}/{s}" for a, s in lost[:5]],
        "attempts": {str(k): v for k, v in statuses.items()},
        "attempts_submitted": statuses.get(AttemptStatus.SUBMITTED.value, 0),
        "finish_events": finish_events or 0,
        "results": results or 0,
    }
