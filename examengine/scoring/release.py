"""Who sees a result when: the exam version's `result_release`, and the admin's release action.

A result is released at a moment computed from what is stored, never by writing on a read:
- `immediate` and `after_marking`: when the result is complete (`completed_at`; nothing pending);
- `on_date`: at the definition's `release_at`, or when complete if that is later;
- `manual`: when an admin released it (`release_results`), or when complete if that is later.
An admin's release also releases early under the other rules. A result still pending marking is never shown
to the candidate: it has no total yet. Until release the candidate learns only that the attempt was received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import select, update
from sqlmodel import Session, col

from examengine.accounts.credentials import Principal
from examengine.accounts.models import Role
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.delivery.holds import HeldFor, HoldState, hold_state
from examengine.delivery.models import Attempt
from examengine.delivery.states import FINAL, AttemptStatus, TerminationDecision
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams import service as exams
from examengine.exams.definition import ExamDefinition
from examengine.exams.models import Sitting
from examengine.exams.wording import moment_text
from examengine.scoring.models import AttemptResult, ResultStatus, SlotScore
from examengine.scoring.scale import report_decimal, report_scaled
from examengine.scoring.service import definition_of, slot_scores


@dataclass(frozen=True)
class Subscore:
    name: str | None  # the section's title, or the domain as the blueprint names it (None: items without a domain)
    raw_score: float
    max_score: float
    percent: float
    pending: int
    code: str | None = None  # the item domain's code in the bank (sections have none)


@dataclass(frozen=True)
class ScoreScale:
    """How to read a result: the range of the scaled score (when the exam reports one) and the score that passes,
    on the scale it is reported on (`passing_on`: scaled, percent or raw points)."""

    minimum: float | None
    maximum: float | None
    passing: float | None
    passing_on: Literal["scaled", "percent", "raw"] | None


@dataclass(frozen=True)
class CandidateResult:
    """The API's result shape: rounded once, here, for reporting."""

    attempt_id: str
    raw_score: float
    max_score: float
    percent: float
    scaled_score: int | None
    passed: bool | None
    domains: tuple[Subscore, ...]
    released_at: datetime
    scale: ScoreScale


class Withheld(StrEnum):
    """Why the candidate does not see a result (yet)."""

    NOT_SCORED = "not_scored"
    AWAITING_MARKING = "awaiting_marking"
    NOT_RELEASED = "not_released"
    TERMINATION_PENDING = "termination_pending"  # terminated; an administrator has not decided yet
    NO_RESULT = "no_result"  # terminated, and the decision leaves the attempt without a result
    INCIDENT_HOLD = "incident_hold"  # programs: reports: an incident holds it until an admin decides
    INVALIDATED = "invalidated"  # programs: reports: an admin invalidated it after an incident


@dataclass(frozen=True)
class ResultWithheld:
    attempt_id: str
    received_at: datetime | None
    next_step: str  # what happens next, in the candidate's words
    reason: Withheld

    @property
    def message(self) -> str:
        return f"Your attempt was received. {self.next_step}"


@dataclass(frozen=True)
class AdminResult:
    result: AttemptResult  # unrounded, as stored
    slots: tuple[SlotScore, ...]
    user_id: str
    sitting_id: str
    finished_at: datetime | None
    percent: float | None
    scaled_score: int | None
    sections: tuple[Subscore, ...]
    domains: tuple[Subscore, ...]
    released_at: datetime | None


def release_time(result: AttemptResult, definition: ExamDefinition) -> datetime | None:
    """When the candidate may see the result (possibly in the future), or None while nothing releases it."""
    completed = result.completed_at
    if result.status != ResultStatus.SCORED or completed is None:
        return None
    if result.released_at is not None:
        return max(result.released_at, completed)
    if definition.result_release in ("immediate", "after_marking"):
        return completed
    if definition.result_release == "on_date" and definition.release_at is not None:
        return max(definition.release_at, completed)
    return None


def _subscores(
    groups: list[dict[str, Any]], key: str, definition: ExamDefinition | None = None
) -> tuple[Subscore, ...]:
    """Rounded subscores; with the definition, domains carry the blueprint's names (and keep their codes)."""
    return tuple(
        Subscore(
            g[key] if definition is None else definition.domain_name(g[key]),
            report_decimal(g["raw_score"]),
            report_decimal(g["max_score"]),
            report_decimal(g["raw_score"] * 100 / g["max_score"]) if g["max_score"] > 0 else 0.0,
            g["pending"],
            None if definition is None else g[key],
        )
        for g in groups
    )


def score_scale(definition: ExamDefinition) -> ScoreScale:
    """The exam version's scale and passing score as a candidate reads them. A raw or percent cut score lands on
    the scale's cut (scoring.scale), so with a scale the passing score is reported on it."""
    cut, scale = definition.cut_score, definition.scale
    if scale is None:
        return ScoreScale(None, None, None if cut is None else cut.value, None if cut is None else cut.type)
    if cut is None:
        return ScoreScale(scale.min, scale.max, None, None)
    return ScoreScale(scale.min, scale.max, cut.value if cut.type == "scaled" else scale.cut, "scaled")


_NO_RESULT = {
    TerminationDecision.UPHOLD: "An administrator upheld the termination: this attempt has no result.",
    TerminationDecision.ALLOW_RETAKE: "An administrator annulled this attempt: it has no result, and you may "
    "take the exam again.",
    TerminationDecision.VOID: "An administrator voided this attempt: it has no result.",
}


_UNDER_REVIEW = "It is under review after an incident; your result follows once an administrator decides."
_INVALIDATED = "An administrator invalidated this result after an incident: it earns nothing. You may appeal."


def _withheld(
    attempt: Attempt, result: AttemptResult | None, definition: ExamDefinition, hold: HoldState
) -> ResultWithheld:
    if hold.invalidated:
        reason, why = Withheld.INVALIDATED, _INVALIDATED
    elif hold.held_for == HeldFor.INCIDENT:
        reason, why = Withheld.INCIDENT_HOLD, _UNDER_REVIEW
    elif attempt.status == AttemptStatus.TERMINATED:
        if attempt.termination_decision is None:
            reason, why = (
                Withheld.TERMINATION_PENDING,
                "The proctor ended it; it is held until an administrator decides about the termination.",
            )
        else:
            reason, why = Withheld.NO_RESULT, _NO_RESULT[TerminationDecision(attempt.termination_decision)]
    elif result is None:
        reason, why = Withheld.NOT_SCORED, "Your result is not ready yet."
    elif result.status == ResultStatus.PENDING_MARKING:
        reason = Withheld.AWAITING_MARKING
        why = "Some answers are marked by a person; your result is released once marking is complete."
    elif definition.result_release == "on_date" and definition.release_at is not None:
        reason, why = Withheld.NOT_RELEASED, f"Results are released on {moment_text(definition.release_at)}."
    else:
        reason, why = Withheld.NOT_RELEASED, "Results are released when the exam's results are published."
    return ResultWithheld(attempt.id, attempt.finished_at, why, reason)


def result_for_candidate(
    *, session: Session, attempt_id: str, user_id: str, now: datetime
) -> CandidateResult | ResultWithheld:
    """The candidate's own result once released, else only that the attempt was received and why there is no
    result yet (a terminated attempt never shows one). Raises NotFound for an unknown attempt or another
    candidate's, Conflict (attempt_not_finished) while the attempt is open."""
    attempt = session.get(Attempt, attempt_id) if len(attempt_id) <= 32 else None
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("No such attempt.", code="attempt_not_found")
    if attempt.status not in FINAL:
        raise Conflict("The attempt is still open: submit it first.", code="attempt_not_finished")
    result = session.get(AttemptResult, attempt_id)
    definition = definition_of(session, attempt)
    released = None if result is None else release_time(result, definition)
    hold = hold_state(session, attempt)
    terminated = attempt.status == AttemptStatus.TERMINATED
    if hold.blocks_result or terminated or result is None or released is None or released > now:
        return _withheld(attempt, result, definition, hold)
    assert result.percent is not None  # a complete result is graded
    return CandidateResult(
        attempt_id,
        report_decimal(result.raw_score),
        report_decimal(result.max_score),
        report_decimal(result.percent),
        None if result.scaled_score is None else report_scaled(result.scaled_score),
        result.passed,
        _subscores(result.subscores.get("domains", []), "domain", definition),
        released,
        score_scale(definition),
    )


def result_for_admin(*, session: Session, attempt_id: str) -> AdminResult:
    """The full result, released or not, with every slot's score. Raises NotFound (attempt_not_found, or
    result_not_found when the attempt has not been scored)."""
    attempt = session.get(Attempt, attempt_id) if len(attempt_id) <= 32 else None
    if attempt is None:
        raise NotFound("No such attempt.", code="attempt_not_found")
    result = session.get(AttemptResult, attempt_id)
    if result is None:
        raise NotFound("The attempt has not been scored yet.", code="result_not_found")
    definition = definition_of(session, attempt)
    return AdminResult(
        result,
        tuple(slot_scores(session, attempt_id)),
        attempt.user_id,
        attempt.sitting_id,
        attempt.finished_at,
        None if result.percent is None else report_decimal(result.percent),
        None if result.scaled_score is None else report_scaled(result.scaled_score),
        _subscores(result.subscores.get("sections", []), "title"),
        _subscores(result.subscores.get("domains", []), "domain", definition),
        release_time(result, definition),
    )


def release_results(
    *,
    session: Session,
    exam_id: str,
    actor_id: str,
    now: datetime,
    version: int | None = None,
    sitting_id: str | None = None,
) -> int:
    """Release the stored results of one exam version or of one sitting of the exam (name exactly one); returns
    how many were released now. Results released before keep their time; results still pending marking are
    shown once marked; attempts scored later are not covered. Raises InvalidInput (neither or both named),
    NotFound (unknown exam, version or sitting of this exam)."""
    exams.get_version(session=session, exam_id=exam_id, version=version)
    if (version is None) == (sitting_id is None):
        raise InvalidInput("Name the exam version or the sitting whose results to release.", code="release_scope")
    chosen = col(AttemptResult.exam_id) == exam_id
    if sitting_id is not None:
        sitting = session.get(Sitting, sitting_id) if len(sitting_id) <= 32 else None
        if sitting is None or sitting.exam_id != exam_id:
            raise NotFound("The exam has no such sitting.", code="sitting_not_found")
        in_sitting = select(col(Attempt.id)).where(col(Attempt.sitting_id) == sitting_id)
        chosen = chosen & col(AttemptResult.attempt_id).in_(in_sitting)
    else:
        chosen = chosen & (col(AttemptResult.exam_version) == version)
    released = session.execute(
        update(AttemptResult)
        .where(chosen, col(AttemptResult.released_at).is_(None))
        .values(released_at=now, released_by=actor_id)
    )
    record(
        session=session,
        kind=AuditKind.RESULTS_RELEASED,
        actor_id=actor_id,
        subject=f"exam:{exam_id}",
        detail={"version": version, "sitting_id": sitting_id, "released": getattr(released, "rowcount", 0)},
        at=now,
    )
    return int(getattr(released, "rowcount", 0) or 0)


def result_for(
    *, session: Session, attempt_id: str, who: Principal, now: datetime
) -> AdminResult | CandidateResult | ResultWithheld:
    """The attempt's result as the principal may see it: an admin any attempt's full result (`result_for_admin`),
    anyone else only their own once released (`result_for_candidate`). Raises as those."""
    if Role.ADMIN in who.roles:
        return result_for_admin(session=session, attempt_id=attempt_id)
    return result_for_candidate(session=session, attempt_id=attempt_id, user_id=who.user_id, now=now)
