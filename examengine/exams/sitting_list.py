"""An exam's sittings, newest window first, a page at a time: what the exam page and the JSON API list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from examengine.errors import InvalidInput
from examengine.exams import service as exams
from examengine.exams.models import Enrollment, Sitting
from examengine.exams.sittings import SittingStatus, sitting_status

PAGE_SIZE = 50


@dataclass(frozen=True)
class SittingRow:
    sitting_id: str
    title: str
    opens_at: datetime
    closes_at: datetime
    status: SittingStatus
    time_zone: str
    capacity: int | None
    enrolled: int


@dataclass(frozen=True)
class SittingPage:
    items: tuple[SittingRow, ...]
    next_cursor: str | None  # the last sitting's id: the next page starts after it


def exam_sittings(
    *, session: Session, exam_id: str, now: datetime, cursor: str | None = None, limit: int = PAGE_SIZE
) -> SittingPage:
    """The exam's sittings (every version), latest opening first. Raises NotFound for an unknown exam and
    InvalidInput for a cursor that is not one of its sittings."""
    exams.get_version(session=session, exam_id=exam_id)
    enrolled = (
        select(col(Enrollment.sitting_id), func.count().label("n")).group_by(col(Enrollment.sitting_id)).subquery()
    )
    query = (
        select(Sitting, func.coalesce(enrolled.c.n, 0))
        .outerjoin(enrolled, enrolled.c.sitting_id == col(Sitting.id))
        .where(col(Sitting.exam_id) == exam_id)
        .order_by(col(Sitting.opens_at).desc(), col(Sitting.id).desc())
        .limit(limit + 1)
    )
    if cursor:
        after = session.get(Sitting, cursor) if len(cursor) <= 32 else None
        if after is None or after.exam_id != exam_id:
            raise InvalidInput("The cursor is not one this list gave: start from the first page.", code="bad_cursor")
        query = query.where(
            or_(
                col(Sitting.opens_at) < after.opens_at,
                and_(col(Sitting.opens_at) == after.opens_at, col(Sitting.id) < after.id),
            )
        )
    rows = session.execute(query).all()
    more = len(rows) > limit
    items = tuple(
        SittingRow(s.id, s.title, s.opens_at, s.closes_at, sitting_status(s, now), s.time_zone, s.capacity, int(count))
        for s, count in rows[:limit]
    )
    return SittingPage(items, items[-1].sitting_id if more and items else None)
