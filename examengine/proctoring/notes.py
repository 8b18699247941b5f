"""Notes and incident reports a proctor adds to an attempt: events on its timeline, never shown to the candidate."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from examengine.clock import utcnow
from examengine.delivery import attempts
from examengine.delivery.acting import proctored_attempt
from examengine.delivery.events import AttemptEventType
from examengine.errors import InvalidInput

INCIDENT_CATEGORIES = ("identity", "conduct", "technical", "other")


def add_note(
    *,
    session: Session,
    attempt_id: str,
    actor_id: str,
    text: str,
    category: str | None = None,
    now: datetime | None = None,
) -> attempts.AttemptView:
    """A note (no category) or an incident report (category identity, conduct, technical or other)."""
    attempt = proctored_attempt(session, attempt_id, actor_id)
    text = text.strip()
    if not text:
        raise InvalidInput("Write the note.", code="empty_note")
    if len(text) > 4000 or "\x00" in text:
        raise InvalidInput("A note is at most 4,000 characters of text.", code="invalid_note")
    if category is not None and category not in INCIDENT_CATEGORIES:
        raise InvalidInput(f"An incident is one of {', '.join(INCIDENT_CATEGORIES)}.", code="invalid_category")
    now = now or utcnow()
    detail = {"text": text, **({"category": category} if category else {})}
    attempts.record(
        session,
        attempt_id,
        AttemptEventType.INCIDENT if category else AttemptEventType.NOTE,
        actor_id=actor_id,
        at=now,
        detail=detail,
    )
    session.flush()
    return attempts.view(session, attempt, now)
