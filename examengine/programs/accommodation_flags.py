"""What proctors are told about a candidate's accommodations: that one applies, never why. "Extended time" when the
enrolment carries a time multiplier or extra minutes (granted on request or set by the admin); "Accommodation" when
an approved accommodation request of the exam's scheme applies to the enrolment (approved before it was made). The
statement, the evidence and the words of other needs stay with the candidate, reviewers and admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col

from examengine.exams.models import Enrollment, Sitting
from examengine.programs.models import AccommodationRequest, AccommodationStatus, SchemeExam

EXTENDED_TIME = "Extended time"
ACCOMMODATION = "Accommodation"


def granted_applies(sitting_id: Any, user_id: Any, enrolled_at: Any) -> ColumnElement[bool]:
    """SQL: an approved request of the sitting's exam's scheme, decided by the time of the enrolment."""
    return exists(
        select(col(AccommodationRequest.id))
        .join(SchemeExam, col(SchemeExam.scheme_id) == col(AccommodationRequest.scheme_id))
        .join(Sitting, col(Sitting.exam_id) == col(SchemeExam.exam_id))
        .where(
            col(Sitting.id) == sitting_id,
            col(AccommodationRequest.user_id) == user_id,
            col(AccommodationRequest.status) == AccommodationStatus.APPROVED,
            col(AccommodationRequest.decided_at) <= enrolled_at,
        )
    )


def label(*, time_multiplier: float, extra_minutes: int, granted: bool) -> str:
    """The words shown beside the candidate: "", "Extended time", "Accommodation" or both."""
    parts = []
    if time_multiplier != 1.0 or extra_minutes:
        parts.append(EXTENDED_TIME)
    if granted:
        parts.append(ACCOMMODATION)
    return ", ".join(parts)


def enrolment_label(*, session: Session, sitting_id: str, user_id: str) -> str:
    """The label of one enrolment ("" when the candidate is not enrolled or has no accommodation)."""
    row = session.execute(
        select(
            col(Enrollment.time_multiplier),
            col(Enrollment.extra_minutes),
            granted_applies(sitting_id, col(Enrollment.user_id), col(Enrollment.enrolled_at)),
        ).where(and_(col(Enrollment.sitting_id) == sitting_id, col(Enrollment.user_id) == user_id))
    ).first()
    if row is None:
        return ""
    return label(time_multiplier=row[0], extra_minutes=row[1], granted=bool(row[2]))
