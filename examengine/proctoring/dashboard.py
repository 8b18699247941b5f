"""The live rows of a sitting for its proctors: one SQL statement for the whole sitting, whatever its size.

The statement joins each enrolment to the candidate's latest attempt in the sitting and to two aggregates grouped
per attempt over the sitting's attempts only: its slots (answered, total, last save) and its events other than
answer saves (incident counters, last event). Last activity is the latest of the last save, the last event and
`last_seen_at`: every answer save writes its slot's `saved_at` and an `answer_saved` event at the same instant, so
the slots stand in for those events, which are most of the timeline and are left out of the event aggregate.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, and_, bindparam, case, func, literal_column, null, select, type_coerce
from sqlalchemy.sql import ColumnElement, Subquery
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.audit.chain import UNCHAINED_EVENT
from examengine.delivery import ledger
from examengine.delivery.attempt_view import LEDGER_FACTS, ledger_of
from examengine.delivery.models import Attempt, AttemptEvent, AttemptSlot
from examengine.delivery.states import AttemptStatus
from examengine.exams.models import Enrollment
from examengine.programs import accommodation_flags

LIVE = timedelta(seconds=60)
STALE = timedelta(minutes=5)
INCIDENT_TYPES = ("focus_lost", "fullscreen_exit", "paste_attempt", "copy_attempt", "second_device", "incident")
ALERTING_INCIDENTS = ("second_device", "paste_attempt", "fullscreen_exit")
CONNECTED_STATUSES = frozenset({AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED, AttemptStatus.WAITING})
RUNNING_STATUSES = frozenset({AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED})
NOT_CHECKED_IN = "not_checked_in"
# A literal, not a bound parameter: the planners (SQLite's always, PostgreSQL's for generic plans) use the partial
# index of the events that are not answer saves only when the query states its condition with the same constant.
NOT_A_SAVE: ColumnElement[str] = literal_column(f"'{UNCHAINED_EVENT}'")


@dataclass(frozen=True, slots=True)
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
    last_seen_seconds_ago: int | None = None
    termination_decision: str | None = None  # a terminated attempt: the admin's decision; None while held
    accommodation_label: str = ""  # programs.accommodation_flags: that an accommodation applies, never why

    @property
    def needs_attention(self) -> bool:
        return bool(self.attention)

    # The display strings the dashboard's rows print, built here so that the template only pastes them in.
    @property
    def status_label(self) -> str:
        if self.status == AttemptStatus.TERMINATED:
            if self.termination_decision is None:
                return "terminated: held until an administrator decides"
            return f"terminated: decided ({self.termination_decision.replace('_', ' ')})"
        return self.status.replace("_", " ")

    @property
    def progress_label(self) -> str:
        return f"{self.answered} / {self.total}" if self.total else ""

    @property
    def time_left_label(self) -> str:
        seconds = self.remaining_seconds
        return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"

    @property
    def last_activity_label(self) -> str:
        return "" if self.last_seen_seconds_ago is None else f"{_duration(self.last_seen_seconds_ago)} ago"

    @property
    def connection_label(self) -> str:
        if self.offline_for_seconds is None:
            return self.connection
        return f"{self.connection} ({_duration(self.offline_for_seconds)})"

    @property
    def incidents_label(self) -> str:
        return ", ".join(f"{kind.replace('_', ' ')}: {count}" for kind, count in self.incidents.items())

    @property
    def attention_label(self) -> str:
        return ", ".join(self.attention)


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def _connection(last_seen: datetime | None, status: str, now: datetime) -> tuple[str, int | None]:
    if last_seen is None or status not in CONNECTED_STATUSES:
        return "none", None
    quiet = now - last_seen
    if quiet <= LIVE:
        return "live", None
    return ("stale" if quiet <= STALE else "offline"), int(quiet.total_seconds())


LEDGER_COLUMNS: tuple[Any, ...] = (
    col(Attempt.id).label("attempt_id"),
    col(Attempt.status),
    *LEDGER_FACTS,
    col(Attempt.last_seen_at),
    # Only timed sections need the form, and of it only the sections (each holds its allowance).
    case(
        (col(Attempt.open_section).is_not(None), type_coerce(col(Attempt.form), JSON)["sections"]), else_=null()
    ).label("sections"),
)


def _slot_totals(sitting_attempts: Any) -> Subquery:
    return (
        select(
            col(AttemptSlot.attempt_id),
            func.count().label("total"),
            func.count(col(AttemptSlot.response)).label("answered"),
            func.max(col(AttemptSlot.saved_at)).label("saved_at"),
        )
        .where(col(AttemptSlot.attempt_id).in_(sitting_attempts))
        .group_by(col(AttemptSlot.attempt_id))
        .subquery("slot_totals")
    )


def _event_totals(sitting_attempts: Any) -> Subquery:
    return (
        select(
            col(AttemptEvent.attempt_id),
            func.max(col(AttemptEvent.at)).label("event_at"),
            *(func.count(case((col(AttemptEvent.type) == kind, 1))).label(kind) for kind in INCIDENT_TYPES),
        )
        .where(col(AttemptEvent.attempt_id).in_(sitting_attempts), col(AttemptEvent.type) != NOT_A_SAVE)
        .group_by(col(AttemptEvent.attempt_id))
        .subquery("event_totals")
    )


def _rows_statement() -> Any:
    sitting_id = bindparam("sitting_id", type_=String)
    sitting_attempts = select(col(Attempt.id)).where(col(Attempt.sitting_id) == sitting_id)
    slots, events = _slot_totals(sitting_attempts), _event_totals(sitting_attempts)
    latest = (
        select(func.max(col(Attempt.number)))
        .where(col(Attempt.sitting_id) == sitting_id, col(Attempt.user_id) == col(Enrollment.user_id))
        .correlate(Enrollment)
        .scalar_subquery()
    )
    return (
        select(
            col(User.id).label("user_id"),
            col(User.name),
            col(User.email),
            *LEDGER_COLUMNS,
            col(Attempt.termination_decision),
            col(Enrollment.time_multiplier),
            col(Enrollment.extra_minutes),
            accommodation_flags.granted_applies(sitting_id, col(Enrollment.user_id), col(Enrollment.enrolled_at)).label(
                "accommodated"
            ),
            slots.c.total,
            slots.c.answered,
            slots.c.saved_at,
            events.c.event_at,
            *(events.c[kind] for kind in INCIDENT_TYPES),
        )
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
        .outerjoin(slots, slots.c.attempt_id == col(Attempt.id))
        .outerjoin(events, events.c.attempt_id == col(Attempt.id))
        .where(col(Enrollment.sitting_id) == sitting_id)
        .order_by(col(User.name))
    )


# Built once: composing this statement costs more than a millisecond.
ROWS = _rows_statement()
# The rows are read into plain named tuples: an attribute of a SQLAlchemy Row costs about a microsecond, and each
# row is read some 40 times (the ledger included), which made building 500 rows cost more than the query.
RowFacts = namedtuple("RowFacts", list(ROWS.selected_columns.keys()))  # type: ignore[misc]


def sitting_rows(
    *, session: Session, sitting_id: str, now: datetime, viewer_id: str | None = None
) -> list[CandidateRow]:
    """One row per enrolled candidate with their latest attempt, attention-needing rows first. One SQL statement.
    Reads only: nothing is expired or recorded here (the sweep and the write paths do that). The viewer's own row,
    if they are enrolled, is left out: nobody watches their own attempt."""
    found = []
    row: Any  # a RowFacts: its fields are the statement's column names
    for row in map(RowFacts._make, session.execute(ROWS, {"sitting_id": sitting_id})):
        if row.user_id == viewer_id:
            continue
        accommodation = accommodation_flags.label(
            time_multiplier=row.time_multiplier, extra_minutes=row.extra_minutes, granted=bool(row.accommodated)
        )
        if row.attempt_id is None:
            found.append(
                CandidateRow(
                    *(row.user_id, row.name, row.email, None, NOT_CHECKED_IN, 0, 0, None, None, "none", None, {}, ()),
                    accommodation_label=accommodation,
                )
            )
            continue
        found.append(_attempt_row(row, now, accommodation))
    return sorted(found, key=lambda row: (not row.attention, row.candidate.lower()))


def _latest(*moments: datetime | None) -> datetime | None:
    found = None
    for moment in moments:
        if moment is not None and (found is None or moment > found):
            found = moment
    return found


def _attempt_row(row: Any, now: datetime, accommodation: str) -> CandidateRow:
    status: str = row.status  # stored by value: compares equal to the AttemptStatus members
    remaining = None
    if status in RUNNING_STATUSES:
        allowances = None if row.sections is None else tuple(s.get("allowed_seconds") for s in row.sections)
        remaining = ledger.remaining_seconds(ledger_of(row, allowances), now)
    last = _latest(row.saved_at, row.event_at, row.last_seen_at)
    connection, quiet = _connection(last, status, now)
    incidents = {kind: count for kind in INCIDENT_TYPES if (count := getattr(row, kind))} if row.event_at else {}
    attention = []
    if status == AttemptStatus.WAITING:
        attention.append("waiting for admission")
    elif status == AttemptStatus.PAUSED:
        attention.append("paused")
    if connection == "offline":
        attention.append("offline")
    if incidents and any(kind in incidents for kind in ALERTING_INCIDENTS):
        attention.append("incidents")
    if remaining is not None and remaining < 300 and status == AttemptStatus.IN_PROGRESS:
        attention.append("under 5 minutes left")
    return CandidateRow(
        row.user_id,
        row.name,
        row.email,
        row.attempt_id,
        status,
        row.answered or 0,
        row.total or 0,
        remaining,
        last,
        connection,
        quiet,
        incidents,
        tuple(attention),
        None if last is None else max(0, int((now - last).total_seconds())),
        row.termination_decision,
        accommodation,
    )
