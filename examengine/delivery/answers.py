"""What the candidate does inside an attempt: read an item, save an answer, flag it, report browser signals.

The save path is one indexed UPDATE of the slot row, guarded by the attempt being in progress before its
deadline, held by the request's web session (the device lock, examengine.delivery.device) and by the client's
sequence number, so a retry or a late duplicate never replaces a newer answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update
from sqlmodel import Session, col

from examengine.accounts.credentials import CredentialCheck, ensure_live
from examengine.caches import CacheKind
from examengine.clock import utcnow
from examengine.db import Database, caches_of
from examengine.delivery import (
    attempt_facts,
    attempt_view,
    attempts,
    credit,
    device,
    ledger,
    navigation,
    presented,
    sections,
)
from examengine.delivery.attempt_facts import AttemptFacts
from examengine.delivery.events import CLIENT_EVENTS, SERVER_EVENTS, AttemptEventType
from examengine.delivery.models import Attempt, AttemptSlot
from examengine.delivery.save_statement import store_answer
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.errors import Conflict, InvalidInput, NotFound, TooLarge
from examengine.exams.pinned import pinned_content
from itembank.presentation import presented_response, presented_view

MAX_RESPONSE_BYTES = 100_000
# A slot's item as its attempt shows it: the pinned version cleaned, in the attempt's orders and identifiers.
PRESENTED_VIEWS: CacheKind[tuple[str, int, tuple[str, int]], dict[str, Any]] = CacheKind("presented item views", 20_000)


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
    seq: int  # the stored answer's sequence number: the page's autosave continues from it
    pinned: tuple[str, int]  # the item and version the slot shows (with the attempt, what `view` is of)


def _slot(session: Session, attempt_id: str, slot: int) -> AttemptSlot:
    row = session.get(AttemptSlot, (attempt_id, slot))
    if row is None:
        raise NotFound(f"The attempt has no item {slot}.", code="slot_not_found")
    return row


def item_for_candidate(
    *,
    session: Session,
    attempt_id: str,
    user_id: str,
    slot: int,
    now: datetime | None = None,
    credential: CredentialCheck | None = None,
) -> ItemForCandidate:
    """The item as the candidate sees it, in the attempt's presentation (`examengine.delivery.presented`): options
    in its orders under its opaque identifiers, the stored answer in them too; never a key or rationale. With
    `credential` (a principal its process resolved a moment ago) the read re-checks it first."""
    now = now or utcnow()
    ensure_live(session, credential, now)
    attempt, row = attempt_facts.with_slot(session.connection(), caches_of(session), attempt_id, user_id, slot)
    return shown_item(session, attempt, row, slot, now)


def shown_item(session: Session, attempt: AttemptFacts, row: Any, slot: int, now: datetime) -> ItemForCandidate:
    """`item_for_candidate` from the attempt and its slot's row (None: the form has no such slot) read already:
    refused while waiting for admission, outside the open timed section or off a forward-only attempt's path."""
    if attempt.status == AttemptStatus.WAITING:
        raise Conflict("The proctor has not admitted you yet.", code="attempt_waiting")
    if row is None:
        raise NotFound(f"The attempt has no item {slot}.", code="slot_not_found")
    sections.ensure_section_open(attempt, row.section, now)
    navigation.ensure_reachable(attempt, slot, now)
    return presented_item(session, attempt, row)


def presented_item(session: Session, attempt: Attempt | AttemptFacts, row: AttemptSlot | Row[Any]) -> ItemForCandidate:
    """A slot's item in the attempt's presentation, with its stored answer. The presented view never changes for
    an attempt's slot: it is made once per process (PRESENTED_VIEWS) and read-only for everyone who gets it."""
    shown = presented.slot_presentation(session, attempt, row.slot)
    pinned = (row.item_id, row.item_version)
    views = caches_of(session).of(PRESENTED_VIEWS)
    view = views.get((attempt.id, row.slot, pinned))
    if view is None:
        view = presented_view(pinned_content(session, row.item_id, row.item_version), shown)
        views.put((attempt.id, row.slot, pinned), view)
    answer = presented_response(shown, row.response)
    return ItemForCandidate(row.slot, row.section, view, answer, row.flagged, row.seq, pinned)


def presented_answers(
    *, session: Session, attempt_id: str | None = None, attempt: Attempt | None = None, responses: dict[int, Any]
) -> dict[int, Any]:
    """Stored answers {slot: value} as the attempt's candidate sees them (in its presented identifiers)."""
    found = attempt if attempt is not None else attempts.load(session, attempt_id or "")
    return presented.presented_responses(session, found, responses)


def check_response(value: Any) -> None:
    """Refuse what no item takes: wrong shapes, NUL characters, oversized text."""
    try:
        encoded = json.dumps(value, allow_nan=False)
    except ValueError:
        raise InvalidInput(
            "An answer's numbers must be finite (not NaN or Infinity).", code="non_finite_number"
        ) from None
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


def save_if_running(
    *,
    connection: Connection,
    attempt_id: str,
    user_id: str,
    slot: int,
    response: Any,
    seq: int,
    now: datetime | None = None,
    holder: str | None = None,
    credential: CredentialCheck | None = None,
) -> SaveResult | None:
    """The usual save in three Core statements: the guarded UPDATE (which proves the attempt is this user's,
    running, held by this session, the slot reachable and `seq` newer, and with `credential` that the credential
    is still live), its event, and the time left. None when the guard refuses: `save_refused` then finds out why."""
    now = now or utcnow()
    facts = store_answer(connection, attempt_id, user_id, slot, response, seq, now, holder, credential)
    if facts is None:
        return None
    return SaveResult(slot, seq, attempt_view.remaining_seconds(connection, attempt_id, now, facts))


def save_refused(
    *,
    session: Session,
    attempt_id: str,
    user_id: str,
    slot: int,
    response: Any,
    seq: int,
    now: datetime | None = None,
    holder: str | None = None,
    credential: CredentialCheck | None = None,
) -> SaveResult:
    """After `save_if_running` was refused: raise why (a credential no longer live first, then closing an overdue
    attempt), or, when a timed section that ran out was closed just now and this slot is in the one that opened,
    or this session has just taken the attempt that no session held, save again. A seq at or below the stored one
    answers with the stored seq."""
    now = now or utcnow()
    check_response(response)
    ensure_live(session, credential, now)
    attempt = _writable(session, attempt_id, user_id, slot, now, holder)
    remaining = ledger.remaining_seconds(attempt_view.time_ledger(attempt), now)
    if store_answer(session.connection(), attempt_id, user_id, slot, response, seq, now, holder) is not None:
        return SaveResult(slot, seq, remaining)
    return SaveResult(slot, _slot(session, attempt_id, slot).seq, remaining)


def _writable(session: Session, attempt_id: str, user_id: str, slot: int, now: datetime, holder: str | None) -> Attempt:
    """The attempt, if `slot` takes an answer from `holder` now; else raise why not."""
    attempt = attempts.load(session, attempt_id, user_id=user_id)
    device.ensure_holder(session, attempt, holder, user_id=user_id, now=now)
    _refuse_if_not_running(session, attempt, now)
    sections.ensure_section_open(attempt, _slot(session, attempt_id, slot).section, now)
    navigation.ensure_reachable(attempt, slot, now)
    return attempt


def refuse_unshown(
    *,
    session: Session,
    attempt_id: str,
    user_id: str,
    slot: int,
    holder: str | None = None,
    now: datetime | None = None,
    credential: CredentialCheck | None = None,
) -> None:
    """Before refusing an answer that names identifiers the attempt never showed (unknown_option): raise the
    reason the slot takes no answer at all, if there is one, as any save would."""
    now = now or utcnow()
    ensure_live(session, credential, now)
    _writable(session, attempt_id, user_id, slot, now, holder)


async def save_answer(
    db: Database,
    *,
    attempt_id: str,
    user_id: str,
    slot: int,
    response: Any,
    seq: int,
    holder: str | None = None,
    now: datetime | None = None,
    credential: CredentialCheck | None = None,
) -> SaveResult:
    """Store an answer if `seq` is newer than the stored one. `holder` is the web session saving (None for a bearer
    token, which is not bound); `now` is the clock's when each unit of work runs unless given. With `credential`,
    the save itself re-checks the credential it was sent with (the caller may then have trusted a principal this
    process resolved a moment ago): a refused save raises NotAuthenticated or Forbidden first when that is the
    cause. Raises Conflict (attempt_closed, attempt_paused, attempt_waiting, device_locked) when the attempt does
    not take answers from this session, NotFound for another's attempt or a missing slot, InvalidInput
    (unknown_option) for an answer naming identifiers the attempt never showed.

    `save_if_running` runs as a Core unit of work (the group commit's cheapest kind), and only when its guard
    refuses, `save_refused` in a unit of work of its own. The answer comes in the identifiers the attempt showed
    and is stored in authored ones: the mapping is the process's cached presentation of the slot (a read only
    when this process has not served the slot yet)."""
    check_response(response)
    shown = presented.cached(db.caches, attempt_id, user_id, slot)
    if shown is None:
        shown = await db.read_hot(presented.load, attempt_id=attempt_id, user_id=user_id, slot=slot)
    try:
        response = presented.to_authored(shown, response)
    except InvalidInput:
        await db.run(
            refuse_unshown,
            attempt_id=attempt_id,
            user_id=user_id,
            slot=slot,
            holder=holder,
            now=now,
            credential=credential,
        )
        raise
    arguments = {
        "attempt_id": attempt_id,
        "user_id": user_id,
        "slot": slot,
        "response": response,
        "seq": seq,
        "now": now,
        "holder": holder,
        "credential": credential,
    }
    saved: SaveResult | None = await db.run_core(save_if_running, **arguments)
    if saved is not None:
        return saved
    refused: SaveResult = await db.run(save_refused, **arguments)
    return refused


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
    *,
    session: Session,
    attempt_id: str,
    user_id: str,
    slot: int,
    flagged: bool,
    now: datetime | None = None,
    holder: str | None = None,
) -> attempt_view.AttemptView:
    now = now or utcnow()
    attempt = attempts.load(session, attempt_id, user_id=user_id)
    device.ensure_holder(session, attempt, holder, user_id=user_id, now=now)
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
        session,
        attempt_id,
        AttemptEventType.FLAGGED if flagged else AttemptEventType.UNFLAGGED,
        actor_id=user_id,
        at=now,
        detail={"slot": slot},
    )
    return attempt_view.view(session, attempt, now)


def report_event(
    *,
    session: Session,
    attempt_id: str,
    user_id: str,
    kind: str,
    client_time: datetime | None,
    detail: dict[str, Any],
    now: datetime | None = None,
    holder: str | None = None,
) -> None:
    """Record a signal from the candidate's browser (focus lost, paste attempt, …): only the kinds of CLIENT_EVENTS
    (InvalidInput server_event for a kind the server detects itself, unknown_event otherwise). Refused with Conflict
    once the attempt has finished, and (device_locked) from a web session that does not hold the attempt. An
    `online` report's offline time is stored capped at the quiet the server itself saw (credit.observed_offline)."""
    if kind in SERVER_EVENTS:
        raise InvalidInput(
            f"{kind!r} is recorded by the server itself; a client cannot report it.", code="server_event"
        )
    if kind not in CLIENT_EVENTS:
        raise InvalidInput(
            f"Unknown event type {kind!r}: use one of {', '.join(sorted(CLIENT_EVENTS))}.", code="unknown_event"
        )
    if len(json.dumps(detail)) > 2000:
        raise TooLarge("The event detail is larger than 2 kB.")
    now = now or utcnow()
    attempt = attempts.load(session, attempt_id, user_id=user_id)
    if attempts.finish_if_overdue(session, attempt, now) or attempt.status in FINAL:
        raise Conflict(
            "The attempt has finished; it takes no more events.",
            code=f"attempt_{attempt.status}",
            commit_before_raising=True,
        )
    device.ensure_holder(session, attempt, holder, user_id=user_id, now=now)
    if kind == AttemptEventType.ONLINE:
        detail = {**detail, **credit.observed_offline(session, attempt, detail.get("offline_seconds"), now)}
    event = AttemptEventType(kind)
    attempts.record(session, attempt_id, event, actor_id=user_id, at=now, client_time=client_time, detail=detail)
    session.execute(update(Attempt).where(col(Attempt.id) == attempt_id).values(last_seen_at=now))


def slot_rows(session: Session, attempt_id: str) -> list[AttemptSlot]:
    return list(
        session.scalars(
            select(AttemptSlot).where(col(AttemptSlot.attempt_id) == attempt_id).order_by(col(AttemptSlot.slot))
        )
    )
