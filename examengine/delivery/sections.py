"""Timed sections as the candidate meets them: which section is open, refusing items outside it, finishing a
section early. The clocks themselves are in delivery.ledger; closing a section whose time ran out is part of
`attempts.finish_if_overdue`, which every write path calls first."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from examengine.clock import utcnow
from examengine.delivery import ledger
from examengine.delivery.attempt_facts import AttemptFacts
from examengine.delivery.attempt_view import AttemptView, time_ledger, view
from examengine.delivery.attempts import load_running, open_next_section
from examengine.delivery.models import Attempt
from examengine.errors import Conflict


def open_section(attempt: Attempt | AttemptFacts, now: datetime) -> int | None:
    """The timed section open at `now` (None when the attempt's sections are not timed or it has not started)."""
    clock = ledger.open_section(time_ledger(attempt), now)
    return None if clock is None else clock.index


def ensure_section_open(attempt: Attempt | AttemptFacts, section: int, now: datetime) -> None:
    """Refuse reading or answering an item outside the open timed section."""
    current = open_section(attempt, now)
    if current is None or section == current:
        return
    if section < current:
        raise Conflict(
            "This section is closed (its time ran out or you finished it): its answers can no longer be changed.",
            code="section_closed",
            details={"open_section": current},
        )
    raise Conflict(
        "This section is not open yet: finish the current section first.",
        code="section_not_open",
        details={"open_section": current},
    )


def finish_section(
    *, session: Session, attempt_id: str, user_id: str, section: int, now: datetime | None = None
) -> AttemptView:
    """The candidate closes the open timed section early and the next one opens now; repeating it is harmless.
    Raises Conflict for the last section (submit instead), while paused, or when the attempt has finished."""
    now = now or utcnow()
    attempt = load_running(session, attempt_id, user_id, now)
    current = open_section(attempt, now)
    if current is None:
        raise Conflict("This exam's sections are not timed: move freely between them.", code="sections_not_timed")
    if section < current:
        return view(session, attempt, now)
    if section > current:
        raise Conflict("That section is not open yet.", code="section_not_open", details={"open_section": current})
    if current + 1 >= len(attempt.form.sections):
        raise Conflict("This is the last section: submit the exam instead.", code="last_section")
    added = attempt.extension_seconds + attempt.credited_seconds + attempt.paused_seconds
    clock = ledger.SectionClock(current + 1, now, added, None)
    open_next_section(
        session, attempt, clock, reason="finished by the candidate", closed=[current], actor_id=user_id, now=now
    )
    return view(session, attempt, now)
