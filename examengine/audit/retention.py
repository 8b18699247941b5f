"""The retention purge: delete what is older than its kind's retention period, keeping every chain verifiable.

One run, in one transaction: verify everything first (a broken trail is never purged, so tampering cannot be
laundered into a signed checkpoint), then delete the expired global records and write a signed checkpoint that
seals the records kept up to the newest one deleted, then delete the events of finished attempts whose every
event has expired (recording each in the global chain), then record the purge itself. Attempts that have not
finished and anything newer than its retention period are never touched. Kinds without a period are kept forever.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlmodel import Session, col

from examengine.audit import chain
from examengine.audit.kinds import ATTEMPT_EVENTS, AuditKind
from examengine.audit.models import AuditCheckpoint, AuditRecord
from examengine.audit.service import CHAINED, lock_attempt_chain, locked_head, record
from examengine.audit.verify import verify
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import FINAL

log = logging.getLogger(__name__)
CHUNK = 500


@dataclass(frozen=True)
class PurgeOutcome:
    records: dict[str, int] = field(default_factory=dict)  # kind -> records deleted
    attempts: int = 0
    events: int = 0
    checkpoint_id: int | None = None
    refused: str | None = None


def _expired_attempts(session: Session, cutoff: datetime, limit: int, among: Sequence[str] | None = None) -> list[str]:
    """Finished attempts that finished before the cutoff and have events, none of them at or after it."""
    newer = exists().where(col(AttemptEvent.attempt_id) == col(Attempt.id), col(AttemptEvent.at) >= cutoff)
    query = select(col(Attempt.id)).where(
        col(Attempt.status).in_([status.value for status in FINAL]),
        col(Attempt.finished_at) < cutoff,
        exists().where(col(AttemptEvent.attempt_id) == col(Attempt.id)),
        ~newer,
    )
    if among is not None:
        query = query.where(col(Attempt.id).in_(among))
    return sorted(session.scalars(query.order_by(col(Attempt.finished_at)).limit(limit)))


def _expired_records(session: Session, retention: Mapping[str, int], now: datetime, limit: int) -> list[int]:
    ids: list[int] = []
    for kind, days in retention.items():
        if kind == ATTEMPT_EVENTS:
            continue
        query = select(col(AuditRecord.id)).where(
            col(AuditRecord.kind) == kind, col(AuditRecord.at) < now - timedelta(days=days)
        )
        ids.extend(session.scalars(query.order_by(col(AuditRecord.id)).limit(limit)))
    return sorted(ids)[:limit]


def _delete_records(session: Session, ids: Sequence[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        kinds = session.execute(
            select(col(AuditRecord.kind), func.count())
            .where(col(AuditRecord.id).in_(chunk))
            .group_by(col(AuditRecord.kind))
        )
        for kind, count in kinds:
            counts[kind] = counts.get(kind, 0) + int(count)
        session.execute(delete(AuditRecord).where(col(AuditRecord.id).in_(chunk)))
    return counts


def _write_checkpoint(
    session: Session, key: str, upto_id: int, upto_hash: str, counts: dict[str, object], now: datetime
) -> AuditCheckpoint:
    previous = session.scalars(select(AuditCheckpoint).order_by(col(AuditCheckpoint.id).desc()).limit(1)).first()
    seal = chain.SealDigest()
    kept = select(col(AuditRecord.id), col(AuditRecord.hash)).where(col(AuditRecord.id) <= upto_id)
    for record_id, record_hash in session.execute(kept.order_by(col(AuditRecord.id))):
        seal.add(record_id, record_hash)
    checkpoint = AuditCheckpoint(
        id=previous.id + 1 if previous else 1,
        at=now,
        upto_id=upto_id,
        upto_hash=upto_hash,
        sealed_count=seal.count,
        sealed_digest=seal.hexdigest(),
        counts=chain.normalize(counts),
        prev_hash=previous.hash if previous else chain.CHECKPOINT_GENESIS,
        hash="",
        signature="",
    )
    checkpoint.hash = chain.checkpoint_hash(
        id=checkpoint.id,
        at=checkpoint.at,
        upto_id=checkpoint.upto_id,
        upto_hash=checkpoint.upto_hash,
        sealed_count=checkpoint.sealed_count,
        sealed_digest=checkpoint.sealed_digest,
        counts=checkpoint.counts,
        prev_hash=checkpoint.prev_hash,
    )
    checkpoint.signature = chain.sign(key, checkpoint.hash)
    session.add(checkpoint)
    session.flush()
    return checkpoint


def _purge_attempt_events(session: Session, attempt_ids: Sequence[str], now: datetime) -> int:
    purged = 0
    for attempt_id in attempt_ids:
        of_attempt = col(AttemptEvent.attempt_id) == attempt_id
        last_id, last_hash = session.execute(
            select(col(AttemptEvent.id), col(AttemptEvent.hash))
            .where(of_attempt, CHAINED)
            .order_by(col(AttemptEvent.id).desc())
        ).first() or (None, None)
        total = int(session.scalar(select(func.count()).select_from(AttemptEvent).where(of_attempt)) or 0)
        session.execute(delete(AttemptEvent).where(of_attempt))
        record(
            session=session,
            kind=AuditKind.ATTEMPT_EVENTS_PURGED,
            actor_id=None,
            subject=f"attempt:{attempt_id}",
            detail={"events": total, "last_event_id": last_id, "last_hash": last_hash},
            at=now,
        )
        purged += total
    return purged


def purge(
    *,
    session: Session,
    retention: Mapping[str, int],
    key: str,
    now: datetime,
    limit: int = 5000,
    attempt_limit: int = 200,
) -> PurgeOutcome:
    """Delete up to `limit` expired audit records and the events of up to `attempt_limit` expired attempts.
    Refuses (and deletes nothing) when the trail does not verify or no signing key is set."""
    if not retention:
        return PurgeOutcome()
    if not key:
        return PurgeOutcome(refused="EXAMENGINE_AUDIT_KEY is not set: checkpoints cannot be signed")
    event_days = retention.get(ATTEMPT_EVENTS)
    cutoff = now - timedelta(days=event_days) if event_days else None
    attempt_ids = _expired_attempts(session, cutoff, attempt_limit) if cutoff else []
    for attempt_id in attempt_ids:  # sorted, and before the head: the lock order of every append
        lock_attempt_chain(session, attempt_id)
    if cutoff and attempt_ids:  # an event may have arrived before the lock was ours
        attempt_ids = _expired_attempts(session, cutoff, attempt_limit, among=attempt_ids)
    report = verify(session=session, key=key)
    if not report.ok:
        log.error("audit trail does not verify, nothing purged: %s", report.problem)
        return PurgeOutcome(refused=f"the audit trail does not verify: {report.problem}")
    head = locked_head(session)
    expired = _expired_records(session, retention, now, limit)
    if not expired and not attempt_ids:
        return PurgeOutcome()
    previous = session.scalars(select(AuditCheckpoint).order_by(col(AuditCheckpoint.id).desc()).limit(1)).first()
    upto_id, upto_hash = (previous.upto_id, previous.upto_hash) if previous else (0, chain.RECORD_GENESIS)
    if expired and expired[-1] > upto_id:
        upto_id = expired[-1]
        upto_hash = session.scalar(select(col(AuditRecord.hash)).where(col(AuditRecord.id) == upto_id)) or ""
    deleted = _delete_records(session, expired)
    events = _purge_attempt_events(session, attempt_ids, now)
    counts: dict[str, object] = {"records": deleted, "attempts": len(attempt_ids), "events": events}
    checkpoint = _write_checkpoint(session, key, upto_id, upto_hash, counts, now)
    record(
        session=session,
        kind=AuditKind.RETENTION_PURGE,
        actor_id=None,
        subject=f"checkpoint:{checkpoint.id}",
        detail={**counts, "upto_id": upto_id, "head_before": head.last_id},
        at=now,
    )
    return PurgeOutcome(deleted, len(attempt_ids), events, checkpoint.id)
