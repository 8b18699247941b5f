"""Seat bookings (API.md "Seats"): a candidate holding an authorization to test books a seat in a bookable sitting
of the scheme's exams inside its window, which enrols them with their approved accommodations; they cancel before
the sitting's cancellation cut-off and the seat and the authorization come back.

Capacity is the enrolment rule of delivery.sitting_changes.enrol_candidate, called here rather than copied: it
locks the sitting row FOR UPDATE in the booking's unit of work and counts the enrolments (on SQLite the write lock
serializes the whole unit of work), so concurrent bookings never exceed the capacity, and bookings and an admin's
enrolments share one count of seats. The authorization row is locked first (always in that order: authorization,
then sitting), so two bookings on one authorization cannot both find it free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.clock import local_text
from examengine.delivery import sitting_changes
from examengine.delivery.models import Attempt
from examengine.errors import Conflict, NotFound
from examengine.exams.models import Enrollment, Sitting
from examengine.exams.seats import booking_closes, cancel_closes
from examengine.exams.sittings import EnrollmentRequest
from examengine.programs.authorizations import (
    AuthorizationState,
    AuthorizationStatus,
    load_own,
    scheme_exam_ids,
    state_of,
)
from examengine.programs.booking_models import Booking, BookingStatus
from examengine.programs.granted import granted_for_exam
from examengine.programs.models import Authorization

_UNUSABLE = {
    AuthorizationStatus.EXPIRED: "Your authorization to test has expired: it can no longer book a seat.",
    AuthorizationStatus.CONSUMED: "Your authorization to test is used up: it can no longer book a seat.",
    AuthorizationStatus.REVOKED: "Your authorization to test was revoked: it can no longer book a seat.",
}


def _check_usable(session: Session, authorization: Authorization, now: datetime) -> None:
    state = state_of(session, authorization, now)
    if state.status in _UNUSABLE:
        raise Conflict(
            _UNUSABLE[state.status], code=f"authorization_{state.status.value}", details={"status": state.status}
        )
    if state.live_booking is not None:
        raise Conflict(
            "You have a seat booked on this authorization already: cancel that booking to book another sitting.",
            code="already_booked",
            details={"booking_id": state.live_booking.id},
        )


def _check_sitting(session: Session, authorization: Authorization, sitting_id: str, now: datetime) -> Sitting:
    sitting = session.get(Sitting, sitting_id, with_for_update=True) if len(sitting_id) <= 32 else None
    if sitting is None:
        raise NotFound("No such sitting.", code="sitting_not_found")
    if not sitting.bookable or sitting.exam_id not in scheme_exam_ids(session, authorization.scheme_id):
        raise Conflict("This sitting does not take bookings on this authorization.", code="not_bookable")
    if sitting.cancelled_at is not None:
        raise Conflict(f"The sitting was cancelled: {sitting.cancel_reason}", code="sitting_cancelled")
    if not (sitting.opens_at < authorization.eligible_until and sitting.closes_at > authorization.eligible_from):
        raise Conflict(
            "This sitting falls outside your authorization's window: choose one between "
            f"{local_text(authorization.eligible_from)} and {local_text(authorization.eligible_until)}.",
            code="outside_window",
        )
    if now >= booking_closes(sitting):
        raise Conflict(
            f"Booking for this sitting closed on {local_text(booking_closes(sitting), sitting.time_zone)}.",
            code="booking_closed",
        )
    return sitting


def _enrolment(session: Session, user_id: str, exam_id: str) -> EnrollmentRequest:
    """The candidate's enrolment with the accommodations approved in the exam's scheme. The reason names the request
    only: proctors read the enrolment (GET /api/v1/sittings/{id}), and they see that an accommodation applies, never
    the words of other needs (API.md "Accommodation requests")."""
    granted = granted_for_exam(session=session, user_id=user_id, exam_id=exam_id)
    if granted is None:
        return EnrollmentRequest(user_id)
    reason = f"Approved accommodation request {granted.request_id}"
    return EnrollmentRequest(
        user_id,
        time_multiplier=granted.time_multiplier,
        extra_minutes=granted.extra_minutes,
        accommodation_reason=reason[:1000],
    )


def book(*, session: Session, user_id: str, authorization_id: str, sitting_id: str, now: datetime) -> Booking:
    """Book a seat for the authorization's holder and enrol them. NotFound unless they hold the authorization or
    for an unknown sitting; Conflict: authorization_expired / authorization_consumed / authorization_revoked,
    already_booked (one live booking per authorization), not_bookable, sitting_cancelled, outside_window,
    booking_closed, sitting_full, already_enrolled."""
    authorization = load_own(session, authorization_id, user_id, for_update=True)
    _check_usable(session, authorization, now)
    sitting = _check_sitting(session, authorization, sitting_id, now)
    sitting_changes.enrol_candidate(
        session=session,
        sitting_id=sitting.id,
        actor_id=user_id,
        request=_enrolment(session, user_id, sitting.exam_id),
        now=now,
    )
    booking = Booking(
        authorization_id=authorization.id,
        sitting_id=sitting.id,
        user_id=user_id,
        status=BookingStatus.CONFIRMED,
        created_at=now,
    )
    session.add(booking)
    session.flush()
    detail = {"authorization_id": authorization.id, "sitting_id": sitting.id, "user_id": user_id}
    record(
        session=session,
        kind=AuditKind.BOOKING_CONFIRMED,
        actor_id=user_id,
        subject=f"booking:{booking.id}",
        detail=detail,
        at=now,
    )
    return booking


def cancel(*, session: Session, user_id: str, booking_id: str, now: datetime) -> Booking:
    """Cancel the holder's booking before its sitting's cancellation cut-off: the seat comes back (the enrolment
    is removed unless an attempt started) and so does the authorization. NotFound for anyone else's booking;
    Conflict cancel_closed after the cut-off, not_booked when it was cancelled already."""
    booking = session.get(Booking, booking_id) if len(booking_id) <= 32 else None
    if booking is None or booking.user_id != user_id:
        raise NotFound("No such booking.", code="booking_not_found")
    load_own(session, booking.authorization_id, user_id, for_update=True)
    sitting = session.get(Sitting, booking.sitting_id, with_for_update=True)
    assert sitting is not None  # the booking's foreign key
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict("This booking was cancelled already.", code="not_booked")
    if now >= cancel_closes(sitting):
        raise Conflict(
            f"Bookings for this sitting could be cancelled until "
            f"{local_text(cancel_closes(sitting), sitting.time_zone)}.",
            code="cancel_closed",
        )
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now
    session.add(booking)
    started = session.scalars(
        select(col(Attempt.id)).where(col(Attempt.sitting_id) == sitting.id, col(Attempt.user_id) == user_id)
    ).first()
    enrolled = session.get(Enrollment, (sitting.id, user_id)) is not None
    if sitting.cancelled_at is None and enrolled and started is None:
        sitting_changes.remove_candidate(
            session=session, sitting_id=sitting.id, user_id=user_id, actor_id=user_id, now=now
        )
    record(
        session=session,
        kind=AuditKind.BOOKING_CANCELLED,
        actor_id=user_id,
        subject=f"booking:{booking.id}",
        detail={"authorization_id": booking.authorization_id, "sitting_id": sitting.id, "user_id": user_id},
        at=now,
    )
    session.flush()
    return booking


@dataclass(frozen=True)
class SittingBooking:
    booking_id: str
    user_id: str
    name: str
    email: str
    status: BookingStatus
    created_at: datetime
    cancelled_at: datetime | None


def sitting_bookings(*, session: Session, sitting_id: str) -> list[SittingBooking]:
    """Who booked the sitting, when, and whether it stands (the admin sitting page), in booking order."""
    rows = session.execute(
        select(Booking, User)
        .join(User, col(User.id) == col(Booking.user_id))
        .where(col(Booking.sitting_id) == sitting_id)
        .order_by(col(Booking.created_at), col(Booking.id))
    ).all()
    return [
        SittingBooking(b.id, u.id, u.name, u.email, BookingStatus(b.status), b.created_at, b.cancelled_at)
        for b, u in rows
    ]


@dataclass(frozen=True)
class Held:
    """An authorization as its holder's page shows it: its state, and the sitting of its live booking."""

    state: AuthorizationState
    sitting: Sitting | None
    cancel_until: datetime | None

    def can_cancel(self, now: datetime) -> bool:
        return self.cancel_until is not None and now < self.cancel_until


def held(*, session: Session, user_id: str, now: datetime) -> list[Held]:
    """The holder's authorizations, newest first, each with the sitting they booked on it (if any)."""
    rows = list(
        session.scalars(
            select(Authorization)
            .where(col(Authorization.user_id) == user_id)
            .order_by(col(Authorization.issued_at).desc(), col(Authorization.id).desc())
        )
    )
    found = []
    for authorization in rows:
        state = state_of(session, authorization, now)
        booked = session.get(Sitting, state.live_booking.sitting_id) if state.live_booking else None
        found.append(Held(state, booked, cancel_closes(booked) if booked else None))
    return found
