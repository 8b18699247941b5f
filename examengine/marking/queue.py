"""The marking queue: which human-scored answers wait for which stage of marking, and claims on them.

A marker sees an answer only under its script's anonymous id (`MarkingScript`), never the attempt, the
candidate or their name. Opening the next script claims one answer for CLAIM_MINUTES with a conditional insert
or update, so two markers asking at once get different answers (scoring.marks records the mark itself).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from examengine.db import dialect_insert
from examengine.errors import NotFound
from examengine.exams import service as exams
from examengine.exams.definition import Marking
from examengine.marking.rule import outcome
from examengine.scoring.models import (
    CLAIM_TABLE,
    SCRIPT_TABLE,
    AttemptResult,
    MarkingClaim,
    MarkingScript,
    MarkingStage,
    ResultStatus,
    SlotMark,
    SlotScore,
)
from itembank.models import ItemVersion

CLAIM_MINUTES = 30
SCRIPT_ID = re.compile(r"S-[0-9A-F]{12}")
STAGE_NAMES = {
    MarkingStage.FIRST: "first mark",
    MarkingStage.SECOND: "second mark",
    MarkingStage.ADJUDICATION: "third mark (adjudication)",
}


@dataclass(frozen=True)
class WaitingSlot:
    attempt_id: str
    slot: int
    exam_id: str
    exam_version: int
    item_id: str
    item_version: int
    max_score: float
    stage: MarkingStage
    markers: frozenset[str]  # who marked it at earlier stages
    claim: MarkingClaim | None


@dataclass(frozen=True)
class QueueGroup:
    exam_id: str
    exam_code: str
    exam_title: str
    item_id: str
    item_title: str
    waiting: int  # answers of this item that still need a mark, at any stage
    for_you: int  # of them, the ones this marker may take now
    by_stage: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Claimed:
    script_id: str
    slot: int
    stage: MarkingStage
    expires_at: datetime


def policy_of(session: Session, exam_id: str, version: int, cache: dict[tuple[str, int], Marking]) -> Marking:
    key = (exam_id, version)
    if key not in cache:
        cache[key] = exams.definition_of(session=session, exam_id=exam_id, version=version).marking
    return cache[key]


def waiting_slots(session: Session, *, attempt_id: str | None = None, slot: int | None = None) -> list[WaitingSlot]:
    """Every answer still waiting for a mark (oldest result first), with the stage it needs."""
    chosen = select(SlotScore, col(AttemptResult.exam_id), col(AttemptResult.exam_version)).join(
        AttemptResult, col(AttemptResult.attempt_id) == col(SlotScore.attempt_id)
    )
    chosen = chosen.where(
        col(SlotScore.score).is_(None), col(AttemptResult.status) == ResultStatus.PENDING_MARKING.value
    )
    if attempt_id is not None:
        chosen = chosen.where(col(SlotScore.attempt_id) == attempt_id, col(SlotScore.slot) == slot)
    rows = session.execute(
        chosen.order_by(col(AttemptResult.scored_at), col(SlotScore.attempt_id), col(SlotScore.slot))
    ).all()
    attempt_ids = sorted({row[0].attempt_id for row in rows})
    marks: dict[tuple[str, int], list[SlotMark]] = {}
    claims: dict[tuple[str, int], MarkingClaim] = {}
    if attempt_ids:
        for mark in session.scalars(
            select(SlotMark).where(col(SlotMark.attempt_id).in_(attempt_ids)).order_by(col(SlotMark.stage))
        ):
            marks.setdefault((mark.attempt_id, mark.slot), []).append(mark)
        for claim in session.scalars(
            select(MarkingClaim)
            .where(col(MarkingClaim.attempt_id).in_(attempt_ids))
            .execution_options(populate_existing=True)
        ):
            claims[(claim.attempt_id, claim.slot)] = claim
    policies: dict[tuple[str, int], Marking] = {}
    found = []
    for score_row, exam_id, exam_version in rows:
        key = (score_row.attempt_id, score_row.slot)
        given = marks.get(key, [])
        needed = outcome([m.score for m in given], policy_of(session, exam_id, exam_version, policies), 0).next_stage
        if needed is None:
            continue  # decided by its marks; the score is written with the last mark
        found.append(
            WaitingSlot(
                score_row.attempt_id,
                score_row.slot,
                exam_id,
                exam_version,
                score_row.item_id,
                score_row.item_version,
                score_row.max_score,
                needed,
                frozenset(m.marker_id for m in given),
                claims.get(key),
            )
        )
    return found


def open_to(waiting: WaitingSlot, marker_id: str, now: datetime) -> bool:
    """Whether the marker may mark the answer now: not marked by them before, not held by a live claim of
    another marker."""
    if marker_id in waiting.markers:
        return False
    claim = waiting.claim
    return claim is None or claim.marker_id == marker_id or claim.expires_at <= now


def queue(*, session: Session, marker_id: str, now: datetime) -> list[QueueGroup]:
    """The answers waiting for a mark, grouped by exam and item, with how many this marker may take now."""
    grouped: dict[tuple[str, str], list[WaitingSlot]] = {}
    for waiting in waiting_slots(session):
        grouped.setdefault((waiting.exam_id, waiting.item_id), []).append(waiting)
    groups = []
    for (exam_id, item_id), slots in grouped.items():
        view = exams.get_version(session=session, exam_id=exam_id, version=slots[0].exam_version)
        item = session.get(ItemVersion, (item_id, slots[0].item_version))
        stages = sorted({s.stage for s in slots})
        groups.append(
            QueueGroup(
                exam_id,
                view.code,
                view.title,
                item_id,
                (item.title if item is not None else "") or item_id,
                len(slots),
                sum(1 for s in slots if open_to(s, marker_id, now)),
                tuple((STAGE_NAMES[stage], sum(1 for s in slots if s.stage == stage)) for stage in stages),
            )
        )
    return sorted(groups, key=lambda g: (g.exam_code, g.item_title, g.item_id))


def script_id_of(session: Session, attempt_id: str) -> str:
    session.execute(
        dialect_insert(session, SCRIPT_TABLE)
        .values(attempt_id=attempt_id, script_id=f"S-{secrets.token_hex(6).upper()}")
        .on_conflict_do_nothing(index_elements=["attempt_id"])
    )
    found = session.scalar(select(col(MarkingScript.script_id)).where(col(MarkingScript.attempt_id) == attempt_id))
    assert found is not None
    return found


def _take(session: Session, waiting: WaitingSlot, marker_id: str, now: datetime) -> datetime | None:
    expires_at = now + timedelta(minutes=CLAIM_MINUTES)
    values: dict[str, Any] = {"stage": int(waiting.stage), "marker_id": marker_id, "expires_at": expires_at}
    if waiting.claim is None:
        taken = (
            session.execute(
                dialect_insert(session, CLAIM_TABLE)
                .values(attempt_id=waiting.attempt_id, slot=waiting.slot, **values)
                .on_conflict_do_nothing(index_elements=["attempt_id", "slot"])
                .returning(CLAIM_TABLE.c.slot)
            ).first()
            is not None
        )
    else:
        updated = session.execute(
            update(MarkingClaim)
            .where(
                col(MarkingClaim.attempt_id) == waiting.attempt_id,
                col(MarkingClaim.slot) == waiting.slot,
                (col(MarkingClaim.expires_at) <= now) | (col(MarkingClaim.marker_id) == marker_id),
            )
            .values(**values)
        )
        taken = bool(getattr(updated, "rowcount", 0))
    return expires_at if taken else None


def claim_next(
    *, session: Session, marker_id: str, now: datetime, exam_id: str | None = None, item_id: str | None = None
) -> Claimed:
    """Claim the next answer this marker may mark (of one exam and item when named): an answer they already
    hold comes first, then the oldest. Raises NotFound (nothing_to_mark) when there is none."""
    candidates = [
        w
        for w in waiting_slots(session)
        if open_to(w, marker_id, now)
        and (exam_id is None or w.exam_id == exam_id)
        and (item_id is None or w.item_id == item_id)
    ]
    candidates.sort(
        key=lambda w: not (w.claim is not None and w.claim.marker_id == marker_id and w.claim.expires_at > now)
    )
    for waiting in candidates:
        expires_at = _take(session, waiting, marker_id, now)
        if expires_at is not None:
            return Claimed(script_id_of(session, waiting.attempt_id), waiting.slot, waiting.stage, expires_at)
    raise NotFound("Nothing is waiting for your mark right now.", code="nothing_to_mark")


def attempt_of_script(session: Session, script_id: str) -> str:
    attempt_id = None
    if SCRIPT_ID.fullmatch(script_id):
        attempt_id = session.scalar(
            select(col(MarkingScript.attempt_id)).where(col(MarkingScript.script_id) == script_id)
        )
    if attempt_id is None:
        raise NotFound("No such script.", code="script_not_found")
    return attempt_id
