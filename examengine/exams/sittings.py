"""Sittings: an exam version in a window, its proctors, and the candidates enrolled with their accommodations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts.models import Role, User, UserRole
from examengine.clock import utcnow
from examengine.errors import InvalidInput, NotFound
from examengine.exams import service as exams
from examengine.exams.models import Enrollment, Sitting, SittingProctor

MAX_WINDOW = timedelta(days=366)


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

    def window_state(self, now: datetime) -> str:
        return "upcoming" if now < self.opens_at else "open" if now < self.closes_at else "closed"


def _users_with_role(session: Session, user_ids: Sequence[str], role: Role) -> set[str]:
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
    granted = request.time_multiplier != 1.0 or request.extra_minutes or request.separate_start
    if granted and not request.accommodation_reason.strip():
        raise InvalidInput(
            f"Record why {request.user_id} gets an accommodation (accommodation_reason).",
            code="accommodation_reason_required",
        )


def _checked_people(session: Session, proctor_ids: Sequence[str], candidates: Sequence[EnrollmentRequest]) -> list[str]:
    """The proctors (each once) once every proctor and candidate is an active user with the role, nobody is on both
    lists, no candidate is listed twice and every accommodation is valid; InvalidInput otherwise."""
    proctors = list(dict.fromkeys(proctor_ids))
    not_proctors = sorted(set(proctors) - _users_with_role(session, proctors, Role.PROCTOR))
    if not_proctors:
        raise InvalidInput(f"These users are not active proctors: {', '.join(not_proctors)}.", code="invalid_proctor")
    wanted = [c.user_id for c in candidates]
    if len(set(wanted)) != len(wanted):
        raise InvalidInput("A candidate is listed twice.", code="duplicate_candidate")
    not_candidates = sorted(set(wanted) - _users_with_role(session, wanted, Role.CANDIDATE))
    if not_candidates:
        raise InvalidInput(
            f"These users are not active candidates: {', '.join(not_candidates)}.", code="invalid_candidate"
        )
    _refuse_proctoring_candidates(session, proctors, wanted)
    for request in candidates:
        _check_accommodation(request)
    return proctors


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
) -> SittingView:
    """Schedule the exam's latest published version. Raises InvalidInput for a bad window, unknown users, users
    without the needed role or a person listed both as proctor and candidate, Conflict when the exam has no
    published version."""
    if closes_at <= opens_at:
        raise InvalidInput("The sitting must close after it opens.", code="invalid_window")
    if closes_at - opens_at > MAX_WINDOW:
        raise InvalidInput("A sitting window is at most a year long.", code="invalid_window")
    published = exams.latest_published(session=session, exam_id=exam_id)
    proctors = _checked_people(session, proctor_ids, candidates)
    sitting = Sitting(
        exam_id=exam_id,
        exam_version=published.version,
        title=title or published.title,
        opens_at=opens_at,
        closes_at=closes_at,
        location=location,
        requires_admission=requires_admission,
        created_by=actor_id,
    )
    session.add(sitting)
    session.flush()
    session.add_all(SittingProctor(sitting_id=sitting.id, user_id=p) for p in proctors)
    session.add_all(
        Enrollment(
            sitting_id=sitting.id,
            user_id=c.user_id,
            time_multiplier=c.time_multiplier,
            extra_minutes=c.extra_minutes,
            separate_start=c.separate_start,
            accommodation_reason=c.accommodation_reason.strip(),
            enrolled_by=actor_id,
        )
        for c in candidates
    )
    session.flush()
    return get_sitting(session=session, sitting_id=sitting.id)


def _sitting(session: Session, sitting_id: str) -> Sitting:
    sitting = session.get(Sitting, sitting_id) if len(sitting_id) <= 32 else None
    if sitting is None:
        raise NotFound("No such sitting.", code="sitting_not_found")
    return sitting


def eligibility(sitting: Sitting, now: datetime) -> tuple[bool, str | None]:
    """Whether an enrolled candidate may start now, and the rule that blocks them if not."""
    if now < sitting.opens_at:
        return False, f"The sitting opens at {sitting.opens_at.isoformat()}."
    if now >= sitting.closes_at:
        return False, f"The sitting closed at {sitting.closes_at.isoformat()}."
    return True, None


def get_sitting(*, session: Session, sitting_id: str, now: datetime | None = None) -> SittingView:
    sitting = _sitting(session, sitting_id)
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
    eligible, reason = eligibility(sitting, now or utcnow())
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
    )


def is_proctor_of(*, session: Session, sitting_id: str, user_id: str) -> bool:
    return session.get(SittingProctor, (sitting_id, user_id)) is not None


def may_proctor(*, session: Session, sitting_id: str, user_id: str) -> bool:
    """Whether the user may watch and act on the sitting: an active admin, or a proctor assigned to it."""
    if is_proctor_of(session=session, sitting_id=sitting_id, user_id=user_id):
        return True
    return bool(_users_with_role(session, [user_id], Role.ADMIN)) if session.get(User, user_id) else False


def list_sittings(*, session: Session, proctor_id: str | None = None) -> list[Sitting]:
    query = select(Sitting).order_by(col(Sitting.opens_at).desc())
    if proctor_id:
        query = query.where(
            col(Sitting.id).in_(select(col(SittingProctor.sitting_id)).where(col(SittingProctor.user_id) == proctor_id))
        )
    return list(session.scalars(query))
