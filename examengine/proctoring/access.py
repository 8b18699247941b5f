"""Who may watch what: admins every sitting, proctors only the sittings assigned to them, and nobody their own
attempt. The rule lives in the services (examengine.delivery.acting); both doors call these."""

from __future__ import annotations

from sqlmodel import Session

from examengine.delivery.acting import proctored_attempt
from examengine.delivery.models import Attempt
from examengine.errors import NotFound
from examengine.exams.models import Sitting
from examengine.exams.sittings import may_proctor


def watched_sitting(*, session: Session, sitting_id: str, user_id: str) -> Sitting:
    """The sitting if the user may watch it; otherwise it does not exist for them (NotFound)."""
    sitting = session.get(Sitting, sitting_id) if len(sitting_id) <= 32 else None
    if sitting is None or not may_proctor(session=session, sitting_id=sitting_id, user_id=user_id):
        raise NotFound("No such sitting.", code="sitting_not_found")
    return sitting


def watched_attempt(*, session: Session, attempt_id: str, user_id: str) -> Attempt:
    """The attempt if the user proctors its sitting (or is an admin) and it is not their own: NotFound, or
    Forbidden (own_attempt), otherwise."""
    return proctored_attempt(session, attempt_id, user_id)
