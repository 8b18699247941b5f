"""Walking the chains: the checkpoints, the global chain from the latest checkpoint, then the walks of the chains
the global one vouches for, passed in (the attempts' event chains: examengine.delivery.trail).

The first broken record is named (table, id, what is wrong, the expected and the stored hash). Rows are streamed
in id order, so memory stays small apart from the attempt heads recorded in the global chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.audit import chain
from examengine.audit.kinds import AuditKind
from examengine.audit.models import HEAD_ID, AuditChainHead, AuditCheckpoint, AuditRecord

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
class AttemptHeads:
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
def stream(session: Session, query: Any) -> Iterator[Any]:
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


def _global_chain(session: Session, latest: AuditCheckpoint | None, report: Report, heads: AttemptHeads) -> None:
    upto_id, upto_hash = (latest.upto_id, latest.upto_hash) if latest else (0, chain.RECORD_GENESIS)
    seal = chain.SealDigest()
    sealed_checked = latest is None
    last_id, last_hash = upto_id, upto_hash
    # The head is read before the records: appends committed meanwhile may follow it, and must chain on.
    head = session.get(AuditChainHead, HEAD_ID)
    hash_at_head = upto_hash if head is not None and head.last_id == upto_id else None
    fields = ("id", "at", "kind", "actor_id", "subject", "detail", "prev_hash", "hash")
    query = select(*(col(getattr(AuditRecord, name)) for name in fields))
    with stream(session, query.order_by(col(AuditRecord.id))) as records:
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


# A walk of chains the global chain vouches for: raises Broken at the first broken record, counts into the report.
ChainWalk = Callable[[Session, Report, AttemptHeads], None]


def verify(*, session: Session, key: str, walks: Sequence[ChainWalk] = ()) -> Report:
    """Check the checkpoints and the global chain, then run `walks`; the report names the first broken record
    (or none)."""
    report, heads = Report(), AttemptHeads()
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        # one snapshot for the whole walk (SQLite's read transaction already is one)
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    try:
        latest = _checkpoints(session, key, report)
        _global_chain(session, latest, report, heads)
        for walk in walks:
            walk(session, report, heads)
    except Broken as broken:
        report.problem = broken.problem
    return report
