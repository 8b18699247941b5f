"""What a candidate's earlier attempts at an exam put on their forms: the items met (a retake prefers unseen
ones) and the fixed forms sat (a retake gets another one, while one is left)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.delivery.models import Attempt, AttemptSlot


def seen_items(session: Session, user_ids: Iterable[str], exam_id: str) -> dict[str, frozenset[str]]:
    """User id -> the items they met in earlier attempts at the exam (in any sitting)."""
    found: dict[str, set[str]] = {user_id: set() for user_id in user_ids}
    rows = session.execute(
        select(col(Attempt.user_id), col(AttemptSlot.item_id))
        .join(Attempt, col(Attempt.id) == col(AttemptSlot.attempt_id))
        .where(col(Attempt.user_id).in_(list(found)), col(Attempt.exam_id) == exam_id)
    )
    for user_id, item_id in rows:
        found[user_id].add(item_id)
    return {user_id: frozenset(items) for user_id, items in found.items()}


def taken_forms(session: Session, user_ids: Iterable[str], exam_id: str) -> dict[str, set[int]]:
    """User id -> the fixed forms (by index) they sat in earlier attempts at the exam."""
    found: dict[str, set[int]] = {user_id: set() for user_id in user_ids}
    rows = session.execute(
        select(col(Attempt.user_id), col(Attempt.form)).where(
            col(Attempt.user_id).in_(list(found)), col(Attempt.exam_id) == exam_id
        )
    )
    for user_id, form in rows:
        if form.form_index is not None:
            found[user_id].add(form.form_index)
    return found
