"""What a start reads and writes, as Core statements built once: a burst of starts runs these for every candidate,
and each ORM read or flush they replace cost a few hundred microseconds of CPU (docs/performance.md).

`read` gets the sitting, the candidate's enrolment and the form prepared for them in one statement; `insert_attempt`
writes the attempt row the start has decided on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, insert, select

from examengine.clock import utcnow
from examengine.db import table_of
from examengine.delivery.attempt_facts import AttemptFacts
from examengine.delivery.models import ATTEMPT_TABLE
from examengine.delivery.prepared_forms import Prepared, PreparedForm
from examengine.delivery.states import FINAL
from examengine.exams.models import Enrollment, Sitting

SITTING, ENROLLMENT, PREPARED = table_of(Sitting).c, table_of(Enrollment).c, table_of(PreparedForm).c


@dataclass(frozen=True)
class StartSitting:
    """The sitting as a start judges it."""

    id: str
    exam_id: str
    exam_version: int
    opens_at: datetime
    closes_at: datetime
    cancelled_at: datetime | None
    cancel_reason: str
    time_zone: str
    requires_admission: bool


@dataclass(frozen=True)
class StartEnrollment:
    """The candidate's enrolment in it, with the accommodations the clock needs."""

    user_id: str
    time_multiplier: float
    extra_minutes: int


@dataclass(frozen=True)
class StartFacts:
    sitting: StartSitting
    enrollment: StartEnrollment | None  # None: not enrolled
    prepared: Prepared | None


FACTS = (
    select(
        SITTING.id,
        SITTING.exam_id,
        SITTING.exam_version,
        SITTING.opens_at,
        SITTING.closes_at,
        SITTING.cancelled_at,
        SITTING.cancel_reason,
        SITTING.time_zone,
        SITTING.requires_admission,
        ENROLLMENT.user_id.label("enrolled_user_id"),
        ENROLLMENT.time_multiplier,
        ENROLLMENT.extra_minutes,
        PREPARED.exam_version.label("prepared_exam_version"),
        PREPARED.number.label("prepared_number"),
        PREPARED.seed.label("prepared_seed"),
        PREPARED.form.label("prepared_form"),
    )
    .select_from(
        table_of(Sitting)
        .outerjoin(
            table_of(Enrollment),
            and_(ENROLLMENT.sitting_id == SITTING.id, ENROLLMENT.user_id == bindparam("b_user_id")),
        )
        .outerjoin(
            table_of(PreparedForm),
            and_(PREPARED.sitting_id == SITTING.id, PREPARED.user_id == bindparam("b_user_id")),
        )
    )
    .where(SITTING.id == bindparam("b_sitting_id"))
)

RUNNING_ID = select(ATTEMPT_TABLE.c.id).where(
    ATTEMPT_TABLE.c.sitting_id == bindparam("b_sitting_id"),
    ATTEMPT_TABLE.c.user_id == bindparam("b_user_id"),
    ATTEMPT_TABLE.c.status.not_in([s.value for s in FINAL]),
)

# The sitting's window as committed now, under a share lock (PostgreSQL): see start._window_now.
WINDOW = (
    select(SITTING.opens_at, SITTING.closes_at, SITTING.cancelled_at, SITTING.cancel_reason)
    .where(SITTING.id == bindparam("b_sitting_id"))
    .with_for_update(read=True)
)


def read(connection: Connection, sitting_id: str, user_id: str) -> StartFacts | None:
    """The sitting with the candidate's enrolment and prepared form; None when there is no such sitting."""
    row = connection.execute(FACTS, {"b_sitting_id": sitting_id, "b_user_id": user_id}).first()
    if row is None:
        return None
    sitting = StartSitting(*row[:9])
    enrolled = row.enrolled_user_id is not None
    enrollment = StartEnrollment(user_id, row.time_multiplier, row.extra_minutes) if enrolled else None
    prepared = None
    if row.prepared_seed is not None:
        prepared = Prepared(
            sitting_id, user_id, row.prepared_exam_version, row.prepared_number, row.prepared_seed, row.prepared_form
        )
    return StartFacts(sitting, enrollment, prepared)


def running_attempt_id(connection: Connection, sitting_id: str, user_id: str) -> str | None:
    """The candidate's attempt under way in the sitting, if any."""
    found: str | None = connection.execute(RUNNING_ID, {"b_sitting_id": sitting_id, "b_user_id": user_id}).scalar()
    return found


def insert_attempt(
    connection: Connection,
    attempt: AttemptFacts,
    *,
    exam_id: str,
    exam_version: int,
    number: int,
    now: datetime,
) -> None:
    """Insert the attempt row (the other columns take their defaults: nothing extended, credited or paused)."""
    connection.execute(
        insert(ATTEMPT_TABLE),
        {
            "id": attempt.id,
            "sitting_id": attempt.sitting_id,
            "user_id": attempt.user_id,
            "exam_id": exam_id,
            "exam_version": exam_version,
            "status": attempt.status.value,
            "form": attempt.form,
            "created_at": utcnow(),
            "started_at": attempt.started_at,
            "allowed_seconds": attempt.allowed_seconds,
            "window_closes_at": attempt.window_closes_at,
            "deadline_at": attempt.deadline_at,
            "open_section": attempt.open_section,
            "linear_slot": attempt.linear_slot,
            "number": number,
            "seed": attempt.seed,
            "last_seen_at": now,
        },
    )
