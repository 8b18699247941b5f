"""Walking every chain: the checkpoints, the global chain from the latest checkpoint, and every attempt's events.

The first broken record is named (table, id, what is wrong, the expected and the stored hash). Rows are streamed
in id order, so memory stays small apart from the attempt heads recorded in the global chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.audit import chain
from examengine.audit.kinds import AuditKind
from examengine.audit.models import HEAD_ID, AuditChainHead, AuditCheckpoint, AuditRecord
from examengine.audit.service import CHAINED
from examengine.delivery.models import AttemptEvent

BATCH = 1000


@dataclass(frozen=True)
class Problem:
    table: str
    id: int | str
    message: str
    expected: str | None = None
    stored: str | None = None

    def __str__(self) -> str:
        hashes = f" (expected {self.expected}, stored {self.stored})" if self.expected or self.stored else ""
        return f"{self.table} {self.id}: {self.message}{hashes}"


@dataclass
class Report:
    checkpoints: int = 0
    records: int = 0
    sealed: int = 0
    attempts: int = 0
    events: int = 0
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        return (
            f"{self.records} audit records ({self.sealed} sealed by checkpoint), {self.checkpoints} checkpoints, "
            f"{self.events} events in {self.attempts} attempt chains"
        )


class Broken(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class _Heads:
    """What the global chain says about attempt chains: their heads at finish, and which were purged."""

    finished: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)  # attempt -> (record, event, hash)
    purged: set[str] = field(default_factory=set)

    def note(self, record_id: int, kind: str, subject: str, detail: dict[str, Any]) -> None:
        attempt_id = subject.removeprefix("attempt:")
        if kind == AuditKind.ATTEMPT_FINISHED:
            self.finished.setdefault(attempt_id, []).append(
                (record_id, int(detail.get("event_id") or 0), str(detail.get("hash")))
            )
        elif kind == AuditKind.ATTEMPT_EVENTS_PURGED:
            self.purged.add(attempt_id)


@contextmanager
def _stream(session: Session, query: Any) -> Iterator[Any]:
    """Rows a batch at a time (a server-side cursor on PostgreSQL, closed even when the walk stops early)."""
    result = session.execute(query.execution_options(yield_per=BATCH))
    try:
        yield result
    finally:
        result.close()


def _checkpoints(session: Session, key: str, report: Report) -> AuditCheckpoint | None:
    previous_hash, latest = chain.CHECKPOINT_GENESIS, None
    for expected_id, cp in enumerate(session.scalars(select(AuditCheckpoint).order_by(col(AuditCheckpoint.id))), 1):
        computed = chain.checkpoint_hash(
            id=cp.id,
            at=cp.at,
            upto_id=cp.upto_id,
            upto_hash=cp.upto_hash,
            sealed_count=cp.sealed_count,
            sealed_digest=cp.sealed_digest,
            counts=cp.counts,
            prev_hash=cp.prev_hash,
        )
        if cp.id != expected_id:
            raise Broken(Problem("audit_checkpoint", expected_id, "is missing", previous_hash, None))
        if computed != cp.hash:
            raise Broken(Problem("audit_checkpoint", cp.id, "content does not match its hash", computed, cp.hash))
        if cp.prev_hash != previous_hash:
            raise Broken(
                Problem("audit_checkpoint", cp.id, "does not chain from the one before", previous_hash, cp.prev_hash)
            )
        if not key:
            raise Broken(
                Problem("audit_checkpoint", cp.id, "its signature cannot be checked: set EXAMENGINE_AUDIT_KEY")
            )
        if not chain.signature_ok(key, cp.hash, cp.signature):
            raise Broken(Problem("audit_checkpoint", cp.id, "the signature is not right for EXAMENGINE_AUDIT_KEY"))
        if latest is not None and cp.upto_id < latest.upto_id:
            raise Broken(Problem("audit_checkpoint", cp.id, "seals less than the checkpoint before it"))
        previous_hash, latest = cp.hash, cp
        report.checkpoints += 1
    return latest


def _global_chain(session: Session, latest: AuditCheckpoint | None, report: Report, heads: _Heads) -> None:
    upto_id, upto_hash = (latest.upto_id, latest.upto_hash) if latest else (0, chain.RECORD_GENESIS)
    seal = chain.SealDigest()
    sealed_checked = latest is None
    last_id, last_hash = upto_id, upto_hash
    # The head is read before the records: appends committed meanwhile may follow it, and must chain on.
    head = session.get(AuditChainHead, HEAD_ID)
    hash_at_head = upto_hash if head is not None and head.last_id == upto_id else None
    fields = ("id", "at", "kind", "actor_id", "subject", "detail", "prev_hash", "hash")
    query = select(*(col(getattr(AuditRecord, name)) for name in fields))
    with _stream(session, query.order_by(col(AuditRecord.id))) as records:
        for record_id, at, kind, actor_id, subject, detail, prev_hash, stored in records:
            computed = chain.record_hash(
                id=record_id, at=at, kind=kind, actor_id=actor_id, subject=subject, detail=detail, prev_hash=prev_hash
            )
            if computed != stored:
                raise Broken(Problem("audit_record", record_id, "content does not match its hash", computed, stored))
            report.records += 1
            heads.note(record_id, kind, subject, detail)
            if record_id <= upto_id:
                seal.add(record_id, stored)
                continue
            if not sealed_checked:
                _check_seal(latest, seal)
                sealed_checked = True
            if record_id != last_id + 1:
                message = f"does not follow record {last_id}: records {last_id + 1}..{record_id - 1} are missing"
                raise Broken(Problem("audit_record", record_id, message, last_hash, prev_hash))
            if prev_hash != last_hash:
                after = f"record {last_id}" if last_id > upto_id else "the checkpoint"
                raise Broken(Problem("audit_record", record_id, f"does not chain from {after}", last_hash, prev_hash))
            last_id, last_hash = record_id, stored
            if head is not None and record_id == head.last_id:
                hash_at_head = stored
    if not sealed_checked:
        _check_seal(latest, seal)
    report.sealed = seal.count
    if head is None:
        if last_id:
            raise Broken(Problem("audit_chain_head", HEAD_ID, f"is missing; the chain ends at record {last_id}"))
        return
    if head.last_id > last_id or hash_at_head != head.last_hash:
        message = f"says the chain reaches record {head.last_id}, but it ends at record {last_id}"
        raise Broken(Problem("audit_chain_head", HEAD_ID, message, hash_at_head or last_hash, head.last_hash))


def _check_seal(latest: AuditCheckpoint | None, seal: chain.SealDigest) -> None:
    if latest is None:
        return
    if seal.count != latest.sealed_count or seal.hexdigest() != latest.sealed_digest:
        message = (
            f"the {latest.sealed_count} records it keeps up to record {latest.upto_id} have changed "
            f"({seal.count} found)"
        )
        raise Broken(Problem("audit_checkpoint", latest.id, message, latest.sealed_digest, seal.hexdigest()))


def _attempt_chains(session: Session, report: Report, heads: _Heads) -> None:
    current, previous_hash = None, ""
    seen: set[tuple[str, int]] = set()
    fields = ("id", "attempt_id", "at", "actor_id", "type", "client_time", "detail", "prev_hash", "hash")
    query = select(*(col(getattr(AttemptEvent, name)) for name in fields))
    query = query.where(CHAINED).order_by(col(AttemptEvent.attempt_id), col(AttemptEvent.id))
    with _stream(session, query) as events:
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
    """Check every chain; the report names the first broken record (or none)."""
    report, heads = Report(), _Heads()
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        # one snapshot for the whole walk (SQLite's read transaction already is one)
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    try:
        latest = _checkpoints(session, key, report)
        _global_chain(session, latest, report, heads)
        _attempt_chains(session, report, heads)
    except Broken as broken:
        report.problem = broken.problem
    return report
