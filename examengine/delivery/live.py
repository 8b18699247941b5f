"""The live state of an attempt for its open page: one cheap read the exam page polls, so that what a proctor does
(admit, pause, resume, extend, credit, terminate) and a section opening reach the page without a candidate action.

A read only: it never expires an overdue attempt (the sweep and the next write do) and reports 0 seconds left
instead; it reads the database on every poll, so it works across several app processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, literal_column, select
from sqlmodel import col

from examengine.audit.chain import UNCHAINED_EVENT
from examengine.clock import rfc3339
from examengine.delivery import ledger
from examengine.delivery.attempt_view import FORM_BY_ID, LEDGER_FACTS, ledger_of, section_allowances
from examengine.delivery.device import LOCKED_CODE, LOCKED_MESSAGE
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.errors import Conflict, DomainError, NotFound


@dataclass(frozen=True)
class LiveState:
    status: AttemptStatus
    paused: bool
    remaining_seconds: int | None  # None: untimed or not started; 0 once the time is up, expired or not
    deadline: datetime | None
    open_section: int | None  # timed sections: the one open now; None when sections are not timed
    added_seconds: int  # extensions and credits so far, so that the page can say by how much its time moved
    version: int  # the id of the attempt's last timeline event (answer saves aside): changes when anything happens
    announcement_id: int | None = None  # the proctor's latest message to this candidate (its timeline event)
    announcement: str | None = None


# Every read of the timeline here walks the partial index ix_attempt_event_chain (the events other than answer saves,
# a handful an attempt), never the answer saves, which grow with every keystroke's autosave: a poll then costs the
# same after 5 saves or 5,000. The index's own predicate, written as a literal, lets SQLite's and PostgreSQL's
# planners prove that the index covers the query.
NOT_A_SAVE = col(AttemptEvent.type) != literal_column(f"'{UNCHAINED_EVENT}'")
LAST_EVENT = (
    select(func.max(col(AttemptEvent.id)))
    .where(col(AttemptEvent.attempt_id) == col(Attempt.id), NOT_A_SAVE)
    .scalar_subquery()
)
ANNOUNCEMENT = "announcement"  # examengine.proctoring.announcements.KIND
LAST_ANNOUNCEMENT = (
    select(col(AttemptEvent.id), col(AttemptEvent.detail))
    .where(col(AttemptEvent.attempt_id) == col(Attempt.id), NOT_A_SAVE, col(AttemptEvent.type) == ANNOUNCEMENT)
    .order_by(col(AttemptEvent.id).desc())
    .limit(1)
)
LIVE_BY_ID = select(
    col(Attempt.user_id),
    col(Attempt.status),
    col(Attempt.holder_session),
    *LEDGER_FACTS,
    LAST_EVENT.label("last_event"),
    LAST_ANNOUNCEMENT.with_only_columns(col(AttemptEvent.id)).scalar_subquery().label("announcement_id"),
    LAST_ANNOUNCEMENT.with_only_columns(col(AttemptEvent.detail)).scalar_subquery().label("announcement"),
).where(col(Attempt.id) == bindparam("b_attempt_id"))


def live_state(
    *, connection: Connection, attempt_id: str, user_id: str, holder: str | None, now: datetime
) -> LiveState:
    """The candidate's own attempt as its open page needs it. Someone else's attempt is unknown (NotFound); a
    session that does not hold the running attempt is refused (Conflict device_locked) without recording anything:
    the page then reloads, and the page load records and explains it."""
    facts = (
        connection.execute(LIVE_BY_ID, {"b_attempt_id": attempt_id}).one_or_none() if len(attempt_id) <= 32 else None
    )
    if facts is None or facts.user_id != user_id:
        raise NotFound("No such attempt.", code="attempt_not_found")
    status = AttemptStatus(facts.status)
    if holder is not None and status not in FINAL and facts.holder_session != holder:
        raise Conflict(LOCKED_MESSAGE, code=LOCKED_CODE)
    running = status in (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED)
    allowances = None
    if running and facts.open_section is not None:
        allowances = section_allowances(connection.execute(FORM_BY_ID, {"b_attempt_id": attempt_id}).scalar_one())
    the_ledger = ledger_of(facts, allowances)
    section = ledger.open_section(the_ledger, now) if running else None
    return LiveState(
        status=status,
        paused=status == AttemptStatus.PAUSED,
        remaining_seconds=ledger.remaining_seconds(the_ledger, now) if running else 0 if status in FINAL else None,
        deadline=ledger.deadline(the_ledger, now) if running else None,
        open_section=None if section is None else section.index,
        added_seconds=facts.extension_seconds + facts.credited_seconds,
        version=int(facts.last_event or 0),
        announcement_id=facts.announcement_id,
        announcement=str(facts.announcement.get("message", "")) if isinstance(facts.announcement, dict) else None,
    )


def as_json(state: LiveState) -> dict[str, object]:
    """The body the page receives, polled (GET .../live) or streamed (GET .../events): one shape for both."""
    return {
        "status": state.status.value,
        "paused": state.paused,
        "remaining_seconds": state.remaining_seconds,
        "deadline": None if state.deadline is None else rfc3339(state.deadline),
        "open_section": state.open_section,
        "added_seconds": state.added_seconds,
        "version": state.version,
        "announcement": None
        if state.announcement_id is None
        else {"id": state.announcement_id, "message": state.announcement},
    }


# The change feed of the live streams (examengine/delivery/live_hub.py): the timeline events other than answer saves
# since a cursor, across all attempts. `id > :cursor` is a range scan of the primary key on both engines (the
# answer saves in the range are read and dropped: a second's worth).
CHANGES_SINCE = select(col(AttemptEvent.id), col(AttemptEvent.attempt_id)).where(
    col(AttemptEvent.id) > bindparam("b_cursor"), NOT_A_SAVE
)
LAST_EVENT_ID = select(func.max(col(AttemptEvent.id)))


def last_event_id(*, connection: Connection) -> int:
    return int(connection.execute(LAST_EVENT_ID).scalar() or 0)


def changes_since(*, connection: Connection, cursor: int) -> list[tuple[int, str]]:
    """(event id, attempt id) of every timeline event other than an answer save with an id above `cursor`."""
    return [(int(row.id), str(row.attempt_id)) for row in connection.execute(CHANGES_SINCE, {"b_cursor": cursor})]


def live_states(
    *, connection: Connection, wanted: list[tuple[str, str, str | None]], now: datetime
) -> dict[tuple[str, str, str | None], LiveState | DomainError]:
    """The live state of each (attempt id, user id, holder), or the refusal its page would get, on one connection."""
    found: dict[tuple[str, str, str | None], LiveState | DomainError] = {}
    for key in wanted:
        attempt_id, user_id, holder = key
        try:
            found[key] = live_state(
                connection=connection, attempt_id=attempt_id, user_id=user_id, holder=holder, now=now
            )
        except DomainError as error:
            found[key] = error
    return found
