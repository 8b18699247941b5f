"""What the candidate does inside an attempt: read an item, save an answer, flag it, report browser signals.

The save path is one indexed UPDATE of the slot row, guarded by the attempt being in progress before its
deadline and by the client's sequence number, so a retry or a late duplicate never replaces a newer answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.delivery import attempts, ledger, navigation, sections
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.delivery.states import AttemptStatus
from examengine.errors import Conflict, InvalidInput, NotFound, TooLarge
from itembank.content import ItemContent, content_from_json
from itembank.models import ItemVersion
from itembank.rendering import candidate_view

MAX_RESPONSE_BYTES = 100_000
CLIENT_EVENTS = frozenset(
    {
        "item_viewed",
        "navigation",
        "focus_lost",
        "focus_regained",
        "visibility_hidden",
        "visibility_visible",
        "fullscreen_exit",
        "copy_attempt",
        "paste_attempt",
        "reload",
        "offline",
        "online",
        "second_device",
    }
)


@dataclass(frozen=True)
class SaveResult:
    slot: int
    saved_seq: int
    remaining_seconds: int | None


@dataclass(frozen=True)
class ItemForCandidate:
    slot: int
    section: int
    view: dict[str, Any]
    response: Any
    flagged: bool


_PARSED: dict[tuple[str, int], ItemContent] = {}
_PARSED_LIMIT = 20_000


def pinned_content(session: Session, item_id: str, version: int) -> ItemContent:
    """A pinned item version's content; versions never change, so parsed content is kept per process."""
    key = (item_id, version)
    found = _PARSED.get(key)
    if found is None:
        row = session.get(ItemVersion, key)
        if row is None:
            raise NotFound("The item of this slot is missing from the bank.", code="item_missing")
        found = content_from_json(row.content)
        if len(_PARSED) < _PARSED_LIMIT:
            _PARSED[key] = found
    return found


def _slot(session: Session, attempt_id: str, slot: int) -> AttemptSlot:
    row = session.get(AttemptSlot, (attempt_id, slot))
    if row is None:
        raise NotFound(f"The attempt has no item {slot}.", code="slot_not_found")
    return row


def item_for_candidate(
    *, session: Session, attempt_id: str, user_id: str, slot: int, now: datetime | None = None
) -> ItemForCandidate:
    """The item as the candidate sees it: stem and options in their form's order; never a key or rationale."""
    attempt = attempts.load(session, attempt_id, user_id=user_id)
    if attempt.status == AttemptStatus.WAITING:
        raise Conflict("The proctor has not admitted you yet.", code="attempt_waiting")
    row = _slot(session, attempt_id, slot)
    sections.ensure_section_open(attempt, row.section, now or utcnow())
    navigation.ensure_reachable(attempt, slot, now or utcnow())
    entry = attempt.form["slots"][str(slot)]
    view = candidate_view(pinned_content(session, row.item_id, row.item_version), entry.get("option_orders") or None)
    return ItemForCandidate(slot, row.section, view, row.response, row.flagged)


def check_response(value: Any) -> None:
    """Refuse what no item takes: wrong shapes, NUL characters, oversized text."""
    encoded = json.dumps(value)
    if len(encoded) > MAX_RESPONSE_BYTES:
        raise TooLarge(f"The answer is larger than {MAX_RESPONSE_BYTES // 1000} kB.")
    if "\\u0000" in encoded:
        raise InvalidInput("The answer contains a NUL character.", code="invalid_response")

    def allowed(v: Any, depth: int) -> bool:
        if v is None or isinstance(v, (str, int, float, bool)):
            return True
        if isinstance(v, list) and depth < 2:
            return all(allowed(x, depth + 1) and not isinstance(x, list | dict) for x in v)
        if isinstance(v, dict) and depth == 0:
            return all(isinstance(k, str) and len(k) <= 200 and allowed(x, 1) for k, x in v.items())
        return False

    if not allowed(value, 0):
        raise InvalidInput(
            "An answer is a value, a list of values, or {response id: value} for an item with several responses.",
            code="invalid_response",
        )


def save(
    *,
    session: Session,
    attempt_id: str,
    user_id: str,
    slot: int,
    response: Any,
    seq: int,
    now: datetime | None = None,
    client_id: str | None = None,
) -> SaveResult:
    """Store an answer if `seq` is newer than the stored one. Raises Conflict (attempt_closed, attempt_paused,
    attempt_waiting) when the attempt does not take answers, NotFound for another's attempt or a missing slot."""
    now = now or utcnow()
    check_response(response)
    saved = _update_slot(session, attempt_id, user_id, slot, response, seq, now)
    attempt = attempts.load(session, attempt_id, user_id=user_id)
    if client_id and attempt.client_id != client_id:
        _switch_client(session, attempt, client_id, user_id, now)
    if not saved:
        _refuse_if_not_running(session, attempt, now)
        stored = _slot(session, attempt_id, slot)
        sections.ensure_section_open(attempt, stored.section, now)
        navigation.ensure_reachable(attempt, slot, now)
        # A timed section that ran out was closed just now, and this slot is in the one that opened: save again.
        saved = _update_slot(session, attempt_id, user_id, slot, response, seq, now)
    if saved:
        attempts.record(
            session, attempt_id, "answer_saved", actor_id=user_id, at=now, detail={"slot": slot, "seq": seq}
        )
        return SaveResult(slot, seq, ledger.remaining_seconds(attempts.time_ledger(attempt), now))
    stored = _slot(session, attempt_id, slot)
    return SaveResult(slot, stored.seq, ledger.remaining_seconds(attempts.time_ledger(attempt), now))


def _update_slot(
    session: Session, attempt_id: str, user_id: str, slot: int, response: Any, seq: int, now: datetime
) -> bool:
    """The save itself: one UPDATE of the slot row by primary key, taking effect only when the attempt is the
    user's, in progress before its deadline, the slot is in the open section (when sections are timed), and `seq`
    is newer than the stored one."""
    running = exists().where(
        col(Attempt.id) == attempt_id,
        col(Attempt.user_id) == user_id,
        col(Attempt.status) == AttemptStatus.IN_PROGRESS,
        col(Attempt.deadline_at) > now,
        or_(col(Attempt.open_section).is_(None), col(Attempt.open_section) == col(AttemptSlot.section)),
        or_(col(Attempt.linear_slot).is_(None), col(Attempt.linear_slot) == col(AttemptSlot.slot)),
    )
    saved = session.execute(
        update(AttemptSlot)
        .where(
            col(AttemptSlot.attempt_id) == attempt_id,
            col(AttemptSlot.slot) == slot,
            col(AttemptSlot.seq) < seq,
            running,
        )
        .values(response=response, seq=seq, saved_at=now)
    )
    return bool(getattr(saved, "rowcount", 0))


def _switch_client(session: Session, attempt: Attempt, client_id: str, user_id: str, now: datetime) -> None:
    """Another browser tab or device saves for this attempt: remember it, and tell the proctor when it is not the
    first one."""
    previous = attempt.client_id
    session.execute(update(Attempt).where(col(Attempt.id) == attempt.id).values(client_id=client_id[:64]))
    if previous is not None:
        attempts.record(
            session,
            attempt.id,
            "second_device",
            actor_id=user_id,
            at=now,
            detail={"previous": previous[:12], "now": client_id[:12]},
        )


def _refuse_if_not_running(session: Session, attempt: Attempt, now: datetime) -> None:
    if attempts.finish_if_overdue(session, attempt, now):
        raise Conflict(
            "Time is up: the attempt was submitted at its deadline, and this answer was not saved.",
            code="attempt_closed",
            commit_before_raising=True,
        )
    if attempt.status == AttemptStatus.PAUSED:
        raise Conflict(
            "The proctor has paused your exam; answers are not saved until they resume it.", code="attempt_paused"
        )
    if attempt.status == AttemptStatus.WAITING:
        raise Conflict("The proctor has not admitted you yet.", code="attempt_waiting")
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise Conflict(
            f"The attempt is {attempt.status.replace('_', ' ')}; answers are no longer saved.", code="attempt_closed"
        )


def set_flag(
    *, session: Session, attempt_id: str, user_id: str, slot: int, flagged: bool, now: datetime | None = None
) -> attempts.AttemptView:
    now = now or utcnow()
    attempt = attempts.load(session, attempt_id, user_id=user_id)
    _refuse_if_not_running(session, attempt, now)
    navigation.ensure_flagging_allowed(attempt)
    sections.ensure_section_open(attempt, _slot(session, attempt_id, slot).section, now)
    navigation.ensure_reachable(attempt, slot, now)
    session.execute(
        update(AttemptSlot)
        .where(col(AttemptSlot.attempt_id) == attempt_id, col(AttemptSlot.slot) == slot)
        .values(flagged=flagged)
    )
    attempts.record(
        session, attempt_id, "flagged" if flagged else "unflagged", actor_id=user_id, at=now, detail={"slot": slot}
    )
    return attempts.view(session, attempt, now)


def report_event(
    *,
    session: Session,
    attempt_id: str,
    user_id: str,
    kind: str,
    client_time: datetime | None,
    detail: dict[str, Any],
    now: datetime | None = None,
) -> None:
    """Record a signal from the candidate's browser (focus lost, paste attempt, …)."""
    if kind not in CLIENT_EVENTS:
        raise InvalidInput(
            f"Unknown event type {kind!r}: use one of {', '.join(sorted(CLIENT_EVENTS))}.", code="unknown_event"
        )
    if len(json.dumps(detail)) > 2000:
        raise TooLarge("The event detail is larger than 2 kB.")
    now = now or utcnow()
    attempts.load(session, attempt_id, user_id=user_id)
    attempts.record(session, attempt_id, kind, actor_id=user_id, at=now, client_time=client_time, detail=detail)
    session.execute(update(Attempt).where(col(Attempt.id) == attempt_id).values(last_seen_at=now))


def slot_rows(session: Session, attempt_id: str) -> list[AttemptSlot]:
    return list(
        session.scalars(
            select(AttemptSlot).where(col(AttemptSlot.attempt_id) == attempt_id).order_by(col(AttemptSlot.slot))
        )
    )
