"""Whether an attempt's result is withheld for an incident, read from the attempt's own chain.

A result is withheld (API.md "Score reports, incidents, appeals") while
- the attempt was terminated and neither a termination decision (delivery.termination) nor an incident decision
  is recorded, or
- a proctor reported an incident with `hold` (an `incident` event whose detail holds `"hold": true`) and no
  incident decision is recorded.
An incident decision is an `incident_decided` event ({decision: release|invalidate, reason}); the program's record
of it (with the appeal period) is programs.models.IncidentDecision, written by programs.incidents in the same unit
of work. The facts live here, on the attempt's chain, because scoring and certificates (below programs) must
honour them: no result shown, no certificate issued while withheld or after an invalidation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlmodel import Session, col

from examengine.delivery.events import AttemptEventType
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import AttemptStatus

RELEASE, INVALIDATE = "release", "invalidate"


class HeldFor(StrEnum):
    TERMINATION = "termination"
    INCIDENT = "incident"


@dataclass(frozen=True)
class HoldState:
    held_for: HeldFor | None  # why the result is withheld now; None when it is not
    decision: str | None  # the incident decision recorded (release or invalidate), if any
    incident_held: bool  # a proctor reported an incident with hold (decided or not)

    @property
    def invalidated(self) -> bool:
        return self.decision == INVALIDATE

    @property
    def blocks_result(self) -> bool:
        """No result shown and no certificate issued: withheld now, or invalidated."""
        return self.held_for is not None or self.invalidated


def _events(session: Session, attempt_id: str, kind: AttemptEventType) -> list[AttemptEvent]:
    return list(
        session.scalars(
            select(AttemptEvent)
            .where(col(AttemptEvent.attempt_id) == attempt_id, col(AttemptEvent.type) == kind.value)
            .order_by(col(AttemptEvent.id))
        )
    )


def decision_detail(session: Session, attempt_id: str) -> dict[str, Any] | None:
    """The recorded incident decision's detail ({decision, reason}) with its actor and time, or None."""
    found = _events(session, attempt_id, AttemptEventType.INCIDENT_DECIDED)
    if not found:
        return None
    event = found[-1]
    return {**event.detail, "actor_id": event.actor_id, "at": event.at}


def hold_state(session: Session, attempt: Attempt) -> HoldState:
    """The attempt's hold, from its status and its chain's incident events."""
    held_incident = any(e.detail.get("hold") is True for e in _events(session, attempt.id, AttemptEventType.INCIDENT))
    decided = decision_detail(session, attempt.id)
    decision = None if decided is None else str(decided["decision"])
    held_for = None
    if decision is None:
        if attempt.status == AttemptStatus.TERMINATED and attempt.termination_decision is None:
            held_for = HeldFor.TERMINATION
        elif held_incident and attempt.status != AttemptStatus.TERMINATED:
            held_for = HeldFor.INCIDENT
    return HoldState(held_for, decision, held_incident)


def result_blocked(session: Session, attempt_id: str) -> bool:
    attempt = session.get(Attempt, attempt_id) if len(attempt_id) <= 32 else None
    return attempt is not None and hold_state(session, attempt).blocks_result


def blocked_clause(attempt_id: Any) -> ColumnElement[bool]:
    """SQL: the attempt (its id column given) had an incident reported with hold and no release was decided.
    Used by the certificate sweep; terminated attempts are never scored, so they need no clause."""
    held = exists().where(
        col(AttemptEvent.attempt_id) == attempt_id,
        col(AttemptEvent.type) == AttemptEventType.INCIDENT.value,
        col(AttemptEvent.detail)["hold"].as_boolean().is_(True),
    )
    released = exists().where(
        col(AttemptEvent.attempt_id) == attempt_id,
        col(AttemptEvent.type) == AttemptEventType.INCIDENT_DECIDED.value,
        col(AttemptEvent.detail)["decision"].as_string() == RELEASE,
    )
    return and_(held, ~released)


def invalidated_clause(attempt_id: Any) -> ColumnElement[bool]:
    """SQL: an incident decision invalidated the attempt (its id column given)."""
    return exists().where(
        col(AttemptEvent.attempt_id) == attempt_id,
        col(AttemptEvent.type) == AttemptEventType.INCIDENT_DECIDED.value,
        col(AttemptEvent.detail)["decision"].as_string() == INVALIDATE,
    )
