"""What a candidate's attempt looks like now: its slots' states and its clocks (AttemptView), read from a stored
attempt, from a row of its time facts, or from its columns as plain values (delivery.attempt_facts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlmodel import Session, col

from examengine.accounts.credentials import CredentialCheck, ensure_live
from examengine.db import caches_of
from examengine.delivery import ledger
from examengine.delivery.attempt_facts import AttemptFacts, with_slots
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.exams.form_document import FormDocument


@dataclass(frozen=True)
class SlotState:
    slot: int
    section: int
    answered: bool
    flagged: bool


@dataclass(frozen=True)
class AttemptView:
    attempt_id: str
    sitting_id: str
    user_id: str
    status: AttemptStatus
    deadline: datetime | None
    remaining_seconds: int | None
    sections: tuple[tuple[str, tuple[SlotState, ...]], ...]
    responses: dict[int, Any]
    started_at: datetime | None
    finished_at: datetime | None
    time_budget_seconds: int | None = None  # the open clock's length with extensions and credits
    open_section: int | None = None  # timed sections: the one open now (earlier ones are closed); None: untimed
    clock_ends_exam: bool = True  # False while a timed section's clock runs out before the exam's
    current_slot: int | None = None  # linear navigation: the one slot the candidate may see now; None: free
    allow_review: bool = True
    allow_flagging: bool = True

    @property
    def answered(self) -> int:
        return sum(1 for _, slots in self.sections for s in slots if s.answered)

    @property
    def total(self) -> int:
        return sum(len(slots) for _, slots in self.sections)


def time_ledger(attempt: Attempt | AttemptFacts) -> ledger.TimeLedger:
    timed_sections = attempt.open_section is not None
    return ledger_of(attempt, section_allowances(attempt.form) if timed_sections else None)


LEDGER_FACTS: tuple[Any, ...] = (
    col(Attempt.started_at),
    col(Attempt.allowed_seconds),
    col(Attempt.extension_seconds),
    col(Attempt.credited_seconds),
    col(Attempt.paused_seconds),
    col(Attempt.paused_at),
    col(Attempt.window_closes_at),
    col(Attempt.open_section),
    col(Attempt.section_opened_at),
    col(Attempt.section_offset_seconds),
)


LEDGER_BY_ID = select(*LEDGER_FACTS).where(col(Attempt.id) == bindparam("b_attempt_id"))
FORM_BY_ID = select(col(Attempt.form)).where(col(Attempt.id) == bindparam("b_attempt_id"))


def remaining_seconds(connection: Connection, attempt_id: str, now: datetime, facts: Any = None) -> int | None:
    """The attempt's time left from its time columns (`facts`, as a save's UPDATE returns them, else read here)."""
    facts = facts or connection.execute(LEDGER_BY_ID, {"b_attempt_id": attempt_id}).one()
    allowances = None
    if facts.open_section is not None:
        allowances = section_allowances(connection.execute(FORM_BY_ID, {"b_attempt_id": attempt_id}).scalar_one())
    return ledger.remaining_seconds(ledger_of(facts, allowances), now)


def section_allowances(form: FormDocument) -> tuple[int | None, ...]:
    """The timed sections' allowances stored on an attempt's form."""
    return form.section_allowances()


def ledger_of(facts: Any, section_allowed: tuple[int | None, ...] | None) -> ledger.TimeLedger:
    """The ledger from an attempt's stored time facts: an Attempt, or a row selecting the same column names."""
    return ledger.TimeLedger(
        facts.started_at,
        facts.allowed_seconds,
        facts.extension_seconds,
        facts.credited_seconds,
        facts.paused_seconds,
        facts.paused_at,
        facts.window_closes_at,
        section_allowed,
        facts.open_section or 0,
        facts.section_opened_at,
        facts.section_offset_seconds,
    )


# Built once, plain columns: every attempt page, flag, move and start reads them (the session still flushes first).
SLOT_STATES = (
    select(col(AttemptSlot.slot), col(AttemptSlot.response), col(AttemptSlot.flagged))
    .where(col(AttemptSlot.attempt_id) == bindparam("b_attempt_id"))
    .order_by(col(AttemptSlot.slot))
)


def view(session: Session, attempt: Attempt, now: datetime) -> AttemptView:
    slots = session.execute(SLOT_STATES, {"b_attempt_id": attempt.id}).all()
    return view_of(attempt, {s.slot: (s.response, s.flagged) for s in slots}, now)


@dataclass(frozen=True)
class AttemptPage:
    """What a candidate's page of the attempt is made from: its facts, its slots' rows by number, its view."""

    attempt: AttemptFacts
    slots: dict[int, Any]
    view: AttemptView


def page(
    session: Session, attempt_id: str, user_id: str, now: datetime, credential: CredentialCheck | None = None
) -> AttemptPage:
    """The user's own attempt for a page, in two statements (its form is kept per process); NotFound for an unknown
    attempt or another user's. With `credential` (a page that started from the principal its process resolved a
    moment ago) the same read first re-checks it: NotAuthenticated or Forbidden when it is no longer live."""
    ensure_live(session, credential, now)
    attempt, slots = with_slots(session.connection(), caches_of(session), attempt_id, user_id)
    return AttemptPage(
        attempt, slots, view_of(attempt, {n: (row.response, row.flagged) for n, row in slots.items()}, now)
    )


def fresh_view(attempt: AttemptFacts, now: datetime) -> AttemptView:
    """The view of an attempt just started: nothing answered, nothing flagged (nothing to read)."""
    return view_of(attempt, dict.fromkeys(attempt.form.slots, (None, False)), now)


def view_of(attempt: Attempt | AttemptFacts, slots: dict[int, tuple[Any, bool]], now: datetime) -> AttemptView:
    """The view from the attempt's facts and its slots' {slot: (stored response, flagged)}."""
    sections = tuple(
        (
            section.title,
            tuple(SlotState(n, index, slots[n][0] is not None, slots[n][1]) for n in section.slots),
        )
        for index, section in enumerate(attempt.form.sections)
    )
    running = attempt.status in (AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED)
    the_ledger = time_ledger(attempt)
    section = ledger.open_section(the_ledger, now) if running else None
    return AttemptView(
        attempt.id,
        attempt.sitting_id,
        attempt.user_id,
        AttemptStatus(attempt.status),
        ledger.deadline(the_ledger, now) if running else attempt.deadline_at,
        ledger.remaining_seconds(the_ledger, now) if running else 0 if attempt.status in FINAL else None,
        sections,
        {n: response for n, (response, _) in slots.items() if response is not None},
        attempt.started_at,
        attempt.finished_at,
        ledger.budget_seconds(the_ledger, now),
        None if section is None else section.index,
        ledger.is_final_clock(the_ledger, now),
        linear_position(attempt, None if section is None else section.index),
        attempt.form.allow_review,
        attempt.form.allow_flagging,
    )


def linear_position(attempt: Attempt | AttemptFacts, open_section: int | None) -> int | None:
    """Linear navigation: the slot the candidate is at; a timed section that opened since moves it to its first."""
    if attempt.linear_slot is None:
        return None
    if open_section is None:
        return attempt.linear_slot
    return max(attempt.linear_slot, attempt.form.sections[open_section].slots[0])
