"""The results of an exam for its admins: one row per scored attempt, filtered by sitting, status and outcome,
with the release moment, rescoring history and the candidate's retake exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.delivery import holds, termination
from examengine.delivery.models import Attempt
from examengine.delivery.states import AttemptStatus
from examengine.exams import service as exams
from examengine.exams.models import Sitting
from examengine.exams.service import ExamVersionView
from examengine.scoring.models import AttemptResult, RescoreRecord, ResultStatus, RetakeException
from examengine.scoring.release import release_time
from examengine.scoring.retake_exceptions import exceptions_for
from examengine.scoring.scale import report_decimal, report_scaled

Outcome = Literal["passed", "failed"]


@dataclass(frozen=True)
class ResultFilters:
    sitting_id: str | None = None
    status: ResultStatus | None = None
    outcome: Outcome | None = None


@dataclass(frozen=True)
class ResultRow:
    attempt_id: str
    user_id: str
    candidate: str
    email: str
    sitting_id: str
    exam_version: int
    status: ResultStatus
    raw_score: float | None  # None while pending marking
    max_score: float
    percent: float | None
    scaled_score: int | None
    passed: bool | None
    released_at: datetime | None  # when the candidate may see it (possibly later than now)
    released: bool  # the candidate may see it now
    rescored: int
    exceptions: tuple[RetakeException, ...]
    held: str | None = None  # "withheld" (an incident holds it) or "invalidated": no pass either way


@dataclass(frozen=True)
class ResultsPage:
    exam: ExamVersionView
    sittings: tuple[Sitting, ...]
    rows: tuple[ResultRow, ...]
    manual_release: bool  # some version of the exam waits for an admin's release
    terminated: tuple[TerminatedRow, ...] = ()  # every terminated attempt, held ones (no decision) first


@dataclass(frozen=True)
class TerminatedRow:
    attempt_id: str
    candidate: str
    email: str
    sitting_id: str
    finished_at: datetime | None
    decision: str | None  # a TerminationDecision; None: the candidate is held until an admin decides
    decided: termination.Decided | None  # who, when and why (None also for decisions recorded by the upgrade)


def _chosen(exam_id: str, filters: ResultFilters) -> Select[AttemptResult, Attempt, User, bool, bool]:
    """The results under the filters, each with whether an incident holds it or invalidated it."""
    chosen = (
        select(
            AttemptResult,
            Attempt,
            User,
            holds.invalidated_clause(Attempt.id).label("invalidated"),
            holds.blocked_clause(Attempt.id).label("withheld"),
        )
        .join(Attempt, col(Attempt.id) == col(AttemptResult.attempt_id))
        .join(User, col(User.id) == col(Attempt.user_id))
        .where(col(AttemptResult.exam_id) == exam_id)
    )
    if filters.sitting_id:
        chosen = chosen.where(col(Attempt.sitting_id) == filters.sitting_id)
    if filters.status:
        chosen = chosen.where(col(AttemptResult.status) == filters.status.value)
    if filters.outcome:
        chosen = chosen.where(col(AttemptResult.passed).is_(filters.outcome == "passed"))
    return chosen


def exam_results(*, session: Session, exam_id: str, filters: ResultFilters, now: datetime) -> ResultsPage:
    """The exam's results under the filters, by candidate name. Raises NotFound for an unknown exam."""
    exam = exams.get_version(session=session, exam_id=exam_id)
    sittings = tuple(
        session.scalars(select(Sitting).where(col(Sitting.exam_id) == exam_id).order_by(col(Sitting.opens_at)))
    )
    chosen = _chosen(exam_id, filters)
    found = session.execute(chosen.order_by(col(User.name), col(Attempt.created_at))).all()
    attempt_ids = [row[0].attempt_id for row in found]
    rescored: dict[str, int] = {}
    if attempt_ids:
        rescored = dict(
            session.execute(
                select(col(RescoreRecord.attempt_id), func.count())
                .where(col(RescoreRecord.attempt_id).in_(attempt_ids))
                .group_by(col(RescoreRecord.attempt_id))
            ).all()
        )
    granted: dict[str, list[RetakeException]] = {}
    for exception in exceptions_for(session, exam_id=exam_id, user_ids=sorted({row[2].id for row in found})):
        granted.setdefault(exception.user_id, []).append(exception)
    definitions = {}
    rows = []
    for result, attempt, user, invalidated, withheld in found:
        held = "invalidated" if invalidated else "withheld" if withheld else None
        if result.exam_version not in definitions:
            definitions[result.exam_version] = exams.get_version(
                session=session, exam_id=exam_id, version=result.exam_version
            ).definition
        complete = result.status == ResultStatus.SCORED
        released_at = release_time(result, definitions[result.exam_version])
        rows.append(
            ResultRow(
                attempt.id,
                user.id,
                user.name,
                user.email,
                attempt.sitting_id,
                result.exam_version,
                result.status,
                report_decimal(result.raw_score) if complete else None,
                report_decimal(result.max_score),
                None if result.percent is None else report_decimal(result.percent),
                None if result.scaled_score is None else report_scaled(result.scaled_score),
                None if held else result.passed,
                released_at,
                released_at is not None and released_at <= now,
                rescored.get(attempt.id, 0),
                tuple(granted.get(user.id, [])),
                held,
            )
        )
    manual = (
        any(d.result_release == "manual" for d in definitions.values()) or exam.definition.result_release == "manual"
    )
    return ResultsPage(exam, sittings, tuple(rows), manual, terminated_attempts(session, exam_id))


def terminated_attempts(session: Session, exam_id: str) -> tuple[TerminatedRow, ...]:
    """The exam's terminated attempts with the admin's decision about each, undecided (held) ones first."""
    found = session.execute(
        select(Attempt, User)
        .join(User, col(User.id) == col(Attempt.user_id))
        .where(col(Attempt.exam_id) == exam_id, col(Attempt.status) == AttemptStatus.TERMINATED.value)
        .order_by(col(Attempt.termination_decision).is_not(None), col(Attempt.finished_at))
    ).all()
    return tuple(
        TerminatedRow(
            attempt.id,
            user.name,
            user.email,
            attempt.sitting_id,
            attempt.finished_at,
            attempt.termination_decision,
            termination.decision_of(session, attempt.id) if attempt.termination_decision else None,
        )
        for attempt, user in found
    )
