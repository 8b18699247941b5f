"""How many of a sitting's forms hold each item: a counter per (sitting, item), read by assembly instead of a join.

A form counts from the moment it is assigned to a candidate: when it is prepared ahead of the window
(delivery.preassembly) or assembled at start, whichever comes first; a prepared form that is thrown away unused gives
its counts back. So for every sitting the counters equal the join over its attempts' slots and its prepared forms'
slots (`recount`), and the exposure cap holds over every form handed out. Increments are upserts in the transaction
that stores the form, so two starts in one sitting never lose an update; rows are touched in item order, so two of
them never wait on each other in a cycle.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import Column, Connection, ForeignKey, String, func, select
from sqlmodel import Field, Session, SQLModel, col

from examengine.db import dialect_insert, table_of
from examengine.delivery.models import Attempt, AttemptSlot


class ExposureCount(SQLModel, table=True):
    """The number of forms of a sitting (attempts and prepared forms) that hold the item."""

    __tablename__ = "exposure_count"

    sitting_id: str = Field(
        sa_column=Column(String(32), ForeignKey("sitting.id", ondelete="CASCADE"), primary_key=True)
    )
    item_id: str = Field(sa_column=Column(String(32), primary_key=True))
    forms: int = Field(default=0)


EXPOSURE_TABLE = table_of(ExposureCount)


def change(session: Session | Connection, sitting_id: str, forms_by_item: Mapping[str, int]) -> None:
    """Add to each item's count (a negative number gives counts back), in one statement whose rows go in item
    order: two transactions changing overlapping items lock them in the same order, so they never deadlock."""
    rows = [
        {"sitting_id": sitting_id, "item_id": item_id, "forms": delta}
        for item_id, delta in sorted(forms_by_item.items())
        if delta
    ]
    if not rows:
        return
    insert = dialect_insert(session, EXPOSURE_TABLE)
    # executemany of one cached statement, row by row in item order (a multi-row VALUES is compiled every time)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["sitting_id", "item_id"], set_={"forms": insert.table.c.forms + insert.excluded.forms}
        ),
        rows,
    )


def add_form(session: Session | Connection, sitting_id: str, item_ids: Iterable[str]) -> None:
    """Count one more form of the sitting holding each of these items."""
    change(session, sitting_id, dict.fromkeys(item_ids, 1))


def counts(session: Session, sitting_id: str) -> dict[str, int]:
    """Item id -> forms of the sitting holding it (items on no form are left out)."""
    return dict(
        session.execute(
            select(col(ExposureCount.item_id), col(ExposureCount.forms)).where(
                col(ExposureCount.sitting_id) == sitting_id, col(ExposureCount.forms) > 0
            )
        ).all()
    )


def attempt_counts(session: Session, sitting_id: str) -> Counter[str]:
    """The same counts from the attempts' slots alone: the join the counters replace."""
    return Counter(
        dict(
            session.execute(
                select(col(AttemptSlot.item_id), func.count())
                .join(Attempt, col(Attempt.id) == col(AttemptSlot.attempt_id))
                .where(col(Attempt.sitting_id) == sitting_id)
                .group_by(col(AttemptSlot.item_id))
            ).all()
        )
    )
