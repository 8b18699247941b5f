"""Starting an attempt: the eligibility rules, the candidate's form (prepared ahead or assembled from a stored
seed), the clock.

The checks are read first. A form prepared for this attempt before the window opened (delivery.prepared_forms) is
taken as it is: the start assembles nothing and reads no pool. Otherwise the pools, seen items and exposure
counters are read, the form is assembled off the event loop, and one short write stores the attempt and counts
its items, so a burst of starts holds the write lock only for the inserts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import anyio.to_thread
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from examengine.accounts.credentials import CredentialCheck, ensure_live
from examengine.caches import ProcessCaches
from examengine.clock import as_utc, local_text, rfc3339, utcnow
from examengine.db import Database, caches_of
from examengine.delivery import attempt_view, attempts, exposure, ledger, prepared_forms, presented, start_facts
from examengine.delivery.attempt_facts import AttemptFacts, Fixed, remember
from examengine.delivery.chain import append_first_event
from examengine.delivery.events import AttemptEventType
from examengine.delivery.form_history import seen_items, taken_forms
from examengine.delivery.models import SLOT_TABLE, Attempt
from examengine.delivery.start_facts import StartEnrollment, StartSitting
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.errors import Conflict, Forbidden, NotFound
from examengine.exams import service as exams
from examengine.exams.definition import ExamDefinition
from examengine.exams.form_document import FormDocument
from examengine.exams.form_inputs import (
    FormInputs,
    assemble_form,
    fixed_form_index,
    form_document,
    new_seed,
)
from examengine.exams.models import Sitting
from examengine.exams.retake import EligibilityCheck, ensure_allowed
from examengine.ids import new_id


@dataclass(frozen=True)
class StartOutcome:
    view: attempt_view.AttemptView
    created: bool


@dataclass(frozen=True)
class StartPlan:
    sitting: StartSitting
    enrollment: StartEnrollment
    definition: ExamDefinition
    number: int
    # The form prepared for this very attempt (nothing to assemble), or what assembly at start reads
    form: prepared_forms.Prepared | FormInputs


def form_inputs(session: Session, sitting: StartSitting, user_id: str, definition: ExamDefinition) -> FormInputs:
    """What assembly at start reads: the pinned pools (cached per process), the candidate's seen items and, with an
    exposure cap or fixed forms, the sitting's exposure counters and forms so far."""
    seen = seen_items(session, [user_id], sitting.exam_id)[user_id]
    counts: dict[str, int] = {}
    forms = 0
    if definition.max_exposure is not None or definition.assembly == "fixed":
        forms = prepared_forms.forms_in_sitting(session, sitting.id)
    if definition.max_exposure is not None:
        counts = exposure.counts(session, sitting.id)
    fixed = None
    if definition.assembly == "fixed":
        fixed = fixed_form_index(definition, forms, taken_forms(session, [user_id], sitting.exam_id)[user_id])
    pools = exams.pinned_pools(session=session, exam_id=sitting.exam_id, version=sitting.exam_version)
    return FormInputs(definition, pools, seen, counts, forms, fixed)


def _plan(
    *,
    session: Session,
    sitting_id: str,
    user_id: str,
    now: datetime,
    eligible: EligibilityCheck,
    credential: CredentialCheck | None = None,
) -> StartPlan | attempt_view.AttemptView:
    """The attempt already under way, or everything needed to start one; raises with the rule that blocks it.
    With `credential` (a principal its process resolved a moment ago) the read re-checks it first."""
    connection = session.connection()
    ensure_live(session, credential, now)
    facts = start_facts.read(connection, sitting_id, user_id) if len(sitting_id) <= 32 else None
    if facts is None:
        raise NotFound("No such sitting.", code="sitting_not_found")
    sitting, enrollment = facts.sitting, facts.enrollment
    if enrollment is None:
        raise Forbidden("You are not enrolled in this sitting.", code="not_enrolled")
    running_id = start_facts.running_attempt_id(connection, sitting_id, user_id)
    existing = session.get(Attempt, running_id) if running_id is not None else None
    if existing is not None:
        attempts.finish_if_overdue(session, existing, now)
        if existing.status not in FINAL:
            return attempt_view.view(session, existing, now)
    _ensure_startable(sitting, now)
    definition = exams.definition_of(session=session, exam_id=sitting.exam_id, version=sitting.exam_version)
    eligibility = ensure_allowed(
        eligible(session=session, user_id=user_id, exam_id=sitting.exam_id, definition=definition, now=now)
    )
    number = eligibility.attempts_made + 1
    prepared = facts.prepared
    if prepared is not None and prepared.fits(sitting.exam_version, number):
        return StartPlan(sitting, enrollment, definition, number, prepared)
    # Nothing prepared, or prepared before an attempt this candidate has made since (its seen items and fixed form
    # would be stale): assemble now; the write throws the stale form away.
    return StartPlan(sitting, enrollment, definition, number, form_inputs(session, sitting, user_id, definition))


def _ensure_startable(sitting: StartSitting, now: datetime) -> None:
    """Raises Conflict unless a start may happen now: the sitting is not cancelled and its window is open."""
    if sitting.cancelled_at is not None:
        raise Conflict(f"The sitting was cancelled: {sitting.cancel_reason}", code="sitting_cancelled")
    if now < as_utc(sitting.opens_at):
        raise Conflict(
            f"The sitting opens on {local_text(sitting.opens_at, sitting.time_zone)}.",
            code="sitting_not_open",
            details={"opens_at": rfc3339(sitting.opens_at)},
        )
    if now >= as_utc(sitting.closes_at):
        raise Conflict(
            f"The sitting closed on {local_text(sitting.closes_at, sitting.time_zone)}.", code="sitting_closed"
        )


def _window_now(connection: Connection, sitting: StartSitting, now: datetime) -> datetime:
    """The sitting's close as committed now, read in the start's own write under a share lock (PostgreSQL; SQLite's
    writes are serial): a change that moves the window or cancels the sitting holds the row for update, so it either
    waits for this start (and then counts its attempt) or has committed and is seen here. The plan was read before,
    so the same rule as the plan's is applied again to what is committed."""
    window = connection.execute(start_facts.WINDOW, {"b_sitting_id": sitting.id}).one()
    committed = replace(sitting, **window._mapping)
    _ensure_startable(committed, now)
    return as_utc(committed.closes_at)


def _insert_slots(connection: Connection, attempt_id: str, document: FormDocument) -> None:
    """One empty response row per slot of the form. The table, not the entity: the ORM's bulk INSERT would walk
    each of the rows through its persistence code."""
    connection.execute(
        insert(SLOT_TABLE),
        [
            {
                "attempt_id": attempt_id,
                "slot": n,
                "section": entry.section,
                "item_id": entry.item_id,
                "item_version": entry.version,
                "response": None,
                "seq": 0,
                "saved_at": None,
                "flagged": False,
            }
            for n, entry in document.slots.items()
        ],
    )


def _new_attempt(
    plan: StartPlan, document: FormDocument, seed: int, closes_at: datetime, now: datetime
) -> AttemptFacts:
    """The attempt the start writes: its form with the section allowances, navigation and presentation key, and its
    clock with the candidate's accommodations."""
    definition, enrollment, waiting = plan.definition, plan.enrollment, plan.sitting.requires_admission
    section_allowed = ledger.section_allowances(
        [s.time_limit_minutes for s in definition.sections], enrollment.time_multiplier, enrollment.extra_minutes
    )
    attempt = AttemptFacts(
        id=new_id(),
        sitting_id=plan.sitting.id,
        user_id=enrollment.user_id,
        status=AttemptStatus.WAITING if waiting else AttemptStatus.IN_PROGRESS,
        seed=seed,
        form=document.for_attempt(
            allowances=section_allowed,
            navigation=definition.navigation.model_dump(),
            presentation_key=presented.new_presentation_key(),
        ),
        started_at=None if waiting else now,
        allowed_seconds=ledger.allowed_seconds(
            definition.time_limit_minutes, enrollment.time_multiplier, enrollment.extra_minutes
        ),
        window_closes_at=closes_at,
        deadline_at=None,
        open_section=None if section_allowed is None else 0,
        linear_slot=1 if definition.navigation.mode == "linear" else None,
    )
    return replace(attempt, deadline_at=ledger.deadline(attempt_view.time_ledger(attempt), now))


def _create_prepared(
    *, connection: Connection, caches: ProcessCaches, plan: StartPlan, document: FormDocument, seed: int, now: datetime
) -> attempt_view.AttemptView:
    """The start of a prepared form, in plain statements only (a Core unit of work, the group commit's cheapest:
    a burst of starts runs this for every candidate): check the window again, take the form, write the attempt."""
    closes_at = _window_now(connection, plan.sitting, now)
    assert isinstance(plan.form, prepared_forms.Prepared)
    prepared_forms.take(connection, plan.form)  # its exposure was counted when it was prepared
    return _write(connection, caches, plan, document, seed, closes_at, now)


def _create_assembled(
    *, session: Session, plan: StartPlan, document: FormDocument, seed: int, now: datetime
) -> attempt_view.AttemptView:
    """The start of a form assembled now: as `_create_prepared`, throwing away a stale prepared form and counting
    the new form's exposure."""
    connection = session.connection()
    closes_at = _window_now(connection, plan.sitting, now)
    prepared_forms.replace(session, plan.sitting.id, plan.enrollment.user_id, document.item_ids)
    return _write(connection, caches_of(session), plan, document, seed, closes_at, now)


def _write(
    connection: Connection,
    caches: ProcessCaches,
    plan: StartPlan,
    document: FormDocument,
    seed: int,
    closes_at: datetime,
    now: datetime,
) -> attempt_view.AttemptView:
    """Write the attempt, its empty slots and its first event; the view of what was written."""
    sitting, prepared = plan.sitting, isinstance(plan.form, prepared_forms.Prepared)
    attempt = _new_attempt(plan, document, seed, closes_at, now)
    start_facts.insert_attempt(
        connection, attempt, exam_id=sitting.exam_id, exam_version=sitting.exam_version, number=plan.number, now=now
    )
    _insert_slots(connection, attempt.id, attempt.form)
    remember(caches, Fixed(attempt.id, attempt.user_id, attempt.seed, attempt.form))  # for its reads
    append_first_event(
        connection,
        attempt_id=attempt.id,
        type=(AttemptEventType.CHECKED_IN if sitting.requires_admission else AttemptEventType.STARTED).value,
        candidate_id=attempt.user_id,
        at=now,
        detail={"seed": seed, "number": plan.number, "slots": len(document.slots), "prepared": prepared},
    )
    return attempt_view.fresh_view(attempt, now)


async def _form(db: Database, plan: StartPlan) -> tuple[int, FormDocument]:
    """The seed and form document of the attempt: the prepared ones, or assembled now."""
    if isinstance(plan.form, prepared_forms.Prepared):
        return plan.form.seed, plan.form.form
    seed = new_seed(plan.form, plan.sitting.exam_id, plan.sitting.exam_version)
    form = await anyio.to_thread.run_sync(assemble_form, plan.form, seed, db.caches)
    return seed, await db.read(form_document, inputs=plan.form, form=form, seed=seed)


def _expire_overdue(*, session: Session, sitting_id: str, user_id: str, now: datetime) -> bool:
    """Expire the candidate's running attempts at the sitting's exam (in any sitting) whose time is up; True if
    any was. The sweep would expire them within a minute; a start must not wait for it."""
    sitting = session.get(Sitting, sitting_id)
    if sitting is None:
        return False
    running = session.scalars(
        select(Attempt).where(
            col(Attempt.user_id) == user_id,
            col(Attempt.exam_id) == sitting.exam_id,
            col(Attempt.status).not_in([s.value for s in FINAL]),
        )
    ).all()
    return any([attempts.finish_if_overdue(session, attempt, now) for attempt in running])


async def _planned(
    db: Database,
    *,
    sitting_id: str,
    user_id: str,
    now: datetime,
    eligible: EligibilityCheck,
    credential: CredentialCheck | None,
) -> StartPlan | attempt_view.AttemptView:
    try:
        return await db.read_hot(
            _plan, sitting_id=sitting_id, user_id=user_id, now=now, eligible=eligible, credential=credential
        )
    except Conflict as refused:
        if refused.code != "attempt_running":
            raise
    # A running attempt whose time is up blocks nothing: expire it (a write, on this rare path only), plan again.
    # Plan again also when none was overdue: the plan's statements each see the latest commit (PostgreSQL), so a
    # start of this very candidate in this sitting that committed between them is seen here as the one under way.
    await db.run(_expire_overdue, sitting_id=sitting_id, user_id=user_id, now=now)
    return await db.read_hot(_plan, sitting_id=sitting_id, user_id=user_id, now=now, eligible=eligible)


async def start_attempt(
    db: Database,
    *,
    sitting_id: str,
    user_id: str,
    eligible: EligibilityCheck,
    credential: CredentialCheck | None = None,
) -> StartOutcome:
    """Start the candidate's attempt in a sitting, or return the one under way (created=False); concurrent starts
    of one candidate all return the one attempt. `eligible` judges the retake rules (scoring.retake.eligibility).
    Raises NotFound, Forbidden (not enrolled, attempts used up) or
    Conflict (window not open or closed; attempt_running: an attempt at the exam under way in another sitting;
    termination_pending: held after a terminated attempt until an admin decides). With `credential` the plan's
    read re-checks it first (NotAuthenticated, Forbidden)."""
    now = utcnow()
    plan = await _planned(db, sitting_id=sitting_id, user_id=user_id, now=now, eligible=eligible, credential=credential)
    if isinstance(plan, attempt_view.AttemptView):
        return StartOutcome(plan, created=False)
    seed, document = await _form(db, plan)
    try:
        if isinstance(plan.form, prepared_forms.Prepared):
            view = await db.run_core(
                _create_prepared, caches=db.caches, plan=plan, document=document, seed=seed, now=now
            )
        else:
            view = await db.run(_create_assembled, plan=plan, document=document, seed=seed, now=now)
    except IntegrityError:
        # Another request of this candidate started an attempt first (uq_attempt_number, uq_attempt_running): in
        # this sitting theirs is the one; in another sitting of the exam, the plan now refuses with that rule.
        again = await db.read(_plan, sitting_id=sitting_id, user_id=user_id, now=now, eligible=eligible)
        if isinstance(again, attempt_view.AttemptView):
            return StartOutcome(again, created=False)
        raise Conflict(
            "Another start of an attempt at this exam happened at the same moment; reload and try again.",
            code="start_conflict",
        ) from None
    return StartOutcome(view, created=True)
