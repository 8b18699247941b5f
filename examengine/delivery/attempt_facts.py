"""An attempt's columns as plain values (AttemptFacts): as the start has just inserted them, or read by the
candidate's hottest reads with one Core statement instead of loading the ORM entity (docs/performance.md).

Who sits an attempt, its seed and its form never change once it exists (only the start writes them), so each
process keeps them per attempt (FIXED, `fixed`): the hot reads select the other columns only, and the save finds
how the attempt presents a slot without reading anything (delivery.presented).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select

from examengine.caches import CacheKind, ProcessCaches
from examengine.delivery.models import ATTEMPT_TABLE, SLOT_TABLE
from examengine.delivery.states import AttemptStatus
from examengine.errors import NotFound
from examengine.exams.form_document import FormDocument


@dataclass(frozen=True)
class Fixed:
    """What never changes once the attempt exists."""

    id: str
    user_id: str
    seed: int
    form: FormDocument


# attempt id -> its Fixed: a few kilobytes each (the form), one per attempt under way on this process
FIXED: CacheKind[str, Fixed] = CacheKind("attempts' fixed facts", 20_000)


@dataclass(frozen=True)
class AttemptFacts:
    """The columns of an attempt that its views, clocks, navigation and presentation read."""

    id: str
    sitting_id: str
    user_id: str
    status: AttemptStatus
    seed: int
    form: FormDocument
    started_at: datetime | None
    allowed_seconds: int | None
    window_closes_at: datetime
    deadline_at: datetime | None
    open_section: int | None
    linear_slot: int | None
    finished_at: datetime | None = None
    extension_seconds: int = 0
    credited_seconds: int = 0
    paused_seconds: int = 0
    paused_at: datetime | None = None
    section_opened_at: datetime | None = None
    section_offset_seconds: int = 0
    holder_session: str | None = None  # the web session holding the attempt (delivery.device)


_A, _S = ATTEMPT_TABLE.c, SLOT_TABLE.c
# In AttemptFacts' order, without the form (read apart, once per process).
_COLUMNS = (
    _A.id,
    _A.sitting_id,
    _A.user_id,
    _A.status,
    _A.seed,
    _A.started_at,
    _A.allowed_seconds,
    _A.window_closes_at,
    _A.deadline_at,
    _A.open_section,
    _A.linear_slot,
    _A.finished_at,
    _A.extension_seconds,
    _A.credited_seconds,
    _A.paused_seconds,
    _A.paused_at,
    _A.section_opened_at,
    _A.section_offset_seconds,
    _A.holder_session,
)
_FACTS_WITH_SLOT = (
    select(*_COLUMNS, _S.slot, _S.section, _S.item_id, _S.item_version, _S.response, _S.flagged, _S.seq)
    .select_from(ATTEMPT_TABLE.outerjoin(SLOT_TABLE, and_(_S.attempt_id == _A.id, _S.slot == bindparam("b_slot"))))
    .where(_A.id == bindparam("b_attempt_id"))
)
_FACTS = select(*_COLUMNS).where(_A.id == bindparam("b_attempt_id"))
# Every slot's row, for a page that shows the attempt's navigator and one of its items.
_SLOTS = (
    select(_S.slot, _S.section, _S.item_id, _S.item_version, _S.response, _S.flagged, _S.seq)
    .where(_S.attempt_id == bindparam("b_attempt_id"))
    .order_by(_S.slot)
)
_FIXED = select(_A.user_id, _A.seed, _A.form).where(_A.id == bindparam("b_attempt_id"))


def remember(caches: ProcessCaches, fixed: Fixed) -> None:
    caches.of(FIXED).put(fixed.id, fixed)


def fixed(connection: Connection, caches: ProcessCaches, attempt_id: str) -> Fixed | None:
    """The attempt's fixed facts, kept per process; None when there is no such attempt."""
    found = caches.of(FIXED).get(attempt_id)
    if found is None and len(attempt_id) <= 32:
        row = connection.execute(_FIXED, {"b_attempt_id": attempt_id}).first()
        if row is not None:
            found = Fixed(attempt_id, row.user_id, row.seed, row.form)
            remember(caches, found)
    return found


def with_slot(
    connection: Connection, caches: ProcessCaches, attempt_id: str, user_id: str, slot: int
) -> tuple[AttemptFacts, Any]:
    """The user's own attempt and its slot's row (its AttemptSlot columns; None when the form has no such slot), in
    one statement; NotFound for an unknown attempt or another user's, as attempts.load."""
    found: Any = None
    if len(attempt_id) <= 32:
        found = connection.execute(_FACTS_WITH_SLOT, {"b_attempt_id": attempt_id, "b_slot": slot}).first()
    facts = _facts(connection, caches, found, user_id)
    return facts, found if found.slot is not None else None


def with_slots(
    connection: Connection, caches: ProcessCaches, attempt_id: str, user_id: str
) -> tuple[AttemptFacts, dict[int, Any]]:
    """The user's own attempt and its slots' rows by slot number, in order; NotFound as `with_slot`."""
    found = connection.execute(_FACTS, {"b_attempt_id": attempt_id}).first() if len(attempt_id) <= 32 else None
    facts = _facts(connection, caches, found, user_id)
    return facts, {row.slot: row for row in connection.execute(_SLOTS, {"b_attempt_id": attempt_id})}


def _facts(connection: Connection, caches: ProcessCaches, found: Any, user_id: str) -> AttemptFacts:
    kept = None if found is None else fixed(connection, caches, found.id)
    if found is None or kept is None or found.user_id != user_id:
        raise NotFound("No such attempt.", code="attempt_not_found")
    return AttemptFacts(found[0], found[1], found[2], AttemptStatus(found[3]), found[4], kept.form, *found[5:19])
