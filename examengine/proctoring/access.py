"""Who may watch what: admins every sitting, proctors only the sittings assigned to them."""

from __future__ import annotations

from sqlmodel import Session

from examengine.delivery import attempts
from examengine.delivery.models import Attempt
from examengine.errors import NotFound
from examengine.exams.models import Sitting
from examengine.exams.sittings import is_proctor_of


def watched_sitting(*, session: Session, sitting_id: str, user_id: str, is_admin: bool) -> Sitting:
    """The sitting if the user may watch it; otherwise it does not exist for them (NotFound)."""
    sitting = session.get(Sitting, sitting_id) if len(sitting_id) <= 32 else None
    if sitting is None or not (is_admin or is_proctor_of(session=session, sitting_id=sitting_id, user_id=user_id)):
        raise NotFound("No such sitting.", code="sitting_not_found")
    return sitting


def watched_attempt(*, session: Session, attempt_id: str, user_id: str, is_admin: bool) -> Attempt:
    """The attempt if the user proctors its sitting (or is an admin); otherwise NotFound."""
    attempt = attempts.load(session, attempt_id)
    if not (is_admin or is_proctor_of(session=session, sitting_id=attempt.sitting_id, user_id=user_id)):
        raise NotFound("No such attempt.", code="attempt_not_found")
    return attempt
