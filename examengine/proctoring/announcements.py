"""Proctor announcements: a short message to one candidate or to everyone still sitting, a proctor action recorded
on each attempt's timeline (type "announcement") and shown on the candidate's open page by the live channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.delivery import attempt_view, attempts
from examengine.delivery.acting import proctored_attempt
from examengine.delivery.events import AttemptEventType
from examengine.delivery.models import Attempt
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.errors import Conflict, InvalidInput
from examengine.proctoring.access import watched_sitting

KIND = AttemptEventType.ANNOUNCEMENT
MAX_LENGTH = 1000
OPEN = (AttemptStatus.WAITING, AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED)


def checked_message(message: str) -> str:
    # A form's textarea sends its line breaks as CRLF: they are line breaks, not control characters.
    cleaned = (message or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        raise InvalidInput("Write the message for the candidates.", code="empty_message")
    if len(cleaned) > MAX_LENGTH or any(ord(c) < 32 and c not in "\n\t" for c in cleaned):
        raise InvalidInput(f"A message is at most {MAX_LENGTH:,} characters of text.", code="invalid_message")
    return cleaned


def announce(
    *, session: Session, attempt_id: str, actor_id: str, message: str, now: datetime | None = None
) -> attempt_view.AttemptView:
    """Send a message to the attempt's candidate. Raises what `proctored_attempt` raises, InvalidInput for an empty
    or overlong message, Conflict attempt_closed once the attempt has finished (nobody would read it)."""
    attempt = proctored_attempt(session, attempt_id, actor_id)
    message = checked_message(message)
    if attempt.status in FINAL:
        raise Conflict("This attempt has finished: the candidate would not see the message.", code="attempt_closed")
    now = now or utcnow()
    attempts.record(session, attempt.id, KIND, actor_id=actor_id, at=now, detail={"message": message})
    session.flush()
    return attempt_view.view(session, attempt, now)


def announce_sitting(
    *, session: Session, sitting_id: str, actor_id: str, message: str, now: datetime | None = None
) -> int:
    """Send a message to every candidate of the sitting whose attempt is open (waiting, in progress or paused);
    returns how many. Raises NotFound unless the actor proctors the sitting or is an admin; never the actor's own."""
    watched_sitting(session=session, sitting_id=sitting_id, user_id=actor_id)
    message = checked_message(message)
    now = now or utcnow()
    ids = session.scalars(
        select(col(Attempt.id))
        .where(
            col(Attempt.sitting_id) == sitting_id,
            col(Attempt.status).in_([s.value for s in OPEN]),
            col(Attempt.user_id) != actor_id,
        )
        .order_by(col(Attempt.id))
    ).all()
    for attempt_id in ids:
        attempts.record(session, attempt_id, KIND, actor_id=actor_id, at=now, detail={"message": message})
    return len(ids)
