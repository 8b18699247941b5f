"""The response matrix of an exam version read from the database: scored attempts by the item versions on their forms.

Every read is bounded: at most MAX_ATTEMPTS results (the newest first, through the index on the result's exam and
version), their slots by primary key in chunks, and only the item versions that appear on those forms.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from examengine.clock import as_utc
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.errors import InvalidInput, NotFound
from examengine.exams import service as exams
from examengine.exams.definition import ExamDefinition
from examengine.exams.models import Sitting
from examengine.scoring.models import AttemptResult, ResultStatus, SlotScore
from examengine.scoring.service import item_responses
from itembank.content import ItemContent, content_from_json
from itembank.models import ItemVersion, item_code
from itembank.scoring import ScoringError

MAX_ATTEMPTS = 20_000
CHUNK = 500
# Interactions whose answer is one or more option ids, so each option's share can be counted.
CHOICE_KINDS = frozenset({"choice", "inlineChoice"})


@dataclass(frozen=True)
class Filters:
    version: int | None = None
    sitting_id: str | None = None
    since: datetime | None = None  # finished at or after
    until: datetime | None = None  # finished before


@dataclass(frozen=True)
class AttemptRow:
    attempt_id: str
    sitting_id: str
    finished_at: datetime | None
    raw_score: float
    max_score: float


@dataclass(frozen=True)
class ItemColumn:
    item_id: str
    version: int
    code: str
    title: str
    interaction: str
    max_score: float
    options: tuple[str, ...]  # empty: not a choice item, so no option proportions
    key: frozenset[str]


@dataclass(frozen=True)
class Cell:
    score: float
    answered: bool
    chosen: tuple[str, ...] | None  # option ids chosen, for choice items


@dataclass(frozen=True)
class ExamResponses:
    exam_id: str
    code: str
    title: str
    version: int
    definition: ExamDefinition
    filters: Filters
    attempts: tuple[AttemptRow, ...]
    items: tuple[ItemColumn, ...]
    cells: tuple[tuple[Cell | None, ...], ...]  # None: the item was not on this attempt's form
    limited: bool  # more attempts matched than MAX_ATTEMPTS; the newest were kept


def load_responses(*, session: Session, exam_id: str, filters: Filters) -> ExamResponses:
    """The scored attempts of one exam version (the given one, else the newest version with results) matching the
    filters, with each slot's score and chosen options. Attempts whose result waits for marking are left out.
    Raises NotFound for an unknown exam, version or sitting, InvalidInput for a sitting of another exam or an
    empty date range."""
    if filters.since and filters.until and filters.since >= filters.until:
        raise InvalidInput("The date range is empty: 'since' must come before 'until'.", code="empty_date_range")
    version = filters.version or _newest_analysed_version(session, exam_id)
    exam = exams.get_version(session=session, exam_id=exam_id, version=version)
    if filters.sitting_id is not None:
        sitting = session.get(Sitting, filters.sitting_id) if len(filters.sitting_id) <= 32 else None
        if sitting is None:
            raise NotFound("No such sitting.", code="sitting_not_found")
        if sitting.exam_id != exam_id or sitting.exam_version != exam.version:
            raise InvalidInput(
                f"That sitting gives version {sitting.exam_version} of another exam or version, not version "
                f"{exam.version} of {exam.code}.",
                code="sitting_not_of_exam",
            )
    attempts, limited = _attempts(session, exam_id, exam.version, filters)
    slots = _slots(session, [a.attempt_id for a in attempts])
    pairs = sorted({(s["item_id"], s["item_version"]) for rows in slots.values() for s in rows})
    contents = _item_versions(session, pairs)
    items = tuple(sorted((_column(row, content) for row, content in contents.values()), key=_column_order))
    index = {(item.item_id, item.version): j for j, item in enumerate(items)}
    cells = []
    for attempt in attempts:
        row: list[Cell | None] = [None] * len(items)
        for slot in slots.get(attempt.attempt_id, []):
            j = index[(slot["item_id"], slot["item_version"])]
            row[j] = _cell(items[j], contents[(slot["item_id"], slot["item_version"])][1], slot)
        cells.append(tuple(row))
    return ExamResponses(
        exam_id=exam.exam_id,
        code=exam.code,
        title=exam.title,
        version=exam.version,
        definition=exam.definition,
        filters=Filters(exam.version, filters.sitting_id, filters.since, filters.until),
        attempts=tuple(attempts),
        items=items,
        cells=tuple(cells),
        limited=limited,
    )


def _newest_analysed_version(session: Session, exam_id: str) -> int | None:
    return session.scalar(
        select(func.max(col(AttemptResult.exam_version))).where(col(AttemptResult.exam_id) == exam_id[:32])
    )


def _attempts(session: Session, exam_id: str, version: int, filters: Filters) -> tuple[list[AttemptRow], bool]:
    query = (
        select(
            col(AttemptResult.attempt_id),
            col(Attempt.sitting_id),
            col(Attempt.finished_at),
            col(AttemptResult.raw_score),
            col(AttemptResult.max_score),
        )
        .join(Attempt, col(Attempt.id) == col(AttemptResult.attempt_id))
        .where(
            col(AttemptResult.exam_id) == exam_id,
            col(AttemptResult.exam_version) == version,
            col(AttemptResult.status) == ResultStatus.SCORED.value,
        )
    )
    if filters.sitting_id is not None:
        query = query.where(col(Attempt.sitting_id) == filters.sitting_id)
    if filters.since is not None:
        query = query.where(col(Attempt.finished_at) >= filters.since)
    if filters.until is not None:
        query = query.where(col(Attempt.finished_at) < filters.until)
    rows = session.execute(
        query.order_by(col(Attempt.finished_at).desc(), col(AttemptResult.attempt_id)).limit(MAX_ATTEMPTS + 1)
    ).all()
    attempts = [
        AttemptRow(attempt_id, sitting_id, as_utc(finished) if finished else None, raw, maximum)
        for attempt_id, sitting_id, finished, raw, maximum in rows[:MAX_ATTEMPTS]
    ]
    # Oldest first reads naturally in a report; the limit above kept the newest.
    attempts.reverse()
    return attempts, len(rows) > MAX_ATTEMPTS


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _slots(session: Session, attempt_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    by_attempt: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(attempt_ids):
        responses = {
            (attempt_id, slot): response
            for attempt_id, slot, response in session.execute(
                select(col(AttemptSlot.attempt_id), col(AttemptSlot.slot), col(AttemptSlot.response)).where(
                    col(AttemptSlot.attempt_id).in_(chunk)
                )
            )
        }
        scored = session.execute(
            select(
                col(SlotScore.attempt_id),
                col(SlotScore.slot),
                col(SlotScore.item_id),
                col(SlotScore.item_version),
                col(SlotScore.score),
            ).where(col(SlotScore.attempt_id).in_(chunk))
        )
        for attempt_id, slot, item_id, item_version, score in scored:
            by_attempt.setdefault(attempt_id, []).append(
                {
                    "item_id": item_id,
                    "item_version": item_version,
                    "score": score or 0.0,
                    "response": responses.get((attempt_id, slot)),
                }
            )
    return by_attempt


def _item_versions(
    session: Session, pairs: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], tuple[ItemVersion, ItemContent]]:
    wanted = set(pairs)
    found: dict[tuple[str, int], tuple[ItemVersion, ItemContent]] = {}
    for chunk in _chunks(sorted({item_id for item_id, _ in pairs})):
        for row in session.scalars(select(ItemVersion).where(col(ItemVersion.item_id).in_(chunk))):
            if (row.item_id, row.version) in wanted:
                found[(row.item_id, row.version)] = (row, content_from_json(row.content))
    return found


def _column(row: ItemVersion, content: ItemContent) -> ItemColumn:
    options: tuple[str, ...] = ()
    key: frozenset[str] = frozenset()
    if len(content.interactions) == 1 and content.interactions[0].kind in CHOICE_KINDS:
        interaction = content.interactions[0]
        options = tuple(choice.identifier for choice in interaction.choices)
        declaration = content.response(interaction.response_identifier)
        if declaration is not None and declaration.correct_response:
            key = frozenset(declaration.correct_response)
        elif declaration is not None and declaration.mapping is not None:
            key = frozenset(entry.key for entry in declaration.mapping.entries if entry.value > 0)
    return ItemColumn(
        item_id=row.item_id,
        version=row.version,
        code=item_code(row.item_number) if row.item_number else row.item_id,
        title=row.title,
        interaction=row.interaction,
        max_score=row.max_score,
        options=options,
        key=key,
    )


def _column_order(item: ItemColumn) -> tuple[str, int]:
    return item.code, item.version


def _cell(item: ItemColumn, content: ItemContent, slot: dict[str, Any]) -> Cell:
    response = slot["response"]
    chosen: tuple[str, ...] | None = None
    if item.options:
        try:
            value = item_responses(content, response).get(content.interactions[0].response_identifier)
        except ScoringError:
            value = None
        values = value if isinstance(value, list) else [] if value is None else [value]
        chosen = tuple(str(v) for v in values if str(v) in item.options)
    return Cell(score=float(slot["score"]), answered=not _blank(response), chosen=chosen)


def _blank(response: Any) -> bool:
    if isinstance(response, dict):
        return all(_blank(value) for value in response.values())
    return response is None or response == [] or (isinstance(response, str) and not response.strip())


def finished_range(responses: ExamResponses) -> tuple[datetime | None, datetime | None]:
    times = [a.finished_at for a in responses.attempts if a.finished_at is not None]
    return (min(times), max(times)) if times else (None, None)
