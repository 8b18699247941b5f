"""Changing a sitting after it was scheduled: its window, proctors, capacity and zone, cancelling it, enrolling and
removing candidates. The rules that depend on the attempts live here (above exams): a running attempt's time is
never cut short by a new close, and nothing is cancelled or removed once a candidate started.

Both doors (the admin sitting page and the JSON API) call these; each change is on the audit record with who did
it and the old and new values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.clock import local_text, utcnow
from examengine.delivery import attempt_view, ledger, prepared_forms
from examengine.delivery.models import Attempt
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams import sittings
from examengine.exams.models import Enrollment, Sitting, SittingProctor
from examengine.exams.sittings import EnrollmentRequest, SittingView


class Keep(Enum):
    """A field the change leaves as it is (a capacity of None means "no limit", so None cannot say "unchanged")."""

    KEEP = "keep"


KEEP = Keep.KEEP
MAX_REASON = 1000


def _record(
    session: Session, kind: AuditKind, sitting_id: str, actor_id: str, detail: dict[str, Any], now: datetime
) -> None:
    record(session=session, kind=kind, actor_id=actor_id, subject=f"sitting:{sitting_id}", detail=detail, at=now)


def _changeable(session: Session, sitting_id: str) -> Sitting:
    """The sitting, locked against concurrent changes and enrolments; Conflict once cancelled."""
    sitting = session.get(Sitting, sitting_id, with_for_update=True) if len(sitting_id) <= 32 else None
    if sitting is None:
        raise NotFound("No such sitting.", code="sitting_not_found")
    if sitting.cancelled_at is not None:
        raise Conflict("The sitting was cancelled; it can no longer change.", code="sitting_cancelled")
    return sitting


def _attempts(session: Session, sitting_id: str, *, user_id: str | None = None) -> list[Attempt]:
    query = select(Attempt).where(col(Attempt.sitting_id) == sitting_id)
    if user_id is not None:
        query = query.where(col(Attempt.user_id) == user_id)
    return list(session.scalars(query))


def _enrolled(session: Session, sitting_id: str) -> int:
    count = select(func.count()).select_from(Enrollment).where(col(Enrollment.sitting_id) == sitting_id)
    return int(session.scalar(count) or 0)


def _check_close(session: Session, sitting: Sitting, closes_at: datetime, now: datetime) -> list[Attempt]:
    """The running attempts, once none of their clocks would run past `closes_at`: Conflict (would_cut_attempt)
    naming the latest deadline otherwise. An untimed attempt runs until the close, so any earlier close cuts it."""
    running = [a for a in _attempts(session, sitting.id) if a.status not in FINAL]
    if closes_at >= sitting.closes_at:
        return running
    deadlines = [
        ends
        for a in running
        if a.status != AttemptStatus.WAITING and (ends := ledger.exam_deadline(attempt_view.time_ledger(a), now))
    ]
    if deadlines and closes_at < max(deadlines):
        latest = max(deadlines)
        shown = latest.replace(second=0, microsecond=0) + timedelta(minutes=1)  # a close at the shown minute works
        raise Conflict(
            f"{len(deadlines)} candidate(s) are taking the exam; the last one's time runs until "
            f"{local_text(shown, sitting.time_zone)}. Close the sitting at that time or later.",
            code="would_cut_attempt",
            details={"earliest_close": latest.isoformat(), "running": len(deadlines)},
        )
    if closes_at <= now:
        raise InvalidInput("The sitting cannot close in the past.", code="invalid_window")
    return running


def _move_close(session: Session, running: list[Attempt], closes_at: datetime, now: datetime) -> None:
    """Running attempts take the new close as their window's (a later close lets capped clocks run to their own
    limit); their stored deadline follows, for the sweep."""
    for attempt in running:
        moved = replace(attempt_view.time_ledger(attempt), window_closes_at=closes_at)
        session.execute(
            update(Attempt)
            .where(col(Attempt.id) == attempt.id)
            .values(
                window_closes_at=closes_at,
                deadline_at=ledger.deadline(moved, now) if attempt.started_at else attempt.deadline_at,
            )
        )


def _set_proctors(session: Session, sitting: Sitting, proctor_ids: Sequence[str]) -> list[str]:
    enrolled = session.scalars(select(col(Enrollment.user_id)).where(col(Enrollment.sitting_id) == sitting.id))
    proctors = sittings.checked_proctors(session, proctor_ids, list(enrolled))
    session.execute(delete(SittingProctor).where(col(SittingProctor.sitting_id) == sitting.id))
    session.add_all(SittingProctor(sitting_id=sitting.id, user_id=p) for p in proctors)
    return sorted(proctors)


def update_sitting(
    *,
    session: Session,
    sitting_id: str,
    actor_id: str,
    opens_at: datetime | Keep = KEEP,
    closes_at: datetime | Keep = KEEP,
    proctor_ids: Sequence[str] | Keep = KEEP,
    capacity: int | Keep | None = KEEP,
    time_zone: str | Keep = KEEP,
    now: datetime | None = None,
) -> SittingView:
    """Change what is given. Raises InvalidInput for a bad window, zone, capacity or proctor; Conflict when the
    sitting was cancelled, when a new close would end a running attempt early (would_cut_attempt), when it would
    open later although candidates started (attempts_started), or when fewer seats than enrolments would remain."""
    now = now or utcnow()
    sitting = _changeable(session, sitting_id)
    old_proctors = sorted(
        session.scalars(select(col(SittingProctor.user_id)).where(col(SittingProctor.sitting_id) == sitting_id))
    )
    new_opens = sitting.opens_at if isinstance(opens_at, Keep) else opens_at
    new_closes = sitting.closes_at if isinstance(closes_at, Keep) else closes_at
    sittings.check_window(new_opens, new_closes)
    changes: dict[str, Any] = {}
    if new_opens != sitting.opens_at:
        if new_opens > now and new_opens > sitting.opens_at and _attempts(session, sitting_id):
            raise Conflict(
                "Candidates have started already: the sitting cannot open later than now.", code="attempts_started"
            )
        changes["opens_at"] = (sitting.opens_at, new_opens)
    if new_closes != sitting.closes_at:
        running = _check_close(session, sitting, new_closes, now)
        _move_close(session, running, new_closes, now)
        changes["closes_at"] = (sitting.closes_at, new_closes)
    if not isinstance(capacity, Keep) and capacity != sitting.capacity:
        sittings.check_capacity(capacity, _enrolled(session, sitting_id))
        changes["capacity"] = (sitting.capacity, capacity)
    if not isinstance(time_zone, Keep) and time_zone.strip() != sitting.time_zone:
        changes["time_zone"] = (sitting.time_zone, sittings.checked_zone(time_zone))
    if not isinstance(proctor_ids, Keep) and sorted(set(proctor_ids)) != old_proctors:
        changes["proctor_ids"] = (old_proctors, _set_proctors(session, sitting, proctor_ids))
    for name, (_, new) in changes.items():
        if name != "proctor_ids":
            setattr(sitting, name, new)
    if changes:
        session.add(sitting)
        _record(
            session,
            AuditKind.SITTING_CHANGED,
            sitting_id,
            actor_id,
            {name: {"from": old, "to": new} for name, (old, new) in changes.items()},
            now,
        )
    session.flush()
    return sittings.get_sitting(session=session, sitting_id=sitting_id, now=now)


def cancel_sitting(
    *, session: Session, sitting_id: str, actor_id: str, reason: str, now: datetime | None = None
) -> SittingView:
    """Cancel a sitting nobody has started, with a reason (InvalidInput reason_required without one). Conflict
    (attempts_started) once any candidate started or checked in, and when it was cancelled already."""
    now = now or utcnow()
    sitting = _changeable(session, sitting_id)  # an unknown sitting is a 404 whatever the reason says
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("Give the reason for cancelling: the candidates are told it.", code="reason_required")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"The reason is at most {MAX_REASON} characters.", code="reason_too_long")
    started = _attempts(session, sitting_id)
    if started:
        raise Conflict(
            f"{len({a.user_id for a in started})} candidate(s) have started: a sitting under way cannot be "
            "cancelled. Pause or terminate their attempts from the proctor's dashboard instead.",
            code="attempts_started",
        )
    sitting.cancelled_at, sitting.cancel_reason = now, reason
    session.add(sitting)
    enrolled = list(session.scalars(select(col(Enrollment.user_id)).where(col(Enrollment.sitting_id) == sitting_id)))
    for user_id in enrolled:
        prepared_forms.discard(session, sitting_id, user_id)
    _record(
        session, AuditKind.SITTING_CANCELLED, sitting_id, actor_id, {"reason": reason, "enrolled": len(enrolled)}, now
    )
    session.flush()
    return sittings.get_sitting(session=session, sitting_id=sitting_id, now=now)


def enrol_candidate(
    *, session: Session, sitting_id: str, actor_id: str, request: EnrollmentRequest, now: datetime | None = None
) -> SittingView:
    """Enrol one candidate with their accommodations. Raises NotFound for an unknown user, InvalidInput for a user
    who is not an active candidate, a proctor of the sitting or a bad accommodation, Conflict when the sitting was
    cancelled or has closed, when they are enrolled already or when every seat is taken (sitting_full)."""
    now = now or utcnow()
    sitting = _changeable(session, sitting_id)
    if sitting.closes_at <= now:
        raise Conflict("The sitting has closed: enrol the candidate in a later one.", code="sitting_closed")
    if session.get(Enrollment, (sitting_id, request.user_id)) is not None:
        raise Conflict("The candidate is enrolled in this sitting already.", code="already_enrolled")
    proctors = list(
        session.scalars(select(col(SittingProctor.user_id)).where(col(SittingProctor.sitting_id) == sitting_id))
    )
    sittings.check_candidates(session, [request], proctors)
    enrolled = _enrolled(session, sitting_id)
    if sitting.capacity is not None and enrolled >= sitting.capacity:
        raise Conflict(
            f"All {sitting.capacity} seats are taken: raise the capacity or remove a candidate first.",
            code="sitting_full",
            details={"capacity": sitting.capacity},
        )
    enrollment = sittings.enrollment_of(sitting_id, request, actor_id)
    enrollment.enrolled_at = now
    session.add(enrollment)
    _record(
        session,
        AuditKind.CANDIDATE_ENROLLED,
        sitting_id,
        actor_id,
        {
            "user_id": request.user_id,
            "time_multiplier": request.time_multiplier,
            "extra_minutes": request.extra_minutes,
            "reason": request.accommodation_reason.strip(),
        },
        now,
    )
    session.flush()
    return sittings.get_sitting(session=session, sitting_id=sitting_id, now=now)


def remove_candidate(
    *, session: Session, sitting_id: str, user_id: str, actor_id: str, now: datetime | None = None
) -> SittingView:
    """Take a candidate who has not started off the sitting. NotFound (not_enrolled) when they are not enrolled,
    Conflict (candidate_started) once they started or checked in, or when the sitting was cancelled."""
    now = now or utcnow()
    _changeable(session, sitting_id)
    enrollment = session.get(Enrollment, (sitting_id, user_id)) if len(user_id) <= 32 else None
    if enrollment is None:
        raise NotFound("That person is not enrolled in this sitting.", code="not_enrolled")
    if _attempts(session, sitting_id, user_id=user_id):
        user = session.get(User, user_id)
        raise Conflict(
            f"{user.name if user else 'The candidate'} has started: their attempt stays in the sitting.",
            code="candidate_started",
        )
    prepared_forms.discard(session, sitting_id, user_id)
    session.delete(enrollment)
    _record(session, AuditKind.CANDIDATE_REMOVED, sitting_id, actor_id, {"user_id": user_id}, now)
    session.flush()
    return sittings.get_sitting(session=session, sitting_id=sitting_id, now=now)
