"""Which versions an exam has, its recent sittings and its items' titles: what the admin pages offer and show."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.exams.models import ExamStatus, ExamVersion, Sitting
from itembank.models import ItemVersion


def version_numbers(*, session: Session, exam_id: str, published: bool = False) -> list[int]:
    """The exam's version numbers, oldest first; with `published`, only those that were published (not drafts)."""
    query = select(col(ExamVersion.version)).where(col(ExamVersion.exam_id) == exam_id)
    if published:
        query = query.where(col(ExamVersion.status) != ExamStatus.DRAFT.value)
    return list(session.scalars(query.order_by(col(ExamVersion.version))))


def recent_sittings(*, session: Session, exam_id: str, limit: int) -> list[Sitting]:
    """The exam's sittings, the latest opening first, at most `limit`."""
    return list(
        session.scalars(
            select(Sitting).where(col(Sitting.exam_id) == exam_id).order_by(col(Sitting.opens_at).desc()).limit(limit)
        )
    )


def item_titles(*, session: Session, refs: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The titles of these item versions (the item id where it has none or is gone)."""
    found: dict[tuple[str, int], str] = {}
    for item_id, version in refs:
        row = session.get(ItemVersion, (item_id, version))
        found[(item_id, version)] = row.title if row is not None and row.title else item_id
    return found
