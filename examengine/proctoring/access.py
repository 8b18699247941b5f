"""Who may watch what: admins every sitting, proctors only the sittings assigned to them, and nobody their own
attempt. The rule lives in the services (examengine.delivery.acting); both doors call these."""

from __future__ import annotations

from sqlmodel import Session

from examengine.accounts.credentials import Principal
from examengine.accounts.models import Role
from examengine.delivery import attempts
from examengine.delivery.acting import proctored_attempt
from examengine.delivery.models import Attempt
from examengine.errors import NotFound
from examengine.exams import sittings
from examengine.exams.models import Sitting
from examengine.exams.sittings import SittingView, may_proctor


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


def watched_sittings(*, session: Session, who: Principal) -> list[Sitting]:
    """The sittings the principal may watch, latest first: every one for an admin, the assigned ones otherwise."""
    return sittings.list_sittings(session=session, proctor_id=None if Role.ADMIN in who.roles else who.user_id)


def watched_sitting_view(*, session: Session, sitting_id: str, who: Principal) -> SittingView:
    """The sitting with its candidates, for an admin or one of its proctors; NotFound for anyone else."""
    view = sittings.get_sitting(session=session, sitting_id=sitting_id)
    if Role.ADMIN not in who.roles and who.user_id not in view.proctor_ids:
        raise NotFound("No such sitting.", code="sitting_not_found")
    return view


def own_or_watched_attempt(*, session: Session, attempt_id: str, who: Principal) -> bool:
    """Whether the attempt is the principal's own (True) or one they watch (False): a proctor of its sitting or an
    admin. NotFound for anyone else, and Forbidden as `watched_attempt`."""
    if attempts.load(session, attempt_id).user_id == who.user_id:
        return True
    if Role.PROCTOR not in who.roles and Role.ADMIN not in who.roles:
        raise NotFound("No such attempt.", code="attempt_not_found")
    watched_attempt(session=session, attempt_id=attempt_id, user_id=who.user_id)
    return False
