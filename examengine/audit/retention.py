"""The retention purge of the global chain: the expired records, deleted, and the signed checkpoint that seals the
records kept up to the newest one deleted, so that the chain still verifies. The purge itself, which also deletes
the events of expired attempts, is examengine.delivery.trail.purge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from examengine.audit import chain
from examengine.audit.kinds import ATTEMPT_EVENTS
from examengine.audit.models import AuditCheckpoint, AuditRecord

CHUNK = 500


@dataclass(frozen=True)
class PurgeOutcome:
    records: dict[str, int] = field(default_factory=dict)  # kind -> records deleted
    attempts: int = 0
    events: int = 0
    checkpoint_id: int | None = None
    refused: str | None = None


def expired_records(session: Session, retention: Mapping[str, int], now: datetime, limit: int) -> list[int]:
    """The oldest `limit` records past their kind's period (`retention`: kind -> days), in id order."""
    ids: list[int] = []
    for kind, days in retention.items():
        if kind == ATTEMPT_EVENTS:
            continue
        query = select(col(AuditRecord.id)).where(
            col(AuditRecord.kind) == kind, col(AuditRecord.at) < now - timedelta(days=days)
        )
        ids.extend(session.scalars(query.order_by(col(AuditRecord.id)).limit(limit)))
    return sorted(ids)[:limit]


def delete_records(session: Session, ids: Sequence[int]) -> dict[str, int]:
    """Delete the records; kind -> how many."""
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


def write_checkpoint(
    session: Session, key: str, upto_id: int, upto_hash: str, counts: dict[str, object], now: datetime
) -> AuditCheckpoint:
    """The next checkpoint, signed with `key`: it seals the records kept up to `upto_id`."""
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


def seal_point(session: Session, expired: Sequence[int]) -> tuple[int, str]:
    """(id, hash) of the record the next checkpoint seals up to: the newest expired one, or the last checkpoint's."""
    previous = session.scalars(select(AuditCheckpoint).order_by(col(AuditCheckpoint.id).desc()).limit(1)).first()
    upto_id, upto_hash = (previous.upto_id, previous.upto_hash) if previous else (0, chain.RECORD_GENESIS)
    if expired and expired[-1] > upto_id:
        upto_id = expired[-1]
        upto_hash = session.scalar(select(col(AuditRecord.hash)).where(col(AuditRecord.id) == upto_id)) or ""
    return upto_id, upto_hash
