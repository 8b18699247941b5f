"""Reading attempts and moving them through their states: one `transition` for every change, each an event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.delivery import ledger
from examengine.delivery.acting import checked_minutes, optional_reason, proctored_attempt, required_reason
from examengine.delivery.attempt_view import AttemptView, linear_position, time_ledger, view
from examengine.delivery.chain import append_attempt_event
from examengine.delivery.events import AttemptEventType, status_event
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import FINAL, AttemptStatus, can_move
from examengine.errors import Conflict, NotFound


def load(session: Session, attempt_id: str, *, user_id: str | None = None) -> Attempt:
    """The attempt; with `user_id`, only if it is that user's (someone else's is reported as unknown)."""
    attempt = session.get(Attempt, attempt_id) if len(attempt_id) <= 32 else None
    if attempt is None or (user_id is not None and attempt.user_id != user_id):
        raise NotFound("No such attempt.", code="attempt_not_found")
    return attempt


def record(
    session: Session,
    attempt_id: str,
    kind: AttemptEventType,
    *,
    actor_id: str | None,
    at: datetime,
    detail: dict[str, Any] | None = None,
    client_time: datetime | None = None,
) -> None:
    append_attempt_event(
        session,
        AttemptEvent(
            attempt_id=attempt_id, at=at, actor_id=actor_id, type=kind, client_time=client_time, detail=detail or {}
        ),
    )


def transition(
    session: Session,
    attempt: Attempt,
    to: AttemptStatus,
    *,
    actor_id: str | None,
    at: datetime,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
) -> bool:
    """Move the attempt to `to` if the table allows it and nobody moved it first (a conditional update, so two
    processes cannot both do it). Appends the event. Returns False when the attempt had already left its state."""
    current = AttemptStatus(attempt.status)
    if not can_move(current, to):
        raise Conflict(
            f"The attempt is {current.value.replace('_', ' ')}; it cannot become {to.value.replace('_', ' ')}.",
            code=f"attempt_{current.value}" if current in FINAL else "invalid_transition",
        )
    values = {"status": to, **(changes or {})}
    moved = session.execute(
        update(Attempt).where(col(Attempt.id) == attempt.id, col(Attempt.status) == current).values(**values)
    )
    if not getattr(moved, "rowcount", 0):
        return False
    record(
        session,
        attempt.id,
        status_event(to),
        actor_id=actor_id,
        at=at,
        detail={"from": current.value, **({"reason": reason} if reason else {}), **(detail or {})},
    )
    session.flush()
    session.refresh(attempt)
    return True


def deadline_after(attempt: Attempt, now: datetime, **ledger_changes: Any) -> datetime | None:
    updated = time_ledger(attempt).__class__(**{**time_ledger(attempt).__dict__, **ledger_changes})
    return ledger.deadline(updated, now)


def _close_run_out_sections(session: Session, attempt: Attempt, now: datetime) -> None:
    """Record the move to the timed section open at `now` when the recorded one's time has run out."""
    the_ledger = time_ledger(attempt)
    clock = ledger.open_section(the_ledger, now)
    if clock is None or attempt.open_section is None or clock.index <= attempt.open_section:
        return
    closed = list(range(attempt.open_section, clock.index))
    open_next_section(session, attempt, clock, reason="time is up", closed=closed, actor_id=None, now=now)


def open_next_section(
    session: Session,
    attempt: Attempt,
    clock: ledger.SectionClock,
    *,
    reason: str,
    closed: list[int],
    actor_id: str | None,
    now: datetime,
) -> bool:
    """Record that `clock`'s section is open (if nobody moved the attempt first) and append the event."""
    changes = {
        "open_section": clock.index,
        "section_opened_at": clock.started_at,
        "section_offset_seconds": clock.offset_seconds,
        "linear_slot": linear_position(attempt, clock.index),
    }
    moved_ledger = ledger.TimeLedger(
        **{
            **time_ledger(attempt).__dict__,
            "section": clock.index,
            "section_started_at": clock.started_at,
            "section_offset_seconds": clock.offset_seconds,
        }
    )
    moved = session.execute(
        update(Attempt)
        .where(
            col(Attempt.id) == attempt.id,
            col(Attempt.status) == AttemptStatus.IN_PROGRESS,
            col(Attempt.open_section) == attempt.open_section,
        )
        .values(**changes, deadline_at=ledger.deadline(moved_ledger, now))
    )
    if not getattr(moved, "rowcount", 0):
        session.refresh(attempt)
        return False
    record(
        session,
        attempt.id,
        AttemptEventType.SECTION_OPENED,
        actor_id=actor_id,
        at=clock.started_at,
        detail={"section": clock.index, "closed": closed, "reason": reason},
    )
    session.flush()
    session.refresh(attempt)
    return True


def load_running(session: Session, attempt_id: str, user_id: str, now: datetime) -> Attempt:
    """The candidate's attempt, in progress at `now` (expired first when its time is up). Raises Conflict once it
    has finished (keeping the expiry) or while it is not running."""
    attempt = load(session, attempt_id, user_id=user_id)
    if finish_if_overdue(session, attempt, now) or attempt.status in FINAL:
        raise Conflict("The attempt has finished.", code=f"attempt_{attempt.status}", commit_before_raising=True)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise Conflict("The attempt is paused by the proctor: wait for them to resume it.", code="attempt_paused")
    return attempt


def finish_if_overdue(session: Session, attempt: Attempt, now: datetime) -> bool:
    """Expire a running attempt whose deadline has passed, finishing at the deadline; True if it is now expired.
    A timed section whose time ran out is closed first (the next one opening at its deadline). Every write path
    calls this first; the sweep calls it for everything overdue."""
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return attempt.status == AttemptStatus.EXPIRED
    _close_run_out_sections(session, attempt, now)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return attempt.status == AttemptStatus.EXPIRED
    ends = ledger.deadline(time_ledger(attempt), now)
    if ends is None or ends > now:
        return False
    transition(
        session,
        attempt,
        AttemptStatus.EXPIRED,
        actor_id=None,
        at=now,
        reason="time is up",
        changes={"finished_at": ends, "deadline_at": ends},
    )
    return True


def submit(*, session: Session, attempt_id: str, user_id: str, now: datetime | None = None) -> AttemptView:
    """Submit the candidate's attempt; repeating it is harmless. After the deadline it is expired instead (the
    deadline is its finish time). Raises Conflict while paused or waiting."""
    now = now or utcnow()
    attempt = load(session, attempt_id, user_id=user_id)
    if attempt.status not in FINAL and not finish_if_overdue(session, attempt, now):
        if attempt.status != AttemptStatus.IN_PROGRESS:
            raise Conflict("The attempt is paused by the proctor: wait for them to resume it.", code="attempt_paused")
        transition(
            session,
            attempt,
            AttemptStatus.SUBMITTED,
            actor_id=user_id,
            at=now,
            changes={"finished_at": now, "deadline_at": ledger.deadline(time_ledger(attempt), now)},
        )
    return view(session, load(session, attempt_id), now)


def pause(
    *,
    session: Session,
    attempt_id: str,
    actor_id: str,
    reason: str,
    now: datetime | None = None,
    whole_sitting: bool = False,
) -> AttemptView:
    """Stop the attempt's clock. `whole_sitting` marks a pause of everyone in the sitting, which resuming the
    sitting undoes (a candidate paused on their own stays paused). Raises InvalidInput without a reason, and
    what `proctored_attempt` raises."""
    attempt = proctored_attempt(session, attempt_id, actor_id)
    reason = required_reason(reason, "pause the attempt")
    now = now or utcnow()
    if not finish_if_overdue(session, attempt, now):
        transition(
            session,
            attempt,
            AttemptStatus.PAUSED,
            actor_id=actor_id,
            at=now,
            reason=reason,
            changes={"paused_at": now},
            detail={"scope": "sitting"} if whole_sitting else None,
        )
    return view(session, attempt, now)


def resume(
    *, session: Session, attempt_id: str, actor_id: str, reason: str = "", now: datetime | None = None
) -> AttemptView:
    attempt = proctored_attempt(session, attempt_id, actor_id)
    reason = optional_reason(reason)
    now = now or utcnow()
    if attempt.status != AttemptStatus.PAUSED or attempt.paused_at is None:
        raise Conflict("The attempt is not paused.", code="attempt_not_paused")
    paused_for = max(0, int((now - attempt.paused_at).total_seconds()))
    total = attempt.paused_seconds + paused_for
    transition(
        session,
        attempt,
        AttemptStatus.IN_PROGRESS,
        actor_id=actor_id,
        at=now,
        reason=reason,
        changes={
            "paused_at": None,
            "paused_seconds": total,
            "deadline_at": deadline_after(attempt, now, paused_at=None, paused_seconds=total),
        },
    )
    return view(session, attempt, now)


def extend(
    *, session: Session, attempt_id: str, actor_id: str, minutes: int, reason: str, now: datetime | None = None
) -> AttemptView:
    """Give 1 to 600 more minutes (the sitting's close still caps it), with a reason. Raises InvalidInput for
    either, Conflict for a finished attempt, and what `proctored_attempt` raises."""
    attempt = proctored_attempt(session, attempt_id, actor_id)
    minutes = checked_minutes(minutes, "extend the attempt by")
    reason = required_reason(reason, "extend the attempt")
    now = now or utcnow()
    if finish_if_overdue(session, attempt, now) or attempt.status in FINAL:
        raise Conflict(
            "The attempt has finished; time can no longer be added.",
            code=f"attempt_{attempt.status}",
            commit_before_raising=True,
        )
    return add_time(
        session,
        attempt,
        counter="extension_seconds",
        seconds=minutes * 60,
        unchanged=col(Attempt.status) == attempt.status,
        kind=AttemptEventType.EXTENDED,
        actor_id=actor_id,
        detail={"minutes": minutes, "reason": reason},
        now=now,
    )


def add_time(
    session: Session,
    attempt: Attempt,
    *,
    counter: str,
    seconds: int,
    unchanged: Any,
    kind: AttemptEventType,
    actor_id: str,
    detail: dict[str, Any],
    now: datetime,
) -> AttemptView:
    """Add `seconds` to one of the time counters the attempt and its ledger share (`extension_seconds`,
    `credited_seconds`) and move the stored deadline with it, if `unchanged` still holds; appends the event.
    Raises Conflict when the attempt changed meanwhile."""
    total = getattr(attempt, counter) + seconds
    moved = session.execute(
        update(Attempt)
        .where(col(Attempt.id) == attempt.id, unchanged)
        .values({counter: total, "deadline_at": deadline_after(attempt, now, **{counter: total})})
    )
    if not getattr(moved, "rowcount", 0):
        raise Conflict("The attempt changed just now; try again.", code="attempt_changed")
    record(session, attempt.id, kind, actor_id=actor_id, at=now, detail=detail)
    session.flush()
    session.refresh(attempt)
    return view(session, attempt, now)


def terminate(
    *, session: Session, attempt_id: str, actor_id: str, reason: str, now: datetime | None = None
) -> AttemptView:
    """End the attempt now, with a reason (InvalidInput without one); raises what `proctored_attempt` raises."""
    attempt = proctored_attempt(session, attempt_id, actor_id)
    reason = required_reason(reason, "terminate the attempt")
    now = now or utcnow()
    if not finish_if_overdue(session, attempt, now):
        transition(
            session,
            attempt,
            AttemptStatus.TERMINATED,
            actor_id=actor_id,
            at=now,
            reason=reason,
            changes={"finished_at": now},
        )
    return view(session, attempt, now)


def expire_overdue(*, session: Session, now: datetime | None = None, limit: int = 500) -> int:
    """The sweep: expire every running attempt whose stored deadline has passed. Safe with several processes."""
    now = now or utcnow()
    overdue = session.scalars(
        select(Attempt)
        .where(col(Attempt.status) == AttemptStatus.IN_PROGRESS, col(Attempt.deadline_at) <= now)
        .order_by(col(Attempt.deadline_at))
        .limit(limit)
    ).all()
    return sum(1 for attempt in overdue if finish_if_overdue(session, attempt, now))


def events(*, session: Session, attempt_id: str, actor_id: str) -> list[AttemptEvent]:
    """The attempt's timeline for its proctor or an admin (raises what `proctored_attempt` raises)."""
    proctored_attempt(session, attempt_id, actor_id)
    return list(
        session.scalars(
            select(AttemptEvent).where(col(AttemptEvent.attempt_id) == attempt_id).order_by(col(AttemptEvent.id))
        )
    )


def admit(
    *, session: Session, attempt_id: str, actor_id: str, reason: str = "", now: datetime | None = None
) -> AttemptView:
    """Admit a checked-in candidate after the identity check: their clock starts now."""
    attempt = proctored_attempt(session, attempt_id, actor_id)
    reason = optional_reason(reason)
    now = now or utcnow()
    if attempt.status != AttemptStatus.WAITING:
        raise Conflict("The candidate is not waiting for admission.", code="attempt_not_waiting")
    if now >= attempt.window_closes_at:
        raise Conflict("The sitting has closed.", code="sitting_closed")
    started = time_ledger(attempt).__class__(**{**time_ledger(attempt).__dict__, "started_at": now})
    transition(
        session,
        attempt,
        AttemptStatus.IN_PROGRESS,
        actor_id=actor_id,
        at=now,
        reason=reason,
        changes={"started_at": now, "deadline_at": ledger.deadline(started, now)},
    )
    return view(session, attempt, now)
