"""Forms prepared before a sitting opens: one per enrolled candidate, taken by their start instead of assembling.

A prepared form is not an attempt: the attempt's life stays one state machine that begins at the start. The row
holds exactly what the start would have built (seed, form document) for the candidate's next attempt number; the
start takes it when that number is still the one it is about to create, and otherwise (a retake since, another
exam version) throws it away and assembles at start. Its exposure counts are added when it is prepared and given
back when it is thrown away, so `recount` (the join) always equals the counters.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, Column, Connection, ForeignKeyConstraint, bindparam, delete, exists, func, select
from sqlmodel import Field, Session, SQLModel, col

from examengine.clock import utcnow
from examengine.db import UTCDateTime, table_of
from examengine.delivery import exposure
from examengine.delivery.models import Attempt
from examengine.exams.form_document import FormDocument, FormDocumentType
from examengine.exams.models import Sitting


class PreparedForm(SQLModel, table=True):
    __tablename__ = "prepared_form"
    __table_args__ = (
        ForeignKeyConstraint(
            ["sitting_id", "user_id"], ["enrollment.sitting_id", "enrollment.user_id"], ondelete="CASCADE"
        ),
    )

    sitting_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(primary_key=True, max_length=32)
    exam_id: str = Field(max_length=32)
    exam_version: int
    number: int  # the candidate's attempt number at the exam this form was prepared for
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    form: FormDocument = Field(sa_column=Column(FormDocumentType, nullable=False))
    prepared_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Prepared:
    sitting_id: str
    user_id: str
    exam_version: int
    number: int
    seed: int
    form: FormDocument

    def fits(self, exam_version: int, number: int) -> bool:
        """Whether this is still the form for the attempt about to start (no attempt at the exam since)."""
        return self.exam_version == exam_version and self.number == number


# Built once, on the table: every start takes its candidate's prepared form.
_TABLE = table_of(PreparedForm)
_FIND = select(_TABLE.c.exam_version, _TABLE.c.number, _TABLE.c.seed, _TABLE.c.form).where(
    _TABLE.c.sitting_id == bindparam("b_sitting_id"), _TABLE.c.user_id == bindparam("b_user_id")
)
_DELETE = delete(_TABLE).where(
    _TABLE.c.sitting_id == bindparam("b_sitting_id"),
    _TABLE.c.user_id == bindparam("b_user_id"),
    _TABLE.c.seed == bindparam("b_seed"),
)


def find(session: Session, sitting_id: str, user_id: str) -> Prepared | None:
    row = session.connection().execute(_FIND, {"b_sitting_id": sitting_id, "b_user_id": user_id}).first()
    return None if row is None else Prepared(sitting_id, user_id, *row)


def _delete(connection: Connection, sitting_id: str, user_id: str, seed: int) -> bool:
    """Delete this very prepared form; False when another transaction took or discarded it first."""
    deleted = connection.execute(_DELETE, {"b_sitting_id": sitting_id, "b_user_id": user_id, "b_seed": seed})
    return bool(deleted.rowcount)


def take(connection: Connection, prepared: Prepared) -> None:
    """The start uses the prepared form. Its counts were added when it was prepared; if another transaction threw it
    away meanwhile (and gave them back), they are added again now."""
    if not _delete(connection, prepared.sitting_id, prepared.user_id, prepared.seed):
        exposure.add_form(connection, prepared.sitting_id, prepared.form.item_ids)


def _remove(session: Session, sitting_id: str, user_id: str) -> list[str]:
    """Delete the candidate's prepared form, if any; the items it held (none if there was none or another
    transaction removed it first)."""
    prepared = find(session, sitting_id, user_id)
    if prepared is None or not _delete(session.connection(), sitting_id, user_id, prepared.seed):
        return []
    return prepared.form.item_ids


def discard(session: Session, sitting_id: str, user_id: str) -> bool:
    """Throw away the candidate's prepared form, if any, giving back its exposure counts."""
    removed = _remove(session, sitting_id, user_id)
    exposure.change(session, sitting_id, dict.fromkeys(removed, -1))
    return bool(removed)


def replace(session: Session, sitting_id: str, user_id: str, new_item_ids: list[str]) -> None:
    """The start assembled the candidate's form: throw away any prepared one and count the new form, in one
    change of the counters."""
    forms_by_item = Counter(new_item_ids)
    forms_by_item.subtract(_remove(session, sitting_id, user_id))
    exposure.change(session, sitting_id, forms_by_item)


def discard_unusable(*, session: Session, now: datetime) -> int:
    """Throw away the prepared forms that can never be taken: their sitting has closed, or the candidate has made
    the attempt they were prepared for (or a later one) without them. Returns how many."""
    closed = select(col(Sitting.id)).where(col(Sitting.closes_at) <= now)
    overtaken = exists().where(
        col(Attempt.user_id) == col(PreparedForm.user_id),
        col(Attempt.exam_id) == col(PreparedForm.exam_id),
        col(Attempt.number) >= col(PreparedForm.number),
    )
    rows = session.execute(
        select(col(PreparedForm.sitting_id), col(PreparedForm.user_id))
        .where(col(PreparedForm.sitting_id).in_(closed) | overtaken)
        .order_by(col(PreparedForm.sitting_id))
    ).all()
    given_back: dict[str, Counter[str]] = {}
    discarded = 0
    for sitting_id, user_id in rows:
        removed = _remove(session, sitting_id, user_id)
        given_back.setdefault(sitting_id, Counter()).subtract(removed)
        discarded += bool(removed)
    for sitting_id, forms_by_item in given_back.items():
        exposure.change(session, sitting_id, forms_by_item)  # one change per sitting, so rows go in item order
    return discarded


def forms_in_sitting(session: Session, sitting_id: str) -> int:
    """The forms assigned in the sitting: its attempts and the prepared forms not taken yet."""
    attempts = select(func.count()).select_from(Attempt).where(col(Attempt.sitting_id) == sitting_id)
    prepared = select(func.count()).select_from(PreparedForm).where(col(PreparedForm.sitting_id) == sitting_id)
    return (session.scalar(attempts) or 0) + (session.scalar(prepared) or 0)


def prepared_count(session: Session, sitting_id: str) -> int:
    query = select(func.count()).select_from(PreparedForm).where(col(PreparedForm.sitting_id) == sitting_id)
    return session.scalar(query) or 0


def recount(session: Session, sitting_id: str) -> Counter[str]:
    """The sitting's exposure from its forms themselves (attempts' slots and prepared forms): what the counters
    must equal."""
    counted = exposure.attempt_counts(session, sitting_id)
    for form in session.scalars(select(col(PreparedForm.form)).where(col(PreparedForm.sitting_id) == sitting_id)):
        counted.update(set(form.item_ids))
    return counted
