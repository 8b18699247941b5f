"""Scoring finished attempts against the item versions pinned on their forms.

Scoring is idempotent and safe with two processes: the slot scores and the result are conditional inserts (ON
CONFLICT DO NOTHING) keyed by the attempt, and the totals are summed from the stored slot rows, so whoever
inserts first decides and every caller gets the same numbers back.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlmodel import Session, col

from examengine.db import Database, dialect_insert
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.errors import Conflict, DomainError, NotFound
from examengine.exams import service as exams
from examengine.exams.definition import ExamDefinition
from examengine.exams.pinned import pinned_content
from examengine.scoring.models import (
    RESULT_TABLE,
    SLOT_SCORE_TABLE,
    AttemptResult,
    RescoreDecision,
    RescoreKind,
    ResultStatus,
    SlotScore,
)
from examengine.scoring.scale import grade
from itembank.content import ItemContent
from itembank.models import ItemVersion
from itembank.scoring import ScoringError, max_score, score

log = logging.getLogger(__name__)

SCORED_ON_FINISH = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)
SWEEP_DAYS = 7


def item_responses(content: ItemContent, response: Any) -> dict[str, Any]:
    """A slot's stored answer as {response identifier: value}: a dict is already keyed by the item's response
    identifiers (others are dropped); any other value answers the item's single response. Raises ScoringError
    for a single value given to an item with several responses."""
    if response is None:
        return {}
    declared = [r.identifier for r in content.responses]
    if isinstance(response, dict):
        return {key: value for key, value in response.items() if key in declared}
    if len(declared) != 1:
        raise ScoringError(f"the item has {len(declared)} responses, but the answer is a single value")
    return {declared[0]: response}


def _blank(response: Any) -> bool:
    if isinstance(response, dict):
        return all(_blank(value) for value in response.values())
    return response is None or response == [] or (isinstance(response, str) and not response.strip())


def _finished_attempt(session: Session, attempt_id: str) -> Attempt:
    """The attempt, if it is to be scored: submitted or expired, not terminated."""
    attempt = session.get(Attempt, attempt_id) if len(attempt_id) <= 32 else None
    if attempt is None:
        raise NotFound("No such attempt.", code="attempt_not_found")
    if attempt.status not in FINAL:
        raise Conflict(
            "The attempt is still open; it is scored once it is submitted or its time is up.",
            code="attempt_not_finished",
        )
    if attempt.status == AttemptStatus.TERMINATED:
        raise Conflict(
            "The attempt was terminated by the proctor; it is scored only when an admin decides to.",
            code="attempt_terminated",
        )
    return attempt


def _domains(session: Session, slots: Sequence[AttemptSlot]) -> dict[tuple[str, int], str | None]:
    pinned = {(s.item_id, s.item_version) for s in slots}
    rows = session.execute(
        select(col(ItemVersion.item_id), col(ItemVersion.version), col(ItemVersion.domain)).where(
            col(ItemVersion.item_id).in_(sorted({item_id for item_id, _ in pinned}))
        )
    ).all()
    return {(item_id, version): domain for item_id, version, domain in rows if (item_id, version) in pinned}


def latest_decisions(session: Session, exam_id: str, exam_version: int) -> dict[str, RescoreDecision]:
    """The rescoring decision in force for each item of the exam version: the latest one about it."""
    found: dict[str, RescoreDecision] = {}
    for decision in session.scalars(
        select(RescoreDecision)
        .where(col(RescoreDecision.exam_id) == exam_id, col(RescoreDecision.exam_version) == exam_version)
        .order_by(col(RescoreDecision.id))
    ):
        found[decision.item_id] = decision
    return found


def slot_values(
    session: Session, slot: AttemptSlot, domain: str | None, decision: RescoreDecision | None = None
) -> dict[str, Any]:
    """A slot's score row from its stored answer, under the rescoring decision about its item if there is one:
    a corrected version scores the answer against that version, credit gives the full points, a dropped item
    counts 0 of 0."""
    version = slot.item_version
    if decision is not None and decision.kind == RescoreKind.NEW_VERSION and decision.item_version is not None:
        version = decision.item_version
    content = pinned_content(session, slot.item_id, version)
    try:
        result = score(content, item_responses(content, slot.response))
        points, maximum, outcomes = result.score, result.max_score, dict(result.outcomes)
        if result.pending and _blank(slot.response):
            # Nothing for a person to mark: a blank essay scores nothing.
            points, outcomes = 0.0, {**outcomes, "blank": True}
    except ScoringError as error:
        # The machine cannot score this answer as written: a person decides, as for an essay.
        points, maximum, outcomes = None, max_score(content), {"scoring_error": str(error)}
    if decision is not None:
        outcomes = {**outcomes, "decision": str(decision.kind)}
        if decision.kind == RescoreKind.CREDIT_ALL:
            points = maximum
        elif decision.kind == RescoreKind.DROP:
            points, maximum = 0.0, 0.0
    return {
        "attempt_id": slot.attempt_id,
        "slot": slot.slot,
        "section": slot.section,
        "item_id": slot.item_id,
        "item_version": version,
        "domain": domain,
        "score": points,
        "max_score": maximum,
        "outcomes": outcomes,
        "marker_comment": "",
    }


def _group(slots: Iterable[SlotScore]) -> dict[str, float | int]:
    chosen = list(slots)
    return {
        "raw_score": math.fsum(s.score or 0.0 for s in chosen),
        "max_score": math.fsum(s.max_score for s in chosen),
        "pending": sum(1 for s in chosen if s.pending),
    }


def subscores(slots: Sequence[SlotScore], section_titles: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Raw and maximum points (and slots pending) per section of the form and per item domain."""
    domains = sorted({s.domain for s in slots}, key=lambda d: (d is None, d or ""))
    return {
        "sections": [
            {"section": index, "title": title, **_group(s for s in slots if s.section == index)}
            for index, title in enumerate(section_titles)
        ],
        "domains": [{"domain": domain, **_group(s for s in slots if s.domain == domain)} for domain in domains],
    }


def totals(attempt: Attempt, slots: Sequence[SlotScore], definition: ExamDefinition, now: datetime) -> dict[str, Any]:
    """The result's columns from its slot rows: graded (percent, scaled, pass) only once nothing is pending."""
    overall = _group(slots)
    values: dict[str, Any] = {
        "status": ResultStatus.PENDING_MARKING if overall["pending"] else ResultStatus.SCORED,
        "raw_score": overall["raw_score"],
        "max_score": overall["max_score"],
        "subscores": subscores(slots, [section.title for section in attempt.form.sections]),
        "percent": None,
        "scaled_score": None,
        "passed": None,
        "completed_at": None,
    }
    if not overall["pending"]:
        graded = grade(float(overall["raw_score"]), float(overall["max_score"]), definition)
        values.update(percent=graded.percent, scaled_score=graded.scaled_score, passed=graded.passed, completed_at=now)
    return values


def slot_scores(session: Session, attempt_id: str) -> list[SlotScore]:
    return list(
        session.scalars(
            select(SlotScore)
            .where(col(SlotScore.attempt_id) == attempt_id)
            .order_by(col(SlotScore.slot))
            .execution_options(populate_existing=True)
        )
    )


def definition_of(session: Session, attempt: Attempt) -> ExamDefinition:
    return exams.definition_of(session=session, exam_id=attempt.exam_id, version=attempt.exam_version)


@dataclass(frozen=True)
class SlotScoreRows:
    """An attempt scored but not stored yet: its slot score rows, as `store_scores` inserts them."""

    rows: list[dict[str, Any]]


def slot_score_rows(*, session: Session, attempt_id: str) -> SlotScoreRows | AttemptResult:
    """The first, read-only half of scoring (the item scoring itself, the CPU-bound part): the stored result if
    there is one, otherwise the attempt's slot score rows."""
    attempt = _finished_attempt(session, attempt_id)
    stored = session.get(AttemptResult, attempt_id)
    if stored is not None:
        return stored
    slots = list(
        session.scalars(
            select(AttemptSlot).where(col(AttemptSlot.attempt_id) == attempt_id).order_by(col(AttemptSlot.slot))
        )
    )
    domains = _domains(session, slots)
    decisions = latest_decisions(session, attempt.exam_id, attempt.exam_version)
    return SlotScoreRows(
        [slot_values(session, s, domains.get((s.item_id, s.item_version)), decisions.get(s.item_id)) for s in slots]
    )


def store_scores(*, session: Session, attempt_id: str, rows: list[dict[str, Any]], now: datetime) -> AttemptResult:
    """The second half: store the slot rows and the result unless another process did first (whose then stand)."""
    attempt = _finished_attempt(session, attempt_id)
    if rows:
        # executemany of one cached statement: a multi-row VALUES would be compiled afresh for every attempt
        session.execute(
            dialect_insert(session, SLOT_SCORE_TABLE).on_conflict_do_nothing(index_elements=["attempt_id", "slot"]),
            rows,
        )
    values = totals(attempt, slot_scores(session, attempt_id), definition_of(session, attempt), now)
    session.execute(
        dialect_insert(session, RESULT_TABLE)
        .values(
            attempt_id=attempt_id, exam_id=attempt.exam_id, exam_version=attempt.exam_version, scored_at=now, **values
        )
        .on_conflict_do_nothing(index_elements=["attempt_id"])
    )
    result = session.get(AttemptResult, attempt_id, populate_existing=True)
    assert result is not None
    return result


async def score_submitted(db: Database, *, attempt_id: str, now: datetime) -> AttemptResult:
    """Score a submitted or expired attempt against its pinned item versions (and the exam version's rescoring
    decisions) and store the result; scoring again returns the stored result unchanged. Human-scored slots stay
    pending and the result is `pending_marking` until they are marked. Raises NotFound for an unknown attempt,
    Conflict (attempt_not_finished, attempt_terminated) for one that is not to be scored.

    The item scoring runs in a read unit of work, so that the one writer of a group commit
    (examengine/group_commit.py) only stores the rows and does not score while saves wait."""
    scored = await db.read(slot_score_rows, attempt_id=attempt_id)
    if isinstance(scored, AttemptResult):
        return scored
    return await db.run(store_scores, attempt_id=attempt_id, rows=scored.rows, now=now)


def unscored_attempts(*, session: Session, now: datetime, limit: int) -> list[str]:
    """Submitted and expired attempts (deadline within the last SWEEP_DAYS, so the index on status and deadline
    bounds the scan) that have no result yet, oldest first."""
    return list(
        session.scalars(
            select(col(Attempt.id))
            .where(
                col(Attempt.status).in_([s.value for s in SCORED_ON_FINISH]),
                col(Attempt.deadline_at) >= now - timedelta(days=SWEEP_DAYS),
                ~exists().where(col(AttemptResult.attempt_id) == col(Attempt.id)),
            )
            .order_by(col(Attempt.finished_at))
            .limit(limit)
        ).all()
    )


def score_finished(db: Database, *, now: datetime, limit: int = 200) -> int:
    """The sweep: score the unscored finished attempts; returns how many it scored. Each attempt's items are scored
    in a read unit of work and stored in a short write of its own, so a thousand attempts expiring at one deadline
    never hold the writer (or the SQLite lock) while saves wait. Safe with several processes. An attempt that
    cannot be scored is logged and left for the next run."""
    scored = 0
    for attempt_id in db.call(unscored_attempts, now=now, limit=limit, write=False):
        try:
            found = db.call(slot_score_rows, attempt_id=attempt_id, write=False)
            if not isinstance(found, AttemptResult):
                db.call(store_scores, attempt_id=attempt_id, rows=found.rows, now=now)
        except DomainError as error:
            log.warning("attempt %s not scored: %s", attempt_id, error.message)
            continue
        scored += 1
    return scored
