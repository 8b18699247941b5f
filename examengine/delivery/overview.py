"""What a candidate sees before an exam: their sittings, each with its state and the rule that blocks them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.clock import local_text
from examengine.delivery.models import Attempt
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.exams.definition import ExamDefinition
from examengine.exams.models import Enrollment, ExamVersion, Sitting
from examengine.exams.retake import EligibilityCheck


@dataclass(frozen=True)
class CandidateSitting:
    sitting_id: str
    title: str
    exam_title: str
    instructions: str
    opens_at: datetime
    closes_at: datetime
    location: str
    time_limit_minutes: int | None
    time_multiplier: float
    extra_minutes: int
    window: str  # upcoming, open, closed, cancelled
    attempt_id: str | None
    attempt_status: AttemptStatus | None
    blocked_by: str | None
    opens_in_seconds: int = 0
    time_zone: str = "UTC"  # the sitting's: its times are shown in it

    @property
    def can_start(self) -> bool:
        return (
            self.window == "open"
            and self.blocked_by is None
            and (self.attempt_status is None or self.attempt_status in FINAL)
        )

    @property
    def opens_soon(self) -> bool:
        """Upcoming within the next 12 hours: the page waits for it to open."""
        return self.window == "upcoming" and self.opens_in_seconds <= 12 * 3600

    @property
    def can_resume(self) -> bool:
        return self.attempt_status is not None and self.attempt_status not in FINAL


def candidate_sittings(
    *, session: Session, user_id: str, now: datetime, eligible: EligibilityCheck
) -> list[CandidateSitting]:
    """The candidate's sittings, each with what blocks a start now (`eligible` judges the retake rules)."""
    rows = session.execute(
        select(Sitting, Enrollment, ExamVersion)
        .join(Enrollment, col(Enrollment.sitting_id) == col(Sitting.id))
        .join(
            ExamVersion,
            (col(ExamVersion.exam_id) == col(Sitting.exam_id))
            & (col(ExamVersion.version) == col(Sitting.exam_version)),
        )
        .where(col(Enrollment.user_id) == user_id)
        .order_by(col(Sitting.opens_at))
    ).all()
    found = []
    for sitting, enrollment, version in rows:
        attempts = list(
            session.scalars(
                select(Attempt)
                .where(col(Attempt.sitting_id) == sitting.id, col(Attempt.user_id) == user_id)
                .order_by(col(Attempt.number))
            )
        )
        latest = attempts[-1] if attempts else None
        window = "upcoming" if now < sitting.opens_at else "open" if now < sitting.closes_at else "closed"
        blocked = None
        if sitting.cancelled_at is not None:
            window, blocked = "cancelled", f"The sitting was cancelled: {sitting.cancel_reason}"
        elif window == "upcoming":
            blocked = f"The sitting opens on {local_text(sitting.opens_at, sitting.time_zone)}."
        elif window == "closed":
            blocked = f"The sitting closed on {local_text(sitting.closes_at, sitting.time_zone)}."
        elif latest is None or latest.status in FINAL:
            # The same retake rules that starting an attempt enforces, so the page never offers a refused start.
            definition = ExamDefinition.model_validate(version.definition)
            rule = eligible(session=session, user_id=user_id, exam_id=sitting.exam_id, definition=definition, now=now)
            blocked = None if rule.allowed else rule.reason
        found.append(
            CandidateSitting(
                sitting.id,
                sitting.title,
                version.title,
                str(version.definition.get("instructions", "")),
                sitting.opens_at,
                sitting.closes_at,
                sitting.location,
                version.definition.get("time_limit_minutes"),
                enrollment.time_multiplier,
                enrollment.extra_minutes,
                window,
                latest.id if latest else None,
                AttemptStatus(latest.status) if latest else None,
                blocked,
                max(0, int((sitting.opens_at - now).total_seconds())),
                sitting.time_zone,
            )
        )
    return found
