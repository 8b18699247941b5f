"""Admin exceptions to an exam's retake policy for one candidate, recorded with reason, who and when.

`extra_attempt` allows one attempt beyond `max_attempts` (and beyond `max_attempts_in_period`) each time it is
granted; `waive_wait` lifts the waiting period after every fail that finished at or before the grant (a fail
after it imposes its wait again). The retake rules (exams.retake) apply them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts.models import Role, User, UserRole
from examengine.errors import InvalidInput, NotFound
from examengine.exams import service as exams
from examengine.scoring.models import RetakeException, RetakeExceptionKind


def grant(
    *,
    session: Session,
    exam_id: str,
    user_id: str,
    kind: RetakeExceptionKind,
    reason: str,
    actor_id: str,
    now: datetime,
) -> RetakeException:
    """Record an exception for the candidate on the exam. Raises NotFound (unknown exam or candidate) and
    InvalidInput (no reason)."""
    exams.get_version(session=session, exam_id=exam_id)
    user = session.get(User, user_id) if len(user_id) <= 32 else None
    is_candidate = session.get(UserRole, (user_id, Role.CANDIDATE.value)) if user is not None else None
    if user is None or is_candidate is None:
        raise NotFound("No such candidate.", code="candidate_not_found")
    if not reason.strip():
        raise InvalidInput("Give the reason for the exception; it is recorded.", code="reason")
    granted = RetakeException(
        user_id=user_id, exam_id=exam_id, kind=kind, reason=reason.strip()[:2000], granted_by=actor_id, granted_at=now
    )
    session.add(granted)
    session.flush()
    return granted


def exceptions_for(session: Session, *, exam_id: str, user_ids: Sequence[str] | None = None) -> list[RetakeException]:
    """The exceptions granted on the exam (to the named candidates), oldest first."""
    chosen = select(RetakeException).where(col(RetakeException.exam_id) == exam_id)
    if user_ids is not None:
        chosen = chosen.where(col(RetakeException.user_id).in_(list(user_ids)))
    return list(session.scalars(chosen.order_by(col(RetakeException.granted_at), col(RetakeException.id))))
