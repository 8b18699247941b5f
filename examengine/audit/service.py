"""Appending to the chains: `record` for privileged actions, `append_attempt_event` for an attempt's timeline.

Both run inside the caller's unit of work and never commit. Appends are serialised so that every record chains
from the one before it: on PostgreSQL the global chain locks its head row (SELECT ... FOR UPDATE) and an attempt's
chain takes a transaction-scoped advisory lock on the attempt; on SQLite writing units of work already begin with
BEGIN IMMEDIATE. Lock order is always attempt, then head (an attempt event may append a global record).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text
from sqlmodel import Session, col

from examengine.audit import chain
from examengine.audit.kinds import AuditKind
from examengine.audit.models import HEAD_ID, HEAD_TABLE, AuditChainHead, AuditCheckpoint, AuditRecord
from examengine.clock import utcnow
from examengine.db import dialect_insert
from examengine.delivery.models import EVENT_TABLE, Attempt, AttemptEvent
from examengine.delivery.states import AttemptStatus

# Literal SQL (not a bound parameter) so that SQLite can use the partial index ix_attempt_event_chain.
CHAINED = text(f"attempt_event.type != '{chain.UNCHAINED_EVENT}'")
FINISHING = frozenset({AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED, AttemptStatus.TERMINATED})
MAX_SUBJECT = 200
PAGE_SIZE = 100


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_attempt_chain(session: Session, attempt_id: str) -> None:
    """Hold the attempt's chain until the transaction ends (PostgreSQL; SQLite writers are serialised)."""
    if _is_postgresql(session):
        key = int.from_bytes(hashlib.sha256(f"attempt_event:{attempt_id}".encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def locked_head(session: Session) -> AuditChainHead:
    """The head row, locked until the transaction ends; created from the chain itself when it is missing."""
    query = (
        select(AuditChainHead)
        .where(col(AuditChainHead.id) == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.scalars(query).first()
    if head is not None:
        return head
    last = session.scalars(select(AuditRecord).order_by(col(AuditRecord.id).desc()).limit(1)).first()
    checkpoint = session.scalars(select(AuditCheckpoint).order_by(col(AuditCheckpoint.id).desc()).limit(1)).first()
    if last is not None:
        seed = (last.id, last.hash)
    elif checkpoint is not None:
        seed = (checkpoint.upto_id, checkpoint.upto_hash)
    else:
        seed = (0, chain.RECORD_GENESIS)
    session.execute(
        dialect_insert(session, HEAD_TABLE)
        .values(id=HEAD_ID, last_id=seed[0], last_hash=seed[1])
        .on_conflict_do_nothing(index_elements=["id"])
    )
    return session.scalars(query).one()


def record(
    *,
    session: Session,
    kind: AuditKind,
    actor_id: str | None,
    subject: str,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Append a privileged action to the global chain (`subject` names what it was done to, e.g. `user:<id>`)."""
    head = locked_head(session)
    row = AuditRecord(
        id=head.last_id + 1,
        at=at or utcnow(),
        kind=AuditKind(kind),
        actor_id=actor_id,
        subject=chain.clean_text(subject)[:MAX_SUBJECT],
        detail=chain.normalize(dict(detail or {})),
        prev_hash=head.last_hash,
        hash="",
    )
    row.hash = chain.record_hash(
        id=row.id,
        at=row.at,
        kind=row.kind.value,
        actor_id=row.actor_id,
        subject=row.subject,
        detail=row.detail,
        prev_hash=row.prev_hash,
    )
    session.add(row)
    head.last_id, head.last_hash = row.id, row.hash
    session.flush()
    return row


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


# Built once: a plain INSERT rather than the ORM's flush, for the event of every saved answer.
ANSWER_SAVED = insert(EVENT_TABLE).values(
    attempt_id=bindparam("b_attempt_id"),
    at=bindparam("b_at"),
    actor_id=bindparam("b_actor_id"),
    type=chain.UNCHAINED_EVENT,
    detail=bindparam("b_detail"),
)


def record_answer_saved(
    connection: Connection, *, attempt_id: str, actor_id: str | None, at: datetime, detail: dict[str, Any]
) -> None:
    """The timeline's `answer_saved` event: added, not chained (the save path does no hashing)."""
    connection.execute(
        ANSWER_SAVED, {"b_attempt_id": attempt_id, "b_at": at, "b_actor_id": actor_id, "b_detail": detail}
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
    previous = session.scalar(
        select(col(AttemptEvent.hash))
        .where(col(AttemptEvent.attempt_id) == event.attempt_id, CHAINED)
        .order_by(col(AttemptEvent.id).desc())
        .limit(1)
    )
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


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None
    kind: AuditKind | None = None
    actor_id: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class AuditPage:
    items: tuple[AuditRecord, ...]
    next_cursor: int | None


def find(
    *,
    session: Session,
    where: AuditFilter,
    cursor: int | None = None,
    limit: int = PAGE_SIZE,
    newest_first: bool = False,
) -> AuditPage:
    """Records matching the filter (`since` inclusive, `until` exclusive), `limit` at a time in id order (or
    newest first); `cursor` is the last id of the previous page."""
    query = select(AuditRecord)
    if where.since is not None:
        query = query.where(col(AuditRecord.at) >= where.since)
    if where.until is not None:
        query = query.where(col(AuditRecord.at) < where.until)
    if where.kind is not None:
        query = query.where(col(AuditRecord.kind) == where.kind)
    if where.actor_id:
        query = query.where(col(AuditRecord.actor_id) == where.actor_id)
    if where.subject:
        query = query.where(col(AuditRecord.subject) == where.subject)
    if cursor is not None:
        query = query.where(col(AuditRecord.id) < cursor if newest_first else col(AuditRecord.id) > cursor)
    order = col(AuditRecord.id).desc() if newest_first else col(AuditRecord.id)
    rows = list(session.scalars(query.order_by(order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(tuple(rows), rows[-1].id if more and rows else None)


def record_denied(
    *, session: Session, actor_id: str | None, method: str, path: str, code: str, address: str
) -> AuditRecord:
    """A refused request (403): who asked for what, from where, and which rule refused it."""
    return record(
        session=session,
        kind=AuditKind.ACCESS_DENIED,
        actor_id=actor_id,
        subject=f"{method} {path}",
        detail={"code": code, "address": address},
    )
