"""Notes and incident reports a proctor adds to an attempt: events on its timeline, never shown to the candidate."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from examengine.clock import utcnow
from examengine.delivery import attempt_view, attempts
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
    hold: bool = False,
) -> attempt_view.AttemptView:
    """A note (no category) or an incident report (category identity, conduct, technical or other); an incident
    reported with `hold` withholds the attempt's result until an admin decides (delivery.holds). Raises
    InvalidInput (hold_needs_incident) for a hold on a note without a category."""
    attempt = proctored_attempt(session, attempt_id, actor_id)
    text = text.strip()
    if not text:
        raise InvalidInput("Write the note.", code="empty_note")
    if len(text) > 4000 or "\x00" in text:
        raise InvalidInput("A note is at most 4,000 characters of text.", code="invalid_note")
    if category is not None and category not in INCIDENT_CATEGORIES:
        raise InvalidInput(f"An incident is one of {', '.join(INCIDENT_CATEGORIES)}.", code="invalid_category")
    if hold and category is None:
        raise InvalidInput("Only an incident holds the result: choose its category.", code="hold_needs_incident")
    now = now or utcnow()
    detail: dict[str, object] = {"text": text, **({"category": category} if category else {})}
    if hold:
        detail["hold"] = True
    attempts.record(
        session,
        attempt_id,
        AttemptEventType.INCIDENT if category else AttemptEventType.NOTE,
        actor_id=actor_id,
        at=now,
        detail=detail,
    )
    session.flush()
    return attempt_view.view(session, attempt, now)
