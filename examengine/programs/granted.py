"""The accommodations a candidate was granted for an exam's scheme: the newest approved request applies to every
booking and enrolment after its approval (API.md "Accommodation requests")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from examengine.programs.models import AccommodationRequest, AccommodationStatus, SchemeExam


@dataclass(frozen=True)
class Granted:
    request_id: str
    time_multiplier: float
    extra_minutes: int
    other: str | None


def granted_for_exam(*, session: Session, user_id: str, exam_id: str) -> Granted | None:
    """The accommodations approved for the candidate in the scheme the exam belongs to; None when the exam is in
    no scheme or nothing was approved."""
    newest = session.exec(
        select(AccommodationRequest)
        .join(SchemeExam, col(SchemeExam.scheme_id) == col(AccommodationRequest.scheme_id))
        .where(
            col(SchemeExam.exam_id) == exam_id,
            col(AccommodationRequest.user_id) == user_id,
            col(AccommodationRequest.status) == AccommodationStatus.APPROVED,
        )
        .order_by(col(AccommodationRequest.decided_at).desc())
        .limit(1)
    ).first()
    if newest is None or not newest.approved:
        return None
    approved = newest.approved
    return Granted(
        request_id=newest.id,
        time_multiplier=float(approved.get("time_multiplier") or 1.0),
        extra_minutes=int(approved.get("extra_minutes") or 0),
        other=approved.get("other") or None,
    )
