"""The whole audit trail: the global chain (examengine.audit) with the attempts' event chains (delivery.chain),
verified and purged together.

The retention purge runs in one transaction: verify everything first (a broken trail is never purged, so tampering
cannot be laundered into a signed checkpoint), then delete the expired global records and write a signed
checkpoint that seals the records kept up to the newest one deleted, then delete the events of finished attempts
whose every event has expired (recording each in the global chain), then record the purge itself. Attempts that
have not finished and anything newer than its retention period are never touched. Kinds without a period are kept
forever.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlmodel import Session, col

from examengine.audit import chain
from examengine.audit import verify as audit_verify
from examengine.audit.kinds import ATTEMPT_EVENTS, AuditKind
from examengine.audit.retention import PurgeOutcome, delete_records, expired_records, seal_point, write_checkpoint
from examengine.audit.service import locked_head, record
from examengine.audit.verify import AttemptHeads, Broken, Problem, Report, stream
from examengine.delivery.chain import CHAINED, lock_attempt_chain
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import FINAL

log = logging.getLogger(__name__)


def attempt_chains(session: Session, report: Report, heads: AttemptHeads) -> None:
    """Walk every attempt's chain against the heads the global chain holds (a ChainWalk of audit.verify)."""
    current, previous_hash = None, ""
    seen: set[tuple[str, int]] = set()
    fields = ("id", "attempt_id", "at", "actor_id", "type", "client_time", "detail", "prev_hash", "hash")
    query = select(*(col(getattr(AttemptEvent, name)) for name in fields))
    query = query.where(CHAINED).order_by(col(AttemptEvent.attempt_id), col(AttemptEvent.id))
    with stream(session, query) as events:
        for event_id, attempt_id, at, actor_id, kind, client_time, detail, prev_hash, stored in events:
            if attempt_id != current:
                current, previous_hash = attempt_id, chain.attempt_genesis(attempt_id)
                report.attempts += 1
            computed = chain.attempt_event_hash(
                attempt_id=attempt_id,
                at=at,
                actor_id=actor_id,
                type=kind,
                client_time=client_time,
                detail=detail,
                prev_hash=prev_hash,
            )
            if computed != stored:
                raise Broken(Problem("attempt_event", event_id, "content does not match its hash", computed, stored))
            if prev_hash != previous_hash:
                message = f"does not chain from the event before it in attempt {attempt_id}"
                raise Broken(Problem("attempt_event", event_id, message, previous_hash, prev_hash))
            for record_id, head_event, head_hash in heads.finished.get(attempt_id, ()):
                if head_event == event_id and head_hash != stored:
                    message = f"differs from the head audit record {record_id} holds for the finished attempt"
                    raise Broken(Problem("attempt_event", event_id, message, head_hash, stored))
            seen.add((attempt_id, event_id))
            previous_hash = stored
            report.events += 1
    for attempt_id, recorded in heads.finished.items():
        if attempt_id in heads.purged:
            continue
        for record_id, head_event, head_hash in recorded:
            if (attempt_id, head_event) not in seen:
                message = f"is missing: audit record {record_id} holds it as the head of finished attempt {attempt_id}"
                raise Broken(Problem("attempt_event", head_event, message, head_hash, None))


def verify(*, session: Session, key: str) -> Report:
    """Check every chain: the checkpoints, the global chain and every attempt's events; the report names the first
    broken record (or none)."""
    return audit_verify.verify(session=session, key=key, walks=(attempt_chains,))


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
    expired = expired_records(session, retention, now, limit)
    if not expired and not attempt_ids:
        return PurgeOutcome()
    upto_id, upto_hash = seal_point(session, expired)
    deleted = delete_records(session, expired)
    events = _purge_attempt_events(session, attempt_ids, now)
    counts: dict[str, object] = {"records": deleted, "attempts": len(attempt_ids), "events": events}
    checkpoint = write_checkpoint(session, key, upto_id, upto_hash, counts, now)
    record(
        session=session,
        kind=AuditKind.RETENTION_PURGE,
        actor_id=None,
        subject=f"checkpoint:{checkpoint.id}",
        detail={**counts, "upto_id": upto_id, "head_before": head.last_id},
        at=now,
    )
    return PurgeOutcome(deleted, len(attempt_ids), events, checkpoint.id)
