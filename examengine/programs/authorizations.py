"""Authorizations to test as their holders and admins read them: each one's status, computed at read time from its
dates, its bookings and the attempts started under it (never stored), and the bookable sittings inside its window.

Status, first match wins: `revoked` (an admin revoked it) > `consumed` (its attempts are used up, or a no-show: a
confirmed booking whose sitting closed with no attempt by the candidate) > `expired` (now >= eligible_until) >
`booked` (a confirmed booking whose sitting has not closed) > `issued`.

Attempts used are counted, not stored: the attempts at the scheme's exams the holder started from the
authorization's issue up to the issue of their next authorization in the scheme (so two authorizations never count
one attempt twice), leaving out terminated attempts an admin annulled as the retake rules do. A count has no
lost update to guard against, and the attempts it counts are the very rows whose inserts the start serializes
(programs.admission says how).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import exists, func, select
from sqlmodel import Session, col

from examengine.accounts.credentials import Principal
from examengine.accounts.models import Role
from examengine.delivery.models import Attempt
from examengine.errors import InvalidInput, NotFound
from examengine.exams.models import Enrollment, Sitting
from examengine.exams.seats import booking_closes
from examengine.programs.booking_models import Booking, BookingStatus
from examengine.programs.models import Authorization, Scheme, SchemeExam
from examengine.scoring.retake import ANNULLED

PAGE_SIZE = 50


class AuthorizationStatus(StrEnum):
    ISSUED = "issued"
    BOOKED = "booked"
    CONSUMED = "consumed"
    EXPIRED = "expired"
    REVOKED = "revoked"


USABLE = frozenset({AuthorizationStatus.ISSUED, AuthorizationStatus.BOOKED})


@dataclass(frozen=True)
class AuthorizationState:
    authorization: Authorization
    scheme_code: str
    scheme_title: str
    exam_ids: tuple[str, ...]
    attempts_used: int
    status: AuthorizationStatus
    live_booking: Booking | None  # the confirmed booking whose sitting has not closed
    no_show: bool

    def in_window(self, now: datetime) -> bool:
        return self.authorization.eligible_from <= now < self.authorization.eligible_until

    @property
    def attempts_left(self) -> int:
        return max(0, self.authorization.attempts_allowed - self.attempts_used)


@dataclass(frozen=True)
class BookableSitting:
    sitting_id: str
    exam_id: str
    title: str
    opens_at: datetime
    closes_at: datetime
    booking_closes_at: datetime
    time_zone: str
    location: str
    seats_left: int | None  # None: no capacity set


def scheme_exam_ids(session: Session, scheme_id: str) -> tuple[str, ...]:
    query = select(col(SchemeExam.exam_id)).where(col(SchemeExam.scheme_id) == scheme_id).order_by(SchemeExam.exam_id)
    return tuple(session.scalars(query))


def attempts_used(session: Session, authorization: Authorization, exam_ids: Sequence[str]) -> int:
    """The attempts counted against the authorization (the module's docstring says which)."""
    next_issue = session.scalar(
        select(func.min(col(Authorization.issued_at))).where(
            col(Authorization.user_id) == authorization.user_id,
            col(Authorization.scheme_id) == authorization.scheme_id,
            col(Authorization.issued_at) > authorization.issued_at,
        )
    )
    query = (
        select(func.count())
        .select_from(Attempt)
        .where(
            col(Attempt.user_id) == authorization.user_id,
            col(Attempt.exam_id).in_(list(exam_ids)),
            col(Attempt.created_at) >= authorization.issued_at,
            col(Attempt.termination_decision).is_(None) | col(Attempt.termination_decision).not_in(list(ANNULLED)),
        )
    )
    if next_issue is not None:
        query = query.where(col(Attempt.created_at) < next_issue)
    return int(session.scalar(query) or 0)


def _bookings(session: Session, authorization_id: str) -> list[tuple[Booking, Sitting, bool]]:
    """Its confirmed bookings with their sittings, and whether the candidate has an attempt in each."""
    attended = exists().where(
        col(Attempt.sitting_id) == col(Booking.sitting_id), col(Attempt.user_id) == col(Booking.user_id)
    )
    rows = session.execute(
        select(Booking, Sitting, attended)
        .join(Sitting, col(Sitting.id) == col(Booking.sitting_id))
        .where(col(Booking.authorization_id) == authorization_id, col(Booking.status) == BookingStatus.CONFIRMED)
        .order_by(col(Booking.created_at))
    ).all()
    return [(booking, sitting, bool(sat)) for booking, sitting, sat in rows]


def state_of(session: Session, authorization: Authorization, now: datetime) -> AuthorizationState:
    scheme = session.get(Scheme, authorization.scheme_id)
    exam_ids = scheme_exam_ids(session, authorization.scheme_id)
    used = attempts_used(session, authorization, exam_ids)
    live, no_show = None, False
    for booking, sitting, sat in _bookings(session, authorization.id):
        if sitting.cancelled_at is not None:
            continue
        if now < sitting.closes_at:
            live = booking
        elif not sat:
            no_show = True
    if authorization.revoked_at is not None:
        status = AuthorizationStatus.REVOKED
    elif used >= authorization.attempts_allowed or no_show:
        status = AuthorizationStatus.CONSUMED
    elif now >= authorization.eligible_until:
        status = AuthorizationStatus.EXPIRED
    elif live is not None:
        status = AuthorizationStatus.BOOKED
    else:
        status = AuthorizationStatus.ISSUED
    return AuthorizationState(
        authorization,
        scheme.code if scheme else "",
        scheme.title if scheme else "",
        exam_ids,
        used,
        status,
        live,
        no_show,
    )


@dataclass(frozen=True)
class AuthorizationPage:
    items: list[AuthorizationState]
    next_cursor: str | None


def list_authorizations(
    *, session: Session, who: Principal, user_id: str, now: datetime, cursor: str | None = None, limit: int = PAGE_SIZE
) -> AuthorizationPage:
    """The user's authorizations, newest first, a page at a time: the holder's own, or anyone's for an admin
    (NotFound otherwise, as for a user without any). InvalidInput (bad_cursor) for a cursor this list never gave."""
    if user_id != who.user_id and Role.ADMIN not in who.roles:
        raise NotFound("No such user.", code="user_not_found")
    query = select(Authorization).where(col(Authorization.user_id) == user_id)
    if cursor:
        after = session.get(Authorization, cursor) if len(cursor) <= 32 else None
        if after is None or after.user_id != user_id:
            raise InvalidInput("The cursor is not one this list gave: start from the first page.", code="bad_cursor")
        query = query.where(
            (col(Authorization.issued_at) < after.issued_at)
            | ((col(Authorization.issued_at) == after.issued_at) & (col(Authorization.id) < after.id))
        )
    rows = list(
        session.scalars(
            query.order_by(col(Authorization.issued_at).desc(), col(Authorization.id).desc()).limit(limit + 1)
        )
    )
    page = rows[:limit]
    return AuthorizationPage(
        [state_of(session, a, now) for a in page], page[-1].id if len(rows) > limit and page else None
    )


def load_own(session: Session, authorization_id: str, user_id: str, *, for_update: bool = False) -> Authorization:
    """The holder's authorization (locked for the booking's unit of work when asked); NotFound for anyone else."""
    found = (
        session.get(Authorization, authorization_id, with_for_update=for_update)
        if len(authorization_id) <= 32
        else None
    )
    if found is None or found.user_id != user_id:
        raise NotFound("No such authorization to test.", code="authorization_not_found")
    return found


def get_authorization(*, session: Session, authorization_id: str, user_id: str, now: datetime) -> AuthorizationState:
    return state_of(session, load_own(session, authorization_id, user_id), now)


def seats_left(session: Session, sitting: Sitting) -> int | None:
    if sitting.capacity is None:
        return None
    enrolled = session.scalar(
        select(func.count()).select_from(Enrollment).where(col(Enrollment.sitting_id) == sitting.id)
    )
    return max(0, sitting.capacity - int(enrolled or 0))


def bookable_sittings(*, session: Session, authorization_id: str, user_id: str, now: datetime) -> list[BookableSitting]:
    """The bookable sittings of the scheme's exams inside the authorization's window (opening before
    eligible_until, closing after eligible_from), not cancelled, still taking bookings, with a seat left; soonest
    first. NotFound unless the user holds the authorization."""
    authorization = load_own(session, authorization_id, user_id)
    exam_ids = scheme_exam_ids(session, authorization.scheme_id)
    candidates = session.scalars(
        select(Sitting)
        .where(
            col(Sitting.exam_id).in_(list(exam_ids)),
            col(Sitting.bookable).is_(True),
            col(Sitting.cancelled_at).is_(None),
            col(Sitting.opens_at) < authorization.eligible_until,
            col(Sitting.closes_at) > authorization.eligible_from,
            col(Sitting.closes_at) > now,
        )
        .order_by(col(Sitting.opens_at), col(Sitting.id))
    )
    found = []
    for sitting in candidates:
        left = seats_left(session, sitting)
        if now >= booking_closes(sitting) or left == 0:
            continue
        found.append(
            BookableSitting(
                sitting.id,
                sitting.exam_id,
                sitting.title,
                sitting.opens_at,
                sitting.closes_at,
                booking_closes(sitting),
                sitting.time_zone,
                sitting.location,
                left,
            )
        )
    return found
