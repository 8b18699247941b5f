"""The live rows of a sitting for its proctors: three queries for the whole sitting, whatever its size (a fourth
reads the forms of attempts whose sections are timed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.delivery import ledger
from examengine.delivery.attempts import ledger_of, section_allowances
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


LEDGER_COLUMNS: tuple[Any, ...] = (
    col(Attempt.id).label("attempt_id"),
    col(Attempt.status),
    col(Attempt.started_at),
    col(Attempt.allowed_seconds),
    col(Attempt.extension_seconds),
    col(Attempt.credited_seconds),
    col(Attempt.paused_seconds),
    col(Attempt.paused_at),
    col(Attempt.window_closes_at),
    col(Attempt.last_seen_at),
    col(Attempt.open_section),
    col(Attempt.section_opened_at),
    col(Attempt.section_offset_seconds),
)


def _section_allowances(session: Session, attempt_ids: list[str]) -> dict[str, tuple[int | None, ...]]:
    """The timed sections' allowances of these attempts (read from their forms only when sections are timed)."""
    if not attempt_ids:
        return {}
    return {
        attempt_id: section_allowances(form)
        for attempt_id, form in session.execute(
            select(col(Attempt.id), col(Attempt.form)).where(col(Attempt.id).in_(attempt_ids))
        )
    }


def sitting_rows(*, session: Session, sitting_id: str, now: datetime) -> list[CandidateRow]:
    """One row per enrolled candidate with their latest attempt, attention-needing rows first."""
    answered = (
        select(func.count())
        .where(col(AttemptSlot.attempt_id) == col(Attempt.id), col(AttemptSlot.response).is_not(None))
        .correlate(Attempt)
        .scalar_subquery()
        .label("answered")
    )
    total = (
        select(func.count())
        .where(col(AttemptSlot.attempt_id) == col(Attempt.id))
        .correlate(Attempt)
        .scalar_subquery()
        .label("total")
    )
    latest = (
        select(func.max(col(Attempt.number)))
        .where(col(Attempt.sitting_id) == sitting_id, col(Attempt.user_id) == col(Enrollment.user_id))
        .correlate(Enrollment)
        .scalar_subquery()
    )
    # Plain columns, not entities: building 500 ORM objects (and parsing 500 form documents) cost more than the
    # queries themselves.
    rows = session.execute(
        select(col(User.id).label("user_id"), col(User.name), col(User.email), *LEDGER_COLUMNS, answered, total)
        .select_from(Enrollment)
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
    attempt_ids = [row.attempt_id for row in rows if row.attempt_id is not None]
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
    allowances = _section_allowances(session, [row.attempt_id for row in rows if row.open_section is not None])
    found = []
    for row in rows:
        if row.attempt_id is None:
            found.append(
                CandidateRow(
                    row.user_id, row.name, row.email, None, "not_checked_in", 0, 0, None, None, "none", None, {}, ()
                )
            )
            continue
        status = AttemptStatus(row.status)
        running = status in (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED)
        remaining = ledger.remaining_seconds(ledger_of(row, allowances.get(row.attempt_id)), now) if running else None
        last = seen.get(row.attempt_id, row.last_seen_at)
        connection, quiet = _connection(last, status, now)
        incidents = counts.get(row.attempt_id, {})
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
                row.user_id,
                row.name,
                row.email,
                row.attempt_id,
                status.value,
                int(row.answered or 0),
                int(row.total or 0),
                remaining,
                last,
                connection,
                quiet,
                incidents,
                tuple(attention),
            )
        )
    return sorted(found, key=lambda row: (not row.needs_attention, row.candidate.lower()))
