"""The admin's queue of withheld results: finished attempts whose result waits for an incident decision
(programs.incidents), with the candidate, the exam, why it is held and the proctor's incident notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_
from sqlmodel import Session, col, select

from examengine.accounts.models import User
from examengine.delivery import holds
from examengine.delivery.events import AttemptEventType
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.exams import service as exams

MAX_QUEUE = 200


@dataclass(frozen=True)
class IncidentNote:
    at: datetime
    category: str | None  # None: the proctor's reason for terminating
    text: str
    hold: bool


@dataclass(frozen=True)
class WithheldAttempt:
    attempt_id: str
    candidate_name: str
    candidate_email: str
    exam_code: str
    exam_title: str
    finished_at: datetime | None
    held_for: holds.HeldFor
    notes: tuple[IncidentNote, ...]


def _notes(session: Session, attempt_id: str) -> tuple[IncidentNote, ...]:
    kinds = (AttemptEventType.INCIDENT.value, AttemptEventType.TERMINATED.value)
    events = session.scalars(
        select(AttemptEvent)
        .where(col(AttemptEvent.attempt_id) == attempt_id, col(AttemptEvent.type).in_(kinds))
        .order_by(col(AttemptEvent.id))
    )
    return tuple(
        IncidentNote(
            e.at,
            e.detail.get("category") if e.type == AttemptEventType.INCIDENT.value else None,
            str(e.detail.get("text") or e.detail.get("reason") or ""),
            e.detail.get("hold") is True,
        )
        for e in events
    )


def withheld_attempts(*, session: Session) -> list[WithheldAttempt]:
    """Finished attempts whose result is withheld now (oldest first, at most MAX_QUEUE)."""
    held_incident = exists().where(
        col(AttemptEvent.attempt_id) == col(Attempt.id),
        col(AttemptEvent.type) == AttemptEventType.INCIDENT.value,
        col(AttemptEvent.detail)["hold"].as_boolean().is_(True),
    )
    decided = exists().where(
        col(AttemptEvent.attempt_id) == col(Attempt.id),
        col(AttemptEvent.type) == AttemptEventType.INCIDENT_DECIDED.value,
    )
    terminated = (col(Attempt.status) == AttemptStatus.TERMINATED.value) & col(Attempt.termination_decision).is_(None)
    rows = session.exec(
        select(Attempt, User)
        .join(User, col(User.id) == col(Attempt.user_id))
        .where(
            col(Attempt.status).in_([s.value for s in FINAL]),
            or_(terminated, held_incident),
            ~decided,
        )
        .order_by(col(Attempt.finished_at))
        .limit(MAX_QUEUE)
    ).all()
    found = []
    for attempt, user in rows:
        state = holds.hold_state(session, attempt)
        if state.held_for is None:
            continue
        definition = exams.definition_of(session=session, exam_id=attempt.exam_id, version=attempt.exam_version)
        found.append(
            WithheldAttempt(
                attempt.id,
                user.name,
                user.email,
                definition.code,
                definition.title,
                attempt.finished_at,
                state.held_for,
                _notes(session, attempt.id),
            )
        )
    return found
