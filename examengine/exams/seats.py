"""A sitting's seat-booking terms: whether candidates holding an authorization to test may book a seat in it, until
when they may book and until when they may cancel (API.md "Seats"). Both cut-offs default to the opening, and an
unset one follows the opening when it moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams.models import Sitting


@dataclass(frozen=True)
class SeatTerms:
    bookable: bool = False
    booking_closes_at: datetime | None = None  # None: the opening
    cancel_closes_at: datetime | None = None  # None: the opening


def booking_closes(sitting: Sitting) -> datetime:
    return sitting.booking_closes_at or sitting.opens_at


def cancel_closes(sitting: Sitting) -> datetime:
    return sitting.cancel_closes_at or sitting.opens_at


def check_terms(terms: SeatTerms, closes_at: datetime) -> None:
    """InvalidInput (invalid_cutoff) when a cut-off falls after the sitting closes."""
    for name, moment in (("booking_closes_at", terms.booking_closes_at), ("cancel_closes_at", terms.cancel_closes_at)):
        if moment is not None and moment > closes_at:
            raise InvalidInput(f"{name}: a cut-off cannot fall after the sitting closes.", code="invalid_cutoff")


def apply_terms(sitting: Sitting, terms: SeatTerms) -> None:
    check_terms(terms, sitting.closes_at)
    sitting.bookable = terms.bookable
    sitting.booking_closes_at = terms.booking_closes_at
    sitting.cancel_closes_at = terms.cancel_closes_at


def set_terms(
    *, session: Session, sitting_id: str, actor_id: str, terms: SeatTerms, now: datetime | None = None
) -> Sitting:
    """Change a sitting's booking terms (the admin sitting page). NotFound for an unknown sitting, Conflict once it
    was cancelled, InvalidInput for a cut-off after the close. Audited as a sitting change with old and new values."""
    sitting = session.get(Sitting, sitting_id, with_for_update=True) if len(sitting_id) <= 32 else None
    if sitting is None:
        raise NotFound("No such sitting.", code="sitting_not_found")
    if sitting.cancelled_at is not None:
        raise Conflict("The sitting was cancelled; it can no longer change.", code="sitting_cancelled")
    before = terms_of(sitting)
    apply_terms(sitting, terms)
    if before != terms:
        changes = {
            name: {"from": getattr(before, name), "to": getattr(terms, name)}
            for name in ("bookable", "booking_closes_at", "cancel_closes_at")
            if getattr(before, name) != getattr(terms, name)
        }
        record(
            session=session,
            kind=AuditKind.SITTING_CHANGED,
            actor_id=actor_id,
            subject=f"sitting:{sitting_id}",
            detail=changes,
            at=now or utcnow(),
        )
    session.add(sitting)
    session.flush()
    return sitting


def terms_of(sitting: Sitting) -> SeatTerms:
    return SeatTerms(sitting.bookable, sitting.booking_closes_at, sitting.cancel_closes_at)
