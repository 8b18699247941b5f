"""The live rows of a sitting for its proctors: three queries for the whole sitting, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.delivery import ledger
from examengine.delivery.attempts import time_ledger
from examengine.delivery.models import Attempt, AttemptEvent, AttemptSlot
from examengine.delivery.states import AttemptStatus
from examengine.exams.models import Enrollment

LIVE = timedelta(seconds=60)
STALE = timedelta(minutes=5)
INCIDENT_TYPES = ("focus_lost", "fullscreen_exit", "paste_attempt", "copy_attempt", "second_device", "incident")
ATTENTION_STATUSES = frozenset({AttemptStatus.WAITING, AttemptStatus.PAUSED})


@dataclass(frozen=True)
class CandidateRow:
    user_id: str
    candidate: str
    email: str
    attempt_id: str | None
    status: str  # an attempt status, or "not_checked_in"
    answered: int
    total: int
    remaining_seconds: int | None
    last_seen: datetime | None
    connection: str  # live, stale, offline, none
    offline_for_seconds: int | None
    incidents: dict[str, int]
    attention: tuple[str, ...]

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)


def _connection(last_seen: datetime | None, status: str, now: datetime) -> tuple[str, int | None]:
    if last_seen is None or status not in (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED, AttemptStatus.WAITING):
        return "none", None
    quiet = now - last_seen
    if quiet <= LIVE:
        return "live", None
    return ("stale" if quiet <= STALE else "offline"), int(quiet.total_seconds())


def sitting_rows(*, session: Session, sitting_id: str, now: datetime) -> list[CandidateRow]:
    """One row per enrolled candidate with their latest attempt, attention-needing rows first."""
    answered = (
        select(func.count())
        .where(col(AttemptSlot.attempt_id) == col(Attempt.id), col(AttemptSlot.response).is_not(None))
        .correlate(Attempt)
        .scalar_subquery()
    )
    total = (
        select(func.count()).where(col(AttemptSlot.attempt_id) == col(Attempt.id)).correlate(Attempt).scalar_subquery()
    )
    latest = (
        select(func.max(col(Attempt.number)))
        .where(col(Attempt.sitting_id) == sitting_id, col(Attempt.user_id) == col(Enrollment.user_id))
        .correlate(Enrollment)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Enrollment, User, Attempt, answered, total)
        .join(User, col(User.id) == col(Enrollment.user_id))
        .outerjoin(
            Attempt,
            and_(
                col(Attempt.sitting_id) == sitting_id,
                col(Attempt.user_id) == col(Enrollment.user_id),
                col(Attempt.number) == latest,
            ),
        )
        .where(col(Enrollment.sitting_id) == sitting_id)
        .order_by(col(User.name))
    ).all()
    attempt_ids = [attempt.id for _, _, attempt, _, _ in rows if attempt is not None]
    counts: dict[str, dict[str, int]] = {}
    seen: dict[str, datetime] = {}
    if attempt_ids:
        for attempt_id, kind, number, last in session.execute(
            select(col(AttemptEvent.attempt_id), col(AttemptEvent.type), func.count(), func.max(col(AttemptEvent.at)))
            .where(col(AttemptEvent.attempt_id).in_(attempt_ids))
            .group_by(col(AttemptEvent.attempt_id), col(AttemptEvent.type))
        ):
            if kind in INCIDENT_TYPES:
                counts.setdefault(attempt_id, {})[kind] = int(number)
            if last is not None and (attempt_id not in seen or last > seen[attempt_id]):
                seen[attempt_id] = last
    found = []
    for _enrollment, user, attempt, answered_count, total_count in rows:
        if attempt is None:
            found.append(
                CandidateRow(
                    user.id, user.name, user.email, None, "not_checked_in", 0, 0, None, None, "none", None, {}, ()
                )
            )
            continue
        status = AttemptStatus(attempt.status)
        running = status in (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED)
        remaining = ledger.remaining_seconds(time_ledger(attempt), now) if running else None
        last = seen.get(attempt.id, attempt.last_seen_at)
        connection, quiet = _connection(last, status, now)
        incidents = counts.get(attempt.id, {})
        attention = []
        if status == AttemptStatus.WAITING:
            attention.append("waiting for admission")
        if status == AttemptStatus.PAUSED:
            attention.append("paused")
        if connection == "offline":
            attention.append("offline")
        if incidents.get("second_device") or incidents.get("paste_attempt") or incidents.get("fullscreen_exit"):
            attention.append("incidents")
        if remaining is not None and remaining < 300 and status == AttemptStatus.IN_PROGRESS:
            attention.append("under 5 minutes left")
        found.append(
            CandidateRow(
                user.id,
                user.name,
                user.email,
                attempt.id,
                status.value,
                int(answered_count or 0),
                int(total_count or 0),
                remaining,
                last,
                connection,
                quiet,
                incidents,
                tuple(attention),
            )
        )
    return sorted(found, key=lambda row: (not row.needs_attention, row.candidate.lower()))
