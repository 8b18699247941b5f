"""Starting an attempt: the eligibility rules, the candidate's form (assembled from a stored seed), the clock.

The checks and the pools are read first, the form is assembled off the event loop, and one short write stores
the attempt, so a burst of starts holds the write lock only for the inserts.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.db import Database
from examengine.delivery import attempts, ledger
from examengine.delivery.answers import pinned_content
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.errors import Conflict, Forbidden, NotFound
from examengine.exams import assembly
from examengine.exams import service as exams
from examengine.exams.assembly_model import AssembledForm, AssemblyContext
from examengine.exams.definition import ExamDefinition
from examengine.exams.forms import blueprint_and_pool
from examengine.exams.models import Enrollment, Sitting
from examengine.scoring import retake
from itembank.rendering import shuffled_order


@dataclass(frozen=True)
class StartOutcome:
    view: attempts.AttemptView
    created: bool


@dataclass(frozen=True)
class StartPlan:
    sitting: Sitting
    enrollment: Enrollment
    definition: ExamDefinition
    pools: list[exams.RulePool]
    seen_item_ids: frozenset[str]
    exposure: dict[str, int]
    forms_so_far: int
    number: int
    fixed_form: int | None  # the index of the fixed form (A = 0) this attempt gets; None for LOFT


def _running(session: Session, sitting_id: str, user_id: str) -> Attempt | None:
    return session.scalars(
        select(Attempt).where(
            col(Attempt.sitting_id) == sitting_id,
            col(Attempt.user_id) == user_id,
            col(Attempt.status).not_in([s.value for s in FINAL]),
        )
    ).first()


def _plan(*, session: Session, sitting_id: str, user_id: str, now: datetime) -> StartPlan | attempts.AttemptView:
    """The attempt already under way, or everything needed to start one; raises with the rule that blocks it."""
    sitting = session.get(Sitting, sitting_id) if len(sitting_id) <= 32 else None
    if sitting is None:
        raise NotFound("No such sitting.", code="sitting_not_found")
    enrollment = session.get(Enrollment, (sitting_id, user_id))
    if enrollment is None:
        raise Forbidden("You are not enrolled in this sitting.", code="not_enrolled")
    existing = _running(session, sitting_id, user_id)
    if existing is not None:
        attempts.finish_if_overdue(session, existing, now)
        if existing.status not in FINAL:
            return attempts.view(session, existing, now)
    if now < sitting.opens_at:
        raise Conflict(
            f"The sitting opens at {sitting.opens_at.isoformat()}.",
            code="sitting_not_open",
            details={"opens_at": sitting.opens_at.isoformat()},
        )
    if now >= sitting.closes_at:
        raise Conflict(f"The sitting closed at {sitting.closes_at.isoformat()}.", code="sitting_closed")
    definition = exams.get_version(session=session, exam_id=sitting.exam_id, version=sitting.exam_version).definition
    eligibility = retake.ensure_eligible(
        session=session, user_id=user_id, exam_id=sitting.exam_id, definition=definition, now=now
    )
    seen = frozenset(
        session.scalars(
            select(col(AttemptSlot.item_id))
            .join(Attempt, col(Attempt.id) == col(AttemptSlot.attempt_id))
            .where(col(Attempt.user_id) == user_id, col(Attempt.exam_id) == sitting.exam_id)
        )
    )
    exposure: dict[str, int] = {}
    forms = 0
    if definition.max_exposure is not None:
        exposure = dict(
            session.execute(
                select(col(AttemptSlot.item_id), func.count())
                .join(Attempt, col(Attempt.id) == col(AttemptSlot.attempt_id))
                .where(col(Attempt.sitting_id) == sitting_id)
                .group_by(col(AttemptSlot.item_id))
            ).all()
        )
        forms = (
            session.scalar(select(func.count()).select_from(Attempt).where(col(Attempt.sitting_id) == sitting_id)) or 0
        )
    pools = exams.pinned_pools(session=session, exam_id=sitting.exam_id, version=sitting.exam_version)
    fixed_form = _fixed_form(session, sitting, user_id, definition) if definition.assembly == "fixed" else None
    return StartPlan(
        sitting, enrollment, definition, pools, seen, exposure, forms, eligibility.attempts_used + 1, fixed_form
    )


FORM_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fixed_form_seed(exam_id: str, version: int, index: int) -> int:
    """The seed of fixed form A, B, …: derived from the published version, so every candidate on form B sits the
    same items in the same order."""
    return int(hashlib.sha256(f"{exam_id}:{version}:{index}".encode()).hexdigest()[:15], 16)


def _fixed_form(session: Session, sitting: Sitting, user_id: str, definition: ExamDefinition) -> int:
    """Forms are given in rotation through the sitting; a retake gets a form this candidate has not sat, while
    one is left."""
    started = session.scalar(select(func.count()).select_from(Attempt).where(col(Attempt.sitting_id) == sitting.id))
    rotation = (started or 0) % definition.forms
    taken = {
        form.get("form_index")
        for form in session.scalars(
            select(col(Attempt.form)).where(col(Attempt.user_id) == user_id, col(Attempt.exam_id) == sitting.exam_id)
        )
    }
    if definition.retake_policy.require_different_form:
        for step in range(definition.forms):
            index = (rotation + step) % definition.forms
            if index not in taken:
                return index
    return rotation


def assemble_form(plan: StartPlan, seed: int) -> AssembledForm:
    """The candidate's form: a pure function of the published version, its pinned pools and the seed."""
    blueprint, pool = blueprint_and_pool(plan.definition, plan.pools)
    if plan.fixed_form is not None:
        context = AssemblyContext(seed)  # a fixed form is the same for everyone who gets it
    else:
        context = AssemblyContext(seed, plan.seen_item_ids, plan.exposure, plan.forms_so_far)
    return assembly.assemble(blueprint, pool, context)


def _option_orders(session: Session, item_id: str, version: int, seed: int, slot: int) -> dict[str, list[str]]:
    content = pinned_content(session, item_id, version)
    rng = random.Random(f"{seed}:{slot}")
    return {
        i.response_identifier: shuffled_order(i, rng)
        for i in content.interactions
        if i.choices and i.shuffle and i.kind in ("choice", "order", "inlineChoice", "hottext")
    }


def _form_document(session: Session, form: AssembledForm, definition: ExamDefinition, seed: int) -> dict[str, Any]:
    sections, slots, number = [], {}, 0
    for index, section in enumerate(form.sections):
        numbers = []
        for slot in section.slots:
            number += 1
            numbers.append(number)
            orders = (
                _option_orders(session, slot.item_id, slot.version, seed, number)
                if definition.sections[index].shuffle_options
                else {}
            )
            slots[str(number)] = {
                "item_id": slot.item_id,
                "version": slot.version,
                "section": index,
                "option_orders": orders,
            }
        sections.append(
            {
                "title": section.title,
                "time_limit_minutes": definition.sections[index].time_limit_minutes,
                "slots": numbers,
            }
        )
    report = form.report
    return {
        "sections": sections,
        "slots": slots,
        "assembly": {
            "repeats_forced": list(report.repeats_forced),
            "exposure_cap_relaxed": report.exposure_cap_relaxed,
            "mean_difficulty": report.mean_difficulty,
            "within_tolerance": report.within_tolerance,
            "notes": list(report.notes),
        },
    }


def _document(*, session: Session, plan: StartPlan, form: AssembledForm, seed: int) -> dict[str, Any]:
    """The form as stored on the attempt; built in a read, so a burst of starts holds the write lock only for the
    inserts."""
    document = _form_document(session, form, plan.definition, seed)
    if plan.fixed_form is not None:
        document.update(form_index=plan.fixed_form, form_name=f"Form {FORM_NAMES[plan.fixed_form]}")
    return document


def _create(
    *, session: Session, plan: StartPlan, document: dict[str, Any], seed: int, now: datetime
) -> attempts.AttemptView:
    definition, enrollment, sitting = plan.definition, plan.enrollment, plan.sitting
    waiting = sitting.requires_admission
    allowed = ledger.allowed_seconds(
        definition.time_limit_minutes, enrollment.time_multiplier, enrollment.extra_minutes
    )
    section_allowed = ledger.section_allowances(
        [s.time_limit_minutes for s in definition.sections], enrollment.time_multiplier, enrollment.extra_minutes
    )
    if section_allowed is not None:
        for section, seconds in zip(document["sections"], section_allowed, strict=True):
            section["allowed_seconds"] = seconds
    document["navigation"] = definition.navigation.model_dump()
    attempt = Attempt(
        sitting_id=sitting.id,
        user_id=enrollment.user_id,
        exam_id=sitting.exam_id,
        exam_version=sitting.exam_version,
        number=plan.number,
        status=AttemptStatus.WAITING if waiting else AttemptStatus.IN_PROGRESS,
        seed=seed,
        form=document,
        started_at=None if waiting else now,
        allowed_seconds=allowed,
        window_closes_at=sitting.closes_at,
        last_seen_at=now,
        open_section=None if section_allowed is None else 0,
        linear_slot=1 if definition.navigation.mode == "linear" else None,
    )
    attempt.deadline_at = ledger.deadline(attempts.time_ledger(attempt), now)
    session.add(attempt)
    session.flush()
    session.execute(
        insert(AttemptSlot),
        [
            {
                "attempt_id": attempt.id,
                "slot": int(n),
                "section": entry["section"],
                "item_id": entry["item_id"],
                "item_version": entry["version"],
                "response": None,
                "seq": 0,
                "saved_at": None,
                "flagged": False,
            }
            for n, entry in document["slots"].items()
        ],
    )
    attempts.record(
        session,
        attempt.id,
        "checked_in" if waiting else "started",
        actor_id=enrollment.user_id,
        at=now,
        detail={"seed": seed, "number": plan.number, "slots": len(document["slots"])},
    )
    session.flush()
    return attempts.view(session, attempt, now)


async def start_attempt(db: Database, *, sitting_id: str, user_id: str) -> StartOutcome:
    """Start the candidate's attempt in a sitting, or return the one under way (created=False). Raises NotFound,
    Forbidden (not enrolled, attempts used up) or Conflict (window not open or closed)."""
    now = utcnow()
    plan = await db.read(_plan, sitting_id=sitting_id, user_id=user_id, now=now)
    if isinstance(plan, attempts.AttemptView):
        return StartOutcome(plan, created=False)
    if plan.fixed_form is None:
        seed = secrets.randbits(62)
    else:
        seed = fixed_form_seed(plan.sitting.exam_id, plan.sitting.exam_version, plan.fixed_form)
    form = await anyio.to_thread.run_sync(assemble_form, plan, seed)
    document = await db.read(_document, plan=plan, form=form, seed=seed)
    try:
        view = await db.run(_create, plan=plan, document=document, seed=seed, now=now)
    except IntegrityError:
        # Another request of this candidate started the attempt first: theirs is the one.
        again = await db.read(_plan, sitting_id=sitting_id, user_id=user_id, now=now)
        if isinstance(again, attempts.AttemptView):
            return StartOutcome(again, created=False)
        raise
    return StartOutcome(view, created=True)
