"""Rescoring an exam version when a key was wrong: a corrected item version, credit for all, or dropping the item.

Preview and apply share one computation: every result of the exam version is re-totalled with the item's slots
scored again from the stored answers under the decision, and only results whose numbers change are listed.
Applying stores the decision (so scoring an attempt again, or for the first time later, reproduces it), the
new slot scores and results, and one record per changed result with what it was and what it became. A result
that was complete keeps its completion time, so its release moment does not move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.errors import InvalidInput
from examengine.exams import service as exams
from examengine.exams.models import ExamPoolEntry
from examengine.scoring.models import (
    AttemptResult,
    RescoreDecision,
    RescoreKind,
    RescoreRecord,
    ResultStatus,
    SlotScore,
)
from examengine.scoring.service import slot_scores, slot_values, totals
from itembank.models import ItemStatus, ItemVersion

NUMBERS = ("raw_score", "max_score", "percent", "scaled_score", "passed", "status")


@dataclass(frozen=True)
class DecisionRequest:
    version: int
    item_id: str
    kind: RescoreKind
    reason: str
    item_version: int | None = None


@dataclass(frozen=True)
class ResultChange:
    attempt_id: str
    user_id: str
    candidate: str
    email: str
    sitting_id: str
    before: dict[str, Any]  # raw_score, max_score, percent, scaled_score, passed, status (unrounded)
    after: dict[str, Any]

    @property
    def pass_changed(self) -> bool:
        return bool(self.before["passed"] != self.after["passed"])

    @property
    def pass_to_fail(self) -> bool:
        return self.before["passed"] is True and self.after["passed"] is False


@dataclass(frozen=True)
class RescorePlan:
    exam_id: str
    version: int
    item_title: str
    request: DecisionRequest
    results_considered: int
    changes: tuple[ResultChange, ...]
    decision_id: int | None = None  # set once applied
    certificates_revoked: tuple[str, ...] = ()  # attempt ids whose certificate the rescore workflow revoked

    @property
    def pass_fail_changes(self) -> tuple[ResultChange, ...]:
        return tuple(c for c in self.changes if c.pass_changed)

    @property
    def pass_to_fail(self) -> tuple[ResultChange, ...]:
        return tuple(c for c in self.changes if c.pass_to_fail)


def _pinned_version(session: Session, exam_id: str, version: int, item_id: str) -> int:
    pinned = session.scalar(
        select(col(ExamPoolEntry.item_version)).where(
            col(ExamPoolEntry.exam_id) == exam_id,
            col(ExamPoolEntry.exam_version) == version,
            col(ExamPoolEntry.item_id) == item_id[:32],
        )
    )
    if pinned is None:
        raise InvalidInput(f"Item {item_id} is not on version {version} of this exam.", code="item_not_on_exam")
    return pinned


def _check(session: Session, exam_id: str, request: DecisionRequest) -> str:
    """The item's title, once the request is known to be applicable."""
    exams.get_version(session=session, exam_id=exam_id, version=request.version)
    if not request.reason.strip():
        raise InvalidInput("Give the reason for rescoring; it is recorded with every changed result.", code="reason")
    pinned = _pinned_version(session, exam_id, request.version, request.item_id)
    row = session.get(ItemVersion, (request.item_id, pinned))
    assert row is not None  # the pool's foreign key
    if request.kind != RescoreKind.NEW_VERSION:
        if request.item_version is not None:
            raise InvalidInput("Only a corrected version decision names an item version.", code="item_version")
        return row.title or request.item_id
    if request.item_version is None or request.item_version <= pinned:
        raise InvalidInput(f"Name a newer version of the item than the pinned version {pinned}.", code="item_version")
    corrected = session.get(ItemVersion, (request.item_id, request.item_version))
    if corrected is None or corrected.status != ItemStatus.APPROVED:
        raise InvalidInput(
            f"Version {request.item_version} of the item does not exist or is not approved.", code="item_version"
        )
    if corrected.human_scored:
        raise InvalidInput("A corrected key applies to machine-scored items only.", code="item_version")
    return row.title or request.item_id


def _numbers(source: Any) -> dict[str, Any]:
    return {name: (getattr(source, name) if not isinstance(source, dict) else source[name]) for name in NUMBERS}


def _plan(
    session: Session, exam_id: str, request: DecisionRequest, decision: RescoreDecision, now: datetime
) -> tuple[RescorePlan, list[tuple[AttemptResult, Attempt, list[dict[str, Any]], dict[str, Any]]]]:
    item_title = _check(session, exam_id, request)
    definition = exams.definition_of(session=session, exam_id=exam_id, version=request.version)
    rows = session.execute(
        select(AttemptResult, Attempt, User)
        .join(Attempt, col(Attempt.id) == col(AttemptResult.attempt_id))
        .join(User, col(User.id) == col(Attempt.user_id))
        .where(col(AttemptResult.exam_id) == exam_id, col(AttemptResult.exam_version) == request.version)
        .order_by(col(User.name), col(Attempt.id))
    ).all()
    changes: list[ResultChange] = []
    writes = []
    for result, attempt, user in rows:
        stored = slot_scores(session, attempt.id)
        changed_rows = []
        updated: list[SlotScore] = []
        for row in stored:
            if row.item_id != request.item_id:
                updated.append(row)
                continue
            answer = session.get(AttemptSlot, (attempt.id, row.slot))
            assert answer is not None  # a slot score's own slot
            values = slot_values(session, answer, row.domain, decision)
            changed_rows.append(values)
            updated.append(SlotScore(**values))
        if not changed_rows:
            continue
        after = totals(attempt, updated, definition, now)
        if result.status == ResultStatus.SCORED and after["status"] == ResultStatus.SCORED:
            after["completed_at"] = result.completed_at
        before = _numbers(result)
        if _numbers(after) == before:
            continue
        changes.append(ResultChange(attempt.id, user.id, user.name, user.email, attempt.sitting_id, before, after))
        writes.append((result, attempt, changed_rows, after))
    plan = RescorePlan(exam_id, request.version, item_title, request, len(rows), tuple(changes))
    return plan, writes


def _unsaved_decision(exam_id: str, request: DecisionRequest, actor_id: str | None, now: datetime) -> RescoreDecision:
    return RescoreDecision(
        exam_id=exam_id,
        exam_version=request.version,
        item_id=request.item_id,
        kind=request.kind,
        item_version=request.item_version,
        reason=request.reason.strip()[:2000],
        decided_by=actor_id,
        decided_at=now,
    )


def preview_rescore(*, session: Session, exam_id: str, request: DecisionRequest, now: datetime) -> RescorePlan:
    """What the decision would change, result by result; nothing is written. Raises NotFound (exam or version),
    InvalidInput (item not on the version, no reason, an unusable corrected version)."""
    plan, _ = _plan(session, exam_id, request, _unsaved_decision(exam_id, request, None, now), now)
    return plan


def apply_rescore(
    *, session: Session, exam_id: str, request: DecisionRequest, actor_id: str, now: datetime
) -> RescorePlan:
    """Store the decision and apply it to every result of the exam version, recording each changed result (the
    certificates of results that no longer pass are the rescore workflow's: examengine/workflows/rescore.py).
    Raises as `preview_rescore`."""
    decision = _unsaved_decision(exam_id, request, actor_id, now)
    _check(session, exam_id, request)
    session.add(decision)
    session.flush()
    assert decision.id is not None
    plan, writes = _plan(session, exam_id, request, decision, now)
    for result, attempt, changed_rows, after in writes:
        for values in changed_rows:
            session.execute(
                update(SlotScore)
                .where(col(SlotScore.attempt_id) == attempt.id, col(SlotScore.slot) == values["slot"])
                .values(
                    score=values["score"],
                    max_score=values["max_score"],
                    outcomes=values["outcomes"],
                    item_version=values["item_version"],
                )
            )
        before = _numbers(result)
        session.execute(update(AttemptResult).where(col(AttemptResult.attempt_id) == attempt.id).values(**after))
        session.add(
            RescoreRecord(
                decision_id=decision.id,
                attempt_id=attempt.id,
                raw_before=before["raw_score"],
                max_before=before["max_score"],
                percent_before=before["percent"],
                scaled_before=before["scaled_score"],
                passed_before=before["passed"],
                raw_after=after["raw_score"],
                max_after=after["max_score"],
                percent_after=after["percent"],
                scaled_after=after["scaled_score"],
                passed_after=after["passed"],
                reason=decision.reason,
                actor_id=actor_id,
                at=now,
            )
        )
    session.flush()
    record(
        session=session,
        kind=AuditKind.RESULT_CHANGED,
        actor_id=actor_id,
        subject=f"exam:{exam_id}",
        detail={"rescore_decision": decision.id, "results_changed": len(writes)},
        at=now,
    )
    return RescorePlan(
        plan.exam_id,
        plan.version,
        plan.item_title,
        plan.request,
        plan.results_considered,
        plan.changes,
        decision.id,
    )


def rescorable_items(*, session: Session, exam_id: str) -> list[tuple[int, str, str]]:
    """The items a decision may name: (exam version, item id, label with the pinned item version), by version and
    title."""
    rows = session.execute(
        select(
            col(ExamPoolEntry.exam_version), col(ItemVersion.item_id), col(ItemVersion.version), col(ItemVersion.title)
        )
        .join(
            ItemVersion,
            (col(ItemVersion.item_id) == col(ExamPoolEntry.item_id))
            & (col(ItemVersion.version) == col(ExamPoolEntry.item_version)),
        )
        .where(col(ExamPoolEntry.exam_id) == exam_id)
        .distinct()
        .order_by(col(ExamPoolEntry.exam_version), col(ItemVersion.title))
    ).all()
    return [(v, item_id, f"{title or item_id} (version {iv})") for v, item_id, iv, title in rows]


def records_of(*, session: Session, attempt_id: str) -> list[RescoreRecord]:
    """The rescoring history of one result, oldest first."""
    return list(
        session.scalars(
            select(RescoreRecord).where(col(RescoreRecord.attempt_id) == attempt_id).order_by(col(RescoreRecord.id))
        )
    )
