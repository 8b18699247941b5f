"""Appending to the global chain (`record`, for privileged actions) and reading it (`find`).

`record` runs inside the caller's unit of work and never commits. Appends are serialised so that every record
chains from the one before it: on PostgreSQL it locks the head row (SELECT ... FOR UPDATE); on SQLite writing units
of work already begin with BEGIN IMMEDIATE. An attempt's own chain (examengine.delivery.chain) locks the attempt
first, then the head: lock order is always attempt, then head.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.audit import chain
from examengine.audit.kinds import AuditKind
from examengine.audit.models import HEAD_ID, HEAD_TABLE, AuditChainHead, AuditCheckpoint, AuditRecord
from examengine.clock import utcnow
from examengine.db import dialect_insert

MAX_SUBJECT = 200
PAGE_SIZE = 100


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
