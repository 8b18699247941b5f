"""Who may act on an attempt as its proctor, and what a proctor's action must carry.

Every proctor action (admit, pause, resume, extend, credit time, notes, terminate, moving the device, the sitting's
pause and resume) and the proctor's reading of an attempt go through `proctored_attempt`, whichever door (HTML page
or JSON API) the request came through: an admin or a proctor assigned to the attempt's sitting, and never the
attempt's own candidate, even when that person also holds the proctor or admin role.
"""

from __future__ import annotations

from sqlmodel import Session

from examengine.delivery.models import Attempt
from examengine.errors import Forbidden, InvalidInput, NotFound
from examengine.exams.sittings import may_proctor

MAX_REASON_LENGTH = 2000
MIN_MINUTES, MAX_MINUTES = 1, 600
OWN_ATTEMPT_MESSAGE = "This is your own attempt: another proctor of the sitting or an admin must act on it."


def proctored_attempt(session: Session, attempt_id: str, actor_id: str) -> Attempt:
    """The attempt if `actor_id` may watch and act on it. Raises NotFound when the attempt does not exist or the
    actor neither administers nor proctors its sitting, Forbidden (own_attempt) when it is the actor's own."""
    attempt = session.get(Attempt, attempt_id) if len(attempt_id) <= 32 else None
    if attempt is None or not may_proctor(session=session, sitting_id=attempt.sitting_id, user_id=actor_id):
        raise NotFound("No such attempt.", code="attempt_not_found")
    if attempt.user_id == actor_id:
        raise Forbidden(OWN_ATTEMPT_MESSAGE, code="own_attempt")
    return attempt


def required_reason(reason: str, doing: str) -> str:
    """The reason without surrounding blanks; raises InvalidInput (reason_required) when nothing is left."""
    cleaned = optional_reason(reason)
    if not cleaned:
        raise InvalidInput(f"Give the reason to {doing}.", code="reason_required")
    return cleaned


def optional_reason(reason: str) -> str:
    cleaned = (reason or "").strip()
    if len(cleaned) > MAX_REASON_LENGTH or "\x00" in cleaned:
        raise InvalidInput(f"A reason is at most {MAX_REASON_LENGTH:,} characters of text.", code="invalid_reason")
    return cleaned


def checked_minutes(minutes: int, doing: str) -> int:
    """Whole minutes from 1 to 600; raises InvalidInput (invalid_minutes) otherwise."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"{doing.capitalize()} {MIN_MINUTES} to {MAX_MINUTES} minutes.", code="invalid_minutes")
    return minutes
