"""An attempt's timeline as a hash chain (serialised by examengine.audit.chain): `append_attempt_event` and the
unchained `answer_saved` of the save path.

Both run inside the caller's unit of work and never commit. Appends to one attempt's chain are serialised: on
PostgreSQL by a transaction-scoped advisory lock on the attempt; on SQLite writing units of work already begin with
BEGIN IMMEDIATE. An event may also append to the global chain (examengine.audit.service.record), which locks its
head: lock order is always attempt, then head.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text
from sqlmodel import Session

from examengine.audit import chain
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.delivery.models import EVENT_TABLE, Attempt, AttemptEvent
from examengine.delivery.states import AttemptStatus
from examengine.prepared import Prepared

# Literal SQL (not a bound parameter) so that SQLite can use the partial index ix_attempt_event_chain.
CHAINED = text(f"attempt_event.type != '{chain.UNCHAINED_EVENT}'")
FINISHING = frozenset({AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED, AttemptStatus.TERMINATED})


def lock_attempt_chain(session: Session, attempt_id: str) -> None:
    """Hold the attempt's chain until the transaction ends (PostgreSQL; SQLite writers are serialised)."""
    _lock_chain(session.connection(), attempt_id)


def _lock_chain(connection: Connection, attempt_id: str) -> None:
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"attempt_event:{attempt_id}".encode()).digest()[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def attempt_event_hash(event: AttemptEvent) -> str:
    return chain.attempt_event_hash(
        attempt_id=event.attempt_id,
        at=event.at,
        actor_id=event.actor_id,
        type=event.type,
        client_time=event.client_time,
        detail=event.detail,
        prev_hash=event.prev_hash,
    )


# Prepared once: a plain INSERT rather than the ORM's flush, for the event of every saved answer.
ANSWER_SAVED = Prepared(
    insert(EVENT_TABLE).values(
        attempt_id=bindparam("b_attempt_id"),
        at=bindparam("b_at"),
        actor_id=bindparam("b_actor_id"),
        type=chain.UNCHAINED_EVENT,
        detail=bindparam("b_detail"),
    )
)


def record_answer_saved(
    connection: Connection, *, attempt_id: str, actor_id: str | None, at: datetime, detail: dict[str, Any]
) -> None:
    """The timeline's `answer_saved` event: added, not chained (the save path does no hashing)."""
    ANSWER_SAVED.execute(
        connection, {"b_attempt_id": attempt_id, "b_at": at, "b_actor_id": actor_id, "b_detail": detail}
    )


# Built once: a chained event by the candidate (the first of an attempt the start has just inserted, or another).
FIRST_EVENT = insert(EVENT_TABLE).values(
    attempt_id=bindparam("b_attempt_id"),
    at=bindparam("b_at"),
    actor_id=bindparam("b_actor_id"),
    type=bindparam("b_type"),
    detail=bindparam("b_detail"),
    prev_hash=bindparam("b_prev_hash"),
    hash=bindparam("b_hash"),
)


def append_first_event(
    connection: Connection, *, attempt_id: str, type: str, candidate_id: str, at: datetime, detail: dict[str, Any]
) -> None:
    """The first event of an attempt inserted in this very transaction, by its candidate: the chain starts at its
    genesis. Nobody else can see the attempt yet, so there is no chain to lock or read, and an event by the
    candidate that does not finish the attempt adds nothing to the global chain (see append_attempt_event)."""
    _insert_chained(connection, attempt_id, type, candidate_id, at, detail, chain.attempt_genesis(attempt_id))


# Built once: the hash of the attempt's newest chained event.
LAST_CHAINED_HASH = (
    select(EVENT_TABLE.c.hash)
    .where(EVENT_TABLE.c.attempt_id == bindparam("b_attempt_id"), CHAINED)
    .order_by(EVENT_TABLE.c.id.desc())
    .limit(1)
)


def append_candidate_event(
    connection: Connection, *, attempt_id: str, type: str, candidate_id: str, at: datetime, detail: dict[str, Any]
) -> None:
    """append_attempt_event in plain statements, for an event by the attempt's own candidate that does not finish
    it (such an event adds nothing to the global chain): lock the chain, read its head, insert the event on it."""
    _lock_chain(connection, attempt_id)
    previous = connection.scalar(LAST_CHAINED_HASH, {"b_attempt_id": attempt_id})
    _insert_chained(
        connection, attempt_id, type, candidate_id, at, detail, previous or chain.attempt_genesis(attempt_id)
    )


def _insert_chained(
    connection: Connection,
    attempt_id: str,
    type: str,
    candidate_id: str,
    at: datetime,
    detail: dict[str, Any],
    prev_hash: str,
) -> None:
    normalized = chain.normalize(detail)
    hashed = chain.attempt_event_hash(
        attempt_id=attempt_id,
        at=at,
        actor_id=candidate_id,
        type=type,
        client_time=None,
        detail=normalized,
        prev_hash=prev_hash,
    )
    connection.execute(
        FIRST_EVENT,
        {
            "b_attempt_id": attempt_id,
            "b_at": at,
            "b_actor_id": candidate_id,
            "b_type": type,
            "b_detail": normalized,
            "b_prev_hash": prev_hash,
            "b_hash": hashed,
        },
    )


def append_attempt_event(session: Session, event: AttemptEvent) -> AttemptEvent:
    """Add the event to its attempt's chain (one indexed read of the last chained event; an answer save is only
    added, unchained). An event by someone other than
    the candidate (a proctor or admin) is also a global `proctor_action`; the event that finishes the attempt puts
    the chain's head into the global chain (`attempt_finished`), so deleting the attempt's events shows."""
    if event.type == chain.UNCHAINED_EVENT:
        record_answer_saved(
            session.connection(), attempt_id=event.attempt_id, actor_id=event.actor_id, at=event.at, detail=event.detail
        )
        return event
    lock_attempt_chain(session, event.attempt_id)
    previous = session.scalar(LAST_CHAINED_HASH, {"b_attempt_id": event.attempt_id})
    event.detail = chain.normalize(event.detail)
    event.prev_hash = previous or chain.attempt_genesis(event.attempt_id)
    event.hash = attempt_event_hash(event)
    session.add(event)
    session.flush()
    attempt = session.get(Attempt, event.attempt_id)
    subject = f"attempt:{event.attempt_id}"
    summary = {"event_id": event.id, "event": event.type, "hash": event.hash}
    if event.actor_id is not None and attempt is not None and event.actor_id != attempt.user_id:
        record(
            session=session,
            kind=AuditKind.PROCTOR_ACTION,
            actor_id=event.actor_id,
            subject=subject,
            detail={**summary, "detail": event.detail},
            at=event.at,
        )
    if event.type in FINISHING:
        record(
            session=session,
            kind=AuditKind.ATTEMPT_FINISHED,
            actor_id=event.actor_id,
            subject=subject,
            detail=summary,
            at=event.at,
        )
    return event
