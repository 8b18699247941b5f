"""Sittings: an exam version in a window, its proctors, and the candidates enrolled with their accommodations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import available_timezones

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts.models import Role, User, UserRole
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.clock import local_text, utcnow
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams import service as exams
from examengine.exams.models import Enrollment, Sitting, SittingProctor
from examengine.exams.seats import SeatTerms, apply_terms, booking_closes, cancel_closes

MAX_WINDOW = timedelta(days=366)
MAX_CAPACITY = 100_000


class SittingStatus(StrEnum):
    """A function of the stored facts and now: cancelled once cancelled, else where now falls in the window."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def sitting_status(sitting: Sitting, now: datetime) -> SittingStatus:
    if sitting.cancelled_at is not None:
        return SittingStatus.CANCELLED
    if now < sitting.opens_at:
        return SittingStatus.SCHEDULED
    return SittingStatus.OPEN if now < sitting.closes_at else SittingStatus.CLOSED


def checked_zone(name: str) -> str:
    """An IANA time zone name as given ("Europe/Paris"); InvalidInput naming the field otherwise."""
    name = name.strip()
    if name == "UTC" or name in available_timezones():
        return name
    raise InvalidInput(
        f"time_zone: {name[:64]!r} is not a time zone; give an IANA name such as Europe/Paris or UTC.",
        code="invalid_time_zone",
    )


def check_window(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise InvalidInput("The sitting must close after it opens.", code="invalid_window")
    if closes_at - opens_at > MAX_WINDOW:
        raise InvalidInput("A sitting window is at most a year long.", code="invalid_window")


def check_capacity(capacity: int | None, enrolled: int) -> None:
    """Conflict when the capacity leaves no seat for someone enrolled; InvalidInput outside 1..MAX_CAPACITY."""
    if capacity is None:
        return
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"capacity: give a number of seats from 1 to {MAX_CAPACITY}.", code="invalid_capacity")
    if capacity < enrolled:
        raise Conflict(
            f"{enrolled} candidates are enrolled: the capacity cannot be lower than that. Remove candidates first.",
            code="capacity_below_enrolled",
            details={"enrolled": enrolled},
        )


@dataclass(frozen=True)
class EnrollmentRequest:
    user_id: str
    time_multiplier: float = 1.0
    extra_minutes: int = 0
    separate_start: bool = False
    accommodation_reason: str = ""


@dataclass(frozen=True)
class EnrolledView:
    user_id: str
    email: str
    name: str
    time_multiplier: float
    extra_minutes: int
    separate_start: bool
    accommodation_reason: str
    eligible: bool
    reason: str | None


@dataclass(frozen=True)
class SittingView:
    sitting_id: str
    exam_id: str
    exam_code: str
    exam_version: int
    title: str
    opens_at: datetime
    closes_at: datetime
    location: str
    requires_admission: bool
    proctor_ids: tuple[str, ...]
    candidates: tuple[EnrolledView, ...]
    capacity: int | None
    time_zone: str
    status: SittingStatus
    cancelled_at: datetime | None
    cancel_reason: str
    bookable: bool = False
    booking_closes_at: datetime | None = None  # the effective cut-offs (the opening unless set)
    cancel_closes_at: datetime | None = None

    def window_state(self, now: datetime) -> str:
        return "upcoming" if now < self.opens_at else "open" if now < self.closes_at else "closed"


def users_with_role(session: Session, user_ids: Sequence[str], role: Role) -> set[str]:
    """Which of the users have the role; raises NotFound naming users that do not exist at all."""
    if not user_ids:
        return set()
    known = set(session.scalars(select(col(User.id)).where(col(User.id).in_(list(user_ids)))))
    unknown = sorted(set(user_ids) - known)
    if unknown:
        raise NotFound(f"No such user: {', '.join(unknown)}.", code="user_not_found")
    rows = session.scalars(
        select(col(UserRole.user_id))
        .join(User, col(User.id) == col(UserRole.user_id))
        .where(col(UserRole.user_id).in_(list(user_ids)), col(UserRole.role) == role, col(User.disabled_at).is_(None))
    )
    return set(rows)


def _refuse_proctoring_candidates(session: Session, proctor_ids: Sequence[str], candidate_ids: Sequence[str]) -> None:
    """A sitting never takes one person as both proctor and candidate: they would watch their own attempt."""
    both = set(proctor_ids) & set(candidate_ids)
    if not both:
        return
    people = session.execute(select(col(User.name), col(User.email)).where(col(User.id).in_(both))).all()
    named = ", ".join(f"{name} ({email})" for name, email in sorted(people, key=lambda p: p.email))
    raise InvalidInput(
        f"A sitting cannot have the same person as proctor and candidate: {named}. "
        "Remove them from the proctors or from the candidates.",
        code="proctor_is_candidate",
    )


def _check_accommodation(request: EnrollmentRequest) -> None:
    if not 1.0 <= request.time_multiplier <= 4.0:
        raise InvalidInput(
            f"The time multiplier for {request.user_id} must be between 1.0 and 4.0.", code="invalid_accommodation"
        )
    if not 0 <= request.extra_minutes <= 600:
        raise InvalidInput(
            f"Extra minutes for {request.user_id} must be between 0 and 600.", code="invalid_accommodation"
        )
    # The reason is kept when given (admins only ever see it), never required: the contract enrols
    # `{user_id, time_multiplier?}` as it stands.


def checked_proctors(session: Session, proctor_ids: Sequence[str], candidate_ids: Sequence[str]) -> list[str]:
    """The proctors (each once) once each is an active proctor and none is among the candidates; InvalidInput
    otherwise (NotFound for a user that does not exist)."""
    proctors = list(dict.fromkeys(proctor_ids))
    not_proctors = sorted(set(proctors) - users_with_role(session, proctors, Role.PROCTOR))
    if not_proctors:
        raise InvalidInput(f"These users are not active proctors: {', '.join(not_proctors)}.", code="invalid_proctor")
    _refuse_proctoring_candidates(session, proctors, candidate_ids)
    return proctors


def check_candidates(session: Session, candidates: Sequence[EnrollmentRequest], proctor_ids: Sequence[str]) -> None:
    """InvalidInput unless every candidate is an active candidate, listed once, no proctor of the sitting, with a
    valid accommodation (NotFound for a user that does not exist)."""
    wanted = [c.user_id for c in candidates]
    if len(set(wanted)) != len(wanted):
        raise InvalidInput("A candidate is listed twice.", code="duplicate_candidate")
    not_candidates = sorted(set(wanted) - users_with_role(session, wanted, Role.CANDIDATE))
    if not_candidates:
        raise InvalidInput(
            f"These users are not active candidates: {', '.join(not_candidates)}.", code="invalid_candidate"
        )
    _refuse_proctoring_candidates(session, proctor_ids, wanted)
    for request in candidates:
        _check_accommodation(request)


def enrollment_of(sitting_id: str, request: EnrollmentRequest, actor_id: str | None) -> Enrollment:
    return Enrollment(
        sitting_id=sitting_id,
        user_id=request.user_id,
        time_multiplier=request.time_multiplier,
        extra_minutes=request.extra_minutes,
        separate_start=request.separate_start,
        accommodation_reason=request.accommodation_reason.strip(),
        enrolled_by=actor_id,
    )


def _record_created(
    session: Session, sitting: Sitting, proctors: list[str], candidates: int, actor_id: str | None
) -> None:
    record(
        session=session,
        kind=AuditKind.SITTING_CREATED,
        actor_id=actor_id,
        subject=f"sitting:{sitting.id}",
        detail={
            "exam_id": sitting.exam_id,
            "exam_version": sitting.exam_version,
            "opens_at": sitting.opens_at,
            "closes_at": sitting.closes_at,
            "proctor_ids": proctors,
            "candidates": candidates,
            "capacity": sitting.capacity,
            "time_zone": sitting.time_zone,
            "bookable": sitting.bookable,
        },
    )


def create_sitting(
    *,
    session: Session,
    exam_id: str,
    opens_at: datetime,
    closes_at: datetime,
    proctor_ids: Sequence[str],
    candidates: Sequence[EnrollmentRequest],
    actor_id: str | None,
    title: str = "",
    location: str = "online",
    requires_admission: bool = False,
    capacity: int | None = None,
    time_zone: str = "UTC",
    seats: SeatTerms | None = None,
) -> SittingView:
    """Schedule the exam's latest published version (bookable by `seats`). Raises InvalidInput for a bad window,
    zone, capacity or booking cut-off, unknown users, users without the needed role or a person listed both as
    proctor and candidate, Conflict when the exam has no published version or the candidates outnumber the
    capacity."""
    check_window(opens_at, closes_at)
    time_zone = checked_zone(time_zone)
    published = exams.latest_published(session=session, exam_id=exam_id)
    check_candidates(session, candidates, proctor_ids)
    proctors = checked_proctors(session, proctor_ids, [c.user_id for c in candidates])
    check_capacity(capacity, len(candidates))
    sitting = Sitting(
        exam_id=exam_id,
        exam_version=published.version,
        title=title or published.title,
        opens_at=opens_at,
        closes_at=closes_at,
        location=location,
        requires_admission=requires_admission,
        created_by=actor_id,
        capacity=capacity,
        time_zone=time_zone,
    )
    apply_terms(sitting, seats or SeatTerms())
    session.add(sitting)
    session.flush()
    session.add_all(SittingProctor(sitting_id=sitting.id, user_id=p) for p in proctors)
    session.add_all(enrollment_of(sitting.id, c, actor_id) for c in candidates)
    _record_created(session, sitting, proctors, len(candidates), actor_id)
    return get_sitting(session=session, sitting_id=sitting.id)


def load_sitting(session: Session, sitting_id: str) -> Sitting:
    sitting = session.get(Sitting, sitting_id) if len(sitting_id) <= 32 else None
    if sitting is None:
        raise NotFound("No such sitting.", code="sitting_not_found")
    return sitting


def eligibility(sitting: Sitting, now: datetime) -> tuple[bool, str | None]:
    """Whether an enrolled candidate may start now, and the rule that blocks them if not."""
    if sitting.cancelled_at is not None:
        return False, f"The sitting was cancelled: {sitting.cancel_reason}"
    if now < sitting.opens_at:
        return False, f"The sitting opens on {local_text(sitting.opens_at, sitting.time_zone)}."
    if now >= sitting.closes_at:
        return False, f"The sitting closed on {local_text(sitting.closes_at, sitting.time_zone)}."
    return True, None


def get_sitting(*, session: Session, sitting_id: str, now: datetime | None = None) -> SittingView:
    sitting = load_sitting(session, sitting_id)
    exam = exams.get_version(session=session, exam_id=sitting.exam_id, version=sitting.exam_version)
    proctors = tuple(
        session.scalars(
            select(col(SittingProctor.user_id))
            .where(col(SittingProctor.sitting_id) == sitting_id)
            .order_by(col(SittingProctor.user_id))
        )
    )
    rows = session.execute(
        select(Enrollment, User)
        .join(User, col(User.id) == col(Enrollment.user_id))
        .where(col(Enrollment.sitting_id) == sitting_id)
        .order_by(col(User.name))
    ).all()
    now = now or utcnow()
    eligible, reason = eligibility(sitting, now)
    candidates = tuple(
        EnrolledView(
            user.id,
            user.email,
            user.name,
            e.time_multiplier,
            e.extra_minutes,
            e.separate_start,
            e.accommodation_reason,
            eligible,
            reason,
        )
        for e, user in rows
    )
    return SittingView(
        sitting.id,
        sitting.exam_id,
        exam.code,
        sitting.exam_version,
        sitting.title,
        sitting.opens_at,
        sitting.closes_at,
        sitting.location,
        sitting.requires_admission,
        proctors,
        candidates,
        sitting.capacity,
        sitting.time_zone,
        sitting_status(sitting, now),
        sitting.cancelled_at,
        sitting.cancel_reason,
        sitting.bookable,
        booking_closes(sitting),
        cancel_closes(sitting),
    )


def is_proctor_of(*, session: Session, sitting_id: str, user_id: str) -> bool:
    return session.get(SittingProctor, (sitting_id, user_id)) is not None


def may_proctor(*, session: Session, sitting_id: str, user_id: str) -> bool:
    """Whether the user may watch and act on the sitting: an active admin, or a proctor assigned to it."""
    if is_proctor_of(session=session, sitting_id=sitting_id, user_id=user_id):
        return True
    return bool(users_with_role(session, [user_id], Role.ADMIN)) if session.get(User, user_id) else False


def list_sittings(*, session: Session, proctor_id: str | None = None) -> list[Sitting]:
    query = select(Sitting).order_by(col(Sitting.opens_at).desc())
    if proctor_id:
        query = query.where(
            col(Sitting.id).in_(select(col(SittingProctor.sitting_id)).where(col(SittingProctor.user_id) == proctor_id))
        )
    return list(session.scalars(query))
