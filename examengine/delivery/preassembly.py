"""Pre-assembly: every enrolled candidate's form built before the sitting opens, so the start burst assembles nothing.

The scheduled job (and `examengine preassemble`) takes the sittings that open within the lead time or are open,
and for each candidate with neither a prepared form nor an attempt there builds exactly what their start would
build from the same state (`exams.form_inputs`): a seed, the form, its option orders. Forms of a sitting are built
one after another, each seeing the exposure of those before it, so the exposure cap holds over prepared forms as
it does over forms assembled at start.

Reading and assembling happen outside the write; the write stores a batch only if the sitting's form count is
still the one the batch was built on (otherwise it is rebuilt), with an insert-or-nothing per candidate, so two
processes running the job at once prepare each form once and count it once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlmodel import Session, col

from examengine.clock import local_text
from examengine.db import Database, caches_of, dialect_insert
from examengine.delivery import exposure
from examengine.delivery.form_history import seen_items, taken_forms
from examengine.delivery.models import Attempt
from examengine.delivery.prepared_forms import PreparedForm, discard_unusable, forms_in_sitting, prepared_count
from examengine.errors import Conflict, NotFound
from examengine.exams import service as exams
from examengine.exams.assembly.model import AssemblyError
from examengine.exams.form_document import FormDocument
from examengine.exams.form_inputs import (
    FormInputs,
    assemble_form,
    fixed_form_index,
    form_document,
    new_seed,
)
from examengine.exams.forms import blueprint_and_pool
from examengine.exams.models import Enrollment, Sitting
from examengine.exams.retake import EligibilityCheck

BATCH = 100  # candidates per write, so the write lock is held briefly while other sittings are under way
REBUILDS = 3  # times a batch overtaken by another writer is rebuilt before the sitting is left to the next run


@dataclass(frozen=True)
class Draft:
    user_id: str
    number: int
    seed: int
    form: FormDocument


@dataclass(frozen=True)
class Batch:
    sitting_id: str
    exam_id: str
    exam_version: int
    forms_before: int  # the sitting's forms when the batch was built: it is stored only if that is still so
    drafts: tuple[Draft, ...]


@dataclass(frozen=True)
class SittingOutcome:
    sitting_id: str
    prepared_now: int
    prepared: int  # forms of the sitting ready and not taken yet
    enrolled: int
    problem: str | None = None


@dataclass(frozen=True)
class PreparationReport:
    discarded: int
    sittings: tuple[SittingOutcome, ...]

    def __str__(self) -> str:
        parts = [f"{len(self.sittings)} sittings, {sum(s.prepared_now for s in self.sittings)} forms prepared"]
        parts += [f"{s.sitting_id}: {s.problem}" for s in self.sittings if s.problem]
        return "; ".join(parts) + f"; {self.discarded} unusable forms discarded"


def due_sittings(*, session: Session, now: datetime, lead: timedelta) -> list[str]:
    """Sittings that open within `lead` of now or are open: their candidates may start before the next run."""
    query = select(col(Sitting.id)).where(
        col(Sitting.opens_at) <= now + lead, col(Sitting.closes_at) > now, col(Sitting.cancelled_at).is_(None)
    )
    return list(session.scalars(query.order_by(col(Sitting.opens_at), col(Sitting.id))))


def warm_pools(*, session: Session, now: datetime, lead: timedelta) -> int:
    """Load into this process the pinned pools (and their conversion for the assembler) of the exam versions whose
    sittings are open or open within `lead`, so that a Start that assembles (a late enrolment, a retake, a form
    thrown away) never waits on reading a large bank in the middle of a burst. Returns how many versions."""
    versions = session.execute(
        select(col(Sitting.exam_id), col(Sitting.exam_version))
        .where(col(Sitting.opens_at) <= now + lead, col(Sitting.closes_at) > now, col(Sitting.cancelled_at).is_(None))
        .distinct()
    ).all()
    for exam_id, version in versions:
        definition = exams.definition_of(session=session, exam_id=exam_id, version=version)
        pools = exams.pinned_pools(session=session, exam_id=exam_id, version=version)
        blueprint_and_pool(definition, pools, caches_of(session))
    return len(versions)


def _sitting_not_closed(session: Session, sitting_id: str, now: datetime) -> Sitting:
    sitting = session.get(Sitting, sitting_id) if len(sitting_id) <= 32 else None
    if sitting is None:
        raise NotFound("No such sitting.", code="sitting_not_found")
    if sitting.cancelled_at is not None:
        raise Conflict("The sitting was cancelled.", code="sitting_cancelled")
    if sitting.closes_at <= now:
        raise Conflict(
            f"The sitting closed on {local_text(sitting.closes_at, sitting.time_zone)}.", code="sitting_closed"
        )
    return sitting


def check_sitting(*, session: Session, sitting_id: str, now: datetime) -> list[str]:
    """The sitting named on the command line, if it can still be sat; raises NotFound or Conflict (closed)."""
    return [_sitting_not_closed(session, sitting_id, now).id]


def _without_form(session: Session, sitting: Sitting, user_ids: Sequence[str] | None = None) -> list[str]:
    """Enrolled candidates with neither a prepared form nor an attempt in the sitting, in id order."""
    query = select(col(Enrollment.user_id)).where(
        col(Enrollment.sitting_id) == sitting.id,
        ~exists().where(
            col(PreparedForm.sitting_id) == sitting.id, col(PreparedForm.user_id) == col(Enrollment.user_id)
        ),
        ~exists().where(col(Attempt.sitting_id) == sitting.id, col(Attempt.user_id) == col(Enrollment.user_id)),
    )
    if user_ids is not None:
        query = query.where(col(Enrollment.user_id).in_(list(user_ids)))
    return list(session.scalars(query.order_by(col(Enrollment.user_id))))


def pending(*, session: Session, sitting_id: str, now: datetime, eligible: EligibilityCheck) -> list[tuple[str, int]]:
    """(user id, attempt number) of the candidates who need a form: no form yet, and allowed to start when the
    window opens or before it closes. Those the retake rules refuse for good get none (a form would only count
    against the exposure of everyone else)."""
    sitting = _sitting_not_closed(session, sitting_id, now)
    definition = exams.definition_of(session=session, exam_id=sitting.exam_id, version=sitting.exam_version)
    at = max(now, sitting.opens_at)
    wanted = []
    for user_id in _without_form(session, sitting):
        rules = eligible(session=session, user_id=user_id, exam_id=sitting.exam_id, definition=definition, now=at)
        later = rules.next_eligible_at is not None and rules.next_eligible_at < sitting.closes_at
        if rules.allowed or later:
            wanted.append((user_id, rules.attempts_made + 1))
    return wanted


def build_batch(*, session: Session, sitting_id: str, candidates: Sequence[tuple[str, int]], now: datetime) -> Batch:
    """The forms of these candidates, built one after another on the sitting's exposure as it stands. Reads only."""
    sitting = _sitting_not_closed(session, sitting_id, now)
    # Read first: on PostgreSQL (read committed) every later statement may see another writer's forms, and only a
    # count taken before all of them makes store_batch refuse a batch built on any of its reads.
    forms_before = forms = forms_in_sitting(session, sitting.id)
    definition = exams.definition_of(session=session, exam_id=sitting.exam_id, version=sitting.exam_version)
    still = set(_without_form(session, sitting, [user_id for user_id, _ in candidates]))
    users = [(user_id, number) for user_id, number in candidates if user_id in still]
    pools = exams.pinned_pools(session=session, exam_id=sitting.exam_id, version=sitting.exam_version)
    seen = seen_items(session, [u for u, _ in users], sitting.exam_id)
    fixed = definition.assembly == "fixed"
    taken = taken_forms(session, [u for u, _ in users], sitting.exam_id) if fixed else {}
    counts = Counter(exposure.counts(session, sitting.id) if definition.max_exposure is not None else {})
    drafts = []
    for user_id, number in users:
        index = fixed_form_index(definition, forms, taken[user_id]) if fixed else None
        inputs = FormInputs(definition, pools, seen[user_id], dict(counts), forms, index)
        seed = new_seed(inputs, sitting.exam_id, sitting.exam_version)
        form = assemble_form(inputs, seed, caches_of(session))
        document = form_document(session=session, inputs=inputs, form=form, seed=seed)
        document = replace(document, assembly={**(document.assembly or {}), "prepared_at": now.isoformat()})
        drafts.append(Draft(user_id, number, seed, document))
        if definition.max_exposure is not None:
            counts.update(set(document.item_ids))
        forms += 1
    return Batch(sitting.id, sitting.exam_id, sitting.exam_version, forms_before, tuple(drafts))


def store_batch(*, session: Session, batch: Batch, now: datetime) -> int | None:
    """Store the batch's forms and count their items; None, storing nothing, when another writer added forms to
    the sitting since the batch was built (its exposure would be stale). Returns how many forms were stored."""
    # Preparers of one sitting take turns (NO KEY UPDATE leaves the attempts' foreign-key checks alone);
    # SQLite's BEGIN IMMEDIATE already serialises every writer.
    session.execute(select(col(Sitting.id)).where(col(Sitting.id) == batch.sitting_id).with_for_update(key_share=True))
    if forms_in_sitting(session, batch.sitting_id) != batch.forms_before:
        return None
    stored = 0
    forms_by_item: Counter[str] = Counter()
    for draft in batch.drafts:
        row = {
            "sitting_id": batch.sitting_id,
            "user_id": draft.user_id,
            "exam_id": batch.exam_id,
            "exam_version": batch.exam_version,
            "number": draft.number,
            "seed": draft.seed,
            "form": draft.form,
            "prepared_at": now,
        }
        insert = dialect_insert(session, PreparedForm).values(row)
        # RETURNING, not rowcount: SQLAlchemy reports no rowcount for an INSERT on PostgreSQL (-1, which is true)
        conflict_free = insert.on_conflict_do_nothing(index_elements=["sitting_id", "user_id"])
        if session.execute(conflict_free.returning(col(PreparedForm.user_id))).first() is not None:
            forms_by_item.update(draft.form.item_ids)
            stored += 1
    exposure.change(session, batch.sitting_id, forms_by_item)  # one change for the batch, so rows go in item order
    return stored


def progress(*, session: Session, sitting_id: str) -> tuple[int, int]:
    """(prepared forms not taken yet, enrolled candidates) of the sitting."""
    enrolled = session.scalars(select(col(Enrollment.user_id)).where(col(Enrollment.sitting_id) == sitting_id))
    return prepared_count(session, sitting_id), len(list(enrolled))


def _prepare_sitting(
    db: Database, sitting_id: str, now: datetime, batch_size: int, eligible: EligibilityCheck
) -> SittingOutcome:
    waiting = db.call(pending, sitting_id=sitting_id, now=now, eligible=eligible, write=False)
    stored, problem = 0, None
    for start in range(0, len(waiting), batch_size):
        chunk = waiting[start : start + batch_size]
        for _ in range(REBUILDS):
            try:
                batch = db.call(build_batch, sitting_id=sitting_id, candidates=chunk, now=now, write=False)
            except AssemblyError as error:
                problem = error.message
                break
            added = db.call(store_batch, batch=batch, now=now)
            if added is not None:
                stored += added
                break
        else:
            problem = "other writers kept adding forms; the rest is left to the next run"
        if problem:
            break
    ready, enrolled = db.call(progress, sitting_id=sitting_id, write=False)
    return SittingOutcome(sitting_id, stored, ready, enrolled, problem)


def prepare_due(
    db: Database,
    *,
    now: datetime,
    lead_minutes: int,
    eligible: EligibilityCheck,
    sitting_id: str | None = None,
    batch_size: int = BATCH,
) -> PreparationReport:
    """Throw away prepared forms that can no longer be taken, then prepare the forms of the sittings due (or of the
    one named, whatever its opening time) for the candidates `eligible` lets start (scoring.retake.eligibility).
    Each batch is its own unit of work. Raises NotFound or Conflict for a named sitting that does not exist or has
    closed."""
    discarded = db.call(discard_unusable, now=now)
    if sitting_id is not None:
        sitting_ids = db.call(check_sitting, sitting_id=sitting_id, now=now, write=False)
    else:
        lead = timedelta(minutes=lead_minutes)
        sitting_ids = db.call(due_sittings, now=now, lead=lead, write=False) if lead_minutes else []
    return PreparationReport(discarded, tuple(_prepare_sitting(db, s, now, batch_size, eligible) for s in sitting_ids))
